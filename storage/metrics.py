"""What /metrics reads from the database at each scrape (reviewdesk/metrics.py): the outbox's
depth and its oldest pending message, cases by status, windows missed and still open, and each
feed's failed polls in a row. Keyword-only functions over a session; nothing is written."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import Case, CaseWindow, OutboxMessage, SourceCursor


def outbox_by_status(session: Session) -> dict[str, int]:
    rows = session.exec(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
    return {status: count for status, count in rows}


def oldest_pending_outbox(session: Session) -> datetime | None:
    """When the oldest message still waiting for Slack was written."""
    return session.exec(
        select(func.min(OutboxMessage.created_at)).where(OutboxMessage.status == "pending")
    ).one()


def cases_by_status(session: Session) -> dict[str, int]:
    rows = session.exec(select(Case.status, func.count()).group_by(Case.status)).all()
    return {status: count for status, count in rows}


def missed_open_windows(session: Session, *, now: datetime) -> dict[str, int]:
    """Windows past their deadline, neither met nor stopped: by kind."""
    rows = session.exec(
        select(CaseWindow.kind, func.count())
        .where(col(CaseWindow.met_at).is_(None), col(CaseWindow.stopped_at).is_(None),
               col(CaseWindow.due_at) < now)
        .group_by(CaseWindow.kind)).all()
    return {kind: count for kind, count in rows}


def feed_failures(session: Session) -> dict[str, int]:
    """Each polled feed's failed polls in a row (0 once a poll succeeds), by its cursor key."""
    rows = session.exec(select(SourceCursor.key, SourceCursor.failures)).all()
    return {key: failures for key, failures in rows}
