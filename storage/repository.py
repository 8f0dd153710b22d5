"""Every query the bot makes, as keyword-only functions over a session."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from itertools import groupby
from typing import Any

from sqlalchemy import and_, func, insert, or_, update
from sqlmodel import Session, col, select

from storage.models import CardBatch, Case, CaseEvent, CaseWindow, OutboxMessage, Review

# ---- reviews -------------------------------------------------------------------------------


def find_review(session: Session, *, source: str, external_id: str) -> Review | None:
    return session.exec(
        select(Review).where(Review.source == source, Review.external_id == external_id)
    ).first()


def find_reviews(
    session: Session, *, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], Review]:
    """The stored reviews among (source, external_id) `keys`, in one query."""
    if not keys:
        return {}
    rows = session.exec(select(Review).where(_review_keys(keys))).all()
    return {(review.source, review.external_id): review for review in rows}


def _review_keys(keys: Sequence[tuple[str, str]]):
    """(source, external_id) in `keys`, as an index search: a row-value IN would make SQLite
    scan the whole index."""
    by_source: dict[str, list[str]] = {}
    for source, external_id in keys:
        by_source.setdefault(source, []).append(external_id)
    return or_(*(and_(col(Review.source) == source, col(Review.external_id).in_(ids))
                 for source, ids in by_source.items()))


def insert_many(session: Session, model: type, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` into `model`'s table in one executemany (no RETURNING: with it, SQLite
    would insert a row at a time to keep the ids in order). A Core insert into the table, not
    the ORM's bulk insert: the rows are plain column values already (the models' attributes
    are their columns), and the ORM's bookkeeping cost about as much as the insert itself.
    Rows with other columns than the row before them start another executemany, in order."""
    table = model.__table__  # type: ignore[attr-defined]
    for _columns, group in groupby(rows, key=lambda row: row.keys()):
        session.execute(insert(table), list(group))


