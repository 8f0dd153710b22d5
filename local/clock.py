"""The page's clock control: moves the bot's injected clock by an hour, a day or to the next
thing due (a reminder, a deadline, the on-call hand-off), stopping at every moment something
falls due on the way, so each reminder goes out at its own time, in order, as it would have."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlmodel import col, select

from bot.clock import AdjustableClock
from bot.desk.nudges import LATE_AFTER
from storage import nudges
from storage.models import Nudge

if TYPE_CHECKING:
    from reviewdesk.app import ReviewDesk

logger = logging.getLogger("reviewdesk.local")

# The timed jobs whose moments a move of the clock stops at (the Home tab and the source polls
# only look at the time; they catch up after the move).
STEPPED_JOBS = ("nudges", "handoffs", "usergroup", "digest")
# Enough for a day of reminders every minute; a longer move runs the rest at its end (late).
MAX_MOMENTS = 2000
# Nudges due this close together are sent at one stop (well within LATE_AFTER, so not late).
COALESCE = LATE_AFTER / 2
DELIVERY_WAIT = 30.0  # seconds the bot gets to send what one moment brought


class DeskClock:
    """The page's clock control over the bot's injected clock (`twin.workspace.ClockControl`)."""

    def __init__(self, clock: AdjustableClock, service: ReviewDesk):
        self.clock = clock
        self.service = service
        self._moving = threading.Lock()  # two clicks move the clock one after the other

    def now(self) -> datetime:
        return self.clock.now()

    def ahead_by(self) -> float:
        return self.clock.offset.total_seconds()

    def moving(self) -> bool:
        return self._moving.locked()

    def next_deadline(self) -> tuple[datetime, str] | None:
        now = self.clock.now()
        with self.service.db.session() as session:
            row = session.exec(
                select(Nudge.due_at, Nudge.key).where(Nudge.status == "pending",
                                                      col(Nudge.due_at) > now)
                .order_by(col(Nudge.due_at)).limit(1)
            ).first()
        candidates: list[tuple[datetime, str]] = []
        if row is not None:
            due_at, key = row
            what = ("a window's deadline" if key == "lapse"
                    else "a reminder" if key.startswith("lead-") else "a repeat reminder")
            candidates.append((_aware(due_at), what))
        if self.service.oncall.order():
            handoff = self.service.oncall.next_wakeup()
            if handoff > now:
                candidates.append((handoff, "the on-call hand-off"))
        return min(candidates, key=lambda c: c[0]) if candidates else None

    def advance(self, step: str) -> datetime:
        with self._moving:
            now = self.clock.now()
            if step == "1h":
                target = now + timedelta(hours=1)
            elif step == "1d":
                target = now + timedelta(days=1)
            else:
                upcoming = self.next_deadline()
                if upcoming is None:
                    return now
                target = upcoming[0] + timedelta(seconds=1)
            scheduler = self.service.scheduler
            with scheduler.held(name for name in STEPPED_JOBS if scheduler.has(name)):
                self._step_to(target)
                return self.clock.advance_to(target)

    def _step_to(self, target: datetime) -> None:
        """Move to each moment before `target` at which a timed job has work, in order, and
        let the bot do that work and send it before moving on."""
        scheduler = self.service.scheduler
        jobs = [name for name in STEPPED_JOBS if scheduler.has(name)]
        wait = DELIVERY_WAIT
        for _ in range(MAX_MOMENTS):
            # What this moment brought goes out before the clock moves on; an outbox that
            # cannot send (Slack refusing, say) is not waited for again in this move.
            if not self._settle(wait) and wait:
                logger.warning("the outbox did not send within %.0fs; the clock moves on "
                               "without waiting for it", wait)
                wait = 0.0
            now = self.clock.now()
            due = {name: _aware_or_none(scheduler.next_due(name)) for name in jobs}
            ready = [name for name, when in due.items() if when is not None and when <= now]
            if ready:
                for name in ready:
                    scheduler.run_now(name)
                # A job still due after its run cannot go on now (an error, logged by the
                # scheduler); it is left to its timer, after the move, rather than stopping
                # the move here.
                jobs = [name for name in jobs if name not in ready or not _due_by(
                    scheduler.next_due(name), self.clock.now())]
                continue
            upcoming = [when for when in due.values() if when is not None and when <= target]
            if not upcoming:
                return
            self.clock.advance_to(self._moment(min(upcoming), target))
        logger.warning("the clock passed %s moments on its way; the rest go out at its end",
                       MAX_MOMENTS)

    def _moment(self, first: datetime, target: datetime) -> datetime:
        """The next stop: `first`, or the last nudge due within COALESCE of it (cases that came
        in together are reminded together, none late), never past `target`."""
        with self.service.db.session() as session:
            last = nudges.last_due_by(session, until=first + COALESCE)
        return min(max(first, _aware(last)) if last is not None else first, target)

    def _settle(self, wait: float) -> bool:
        """Wait (`wait` seconds at most) until no timed job is running and the outbox has sent
        everything it could send now; False when it had not."""
        scheduler, outbox = self.service.scheduler, self.service.outbox
        outbox.wake()
        deadline = time.monotonic() + wait
        while scheduler.busy() or not outbox.idle():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)
        return True


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _aware_or_none(moment: datetime | None) -> datetime | None:
    return None if moment is None else _aware(moment)


def _due_by(moment: datetime | None, now: datetime) -> bool:
    return moment is not None and _aware(moment) <= now
