"""Looking for posts whose outcome is unknown (a timeout, a 5xx, a crash in the middle of the
call): did Slack post them or not?

Only a look-up that read the whole time bracket of an attempt and found no message carrying
its key says "not posted", and only once the attempt can no longer land; then the message may
be sent again. A look-up that fails (429, an error, a 5xx, no answer) says nothing, and is
tried again later. One request a channel (or thread) a pass covers every uncertain message
there: `oldest`/`latest` bracket the attempts, `limit` is 15 and metadata is asked for, so
look-ups work under Slack's 2025 limits for commercially distributed apps outside the
Marketplace (conversations.history and conversations.replies: 1 request a minute, at most 15
messages a page; https://api.slack.com/changelog/2025-05-terms-rate-limit-update-and-faq).
A bracket with more than 15 messages is read a page a pass, from the cursor."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.clock import Clock
from bot.delivery.calls import Target

logger = logging.getLogger(__name__)

LOOKUP_LIMIT = 15
# Slack stamps a post with its own clock; ours may differ a little. The bracket reaches this
# far beyond the attempt on both sides (a post is found whatever the skew up to this).
LOOKUP_MARGIN = timedelta(seconds=60)
# After the client gave up on an attempt, how long Slack may still take to post it.
LOOKUP_GRACE = timedelta(seconds=5)


@dataclass(frozen=True)
class Uncertain:
    """A post whose last attempt (made at `attempted_at`) ended without an answer."""

    message_id: int
    key: str  # the dedupe key its metadata carries
    attempted_at: datetime
    since: datetime  # the earliest it may have landed (the attempt, or before when unknown)
    file_name: str | None = None  # an upload: known by its file's name (files carry no metadata)


@dataclass
class Verdict:
    found: dict[int, str] = field(default_factory=dict)  # message id -> the post's ts
    absent: list[int] = field(default_factory=list)  # certainly not posted: send again
    later: dict[int, datetime] = field(default_factory=dict)  # not known yet: look again then


class LookupFailed(Exception):
    """Slack did not answer the look-up; nothing is known."""

    def __init__(self, error: str, *, retry_after: float | None = None):
        super().__init__(error)
        self.error = error
        self.retry_after = retry_after


@dataclass
class _Scan:
    """A bracket being read a page at a time (newest first), and what it found so far."""

    bracket: tuple[str, str]
    started_at: datetime
    cursor: str | None = None
    found: dict[str, str] = field(default_factory=dict)  # key -> ts


def _ts(moment: datetime) -> str:
    return f"{moment.timestamp():.6f}"


class Lookups:
    def __init__(self, client: WebClient, clock: Clock, *, attempt_timeout: float,
                 margin: timedelta = LOOKUP_MARGIN, grace: timedelta = LOOKUP_GRACE,
                 limit: int = LOOKUP_LIMIT):
        self.client = client
        self.clock = clock
        self.attempt_timeout = timedelta(seconds=attempt_timeout)
        self.margin = margin
        self.grace = grace
        self.limit = limit
        self._scans: dict[Target, _Scan] = {}
        self._paused: dict[str, datetime] = {}  # method -> rate limited until

    def settles_at(self, attempted_at: datetime) -> datetime:
        """When an attempt made at `attempted_at` can no longer land."""
        return attempted_at + self.attempt_timeout + self.grace

    def paused_until(self, method: str) -> datetime | None:
        until = self._paused.get(method)
        return until if until is not None and until > self.clock.now() else None

    def bracket(self, wanted: list[Uncertain]) -> tuple[str, str]:
        first = min(item.since for item in wanted)
        last = max(item.attempted_at for item in wanted)
        return _ts(first - self.margin), _ts(last + self.attempt_timeout + self.margin)

    def look(self, target: Target, wanted: list[Uncertain]) -> Verdict:
        """One request for the uncertain posts of `target`; raises LookupFailed."""
        now = self.clock.now()
        bracket = self.bracket(wanted)
        scan = self._scans.get(target)
        if scan is None or scan.bracket != bracket:
            scan = _Scan(bracket, now)
        page = self._page(target, scan)
        files = {item.file_name: item.key for item in wanted if item.file_name}
        for item in page.get("messages") or []:
            if not item.get("ts"):
                continue
            payload = (item.get("metadata") or {}).get("event_payload") or {}
            key = payload.get("key") if isinstance(payload, dict) else None
            if isinstance(key, str):
                scan.found[key] = item["ts"]
            for shared in item.get("files") or []:
                if isinstance(shared, dict) and shared.get("name") in files:
                    scan.found[files[shared["name"]]] = item["ts"]
        verdict = Verdict(found={item.message_id: scan.found[item.key] for item in wanted
                                 if item.key in scan.found})
        missing = [item for item in wanted if item.key not in scan.found]
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if cursor and missing:
            scan.cursor = cursor
            self._scans[target] = scan
            verdict.later = {item.message_id: now for item in missing}
            return verdict
        self._scans.pop(target, None)
        for item in missing:
            settled = self.settles_at(item.attempted_at)
            if scan.started_at >= settled:
                verdict.absent.append(item.message_id)
            else:
                verdict.later[item.message_id] = settled
        return verdict

    def _page(self, target: Target, scan: _Scan) -> dict[str, Any]:
        oldest, latest = scan.bracket
        options: dict[str, Any] = {"channel": target.channel, "oldest": oldest,
                                   "latest": latest, "limit": self.limit,
                                   "include_all_metadata": True}
        if scan.cursor:
            options["cursor"] = scan.cursor
        try:
            if target.thread_ts:
                response = self.client.conversations_replies(ts=target.thread_ts, **options)
            else:
                response = self.client.conversations_history(**options)
        except SlackApiError as error:
            status = error.response.status_code
            code = error.response.get("error") if isinstance(error.response.data, dict) \
                else None
            if status == 429:
                retry_after = float(error.response.headers.get("Retry-After", "60") or 60)
                self._paused[target.method] = self.clock.now() + timedelta(seconds=retry_after)
                raise LookupFailed("ratelimited", retry_after=retry_after) from None
            if code == "thread_not_found":
                # The thread is gone (its parent was deleted), and with it any reply of ours.
                return {"messages": []}
            raise LookupFailed(code or f"http_{status}") from None
        except (TimeoutError, URLError, OSError) as error:
            raise LookupFailed(type(error).__name__) from None
        data = response.data
        if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
            raise LookupFailed("malformed_answer")
        return data

