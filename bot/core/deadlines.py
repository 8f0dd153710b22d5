"""Each open case's next deadline, the one the lists go by (cases.next_*): the earliest open
window, and when it becomes "due soon" as its card says it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.core.cases import Status
from storage import lists as list_queries

DUE_SOON = timedelta(hours=1)  # a window is due soon in its last hour, or its last quarter


def due_soon_from(started_at: datetime, due_at: datetime) -> datetime:
    """When a window becomes "due soon", as its card says it: in its last hour or its last
    quarter, whichever is longer."""
    return due_at - max(DUE_SOON, (due_at - started_at) / 4)


@dataclass(frozen=True)
class Deadline:
    """A case's earliest open window."""

    window: str
    due_at: datetime
    due_soon_at: datetime


def next_deadline(windows: Iterable[tuple[int, str, datetime, datetime]]) -> Deadline | None:
    """The earliest of open windows given as (id, kind, started at, due at)."""
    earliest = min(windows, key=lambda window: (window[3], window[0]), default=None)
    if earliest is None:
        return None
    _id, kind, started_at, due_at = earliest
    return Deadline(kind, due_at, due_soon_from(started_at, due_at))


def keep_deadlines(session: Session, case_ids: Iterable[int]) -> None:
    """Bring the next deadline the lists go by (cases.next_*) in step with the cases' windows
    and status, inside the transaction that changed them. Every change to windows comes here:
    through Nudges.sync (each action on a case, each case opened on its own) or the batched
    intake; a change that does not would leave its reminders out of step too."""
    session.flush()
    statuses, windows = list_queries.open_windows(session, case_ids=case_ids)
    open_ones: dict[int, list[tuple[int, str, datetime, datetime]]] = defaultdict(list)
    for case_id, window_id, kind, started_at, due_at in windows:
        open_ones[case_id].append((window_id, kind, started_at, due_at))
    values = []
    for case_id, status in statuses.items():
        deadline = next_deadline(open_ones[case_id]) if status == Status.OPEN else None
        values.append({"case_id": case_id,
                       "next_window": deadline.window if deadline else None,
                       "next_due_at": deadline.due_at if deadline else None,
                       "next_due_soon_at": deadline.due_soon_at if deadline else None})
    list_queries.set_next_due(session, values=values)
