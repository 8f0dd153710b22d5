"""Queries for reports and the Home tab: what the figures are computed from, burst threads,
reviews that need a look, who has the Home tab open, and which weeks' digests went out. The
lists of open cases are storage/lists.py's; searching cases is storage/search.py's."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, union, update
from sqlmodel import Session, col, select

from storage.models import (
    CardBatch,
    Case,
    CaseEvent,
    CaseWindow,
    DigestRun,
    HomeView,
    LookItem,
    Review,
)

# ---- what the figures are computed from --------------------------------------------------------


def history(session: Session, *, start: datetime, end: datetime) -> tuple[
    Sequence[tuple[int, datetime, str | None, str, dict[str, Any]]],
    Sequence[tuple[int, str, datetime, dict[str, Any]]],
    Sequence[tuple[int, str, datetime, datetime | None]],
    Sequence[tuple[datetime, str | None, str | None, datetime | None]],
]:
    """Every case that opened, changed or had a deadline in [start, end): (id, opened at, site,
    source, triage) each; all their events before `end` (case, action, at, details), oldest
    first; all their windows (case, kind, due at, met at); and every "Needs a look" item listed
    or decided in [start, end) (listed at, site, decision, decided at)."""
    touched = union(
        select(Case.id).where(col(Case.created_at) >= start, col(Case.created_at) < end),
        select(CaseEvent.case_id).where(col(CaseEvent.created_at) >= start,
                                        col(CaseEvent.created_at) < end),
        select(CaseWindow.case_id).where(col(CaseWindow.due_at) >= start,
                                         col(CaseWindow.due_at) < end),
    ).subquery()
    ids = select(touched.c[0])
    cases = session.exec(
        select(Case.id, Case.created_at, Case.site, Review.source, Review.triage)
        .join(Review, col(Review.id) == Case.review_id)
        .where(col(Case.id).in_(ids))
    ).all()
    events = session.exec(
        select(CaseEvent.case_id, CaseEvent.action, CaseEvent.created_at, CaseEvent.details)
        .where(col(CaseEvent.case_id).in_(ids), col(CaseEvent.created_at) < end)
        .order_by(col(CaseEvent.created_at), col(CaseEvent.id))
    ).all()
    windows = session.exec(
        select(CaseWindow.case_id, CaseWindow.kind, CaseWindow.due_at, CaseWindow.met_at)
        .where(col(CaseWindow.case_id).in_(ids))
    ).all()
    looks = session.exec(
        select(LookItem.added_at, Review.site, LookItem.decision, LookItem.decided_at)
        .join(Review, col(Review.id) == LookItem.review_id)
        .where(or_(
            (col(LookItem.added_at) >= start) & (col(LookItem.added_at) < end),
            (col(LookItem.decided_at) >= start) & (col(LookItem.decided_at) < end),
        ))
    ).all()
    return cases, events, windows, looks  # type: ignore[return-value]


# ---- case lists --------------------------------------------------------------------------------


def burst_threads(session: Session, *, batch_ids: Iterable[int]) -> dict[int, str]:
    """The posted summary's ts of each burst (a card inside a burst is a reply to it)."""
    ids = [batch_id for batch_id in set(batch_ids) if batch_id is not None]
    if not ids:
        return {}
    rows = session.exec(select(CardBatch.id, CardBatch.summary_ts)
                        .where(col(CardBatch.id).in_(ids))).all()
    return {batch_id: ts for batch_id, ts in rows if ts}


def case_with_review(session: Session, *, case_id: int) -> tuple[Case, Review] | None:
    return session.exec(
        select(Case, Review).join(Review, col(Review.id) == Case.review_id)
        .where(Case.id == case_id)
    ).first()


def pending_looks(session: Session, *, limit: int, offset: int = 0) -> tuple[
        Sequence[tuple[LookItem, Review]], int]:
    """Unrated reviews triage was unsure about that nobody has decided on yet ("Needs a
    look"), oldest first: the page asked for, and how many there are."""
    undecided = col(LookItem.decision).is_(None)
    rows = session.exec(
        select(LookItem, Review).join(Review, col(Review.id) == LookItem.review_id)
        .where(undecided).order_by(col(LookItem.id)).offset(offset).limit(limit)
    ).all()
    total = session.exec(select(func.count()).select_from(LookItem).where(undecided)).one()
    return rows, total


def looks_mark(session: Session) -> str:
    """Changes whenever an item is added to "Needs a look" or decided."""
    newest = session.exec(select(func.max(LookItem.id))).one() or 0
    decided = session.exec(select(func.count()).select_from(LookItem)
                           .where(col(LookItem.decision).is_not(None))).one()
    return f"{newest}:{decided}"


def latest_event_id(session: Session) -> int:
    return session.exec(select(func.max(CaseEvent.id))).one() or 0


def latest_deadline(session: Session, *, now: datetime) -> datetime | None:
    """The last window deadline at or before `now` (figures judge a window at its deadline,
    so they change when one passes, with no event)."""
    return session.exec(select(func.max(CaseWindow.due_at))
                        .where(col(CaseWindow.due_at) <= now)).one()


# ---- the Home tab ------------------------------------------------------------------------------


def home_view(session: Session, *, user_id: str) -> HomeView | None:
    return session.get(HomeView, user_id)


def home_opened(session: Session, *, user_id: str, at: datetime) -> HomeView:
    """Record that `user_id` opened the Home tab: back to the first page of every list."""
    view = session.get(HomeView, user_id)
    if view is None:
        view = HomeView(user_id=user_id, opened_at=at)
    view.opened_at, view.pages, view.stale = at, {}, True
    session.add(view)
    return view


def home_viewers(session: Session, *, since: datetime) -> Sequence[HomeView]:
    """Everyone who opened the Home tab since `since`."""
    return session.exec(select(HomeView).where(col(HomeView.opened_at) >= since)
                        .order_by(col(HomeView.user_id))).all()


def set_home_published(session: Session, *, user_id: str, at: datetime, event_id: int,
                       looks: str, refresh_at: datetime | None,
                       shown_notice: str | None) -> None:
    """Record what the published Home reflects. A notice shown is cleared (unless another
    took its place meanwhile)."""
    values: dict[str, Any] = {"published_at": at, "published_event_id": event_id,
                              "published_looks": looks, "refresh_at": refresh_at,
                              "stale": False}
    session.execute(update(HomeView).where(col(HomeView.user_id) == user_id).values(**values))
    if shown_notice is not None:
        session.execute(update(HomeView).where(col(HomeView.user_id) == user_id,
                                               col(HomeView.notice) == shown_notice)
                        .values(notice=None))


# ---- the weekly digest ---------------------------------------------------------------------------


def digest_sent(session: Session, *, week_key: str) -> bool:
    return session.exec(select(DigestRun.id).where(DigestRun.week_key == week_key)
                        ).first() is not None


def any_digest_sent(session: Session) -> bool:
    return session.exec(select(DigestRun.id)).first() is not None


def record_digest(session: Session, *, week_key: str, week_start: datetime,
                  week_end: datetime, at: datetime) -> DigestRun:
    """Add the week's row; flushing raises IntegrityError when another copy of the bot did."""
    run = DigestRun(week_key=week_key, week_start=week_start, week_end=week_end, created_at=at)
    session.add(run)
    session.flush()
    return run
