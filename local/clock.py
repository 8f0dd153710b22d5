"""The page's clock control: moves the bot's injected clock by an hour, a day or to the next
thing due (a reminder, a deadline, the on-call hand-off)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlmodel import col, select

from bot.clock import AdjustableClock
from storage.models import Nudge

if TYPE_CHECKING:
    from app import ReviewDesk


class DeskClock:
    """The page's clock control over the bot's injected clock (`twin.workspace.ClockControl`)."""

    def __init__(self, clock: AdjustableClock, service: ReviewDesk):
        self.clock = clock
        self.service = service

    def now(self) -> datetime:
        return self.clock.now()

    def ahead_by(self) -> float:
        return self.clock.offset.total_seconds()

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
        if step == "1h":
            return self.clock.advance(timedelta(hours=1))
        if step == "1d":
            return self.clock.advance(timedelta(days=1))
        upcoming = self.next_deadline()
        if upcoming is None:
            return self.clock.now()
        return self.clock.advance_to(upcoming[0] + timedelta(seconds=1))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
