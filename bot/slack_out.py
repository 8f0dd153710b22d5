"""The outbox: everything the bot posts to Slack is a row written in the same transaction as the
change it announces, and one delivery loop sends the rows in order per case, exactly once.

A Slack error, a rate limit or a restart only delays a message. A post whose outcome is unknown
(timeout, 5xx, crash mid-call) is looked up by its metadata before it is sent again, so it is
never doubled."""

from __future__ import annotations

import base64
import logging
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.error import URLError

from markupsafe import Markup
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from sqlmodel import Session

from bot.backoff import Backoff
from bot.blocks.kit import Rendered
from bot.blocks.threads import thread_line
from bot.card_views import CardViews, CaseNotFound
from bot.clock import Clock
from bot.text import line
from storage import looks
from storage import repository as repo
from storage.db import Database
from storage.models import OutboxMessage

logger = logging.getLogger(__name__)

METADATA_EVENT = "reviewdesk_message"
LOOKUP_PAGES = 5
RETRY_BACKOFF = Backoff(first=1.0, cap=timedelta(minutes=5).total_seconds())

# Errors that say our message itself is wrong: sending it again cannot succeed.
_OUR_MISTAKES = frozenset({
    "invalid_blocks", "invalid_blocks_format", "msg_too_long", "no_text", "invalid_arguments",
    "invalid_metadata_format", "invalid_metadata_schema", "metadata_too_large",
    "message_not_found", "cant_update_message", "thread_not_found",
})
# Slack's answers that say the on-call user group cannot be updated until someone changes a
# setting in Slack or in reviewdesk.toml: the sync is not tried again until the next change of
# person (usergroups.users.update; missing_scope: the app lacks usergroups:write).
_GROUP_REFUSALS = frozenset({
    "no_such_subteam", "permission_denied", "invalid_users", "invalid_user", "no_users_provided",
    "failed_for_some_users", "plan_upgrade_required", "missing_scope", "not_allowed_token_type",
})


class Kind(StrEnum):
    POST_CARD = "post_card"
    UPDATE_CARD = "update_card"
    POST_PX_CARD = "post_px_card"
    UPDATE_PX_CARD = "update_px_card"
    THREAD_REPLY = "thread_reply"
    MESSAGE = "message"
    POST_BATCH = "post_batch"
    UPDATE_BATCH = "update_batch"
    POST_LOOK_LIST = "post_look_list"  # the day's "Needs a look" message
    UPDATE_LOOK_LIST = "update_look_list"
    RISK_NOTICE = "risk_notice"  # a copy of a risk case for the risk channel
    CASE_DM = "case_dm"  # a direct message about a case, with a link to its card
    DM = "dm"  # a direct message to a person
    USERGROUP_SYNC = "usergroup_sync"  # set a Slack user group's members (the on-call group)
    UPLOAD_FILE = "upload_file"  # share a file (the digest's chart) in a channel or a DM


_POSTS = frozenset(
    {Kind.POST_CARD, Kind.POST_PX_CARD, Kind.THREAD_REPLY, Kind.MESSAGE, Kind.POST_BATCH,
     Kind.POST_LOOK_LIST,
     Kind.RISK_NOTICE, Kind.CASE_DM, Kind.DM, Kind.UPLOAD_FILE}
)
UPLOAD = "files.upload_v2"  # slack_sdk's files.getUploadURLExternal, the bytes, and
                            # files.completeUploadExternal
_UPDATES = frozenset({Kind.UPDATE_CARD, Kind.UPDATE_PX_CARD})


class Outcome(StrEnum):
    SENT = "sent"
    WAITING = "waiting"  # not sent now; later messages of the same case must wait too
    SKIPPED = "skipped"  # another worker holds it
    PAUSED = "paused"  # rate limited: stop the pass