def review_ids(session: Session, *, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The ids of the reviews stored under (source, external_id) `keys`."""
    if not keys:
        return {}
    rows = session.execute(
        select(Review.id, Review.source, Review.external_id).where(_review_keys(keys))
    ).all()
    return {(source, external_id): review_id for review_id, source, external_id in rows}


def case_ids_of_reviews(session: Session, *, review_ids: Sequence[int]) -> dict[int, int]:
    """review id -> case id, for those of `review_ids` that have a case."""
    if not review_ids:
        return {}
    rows = session.execute(
        select(Case.review_id, Case.id).where(col(Case.review_id).in_(review_ids))).all()
    return {review_id: case_id for review_id, case_id in rows}


def window_ids(session: Session, *, case_ids: Sequence[int]) -> dict[tuple[int, str], int]:
    """(case id, kind) -> window id, for the windows of `case_ids`."""
    if not case_ids:
        return {}
    rows = session.execute(
        select(CaseWindow.case_id, CaseWindow.kind, CaseWindow.id)
        .where(col(CaseWindow.case_id).in_(case_ids)).order_by(col(CaseWindow.round))).all()
    return {(case_id, kind): window_id for case_id, kind, window_id in rows}


def case_for_review(session: Session, *, review_id: int) -> Case | None:
    """The case a review opened, or the case it came back to (the reviewer wrote again)."""
    return session.exec(select(Case).where(or_(Case.review_id == review_id,
                                               Case.followup_review_id == review_id))
                        .order_by(col(Case.id))).first()


def earlier_cases(session: Session, *, keys: Collection[tuple[str, str | None, str]],
                  statuses: Collection[str], closed_since: datetime
                  ) -> dict[tuple[str, str | None, str], Case]:
    """(source, site, author) -> that reviewer's latest case there in one of `statuses`,
    closed since `closed_since`, for those of `keys` that have one (a reviewer writing again
    after their case was done)."""
    if not keys:
        return {}
    by_source: dict[str, set[str]] = {}
    for source, _site, author in keys:
        by_source.setdefault(source, set()).add(author)
    rows = session.exec(
        select(Review.source, Review.author, Case)
        .join(Review, col(Review.id) == Case.review_id)
        .where(or_(*(and_(col(Review.source) == source, col(Review.author).in_(sorted(authors)))
                     for source, authors in by_source.items())),
               col(Case.status).in_(list(statuses)), col(Case.closed_at) >= closed_since)
        .order_by(col(Case.updated_at), col(Case.id))
    ).all()
    latest = {(source, case.site, author): case for source, author, case in rows}
    return {key: latest[key] for key in keys if key in latest}


# ---- cases ---------------------------------------------------------------------------------


def get_case(session: Session, *, case_id: int) -> Case | None:
    return session.get(Case, case_id)


def get_review(session: Session, *, review_id: int) -> Review | None:
    return session.get(Review, review_id)


def get_window(session: Session, *, window_id: int) -> CaseWindow | None:
    return session.get(CaseWindow, window_id)


def windows_of(session: Session, *, case_id: int) -> dict[str, CaseWindow]:
    """The case's current window of each kind (its latest round)."""
    rows = session.exec(select(CaseWindow).where(CaseWindow.case_id == case_id)
                        .order_by(col(CaseWindow.round))).all()
    return {window.kind: window for window in rows}


def next_round(session: Session, *, case_id: int, kind: str) -> int:
    """The round a new window of `kind` for the case gets (0 for its first)."""
    latest = session.exec(select(func.max(CaseWindow.round))
                          .where(CaseWindow.case_id == case_id, CaseWindow.kind == kind)).first()
    return 0 if latest is None else latest + 1


def set_card_location(
    session: Session, *, case_id: int, channel: str, ts: str, px: bool = False
) -> None:
    """Record where a card was posted; a plain UPDATE, so it does not bump the case version
    and never conflicts with someone's click."""
    values = {"px_card_channel": channel, "px_card_ts": ts} if px else {
        "card_channel": channel, "card_ts": ts
    }
    session.execute(update(Case).where(col(Case.id) == case_id).values(**values))


def active_batch(
    session: Session, *, source: str, site: str | None, since: datetime
) -> CardBatch | None:
    """The burst summary still taking cards for this source and site."""
    return session.exec(
        select(CardBatch)
        .where(CardBatch.source == source, CardBatch.site == site,
               col(CardBatch.last_case_at) >= since)
        .order_by(col(CardBatch.id).desc())
    ).first()


def count_recent_cases(
    session: Session, *, source: str, site: str | None, since: datetime,
    up_to_id: int | None = None
) -> int:
    """The cases of `source` and `site` opened since `since` (only those with an id up to
    `up_to_id`, when given)."""
    query = (select(func.count())
             .select_from(Case)
             .join(Review, col(Review.id) == Case.review_id)
             .where(Review.source == source, Case.site == site, col(Case.created_at) >= since))
    if up_to_id is not None:
        query = query.where(col(Case.id) <= up_to_id)
    return session.exec(query).one()


def recent_cases_bound(session: Session, *, since: datetime) -> tuple[int, int]:
    """(how many cases of any source and site were opened since `since`, the largest of their
    ids, 0 for none): from the created_at index alone, so it costs little however many reviews
    are stored, where count_recent_cases reads every review of the source."""
    count, last = session.execute(
        select(func.count(), func.max(Case.id)).where(col(Case.created_at) >= since)).one()
    return count, last or 0


def get_batch(session: Session, *, batch_id: int) -> CardBatch | None:
    return session.get(CardBatch, batch_id)


def set_batch_summary(session: Session, *, batch_id: int, ts: str) -> None:
    session.execute(
        update(CardBatch).where(col(CardBatch.id) == batch_id).values(summary_ts=ts)
    )


# ---- events --------------------------------------------------------------------------------


def request_seen(session: Session, *, request_key: str) -> bool:
    return session.exec(
        select(CaseEvent.id).where(CaseEvent.request_key == request_key)
    ).first() is not None


def add_event(
    session: Session,
    *,
    case_id: int,
    actor: str,
    action: str,
    at: datetime,
    details: dict[str, Any] | None = None,
    request_key: str | None = None,
) -> CaseEvent:
    event = CaseEvent(
        case_id=case_id,
        actor=actor,
        action=action,
        details=details or {},
        request_key=request_key,
        created_at=at,
    )
    session.add(event)
    return event


def latest_event_at(session: Session, *, case_id: int, action: str) -> datetime | None:
    """When the case last had an event of `action`, if ever."""
    return session.exec(select(func.max(CaseEvent.created_at))
                        .where(CaseEvent.case_id == case_id, CaseEvent.action == action)).first()


def events_of(session: Session, *, case_id: int) -> Sequence[CaseEvent]:
    return session.exec(
        select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(col(CaseEvent.id))
    ).all()


# ---- outbox --------------------------------------------------------------------------------


def pending_outbox(session: Session, *, limit: int) -> Sequence[OutboxMessage]:
    return session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.status == "pending")
        .order_by(col(OutboxMessage.id))
        .limit(limit)
    ).all()


def get_outbox(session: Session, *, message_id: int) -> OutboxMessage | None:
    return session.get(OutboxMessage, message_id)


def outbox_heads(session: Session) -> list[tuple[datetime, datetime | None]]:
    """(next attempt, lease) of the first pending message of each ordering key: the only one
    of its key that can go next."""
    first = (select(func.min(OutboxMessage.id))
             .where(OutboxMessage.status == "pending")
             .group_by(col(OutboxMessage.ordering_key)))
    return [(due, lease) for due, lease in session.exec(
        select(OutboxMessage.next_attempt_at, OutboxMessage.lease_until)
        .where(col(OutboxMessage.id).in_(first))
    ).all()]


