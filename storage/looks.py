"""Queries about "Needs a look": each day's list and the unsure reviews on it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.models import LookItem, LookList, Review


def list_for(session: Session, *, day: str, channel: str) -> LookList | None:
    return session.exec(
        select(LookList).where(LookList.day == day, LookList.channel == channel)
    ).first()


def get_list(session: Session, *, list_id: int) -> LookList | None:
    return session.get(LookList, list_id)


def item_for_review(session: Session, *, review_id: int) -> LookItem | None:
    return session.exec(select(LookItem).where(LookItem.review_id == review_id)).first()


def items_of(session: Session, *, list_id: int) -> Sequence[tuple[LookItem, Review]]:
    return session.exec(
        select(LookItem, Review).join(Review, col(Review.id) == LookItem.review_id)
        .where(LookItem.list_id == list_id).order_by(col(LookItem.id))
    ).all()


def pending(session: Session, *, limit: int) -> Sequence[tuple[LookItem, Review]]:
    """Undecided items, oldest first (App Home's "Needs a look")."""
    return session.exec(
        select(LookItem, Review).join(Review, col(Review.id) == LookItem.review_id)
        .where(col(LookItem.decision).is_(None)).order_by(col(LookItem.id)).limit(limit)
    ).all()


def decide(session: Session, *, item_id: int, decision: str, actor: str, at: datetime,
           case_id: int | None = None) -> bool:
    """Record a decision once; False when someone decided first."""
    return session.execute(
        update(LookItem)
        .where(col(LookItem.id) == item_id, col(LookItem.decision).is_(None))
        .values(decision=decision, decided_by=actor, decided_at=at, case_id=case_id)
    ).rowcount == 1


def set_ts(session: Session, *, list_id: int, ts: str) -> None:
    session.execute(update(LookList).where(col(LookList.id) == list_id).values(ts=ts))


def decided(session: Session) -> Sequence[tuple[LookItem, Review]]:
    """Every decision, oldest first (`reviewdesk triage export-feedback`)."""
    return session.exec(
        select(LookItem, Review).join(Review, col(Review.id) == LookItem.review_id)
        .where(col(LookItem.decision).is_not(None)).order_by(col(LookItem.decided_at))
    ).all()
