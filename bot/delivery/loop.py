"""The delivery loop: one pass at a time sends the pending rows in order per case, exactly once.

A Slack error, a rate limit or a restart only delays a message. A post whose outcome is unknown
(a timeout, a 5xx, a crash in the middle of the call) is looked up (bot.delivery.lookup) before
anything else of its case goes; it is sent again only when the look-up positively found
nothing, never because the look-up failed. Leases are short and renewed while a call is under
way (bot.delivery.leases), so several copies of the bot can share one database."""

from __future__ import annotations

import logging
import socket
import threading
import uuid
from datetime import datetime, timedelta
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.backoff import Backoff
from bot.card_views import CardViews, CaseNotFound
from bot.clock import AdjustableClock, Clock
from bot.delivery.calls import Call, Drop, Orphan, Target, Wait, prepare
from bot.delivery.leases import LEASE, Heartbeat
from bot.delivery.lookup import LOOKUP_MARGIN, LookupFailed, Lookups, Uncertain
from bot.delivery.sender import Sender
from bot.outbox.kinds import (
    GROUP_REFUSALS,
    LOCATED,
    OUR_MISTAKES,
    POSTS,
    Kind,
    Outcome,
)
from bot.outbox.writer import OutboxWriter
from storage import looks
from storage import repository as repo
from storage.db import Database
from storage.models import OutboxMessage

logger = logging.getLogger(__name__)

RETRY_BACKOFF = Backoff(first=1.0, cap=timedelta(minutes=5).total_seconds())
LOOKUP_BACKOFF = Backoff(first=5.0, cap=timedelta(minutes=5).total_seconds())
WARN_AFTER_ATTEMPTS = 5  # then each further failure is logged as an error