@dataclass(frozen=True)
class _Call:
    method: str
    kwargs: dict[str, Any]
    lookup: tuple[str, str | None] | None  # (channel, thread_ts) to search when uncertain
    dm_user: str | None = None  # post in the DM with this user (opened at send time)
    permalink_of: tuple[str, str] | None = None  # fill "{permalink}" with this message's link
    file_name: str | None = None  # an upload: found again by its file's name, not metadata


class _Wait(Exception):
    """The message cannot go yet (its card is not posted); keep it pending."""


class _Drop(Exception):
    """The message has nothing left to do (superseded, or the case is gone)."""


class _Orphan(Exception):
    """The message belongs to a card whose post failed for good."""


def _case_key(case_id: int) -> str:
    return f"case:{case_id}"


def _usergroup_key(usergroup: str) -> str:
    return f"usergroup:{usergroup}"


class Outbox:
    def __init__(
        self,
        db: Database,
        client: WebClient,
        clock: Clock,
        views: CardViews,
        *,
        owner: str | None = None,
        lease: timedelta = timedelta(seconds=60),
        poll_interval: float = 1.0,
    ):
        self.db = db
        self.client = client
        self.clock = clock
        self.views = views
        self.owner = owner or f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"
        self.lease = lease
        self.poll_interval = poll_interval
        self._paused_until: datetime | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pass_lock = threading.Lock()

    # ---- writing: called inside the transaction that makes the change ------------------

    def _add(
        self,
        session: Session,
        kind: Kind,
        *,
        case_id: int | None = None,
        channel: str | None = None,
        payload: dict[str, Any] | None = None,
        ordering_key: str | None = None,
    ) -> OutboxMessage:
        now = self.clock.now()
        message = OutboxMessage(
            dedupe_key=uuid.uuid4().hex,
            case_id=case_id,
            ordering_key=ordering_key or (_case_key(case_id) if case_id else "misc"),
            kind=kind,
            channel=channel,
            payload=payload or {},
            next_attempt_at=now,
            created_at=now,
        )
        session.add(message)
        return message

    def post_card(self, session: Session, *, case_id: int, channel: str) -> None:
        self._add(session, Kind.POST_CARD, case_id=case_id, channel=channel)

    def update_card(self, session: Session, *, case_id: int) -> None:
        self._add(session, Kind.UPDATE_CARD, case_id=case_id)

    def post_px_card(self, session: Session, *, case_id: int, channel: str) -> None:
        self._add(session, Kind.POST_PX_CARD, case_id=case_id, channel=channel)

    def risk_notice(self, session: Session, *, case_id: int, channel: str) -> None:
        self._add(session, Kind.RISK_NOTICE, case_id=case_id, channel=channel)

    def update_px_card(self, session: Session, *, case_id: int) -> None:
        self._add(session, Kind.UPDATE_PX_CARD, case_id=case_id)

    def thread_reply(self, session: Session, *, case_id: int, text: str, px: bool = False,
                     nudge: str | None = None, broadcast: bool = False) -> None:
        """A line in the card's thread; `nudge` ("<case id>:<window kind>") adds a reminder's
        Snooze and I'm on it buttons; `broadcast` shows it in the channel too."""
        self._add(session, Kind.THREAD_REPLY, case_id=case_id,
                  payload={"text": text, "px": px, "nudge": nudge, "broadcast": broadcast})

    def case_dm(self, session: Session, *, case_id: int, user: str, text: str,
                px: bool = False) -> None:
        """A direct message to `user`; "{permalink}" in `text` becomes the card's link."""
        self._add(session, Kind.CASE_DM, case_id=case_id,
                  payload={"text": text, "user": user, "px": px})

    def post_batch(self, session: Session, *, batch_id: int) -> None:
        self._add(session, Kind.POST_BATCH, payload={"batch_id": batch_id},
                  ordering_key=f"batch:{batch_id}")

    def post_look_list(self, session: Session, *, list_id: int) -> None:
        self._add(session, Kind.POST_LOOK_LIST, payload={"list_id": list_id},
                  ordering_key=f"look:{list_id}")

    def update_look_list(self, session: Session, *, list_id: int) -> None:
        self._add(session, Kind.UPDATE_LOOK_LIST, payload={"list_id": list_id},
                  ordering_key=f"look:{list_id}")

    def update_batch(self, session: Session, *, batch_id: int) -> None:
        self._add(session, Kind.UPDATE_BATCH, payload={"batch_id": batch_id},
                  ordering_key=f"batch:{batch_id}")

    def dm(self, session: Session, *, user: str, text: str, blocks: list | None = None,
           ordering_key: str = "misc") -> None:
        """A direct message to `user` (the DM is opened when it is sent)."""
        self._add(session, Kind.DM, payload={"text": text, "blocks": blocks, "user": user},
                  ordering_key=ordering_key)

    def usergroup_sync(self, session: Session, *, usergroup: str, users: list[str]) -> None:
        """Make `users` the members of the Slack user group `usergroup`; a newer sync of the
        same group supersedes this one while it waits."""
        self._add(session, Kind.USERGROUP_SYNC, payload={"usergroup": usergroup, "users": users},
                  ordering_key=_usergroup_key(usergroup))

    def requested_usergroup(self, session: Session, *, usergroup: str) -> list[str] | None:
        """The members last asked for the user group (sent, waiting or refused), if any."""
        row = repo.latest_outbox(session, ordering_key=_usergroup_key(usergroup),
                                 kind=Kind.USERGROUP_SYNC)
        return None if row is None else list(row.payload["users"])

    def upload_file(
        self, session: Session, *, content: bytes, filename: str, title: str, alt_text: str,
        comment: str, channel: str | None = None, user: str | None = None,
        ordering_key: str = "misc",
    ) -> None:
        """Share a file in `channel`, or in the DM with `user`, with `comment` above it. The
        file's name should be unique in its channel: after a cut-off upload, the channel is
        searched for it before uploading again."""
        self._add(session, Kind.UPLOAD_FILE, channel=channel, ordering_key=ordering_key,
                  payload={"content": base64.b64encode(content).decode("ascii"),
                           "filename": filename, "title": title, "alt_text": alt_text,
                           "comment": comment, "user": user})

    def message(
        self, session: Session, *, channel: str, text: str, blocks: list | None = None,
        ordering_key: str = "misc",
    ) -> None:
        self._add(
            session, Kind.MESSAGE, channel=channel, payload={"text": text, "blocks": blocks},
            ordering_key=ordering_key,
        )

    # ---- the delivery loop ---------------------------------------------------------------

    def wake(self) -> None:
        """Deliver now rather than at the next poll (called after a commit)."""
        self._wake.set()

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="outbox", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.deliver_due()
            except Exception:
                # The loop must outlive a database hiccup; the rows stay pending.
                logger.exception("outbox pass failed; retrying in %.0fs", self.poll_interval)
            self._wake.wait(self.poll_interval)
            self._wake.clear()

    def deliver_due(self, limit: int = 200) -> None:
        """One pass over the pending messages, oldest first, keeping each case's order."""
        with self._pass_lock:
            now = self.clock.now()
            if self._paused_until and now < self._paused_until:
                return
            with self.db.session() as session:
                pending = [
                    (m.id, m.ordering_key, m.next_attempt_at, m.lease_until)
                    for m in repo.pending_outbox(session, limit=limit)
                ]
            blocked: set[str] = set()
            for message_id, key, next_attempt_at, lease_until in pending:
                if key in blocked:
                    continue
                if next_attempt_at > now or (lease_until is not None and lease_until > now):
                    blocked.add(key)
                    continue
                outcome = self._deliver(message_id)
                if outcome == Outcome.SENT:
                    continue
                blocked.add(key)
                if outcome == Outcome.PAUSED:
                    break

    def _deliver(self, message_id: int) -> Outcome:
        now = self.clock.now()
        with self.db.session() as session:
            if not repo.lease_outbox(
                session, message_id=message_id, owner=self.owner, now=now, until=now + self.lease
            ):
                session.rollback()
                return Outcome.SKIPPED
            session.commit()
            message = repo.get_outbox(session, message_id=message_id)
            assert message is not None
            was_uncertain = message.uncertain
            try:
                call = self._prepare(session, message)
            except _Wait as reason:
                # The card or summary it belongs under goes out first; try again next pass.
                return self._retry_later(message_id, str(reason), uncertain=False, delay=0)
            except (_Drop, CaseNotFound) as reason:
                return self._finish(message_id, status="superseded", error=str(reason))
            except _Orphan as reason:
                logger.error("outbox %s (%s, case %s) cannot be delivered: %s",
                             message_id, message.kind, message.case_id, reason)
                return self._finish(message_id, status="failed", error=str(reason))
            if message.kind in _POSTS:
                message.uncertain = True
                session.add(message)
                session.commit()

        try:
            call = self._resolve(call)
            found = self._find_earlier_post(message, call) if was_uncertain else None
            response = found or self._call(call)
        except SlackApiError as error:
            return self._failed(message, call, error)
        except (TimeoutError, URLError, OSError) as error:
            return self._retry_later(
                message_id, f"{type(error).__name__}: {error}", uncertain=message.kind in _POSTS
            )
        return self._succeeded(message, call, response)

    def _prepare(self, session: Session, message: OutboxMessage) -> _Call:
        """Turn a row into the Web API call to make, rendering cards from the case as it is now."""
        kind = Kind(message.kind)
        metadata = {
            "event_type": METADATA_EVENT,
            "event_payload": {"key": message.dedupe_key, "case_id": message.case_id or 0},
        }
        if kind in {Kind.MESSAGE, Kind.DM}:
            payload = message.payload
            kwargs = {"channel": message.channel, "text": payload["text"], "metadata": metadata}
            if payload.get("blocks"):
                kwargs["blocks"] = payload["blocks"]
            if kind == Kind.DM:
                return _Call("chat.postMessage", kwargs, None, dm_user=payload["user"])
            return _Call("chat.postMessage", kwargs, (message.channel, None))
        if kind in {Kind.POST_BATCH, Kind.UPDATE_BATCH}:
            return self._prepare_batch(session, message, metadata)
        if kind in {Kind.POST_LOOK_LIST, Kind.UPDATE_LOOK_LIST}:
            return self._prepare_look_list(session, message, metadata)
        if kind == Kind.UPLOAD_FILE:
            payload = message.payload
            kwargs = {"channel": message.channel, "content": payload["content"],
                      "filename": payload["filename"], "title": payload["title"],
                      "alt_txt": payload["alt_text"], "initial_comment": payload["comment"]}
            return _Call(UPLOAD, kwargs, (message.channel, None) if message.channel else None,
                         dm_user=payload.get("user"), file_name=payload["filename"])
        if kind == Kind.USERGROUP_SYNC:
            if repo.later_pending(session, message=message):
                raise _Drop("a newer sync of the same user group follows")
            payload = message.payload
            return _Call("usergroups.users.update",
                         {"usergroup": payload["usergroup"], "users": ",".join(payload["users"])},
                         None)

        case_id = message.case_id
        assert case_id is not None
        case = repo.get_case(session, case_id=case_id)
        if case is None:
            raise _Drop(f"case {case_id} no longer exists")

        if kind == Kind.RISK_NOTICE:
            kwargs = _message_kwargs(self.views.risk_notice(case_id), channel=message.channel,
                                     metadata=metadata)
            return _Call("chat.postMessage", kwargs, (message.channel, None))
        if kind in {Kind.POST_CARD, Kind.POST_PX_CARD}:
            px = kind == Kind.POST_PX_CARD
            if (case.px_card_ts if px else case.card_ts) is not None:
                raise _Drop("the card is already posted")
            rendered = (self.views.px_card if px else self.views.case_card)(case_id)
            kwargs = _message_kwargs(rendered, channel=message.channel, metadata=metadata)
            thread_ts = None if px else self._burst_thread(session, case.batch_id)
            if thread_ts:
                kwargs["thread_ts"] = thread_ts
            return _Call("chat.postMessage", kwargs, (message.channel, thread_ts))

        px = kind == Kind.UPDATE_PX_CARD or bool(message.payload.get("px"))
        channel = case.px_card_channel if px else case.card_channel
        ts = case.px_card_ts if px else case.card_ts
        if ts is None:
            post_kind = Kind.POST_PX_CARD if px else Kind.POST_CARD
            if repo.has_pending(session, case_id=case_id, kind=post_kind):
                raise _Wait("its card is not posted yet")
            raise _Orphan("its card was never posted")
        if kind in _UPDATES:
            if repo.later_pending(session, message=message):
                raise _Drop("a newer update of the same card follows")
            rendered = (self.views.px_card if px else self.views.case_card)(case_id)
            return _Call("chat.update", _message_kwargs(rendered, channel=channel, ts=ts), None)
        text = message.payload["text"]
        if kind == Kind.CASE_DM:
            return _Call("chat.postMessage",
                         {"text": text, "metadata": metadata, "unfurl_links": False},
                         lookup=None, dm_user=message.payload["user"], permalink_of=(channel, ts))
        burst_thread = None if px else self._burst_thread(session, case.batch_id)
        if burst_thread:
            # A card inside a burst's thread has no thread of its own: its history goes
            # into the burst's thread, named by case number.
            ts, text = burst_thread, str(line("burst_history", case_id=case_id, text=Markup(text)))
        rendered = thread_line(text, nudge=message.payload.get("nudge"))
        kwargs = {"channel": channel, "thread_ts": ts, "text": rendered.text,
                  "metadata": metadata, "unfurl_links": False, "unfurl_media": False}
        if rendered.blocks:
            kwargs["blocks"] = rendered.blocks
        if message.payload.get("broadcast"):
            kwargs["reply_broadcast"] = True
        return _Call("chat.postMessage", kwargs, (channel, ts))

    def _burst_thread(self, session: Session, batch_id: int | None) -> str | None:
        """The ts of the burst summary a case's card belongs under (None when not in one)."""
        if batch_id is None:
            return None
        batch = repo.get_batch(session, batch_id=batch_id)
        if batch is None or batch.summary_ts is None:
            raise _Wait("its burst summary is not posted yet")
        return batch.summary_ts

    def _prepare_batch(self, session: Session, message: OutboxMessage, metadata: dict) -> _Call:
        batch_id = message.payload["batch_id"]
        batch = repo.get_batch(session, batch_id=batch_id)
        if batch is None:
            raise _Drop(f"burst {batch_id} no longer exists")
        return self._post_or_update(
            session, message, metadata, post=message.kind == Kind.POST_BATCH,
            channel=batch.channel, ts=batch.summary_ts,
            render=lambda: self.views.batch_summary(batch_id))

    def _prepare_look_list(self, session: Session, message: OutboxMessage,
                           metadata: dict) -> _Call:
        list_id = message.payload["list_id"]
        look_list = looks.get_list(session, list_id=list_id)
        if look_list is None:
            raise _Drop(f"look list {list_id} no longer exists")
        return self._post_or_update(
            session, message, metadata, post=message.kind == Kind.POST_LOOK_LIST,
            channel=look_list.channel, ts=look_list.ts,
            render=lambda: self.views.look_list(list_id))

    def _post_or_update(self, session: Session, message: OutboxMessage, metadata: dict, *,
                        post: bool, channel: str, ts: str | None,
                        render: Callable[[], Rendered]) -> _Call:
        """A message posted once and then updated in place (a burst's summary, a day's
        "Needs a look"), rendered as it is when it goes out."""
        if post:
            if ts is not None:
                raise _Drop("it is already posted")
            return _Call("chat.postMessage",
                         _message_kwargs(render(), channel=channel, metadata=metadata),
                         (channel, None))
        if ts is None:
            raise _Wait("it is not posted yet")
        if repo.later_pending(session, message=message):
            raise _Drop("a newer update of the same message follows")
        return _Call("chat.update", _message_kwargs(render(), channel=channel, ts=ts), None)

    def _resolve(self, call: _Call) -> _Call:
        """Fill in what needs Slack's answer first: the DM channel, the card's link."""
        kwargs = dict(call.kwargs)
        lookup = call.lookup
        if call.dm_user:
            opened = self.client.conversations_open(users=call.dm_user)
            kwargs["channel"] = opened["channel"]["id"]
            lookup = (kwargs["channel"], None)
        if call.permalink_of:
            channel, ts = call.permalink_of
            link = self.client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
            kwargs["text"] = kwargs["text"].replace("{permalink}", link)
        return _Call(call.method, kwargs, lookup, file_name=call.file_name)

    def _call(self, call: _Call) -> dict[str, Any]:
        try:
            if call.method == UPLOAD:
                return self._upload(call.kwargs)
            return self.client.api_call(call.method, json=call.kwargs).data  # type: ignore[return-value]
        except SlackApiError as error:
            if error.response.get("error") != "not_in_channel":
                raise
            # A public channel the bot was never added to: join it and try once more.
            self.client.conversations_join(channel=call.kwargs["channel"])
            logger.info("joined channel %s to deliver", call.kwargs["channel"])
            if call.method == UPLOAD:
                return self._upload(call.kwargs)
            return self.client.api_call(call.method, json=call.kwargs).data  # type: ignore[return-value]

    def _upload(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """The current file upload (files.upload is retired): slack_sdk's files_upload_v2 asks
        for an upload URL, sends the bytes there and completes the upload into the channel."""
        options = dict(kwargs)
        content = base64.b64decode(options.pop("content"))
        try:
            response = self.client.files_upload_v2(file=content, **options)
        except SlackRequestError as error:  # the upload URL answered other than 200
            raise OSError(f"file upload failed: {error}") from error
        return {**response.data, "channel": options["channel"]}  # type: ignore[dict-item]

    def _find_earlier_post(self, message: OutboxMessage, call: _Call) -> dict[str, Any] | None:
        """After an attempt with an unknown outcome, look for the post carrying our key."""
        if call.lookup is None:
            return None
        channel, thread_ts = call.lookup
        # The newest messages first, a few pages deep: a post cut off minutes ago is there.
        # (No `oldest` bound: it would compare our clock with Slack's.)
        cursor = None
        for _page in range(LOOKUP_PAGES):
            options = {"channel": channel, "include_all_metadata": True, "limit": 200,
                       "cursor": cursor}
            if thread_ts:
                response = self.client.conversations_replies(ts=thread_ts, **options)
            else:
                response = self.client.conversations_history(**options)
            for item in response.get("messages", []):
                payload = (item.get("metadata") or {}).get("event_payload") or {}
                shared = [f.get("name") for f in item.get("files") or []]
                if payload.get("key") == message.dedupe_key or (
                        call.file_name is not None and call.file_name in shared):
                    logger.info("outbox %s was already posted (ts %s); not sending again",
                                message.id, item.get("ts"))
                    return {"ok": True, "channel": channel, "ts": item["ts"]}
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        return None

    # ---- recording the outcome ---------------------------------------------------------

    def _succeeded(self, message: OutboxMessage, call: _Call, response: dict) -> Outcome:
        channel = response.get("channel") or call.kwargs.get("channel")
        ts = response.get("ts")
        with self.db.session() as session:
            row = repo.get_outbox(session, message_id=message.id)
            assert row is not None
            row.status = "sent"
            row.sent_at = self.clock.now()
            row.uncertain = False
            row.lease_until = None
            row.last_error = None
            row.result_channel, row.result_ts = channel, ts
            session.add(row)
            if message.kind in {Kind.POST_CARD, Kind.POST_PX_CARD} and message.case_id:
                repo.set_card_location(
                    session, case_id=message.case_id, channel=channel, ts=ts,
                    px=message.kind == Kind.POST_PX_CARD,
                )
            if message.kind == Kind.POST_BATCH:
                repo.set_batch_summary(session, batch_id=message.payload["batch_id"], ts=ts)
            if message.kind == Kind.POST_LOOK_LIST:
                looks.set_ts(session, list_id=message.payload["list_id"], ts=ts)
            session.commit()
        logger.info("outbox %s sent (%s, case %s)", message.id, message.kind, message.case_id)
        if message.kind in {Kind.POST_CARD, Kind.POST_PX_CARD, Kind.POST_BATCH,
                            Kind.POST_LOOK_LIST}:
            self.wake()  # what waited for this card can go now
        return Outcome.SENT

    def _failed(self, message: OutboxMessage, call: _Call, error: SlackApiError) -> Outcome:
        status = error.response.status_code
        code = error.response.get("error") or f"http_{status}"
        if status == 429:
            retry_after = int(error.response.headers.get("Retry-After", "1") or 1)
            self._paused_until = self.clock.now() + timedelta(seconds=retry_after)
            logger.warning("Slack rate limit on %s; outbox paused for %ss",
                           call.method, retry_after)
            self._retry_later(message.id, "ratelimited", uncertain=False, delay=retry_after)
            return Outcome.PAUSED
        refused = message.kind == Kind.USERGROUP_SYNC and code in _GROUP_REFUSALS
        if status < 500 and (code in _OUR_MISTAKES or refused):
            logger.error("outbox %s (%s, case %s) rejected by Slack: %s",
                         message.id, message.kind, message.case_id, code)
            return self._finish(message.id, status="failed", error=code)
        # 5xx may have taken effect; ok:false with any other code did not.
        return self._retry_later(message.id, code, uncertain=status >= 500 and
                                 message.kind in _POSTS)

    def _retry_later(
        self, message_id: int, error: str, *, uncertain: bool, delay: float | None = None
    ) -> Outcome:
        with self.db.session() as session:
            row = repo.get_outbox(session, message_id=message_id)
            assert row is not None
            if delay is None:
                delay = RETRY_BACKOFF.delay(row.attempts)
            row.next_attempt_at = self.clock.now() + timedelta(seconds=delay)
            row.lease_until = None
            row.uncertain = uncertain
            row.last_error = error[:500]
            session.add(row)
            session.commit()
            attempts, kind, case_id = row.attempts, row.kind, row.case_id
        log = logger.error if attempts >= 5 else logger.warning
        log("outbox %s (%s, case %s) not delivered: %s; attempt %s, next in %.0fs",
            message_id, kind, case_id, error, attempts, delay)
        return Outcome.WAITING

    def _finish(self, message_id: int, *, status: str, error: str) -> Outcome:
        with self.db.session() as session:
            row = repo.get_outbox(session, message_id=message_id)
            assert row is not None
            row.status = status
            row.lease_until = None
            row.last_error = error[:500]
            session.add(row)
            session.commit()
        return Outcome.SENT if status == "superseded" else Outcome.WAITING

    def idle(self) -> bool:
        """No pass under way and nothing that could go now: each case's next message is due
        later (or waits out a rate limit)."""
        if self._pass_lock.locked():
            return False
        now = self.clock.now()
        if self._paused_until and now < self._paused_until:
            return True
        with self.db.session() as session:
            heads = repo.outbox_heads(session)
        return all(due > now or (lease is not None and lease > now) for due, lease in heads)

    def counts(self) -> dict[str, int]:
        with self.db.session() as session:
            return repo.outbox_counts(session)


def _message_kwargs(
    rendered: Rendered, *, channel: str | None, ts: str | None = None, metadata: dict | None = None
) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "channel": channel,
        "text": rendered.text,
        "blocks": rendered.blocks,
        "unfurl_links": False,
        "unfurl_media": False,
    }
    if ts:
        kwargs["ts"] = ts
        del kwargs["unfurl_links"], kwargs["unfurl_media"]
    if metadata:
        kwargs["metadata"] = metadata
    return kwargs
