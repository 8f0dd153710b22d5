"""Queries for the lists people work from (/reviewdesk open, mine, due, missed and the Home
tab): open cases by deadline, missed first, then the earliest due, those with none last; a
page at a time with how many there are in all, cut in SQL on cases' indexed next deadline; and
keeping that next deadline in step with the windows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import String, and_, bindparam, case, cast, func, literal, or_, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from storage.models import Case, CaseWindow, Review

OPEN = "open"
K = TypeVar("K")


@dataclass(frozen=True)
class Soon:
    """"Due soon" at `now`: the next deadline is after `now` and either by `until` (now and
    the horizon) or its due-soon moment has come."""

    now: datetime
    until: datetime


@dataclass(frozen=True)
class OpenCases:
    """Which open cases a list holds: every condition given holds."""

    held_by: str | None = None  # claimed by this person, or its PX follow-up is
    claimed_by: str | None = None  # claimed by this person (its PX follow-up aside)
    not_held_by: str | None = None
    missed_at: datetime | None = None  # the next deadline is at or before this moment
    soon: Soon | None = None  # due soon, not missed
    neither: Soon | None = None  # neither missed nor due soon (or no deadline at all)
    unclaimed: bool = False

    def _whose(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = [col(Case.status) == OPEN]
        if self.held_by is not None:
            found.append(or_(col(Case.claimant_id) == self.held_by,
                             col(Case.px_claimant_id) == self.held_by))
        if self.claimed_by is not None:
            found.append(col(Case.claimant_id) == self.claimed_by)
        if self.not_held_by is not None:
            found.append(func.coalesce(col(Case.claimant_id), "") != self.not_held_by)
            found.append(func.coalesce(col(Case.px_claimant_id), "") != self.not_held_by)
        if self.unclaimed:
            found.append(col(Case.claimant_id).is_(None))
        return found

    def dated(self) -> list[ColumnElement[bool]]:
        """The conditions on those with a deadline: each bounds it from below where it can,
        so the index is read from there."""
        due, soon_at = col(Case.next_due_at), col(Case.next_due_soon_at)
        found = [*self._whose(), due.is_not(None)]
        if self.missed_at is not None:
            found.append(due <= self.missed_at)
        if self.soon is not None:
            found += [due > self.soon.now, or_(due <= self.soon.until, soon_at <= self.soon.now)]
        if self.neither is not None:
            found += [due > self.neither.until, soon_at > self.neither.now]
        return found

    def undated(self) -> list[ColumnElement[bool]] | None:
        """The conditions on those without a deadline; None when the list holds none."""
        if self.missed_at is not None or self.soon is not None:
            return None
        return [*self._whose(), col(Case.next_due_at).is_(None)]


def count_open(session: Session, lists: Mapping[K, OpenCases]) -> dict[K, tuple[int, int]]:
    """How many open cases each of `lists` holds, with a deadline and without: one pass over
    the open cases (ix_cases_status_next_due holds every column the lists ask about)."""
    columns = []
    for which in lists.values():
        columns.append(func.count(case((and_(*which.dated()), 1))))
        undated = which.undated()
        columns.append(func.count(case((and_(*undated), 1))) if undated is not None
                       else literal(0))
    row = session.exec(select(*columns).select_from(Case)  # type: ignore[call-overload]
                       .where(col(Case.status) == OPEN)).one()
    return {key: (row[2 * n], row[2 * n + 1]) for n, key in enumerate(lists)}


def open_page(session: Session, which: OpenCases, *, limit: int, offset: int = 0,
              counted: tuple[int, int] | None = None
              ) -> tuple[Sequence[tuple[Case, Review]], int]:
    """The open cases `which` holds, by deadline (the earliest first, so missed ones lead;
    ties by when they become due soon, then oldest first; those without a deadline last,
    oldest first): `limit` of them from `offset`, and how many there are in all (`counted`:
    count_open's answer, when it was asked already). Each part is read in the order of
    ix_cases_status_next_due, so the page is cut without sorting every open case."""
    if counted is None:  # one list: each part counted over its own stretch of the index
        conditions = which.undated()
        counted = (session.exec(select(func.count()).select_from(Case)
                                .where(*which.dated())).one(),
                   session.exec(select(func.count()).select_from(Case)
                                .where(*conditions)).one() if conditions is not None else 0)
    dated, undated = counted
    rows: list[tuple[Case, Review]] = []
    if offset < dated:
        rows += session.exec(
            select(Case, Review).join(Review, col(Review.id) == Case.review_id)
            .where(*which.dated())
            .order_by(col(Case.next_due_at), col(Case.next_due_soon_at), col(Case.id))
            .offset(offset).limit(limit)).all()
    conditions = which.undated()
    if len(rows) < limit and undated and conditions is not None:
        rows += session.exec(
            select(Case, Review).join(Review, col(Review.id) == Case.review_id)
            .where(*conditions).order_by(col(Case.id))
            .offset(max(offset - dated, 0)).limit(limit - len(rows))).all()
    return rows, dated + undated


# ---- Patient Experience's follow-ups ------------------------------------------------------------

PX_FOLLOWUP = "px_followup"


@dataclass(frozen=True)
class PxCases:
    """Which open escalated cases a Patient Experience list holds: every condition given
    holds. Its lines go by the PX follow-up's own deadline, not the case's earliest."""

    held_by: str | None = None  # the PX follow-up is this person's
    unclaimed: bool = False  # nobody holds the PX follow-up, and nobody has contacted them
    sites: tuple[str, ...] | None = None  # escalated to these sites' PX; None: every site

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = [col(Case.status) == OPEN,
                                            col(Case.escalated_by).is_not(None)]
        if self.held_by is not None:
            found.append(col(Case.px_claimant_id) == self.held_by)
        if self.unclaimed:
            found += [col(Case.px_claimant_id).is_(None), col(Case.px_contacted_by).is_(None)]
        if self.sites is not None:
            found.append(col(Case.px_site).in_(self.sites))
        return found


def _open_px_window() -> ColumnElement[bool]:
    return and_(col(CaseWindow.case_id) == Case.id, col(CaseWindow.kind) == PX_FOLLOWUP,
                col(CaseWindow.met_at).is_(None), col(CaseWindow.stopped_at).is_(None))


def px_page(session: Session, which: PxCases, *, limit: int, offset: int = 0
            ) -> tuple[Sequence[tuple[Case, Review]], int]:
    """The open cases `which` holds, by their open PX follow-up's deadline (the earliest
    first, so missed ones lead; those with none open, the reviewer contacted, last): `limit`
    of them from `offset`, and how many in all. A case has one PX follow-up open at most."""
    conditions = which.conditions()
    total = session.exec(select(func.count()).select_from(Case).where(*conditions)).one()
    due = col(CaseWindow.due_at)
    rows = session.exec(
        select(Case, Review).join(Review, col(Review.id) == Case.review_id)
        .outerjoin(CaseWindow, _open_px_window()).where(*conditions)
        .order_by(due.is_(None), due, col(Case.id)).offset(offset).limit(limit)).all()
    return rows, total


def px_windows(session: Session, *, case_ids: Iterable[int]
               ) -> dict[int, tuple[datetime, datetime]]:
    """The open PX follow-up of each of `case_ids` that has one: (started at, due at)."""
    ids = sorted(set(case_ids))
    if not ids:
        return {}
    rows = session.exec(
        select(CaseWindow.case_id, CaseWindow.started_at, CaseWindow.due_at)
        .where(col(CaseWindow.case_id).in_(ids), col(CaseWindow.kind) == PX_FOLLOWUP,
               col(CaseWindow.met_at).is_(None), col(CaseWindow.stopped_at).is_(None))).all()
    return {case_id: (started_at, due_at) for case_id, started_at, due_at in rows}


def px_windows_ahead(session: Session, *, now: datetime
                     ) -> Sequence[tuple[datetime, datetime]]:
    """(started at, due at) of every open case's open PX follow-up still ahead of `now`: the
    moments they become due soon and missed are when PX lists change by time alone."""
    return session.exec(  # type: ignore[return-value]
        select(CaseWindow.started_at, CaseWindow.due_at)
        .join(Case, col(Case.id) == CaseWindow.case_id)
        .where(col(Case.status) == OPEN, col(CaseWindow.kind) == PX_FOLLOWUP,
               col(CaseWindow.met_at).is_(None), col(CaseWindow.stopped_at).is_(None),
               col(CaseWindow.due_at) > now)).all()


# ---- reviewers on site now, to be found -------------------------------------------------------

ON_SITE = "urgent"  # the triage label of a reviewer on site now (bot.core.case_changes.ON_SITE)
RESPONSE_KINDS = ("first_response", "urgent")  # bot.core.cases.RESPONSE_WINDOWS


def _latest_response_start() -> Any:
    """When the case's latest response window started: the round an outcome must follow."""
    return (select(func.max(CaseWindow.started_at))
            .where(col(CaseWindow.case_id) == Case.id,
                   col(CaseWindow.kind).in_(RESPONSE_KINDS))
            .scalar_subquery())


