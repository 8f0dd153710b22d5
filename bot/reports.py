"""Reads what the figures are computed from (storage/reports.py) into bot.figures' typed
values, and answers for a period: one place for the digest, `/reviewdesk stats`, the Home tab's
week and `reviewdesk report`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.clock import Clock
from bot.config import Config
from bot.figures import (
    CaseFact,
    Comparison,
    EventFact,
    Figures,
    History,
    Period,
    WindowFact,
    compare,
    compute,
    trend,
    weeks_before,
)
from storage import reports as store
from storage.db import Database


def load_history(db: Database, *, start: datetime, end: datetime) -> History:
    """Everything that happened in [start, end), with what came before that it depends on."""
    with db.session() as session:
        cases, events, windows = store.history(session, start=start, end=end)
    return History(
        cases={case_id: CaseFact(case_id=case_id, opened_at=opened_at, site=site,
                                 source=source,
                                 themes=tuple(str(t) for t in (triage or {}).get("themes") or ()))
               for case_id, opened_at, site, source, triage in cases},
        events=[EventFact(case_id, action, at, details or {})
                for case_id, action, at, details in events],
        windows=[WindowFact(case_id, kind, due_at, met_at)
                 for case_id, kind, due_at, met_at in windows],
    )


class Reports:
    def __init__(self, db: Database, config: Config, clock: Clock):
        self.db = db
        self.config = config
        self.clock = clock

    @property
    def timezone(self) -> str:
        return self.config.timezone

    def figures(self, period: Period, *, sites: Iterable[str] | None = None) -> Figures:
        history = load_history(self.db, start=period.start, end=period.end)
        return compute(history, period, now=self.clock.now(), sites=sites)

    def comparison(self, week: Period, *, previous: int = 4,
                   sites: Iterable[str] | None = None) -> Comparison:
        first = weeks_before(week, previous)[-1]
        history = load_history(self.db, start=first.start, end=week.end)
        return compare(history, week, previous=previous, now=self.clock.now(), sites=sites)

    def trend(self, week: Period, count: int, *,
              sites: Iterable[str] | None = None) -> list[Figures]:
        first = weeks_before(week, count - 1)[-1] if count > 1 else week
        history = load_history(self.db, start=first.start, end=week.end)
        return trend(history, week, count, now=self.clock.now(), sites=sites)
