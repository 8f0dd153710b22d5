"""Queries about replies on their way to reviewers (ReplyPost rows): the latest of a case, the
ones due a look-up, and the compare-and-set that lets one worker post a reply at a time."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from storage.models import ReplyPost


def get(session: Session, *, post_id: int) -> ReplyPost | None:
    return session.get(ReplyPost, post_id)


def latest(session: Session, *, case_id: int, audience: str,
           statuses: Iterable[str] | None = None) -> ReplyPost | None:
    """The case's newest reply of `audience` (in one of `statuses`, when given)."""
    query = select(ReplyPost).where(ReplyPost.case_id == case_id,
                                    ReplyPost.audience == audience)
    if statuses is not None:
        query = query.where(col(ReplyPost.status).in_(list(statuses)))
    return session.exec(query.order_by(col(ReplyPost.id).desc())).first()


def for_card(session: Session, *, case_id: int, first: Iterable[str],
             shown: Iterable[str]) -> ReplyPost | None:
    """The public post a card tells about: one in `first` (an outcome still unknown) if any,
    else the one in `shown` that changed last."""
    for statuses in (first, shown):
        row = session.exec(
            select(ReplyPost).where(ReplyPost.case_id == case_id,
                                    ReplyPost.audience == "public",
                                    col(ReplyPost.status).in_(list(statuses)))
            .order_by(col(ReplyPost.updated_at).desc(), col(ReplyPost.id).desc())
        ).first()
        if row is not None:
            return row
    return None


def unsettled(session: Session, *, case_id: int, statuses: Iterable[str],
              other_than: int | None = None) -> Sequence[ReplyPost]:
    """The case's public posts whose outcome is not known yet, oldest first."""
    query = select(ReplyPost).where(ReplyPost.case_id == case_id,
                                    ReplyPost.audience == "public",
                                    col(ReplyPost.status).in_(list(statuses)))
    if other_than is not None:
        query = query.where(ReplyPost.id != other_than)
    return session.exec(query.order_by(col(ReplyPost.id))).all()


def count(session: Session, *, case_id: int, audience: str, statuses: Iterable[str],
          since: datetime | None = None) -> int:
    """How many of the case's posts to `audience` are in `statuses` (made `since`, if given)."""
    query = select(func.count()).select_from(ReplyPost).where(
        ReplyPost.case_id == case_id, ReplyPost.audience == audience,
        col(ReplyPost.status).in_(list(statuses)))
    if since is not None:
        query = query.where(col(ReplyPost.created_at) >= since)
    return session.exec(query).one()


def claim(session: Session, *, post_id: int, expected: Iterable[str], status: str,
          at: datetime) -> bool:
    """Move the post to `status` only if it is in one of `expected` (so two clicks on Try
    again post once); True when this call moved it."""
    result = session.execute(
        update(ReplyPost)
        .where(col(ReplyPost.id) == post_id, col(ReplyPost.status).in_(list(expected)))
        .values(status=status, updated_at=at)
    )
    return result.rowcount == 1


def supersede(session: Session, *, case_id: int, statuses: Iterable[str], other_than: int,
              status: str, at: datetime) -> None:
    """A reply got there: the case's earlier public attempts in `statuses` no longer matter."""
    session.execute(
        update(ReplyPost)
        .where(col(ReplyPost.case_id) == case_id, col(ReplyPost.audience) == "public",
               col(ReplyPost.id) != other_than, col(ReplyPost.status).in_(list(statuses)))
        .values(status=status, updated_at=at)
    )


def due_checks(session: Session, *, now: datetime, limit: int = 50) -> Sequence[int]:
    """Ids of posts whose next look-up is due, earliest first."""
    return session.exec(
        select(ReplyPost.id).where(col(ReplyPost.next_check_at) <= now)
        .order_by(col(ReplyPost.next_check_at)).limit(limit)
    ).all()


def next_check(session: Session) -> datetime | None:
    return session.exec(
        select(ReplyPost.next_check_at).where(col(ReplyPost.next_check_at).is_not(None))
        .order_by(col(ReplyPost.next_check_at)).limit(1)
    ).first()