class Outbox(OutboxWriter):
    def __init__(
        self,
        db: Database,
        client: WebClient,
        clock: Clock,
        views: CardViews,
        *,
        owner: str | None = None,
        lease: timedelta = LEASE,
        poll_interval: float = 1.0,
        attempt_timeout: float | None = None,
        lookup_margin: timedelta = LOOKUP_MARGIN,
    ):
        self.db = db
        self.client = client
        self.sender = Sender(client)
        self.clock = clock
        self.views = views
        self.owner = owner or f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"
        self.lease = lease
        self.poll_interval = poll_interval
        if attempt_timeout is None:  # how long an attempt may take: the client's timeout
            attempt_timeout = float(getattr(client, "timeout", None) or 30)
        timeout = attempt_timeout
        self.lookups = Lookups(client, clock, attempt_timeout=timeout, margin=lookup_margin)
        self.heartbeat = Heartbeat(db, clock, self.owner, lease)
        self._paused_until: datetime | None = None
        self._clock_off = False  # Slack stamped the last post far from our clock
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pass_lock = threading.Lock()

    # ---- the loop --------------------------------------------------------------------------

    def wake(self) -> None:
        """Deliver now rather than at the next poll (called after a commit)."""
        self._wake.set()

    def start(self) -> None:
        self._stop.clear()
        self.heartbeat.start()
        self._thread = threading.Thread(target=self._run, name="outbox", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)
            self._thread = None
        self.heartbeat.stop()

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
        """One pass: look up the posts of unknown outcome, then send the pending messages,
        oldest first, keeping each case's order."""
        with self._pass_lock:
            now = self.clock.now()
            if self._paused_until and now < self._paused_until:
                return
            self._look_up_uncertain(limit)
            with self.db.session() as session:
                pending = [
                    (m.id, m.ordering_key, m.next_attempt_at, m.lease_until, m.uncertain)
                    for m in repo.pending_outbox(session, limit=limit)
                ]
            blocked: set[str] = set()
            for message_id, key, next_attempt_at, lease_until, uncertain in pending:
                if key in blocked:
                    continue
                if (uncertain or next_attempt_at > now
                        or (lease_until is not None and lease_until > now)):
                    blocked.add(key)  # an uncertain post waits for its look-up
                    continue
                outcome = self._deliver(message_id)
                if outcome == Outcome.SENT:
                    continue
                blocked.add(key)
                if outcome == Outcome.PAUSED:
                    break

    # ---- posts of unknown outcome ------------------------------------------------------------

    def _look_up_uncertain(self, limit: int) -> None:
        now = self.clock.now()
        with self.db.session() as session:
            rows = [(m.id, m.dedupe_key, m.attempted_at, m.uncertain_since, m.lookup_channel,
                     m.lookup_thread_ts,
                     m.payload.get("filename") if m.kind == Kind.UPLOAD_FILE else None)
                    for m in repo.uncertain_outbox(session, now=now, limit=limit)]
        groups: dict[Target, list[Uncertain]] = {}
        for message_id, key, attempted_at, since, channel, thread_ts, file_name in rows:
            if channel is None or attempted_at is None:
                self._locate(message_id)  # an attempt recorded before look-ups were batched
                continue
            groups.setdefault(Target(channel, thread_ts), []).append(
                Uncertain(message_id, key, attempted_at, since or attempted_at, file_name))
        for target, wanted in groups.items():
            paused = self.lookups.paused_until(target.method)
            if paused is not None:
                self._defer(wanted, until=paused, error="look-up rate limited", count=False)
                continue
            try:
                verdict = self.lookups.look(target, wanted)
            except LookupFailed as failed:
                self._look_up_failed(target, wanted, failed)
                continue
            attempted = {item.message_id: item.attempted_at for item in wanted}
            for message_id, ts in verdict.found.items():
                self._found(message_id, target.channel, ts)
            for message_id in verdict.absent:
                with self.db.session() as session:
                    cleared = repo.clear_uncertain(session, message_id=message_id,
                                                   attempted_at=attempted[message_id], now=now)
                    session.commit()
                if cleared:
                    logger.info("outbox %s was not posted (looked up in %s); sending it",
                                message_id, target.channel)
            later = [item for item in wanted
                     if verdict.later.get(item.message_id, now) > now]
            for item in later:
                self._defer([item], until=verdict.later[item.message_id], error=None,
                            count=False)

    def _look_up_failed(self, target: Target, wanted: list[Uncertain],
                        failed: LookupFailed) -> None:
        """Nothing is known: the posts wait (never re-posted) and are looked up again later."""
        logger.warning("look-up in %s failed (%s); %s post(s) of unknown outcome wait for "
                       "the next look-up, not sent again", target.channel, failed.error,
                       len(wanted))
        self._defer(wanted, until=None, error=f"look-up: {failed.error}", count=True,
                    retry_after=failed.retry_after)

    def _defer(self, wanted: list[Uncertain], *, until: datetime | None, error: str | None,
               count: bool, retry_after: float | None = None) -> None:
        now = self.clock.now()
        with self.db.session() as session:
            for item in wanted:
                row = repo.get_outbox(session, message_id=item.message_id)
                if row is None:
                    continue
                when = until
                if when is None:
                    delay = LOOKUP_BACKOFF.delay(row.attempts + 1, retry_after=retry_after)
                    when = now + timedelta(seconds=delay)
                repo.defer_uncertain(session, message_id=item.message_id, until=when,
                                     error=error, count=count, now=now)
            session.commit()

    def _found(self, message_id: int, channel: str, ts: str) -> None:
        now = self.clock.now()
        with self.db.session() as session:
            taken = repo.lease_outbox(session, message_id=message_id, owner=self.owner, now=now,
                                      until=now + self.lease, count=False)
            session.commit()
        if taken:
            logger.info("outbox %s was already posted (ts %s); not sending again", message_id, ts)
            self._record_sent(message_id, channel, ts)

    def _locate(self, message_id: int) -> None:
        """Record where an uncertain post would be (it predates that record): from its call."""
        now = self.clock.now()
        with self.db.session() as session:
            if not repo.lease_outbox(session, message_id=message_id, owner=self.owner, now=now,
                                     until=now + self.lease, count=False):
                return
            session.commit()
            message = repo.get_outbox(session, message_id=message_id)
            assert message is not None
            try:
                call = self.sender.resolve(prepare(session, message, self.views))
            except (Wait, Drop, Orphan, CaseNotFound, SlackApiError, OSError) as reason:
                logger.warning("outbox %s: where it was posted is unknown (%s); retrying",
                               message_id, type(reason).__name__)
                self._release(message_id)
                return
            assert call.target is not None
            message.lookup_channel = call.target.channel
            message.lookup_thread_ts = call.target.thread_ts
            # Its attempt was at some time between its creation and now.
            message.uncertain_since = message.created_at
            message.attempted_at = now
            message.lease_until = None
            session.add(message)
            session.commit()

    def _release(self, message_id: int) -> None:
        with self.db.session() as session:
            repo.release_outbox(session, message_id=message_id, owner=self.owner)
            session.commit()

    # ---- sending -------------------------------------------------------------------------------

    def _deliver(self, message_id: int) -> Outcome:
        now = self.clock.now()
        with self.db.session() as session:
            # Only a message whose last attempt is known to have failed (or that has none).
            if not repo.lease_outbox(session, message_id=message_id, owner=self.owner, now=now,
                                     until=now + self.lease, certain_only=True):
                session.rollback()
                return Outcome.SKIPPED
            session.commit()
        self.heartbeat.hold(message_id)
        try:
            return self._attempt(message_id)
        finally:
            self.heartbeat.drop(message_id)

    def _attempt(self, message_id: int) -> Outcome:
        with self.db.session() as session:
            message = repo.get_outbox(session, message_id=message_id)
            assert message is not None
            try:
                call = prepare(session, message, self.views)
            except Wait as reason:
                # The card or summary it belongs under goes out first; try again next pass.
                return self._retry_later(message_id, str(reason), uncertain=False, delay=0)
            except (Drop, CaseNotFound) as reason:
                return self._finish(message_id, status="superseded", error=str(reason))
            except Orphan as reason:
                logger.error("outbox %s (%s, case %s) cannot be delivered: %s",
                             message_id, message.kind, message.case_id, reason)
                return self._finish(message_id, status="failed", error=str(reason))

        try:
            call = self.sender.resolve(call)
        except SlackApiError as error:  # nothing was posted yet
            return self._failed(message, call, error, posted=False)
        except (TimeoutError, URLError, OSError) as error:
            return self._retry_later(message_id, f"{type(error).__name__}: {error}",
                                     uncertain=False)
        post = message.kind in POSTS
        if post:
            assert call.target is not None
            with self.db.session() as session:
                repo.mark_attempt(session, message_id=message_id, at=self.clock.now(),
                                  channel=call.target.channel, thread_ts=call.target.thread_ts)
                session.commit()
        try:
            response = self._call(call)
        except SlackApiError as error:
            return self._failed(message, call, error, posted=post)
        except (TimeoutError, URLError, OSError) as error:
            return self._retry_later(message_id, f"{type(error).__name__}: {error}",
                                     uncertain=post)
        channel = response.get("channel") or call.kwargs.get("channel")
        return self._record_sent(message_id, channel, response.get("ts"))

    def _call(self, call: Call) -> dict[str, Any]:
        try:
            return self.sender.send(call)
        except SlackApiError as error:
            if error.response.get("error") != "not_in_channel":
                raise
            # A public channel the bot was never added to: join it and try once more.
            self.client.conversations_join(channel=call.kwargs["channel"])
            logger.info("joined channel %s to deliver", call.kwargs["channel"])
            return self.sender.send(call)

    # ---- recording the outcome -----------------------------------------------------------------

    def _record_sent(self, message_id: int, channel: str | None, ts: str | None) -> Outcome:
        with self.db.session() as session:
            row = repo.get_outbox(session, message_id=message_id)
            assert row is not None
            attempted_at = row.attempted_at
            row.status = "sent"
            row.sent_at = self.clock.now()
            row.uncertain = False
            row.lease_until = None
            row.last_error = None
            row.result_channel, row.result_ts = channel, ts
            session.add(row)
            kind, case_id, payload = row.kind, row.case_id, row.payload
            if kind in {Kind.POST_CARD, Kind.POST_PX_CARD} and case_id and channel and ts:
                repo.set_card_location(session, case_id=case_id, channel=channel, ts=ts,
                                       px=kind == Kind.POST_PX_CARD)
            if kind == Kind.POST_BATCH and ts:
                repo.set_batch_summary(session, batch_id=payload["batch_id"], ts=ts)
            if kind == Kind.POST_LOOK_LIST and ts:
                looks.set_ts(session, list_id=payload["list_id"], ts=ts)
            session.commit()
        logger.info("outbox %s sent (%s, case %s)", message_id, kind, case_id)
        self._check_skew(attempted_at, ts)
        if kind in LOCATED:
            self.wake()  # what waited for this card can go now
        return Outcome.SENT

    def _check_skew(self, attempted_at: datetime | None, ts: str | None) -> None:
        """Look-ups bracket an attempt by our clock; say so when Slack's clock is far off, once
        when it goes off and once when it is right again (not at every post). The local
        workspace's clock is ahead of real time on purpose: nothing to say about it."""
        if attempted_at is None or not ts or isinstance(self.clock, AdjustableClock):
            return
        try:
            offset = float(ts) - attempted_at.timestamp()
        except ValueError:
            return
        half = self.lookups.margin.total_seconds() / 2
        off = offset < -half or offset > self.lookups.attempt_timeout.total_seconds() + half
        if off == self._clock_off:
            return
        self._clock_off = off
        if off:
            logger.warning("Slack stamped a post %.0fs from when we sent it: this machine's "
                           "clock is off; look-ups allow %.0fs (said once, until it is right "
                           "again)", offset, self.lookups.margin.total_seconds())
        else:
            logger.info("Slack's clock and this machine's agree again (%.0fs apart)", offset)

    def _failed(self, message: OutboxMessage, call: Call, error: SlackApiError, *,
                posted: bool) -> Outcome:
        status = error.response.status_code
        code = error.response.get("error") if isinstance(error.response.data, dict) else None
        code = code or f"http_{status}"
        if status == 429:
            retry_after = int(error.response.headers.get("Retry-After", "1") or 1)
            self._paused_until = self.clock.now() + timedelta(seconds=retry_after)
            logger.warning("Slack rate limit on %s; outbox paused for %ss",
                           call.method, retry_after)
            self._retry_later(message.id, "ratelimited", uncertain=False, delay=retry_after)
            return Outcome.PAUSED
        refused = message.kind == Kind.USERGROUP_SYNC and code in GROUP_REFUSALS
        if status < 500 and (code in OUR_MISTAKES or refused):
            logger.error("outbox %s (%s, case %s) rejected by Slack: %s",
                         message.id, message.kind, message.case_id, code)
            return self._finish(message.id, status="failed", error=code)
        # A 5xx may have taken effect; ok:false with any other code did not.
        return self._retry_later(message.id, code, uncertain=posted and status >= 500)

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
            if not uncertain:
                row.attempted_at = row.uncertain_since = None
            row.last_error = error[:500]
            session.add(row)
            session.commit()
            attempts, kind, case_id = row.attempts, row.kind, row.case_id
        log = logger.error if attempts >= WARN_AFTER_ATTEMPTS else logger.warning
        log("outbox %s (%s, case %s) not delivered: %s; attempt %s, next in %.0fs%s",
            message_id, kind, case_id, error, attempts, delay,
            " (its outcome is unknown: it is looked up first)" if uncertain else "")
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

    # ---- state -------------------------------------------------------------------------------

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
        # A pass that began after the first look may hold a head now (its lease counts as
        # "not ours to send"): look at the pass again, last.
        return all(due > now or (lease is not None and lease > now)
                   for due, lease in heads) and not self._pass_lock.locked()

    def counts(self) -> dict[str, int]:
        with self.db.session() as session:
            return repo.outbox_counts(session)
