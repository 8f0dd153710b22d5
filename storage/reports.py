"""Queries for reports, case lists and the Home tab: what the figures are computed from, the
open cases with their windows, searches, reviews that need a look, who has the Home tab open,
and which weeks' digests went out."""

from __future__ import annotations

from collections import defaultdict
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


def open_cases(session: Session) -> Sequence[tuple[Case, Review]]:
    """Every open case with its review, oldest first."""
    return session.exec(
        select(Case, Review)
        .join(Review, col(Review.id) == Case.review_id)
        .where(Case.status == "open")
        .order_by(col(Case.created_at), col(Case.id))
    ).all()


def windows_for(session: Session, *, case_ids: Iterable[int]) -> dict[int, list[CaseWindow]]:
    ids = list(case_ids)
    found: dict[int, list[CaseWindow]] = defaultdict(list)
    if not ids:
        return found
    for window in session.exec(select(CaseWindow).where(col(CaseWindow.case_id).in_(ids))):
        found[window.case_id].append(window)
    return found


def burst_threads(session: Session, *, batch_ids: Iterable[int]) -> dict[int, str]:
    """The posted summary's ts of each burst (a card inside a burst is a reply to it)."""
    ids = [batch_id for batch_id in set(batch_ids) if batch_id is not None]
    if not ids:
        return {}
    rows = session.exec(select(CardBatch.id, CardBatch.summary_ts)
                        .where(col(CardBatch.id).in_(ids))).all()
    return {batch_id: ts for batch_id, ts in rows if ts}


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def find_cases(session: Session, *, text: str, limit: int) -> tuple[
        Sequence[tuple[Case, Review]], int]:
    """Cases whose review's text, author or site mentions `text` (any case, newest first),
    the first `limit`, and how many match."""
    pattern = _like(text)
    matches = or_(col(Review.text).ilike(pattern, escape="\\"),
                  col(Review.author).ilike(pattern, escape="\\"),
                  col(Review.site).ilike(pattern, escape="\\"))
    rows = session.exec(
        select(Case, Review).join(Review, col(Review.id) == Case.review_id).where(matches)
        .order_by(col(Case.created_at).desc(), col(Case.id).desc()).limit(limit)
    ).all()
    total = session.exec(
        select(func.count()).select_from(Case).join(Review, col(Review.id) == Case.review_id)
        .where(matches)
    ).one()
    return rows, total


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


def record_digest(session: Session, *, week_key: str, week_start: datetime,
                  week_end: datetime, at: datetime) -> DigestRun:
    """Add the week's row; flushing raises IntegrityError when another copy of the bot did."""
    run = DigestRun(week_key=week_key, week_start=week_start, week_end=week_end, created_at=at)
    session.add(run)
    session.flush()
    return run


def latest_digest(session: Session) -> DigestRun | None:
    return session.exec(select(DigestRun).order_by(col(DigestRun.week_start).desc())).first()