def uncertain_outbox(session: Session, *, now: datetime, limit: int) -> Sequence[OutboxMessage]:
    """Pending posts of unknown outcome that are due to be looked up and that nobody holds."""
    return session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.status == "pending", col(OutboxMessage.uncertain).is_(True),
               col(OutboxMessage.next_attempt_at) <= now,
               or_(col(OutboxMessage.lease_until).is_(None),
                   col(OutboxMessage.lease_until) < now))
        .order_by(col(OutboxMessage.id))
        .limit(limit)
    ).all()


def lease_outbox(
    session: Session, *, message_id: int, owner: str, now: datetime, until: datetime,
    certain_only: bool = False, count: bool = True,
) -> bool:
    """Take a message unless another worker holds it; True when taken. `certain_only`: only
    when its last attempt is known to have failed (a post of unknown outcome is looked up,
    never sent again blindly); `count`: this is a delivery attempt."""
    conditions = [
        col(OutboxMessage.id) == message_id,
        col(OutboxMessage.status) == "pending",
        or_(col(OutboxMessage.lease_until).is_(None), col(OutboxMessage.lease_until) < now),
    ]
    if certain_only:
        conditions.append(col(OutboxMessage.uncertain).is_(False))
    values: dict[str, Any] = {"lease_owner": owner, "lease_until": until}
    if count:
        values["attempts"] = OutboxMessage.attempts + 1
    result = session.execute(update(OutboxMessage).where(*conditions).values(**values))
    return result.rowcount == 1


def renew_outbox_leases(
    session: Session, *, message_ids: Sequence[int], owner: str, until: datetime
) -> int:
    """Extend the leases `owner` still holds; how many it still held."""
    result = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(message_ids), col(OutboxMessage.lease_owner) == owner,
               col(OutboxMessage.status) == "pending",
               col(OutboxMessage.lease_until).is_not(None))
        .values(lease_until=until)
    )
    return result.rowcount


def release_outbox(session: Session, *, message_id: int, owner: str) -> None:
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.lease_owner) == owner)
        .values(lease_until=None)
    )


def mark_attempt(
    session: Session, *, message_id: int, at: datetime, channel: str, thread_ts: str | None
) -> None:
    """A post is about to be sent: until its answer is recorded, its outcome is unknown."""
    session.execute(
        update(OutboxMessage).where(col(OutboxMessage.id) == message_id)
        .values(uncertain=True, attempted_at=at, uncertain_since=at, lookup_channel=channel,
                lookup_thread_ts=thread_ts)
    )


def clear_uncertain(
    session: Session, *, message_id: int, attempted_at: datetime, now: datetime
) -> bool:
    """A look-up found that the attempt made at `attempted_at` did not post: the message may
    be sent again. False when something changed meanwhile (another attempt, a holder)."""
    result = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.status) == "pending",
               col(OutboxMessage.uncertain).is_(True),
               col(OutboxMessage.attempted_at) == attempted_at,
               or_(col(OutboxMessage.lease_until).is_(None),
                   col(OutboxMessage.lease_until) < now))
        .values(uncertain=False, attempted_at=None, uncertain_since=None, next_attempt_at=now)
    )
    return result.rowcount == 1


def defer_uncertain(
    session: Session, *, message_id: int, until: datetime, error: str | None, count: bool,
    now: datetime,
) -> None:
    """Look a post of unknown outcome up again at `until` (unless someone holds it)."""
    values: dict[str, Any] = {"next_attempt_at": until}
    if error is not None:
        values["last_error"] = error[:500]
    if count:
        values["attempts"] = OutboxMessage.attempts + 1
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.status) == "pending",
               col(OutboxMessage.uncertain).is_(True),
               or_(col(OutboxMessage.lease_until).is_(None),
                   col(OutboxMessage.lease_until) < now))
        .values(**values)
    )


def later_pending(session: Session, *, message: OutboxMessage) -> bool:
    """Is there a newer pending message of the same kind for the same case (or burst)?"""
    return session.exec(
        select(OutboxMessage.id).where(
            OutboxMessage.ordering_key == message.ordering_key,
            OutboxMessage.kind == message.kind,
            OutboxMessage.status == "pending",
            col(OutboxMessage.id) > message.id,
        )
    ).first() is not None


def latest_outbox(session: Session, *, ordering_key: str, kind: str) -> OutboxMessage | None:
    """The newest message of `kind` under `ordering_key`, whatever became of it."""
    return session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.ordering_key == ordering_key, OutboxMessage.kind == kind)
        .order_by(col(OutboxMessage.id).desc())
        .limit(1)
    ).first()


def has_pending(session: Session, *, case_id: int, kind: str) -> bool:
    return session.exec(
        select(OutboxMessage.id).where(
            OutboxMessage.case_id == case_id,
            OutboxMessage.kind == kind,
            OutboxMessage.status == "pending",
        )
    ).first() is not None


def outbox_counts(session: Session) -> dict[str, int]:
    rows = session.exec(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all()
    return {status: count for status, count in rows}
