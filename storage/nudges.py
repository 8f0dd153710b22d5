"""Queries about nudges: the reminders planned for each window, and which are due."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.models import Nudge


def get(session: Session, *, nudge_id: int) -> Nudge | None:
    return session.get(Nudge, nudge_id)


def planned_for(session: Session, *, window_id: int) -> Sequence[Nudge]:
    return session.exec(select(Nudge).where(Nudge.window_id == window_id)).all()


def hold_until(session: Session, *, window_id: int, until: datetime) -> None:
    """Move the window's pending nudges due before `until` to `until`."""
    session.execute(
        update(Nudge)
        .where(col(Nudge.window_id) == window_id, col(Nudge.status) == "pending",
               col(Nudge.due_at) < until)
        .values(due_at=until)
    )


def next_due(session: Session) -> datetime | None:
    return session.exec(
        select(Nudge.due_at).where(Nudge.status == "pending")
        .order_by(col(Nudge.due_at)).limit(1)
    ).first()


def last_due_by(session: Session, *, until: datetime) -> datetime | None:
    """The latest due time of a pending nudge at or before `until`."""
    return session.exec(
        select(Nudge.due_at).where(Nudge.status == "pending", col(Nudge.due_at) <= until)
        .order_by(col(Nudge.due_at).desc()).limit(1)
    ).first()


def due_ids(session: Session, *, now: datetime, limit: int) -> Sequence[int]:
    return session.exec(
        select(Nudge.id).where(Nudge.status == "pending", col(Nudge.due_at) <= now)
        .order_by(col(Nudge.due_at), col(Nudge.id)).limit(limit)
    ).all()


def another_due(session: Session, *, window_id: int, now: datetime, besides: int) -> bool:
    """Whether another of the window's pending nudges is due by `now` (a later one makes an
    earlier lead reminder pointless)."""
    return session.exec(
        select(Nudge.id).where(Nudge.window_id == window_id, Nudge.status == "pending",
                               col(Nudge.due_at) <= now, Nudge.id != besides)
    ).first() is not None


def take(session: Session, *, nudge_id: int, status: str, now: datetime, late: bool) -> bool:
    """Mark a pending nudge sent, skipped or cancelled; False when another copy of the bot
    took it first (the conditional update is what makes a nudge go out once)."""
    return session.execute(
        update(Nudge)
        .where(col(Nudge.id) == nudge_id, col(Nudge.status) == "pending")
        .values(status=status, sent_at=now, late=late)
    ).rowcount == 1


def owed_dms(session: Session, *, limit: int) -> Sequence[Nudge]:
    """Sent nudges whose direct messages are not written yet, oldest first."""
    return session.exec(
        select(Nudge).where(Nudge.dm_status == "owed").order_by(col(Nudge.id)).limit(limit)
    ).all()


def any_dms_owed(session: Session) -> bool:
    """Whether a sent nudge still owes its DMs (a run cut short before writing them)."""
    return session.exec(
        select(Nudge.id).where(Nudge.dm_status == "owed").limit(1)
    ).first() is not None


def take_dms(session: Session, *, nudge_id: int, status: str) -> bool:
    """Mark a nudge's owed DMs sent (or dropped); False when another copy of the bot took them
    first, so each is written once."""
    return session.execute(
        update(Nudge)
        .where(col(Nudge.id) == nudge_id, col(Nudge.dm_status) == "owed")
        .values(dm_status=status)
    ).rowcount == 1


def dms_of_case(session: Session, *, case_id: int) -> list[tuple[str, str]]:
    """The (member id, why) of every DM the case's nudges called for and did not drop."""
    rows = session.exec(
        select(Nudge.dm_to).where(Nudge.case_id == case_id,
                                  col(Nudge.dm_status).in_(("owed", "sent")))
    ).all()
    return [(user, why) for row in rows for user, why in row or ()]