def _not_since(moment: Any, start: Any) -> ColumnElement[bool]:
    return or_(col(moment).is_(None), col(moment) < start)


def to_find_page(session: Session, *, sites: Sequence[str], limit: int, offset: int = 0
                 ) -> tuple[Sequence[tuple[Case, Review]], int]:
    """The open cases at `sites` whose reviewer is on site now (their latest review carries the
    label) and has not been reached: no outcome logged (Log outcome, or Resolve) and the
    reviewer not marked contacted by PX since the case's latest response window opened, as
    bot.core.case_changes.awaits_reaching reads it. By deadline as the other lists go (missed
    first, then the earliest due, those with none last): `limit` from `offset`, and how many."""
    if not sites:
        return [], 0
    start = _latest_response_start()
    conditions = [
        col(Case.status) == OPEN, col(Case.site).in_(list(sites)),
        # A fixed vocabulary of labels, so the quoted label matches that label only.
        cast(col(Review.triage)["labels"], String).like(f'%"{ON_SITE}"%'),
        _not_since(Case.outcome_at, start), _not_since(Case.px_contacted_at, start)]
    joined = col(Review.id) == func.coalesce(col(Case.followup_review_id), col(Case.review_id))
    total = session.exec(select(func.count()).select_from(Case).join(Review, joined)
                         .where(*conditions)).one()
    due = col(Case.next_due_at)
    rows = session.exec(
        select(Case, Review).join(Review, joined).where(*conditions)
        .order_by(due.is_(None), due, col(Case.next_due_soon_at), col(Case.id))
        .offset(offset).limit(limit)).all()
    return rows, total


