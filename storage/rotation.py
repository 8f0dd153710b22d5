"""The on-call rotation's queries (members, overrides, hand-offs), as keyword-only functions
over a session."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from storage.models import Handoff, RotationMember, RotationOverride

# ---- members -------------------------------------------------------------------------------


def members(session: Session) -> Sequence[RotationMember]:
    """Everyone ever in the rotation, active or not, in rotation order."""
    return session.exec(
        select(RotationMember).order_by(col(RotationMember.position), col(RotationMember.id))
    ).all()


def get_member(session: Session, *, user_id: str) -> RotationMember | None:
    return session.exec(select(RotationMember).where(RotationMember.user_id == user_id)).first()


def last_position(session: Session) -> int:
    """The highest position in use, or -1 when the rotation is empty."""
    highest = session.exec(select(func.max(RotationMember.position))).one()
    return -1 if highest is None else highest


def add_member(session: Session, *, user_id: str, position: int) -> RotationMember:
    member = RotationMember(user_id=user_id, position=position, active=True)
    session.add(member)
    return member


def set_member(session: Session, *, user_id: str, position: int | None = None,
               active: bool | None = None) -> None:
    values: dict = {}
    if position is not None:
        values["position"] = position
    if active is not None:
        values["active"] = active
    if values:
        session.execute(
            update(RotationMember).where(col(RotationMember.user_id) == user_id).values(**values)
        )


# ---- hand-offs -----------------------------------------------------------------------------


def latest_handoff(session: Session, *, at: datetime | None = None) -> Handoff | None:
    """The latest recorded hand-off (at or before `at`, when given)."""
    query = select(Handoff)
    if at is not None:
        query = query.where(col(Handoff.handoff_at) <= at)
    return session.exec(query.order_by(col(Handoff.handoff_at).desc()).limit(1)).first()


def first_handoff(session: Session) -> Handoff | None:
    return session.exec(select(Handoff).order_by(col(Handoff.handoff_at)).limit(1)).first()


def handoffs_between(session: Session, *, after: datetime, until: datetime) -> Sequence[Handoff]:
    """Recorded hand-offs with after < handoff_at <= until, oldest first."""
    return session.exec(
        select(Handoff)
        .where(col(Handoff.handoff_at) > after, col(Handoff.handoff_at) <= until)
        .order_by(col(Handoff.handoff_at))
    ).all()


def add_handoff(session: Session, *, handoff_at: datetime, user_id: str,
                announced_at: datetime) -> Handoff:
    handoff = Handoff(handoff_at=handoff_at, user_id=user_id, announced_at=announced_at)
    session.add(handoff)
    return handoff


# ---- overrides -----------------------------------------------------------------------------


def overrides_between(session: Session, *, starts: datetime,
                      ends: datetime) -> Sequence[RotationOverride]:
    """Overrides in force at some moment of [starts, ends], oldest-created first."""
    return session.exec(
        select(RotationOverride)
        .where(col(RotationOverride.starts_at) <= ends, col(RotationOverride.ends_at) > starts)
        .order_by(col(RotationOverride.created_at), col(RotationOverride.id))
    ).all()


def next_override_change(session: Session, *, after: datetime) -> datetime | None:
    """The first moment after `after` at which an override starts or ends, if any."""
    starts = session.exec(
        select(func.min(RotationOverride.starts_at)).where(col(RotationOverride.starts_at) > after)
    ).one()
    ends = session.exec(
        select(func.min(RotationOverride.ends_at)).where(col(RotationOverride.ends_at) > after)
    ).one()
    return min((moment for moment in (starts, ends) if moment is not None), default=None)


def add_override(session: Session, *, user_id: str, starts_at: datetime, ends_at: datetime,
                 created_by: str, created_at: datetime) -> RotationOverride:
    override = RotationOverride(user_id=user_id, starts_at=starts_at, ends_at=ends_at,
                                created_by=created_by, created_at=created_at)
    session.add(override)
    return override