def next_moment(session: Session, *, soon: Soon) -> datetime | None:
    """The next moment after `soon.now` an open case becomes due soon or missed: its deadline,
    its due-soon moment, or its deadline less the horizon (`soon.until - soon.now`)."""
    now, horizon = soon.now, soon.until - soon.now
    is_open = col(Case.status) == OPEN
    moments = [
        session.exec(select(func.min(Case.next_due_at))
                     .where(is_open, col(Case.next_due_at) > now)).one(),
        session.exec(select(func.min(Case.next_due_soon_at))
                     .where(is_open, col(Case.next_due_soon_at) > now)).one(),
    ]
    beyond = session.exec(select(func.min(Case.next_due_at))
                          .where(is_open, col(Case.next_due_at) > soon.until)).one()
    moments.append(beyond - horizon if beyond is not None else None)
    return min((moment for moment in moments if moment is not None), default=None)


# ---- keeping the next deadline in step with the windows ----------------------------------------


def open_windows(session: Session, *, case_ids: Iterable[int]
                 ) -> tuple[dict[int, str], Sequence[tuple[int, int, str, datetime, datetime]]]:
    """The status of each of `case_ids`, and their windows neither met nor stopped: (case id,
    window id, kind, started at, due at)."""
    ids = sorted(set(case_ids))
    if not ids:
        return {}, []
    statuses = dict(session.exec(select(Case.id, Case.status)
                                 .where(col(Case.id).in_(ids))).all())
    windows = session.exec(
        select(CaseWindow.case_id, CaseWindow.id, CaseWindow.kind, CaseWindow.started_at,
               CaseWindow.due_at)
        .where(col(CaseWindow.case_id).in_(ids), col(CaseWindow.met_at).is_(None),
               col(CaseWindow.stopped_at).is_(None))).all()
    return statuses, windows  # type: ignore[return-value]


def open_window_due(session: Session, *, case_ids: Iterable[int], kind: str
                    ) -> dict[int, datetime]:
    """The deadline of each of `case_ids`' open window of `kind` (neither met nor stopped),
    for those that have one (the earliest, should there be several)."""
    ids = sorted(set(case_ids))
    if not ids:
        return {}
    rows = session.exec(
        select(CaseWindow.case_id, func.min(CaseWindow.due_at))
        .where(col(CaseWindow.case_id).in_(ids), col(CaseWindow.kind) == kind,
               col(CaseWindow.met_at).is_(None), col(CaseWindow.stopped_at).is_(None))
        .group_by(col(CaseWindow.case_id))).all()
    return dict(rows)  # type: ignore[arg-type]


_FIELDS = ("next_window", "next_due_at", "next_due_soon_at")


def set_next_due(session: Session, *, values: Sequence[dict[str, Any]]) -> None:
    """Write each case's next deadline (`values`: case_id and the three next_* fields). A plain
    UPDATE, so it does not bump the case's version; a case loaded in `session` is given the
    same values, as if it had been read after."""
    if not values:
        return
    table = Case.__table__  # type: ignore[attr-defined]
    session.execute(
        update(table).where(table.c.id == bindparam("case_id"))
        .values({name: bindparam(f"new_{name}") for name in _FIELDS}),
        [{"case_id": row["case_id"], **{f"new_{name}": row[name] for name in _FIELDS}}
         for row in values])
    for row in values:
        loaded = session.identity_map.get(session.identity_key(Case, row["case_id"]))
        if loaded is not None:
            for name in _FIELDS:
                set_committed_value(loaded, name, row[name])
