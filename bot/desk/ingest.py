"""Reviews in: store each one idempotently, triage it, and open a case for each new negative
one, with its window, its card (or a place in a burst's summary thread) and a copy for risk."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import (
    DBAPIError,
    IntegrityError,
    InterfaceError,
    InternalError,
    OperationalError,
)
from sqlmodel import Session

from bot.clock import Clock
from bot.config import Config
from bot.core.case_changes import ON_SITE, respond_again, response_deadline
from bot.core.case_lists import review_start, source_name
from bot.core.cases import COMES_BACK, SYSTEM, Action, Status
from bot.core.deadlines import keep_deadlines
from bot.core.reminders import who_finds_the_reviewer
from bot.core.reviews import CanonicalReview
from bot.desk.bursts import Bursts
from bot.desk.nudges import Nudges
from bot.outbox import OutboxWriter
from bot.text import line
from bot.triage import TriageResult, triage
from storage import looks
from storage import repository as repo
from storage.db import CONFLICTS, Database, begin_for_savepoints, retry_on_conflict
from storage.models import (
    Case,
    CaseEvent,
    CaseWindow,
    LookItem,
    LookList,
    Nudge,
    Review,
)

logger = logging.getLogger(__name__)

BATCH = 100  # reviews a transaction
ON_SITE_WORDS = 400  # how much of an on-site review its DM quotes: enough to find them by
# Failures of the database itself (locked, gone, a broken connection), not of one review.
ENVIRONMENTAL = (OperationalError, InternalError, InterfaceError)
CHANGE_FIELDS = ("site", "author", "rating", "text", "url", "created_at", "recommendation")


@dataclass(frozen=True)
class IngestOutcome:
    index: int
    external_id: str
    outcome: str  # created | updated | unchanged | failed (the database refused it)
    case_id: int | None
    opened_case: bool = False  # this review opened a case now (or, previewed, would)


def _changes(review: Review, incoming: CanonicalReview) -> dict[str, Any]:
    return {
        name: getattr(incoming, name)
        for name in CHANGE_FIELDS
        if getattr(incoming, name) != getattr(review, name)
    }


class Ingestor:
    def __init__(self, db: Database, config: Config, clock: Clock, outbox: OutboxWriter,
                 nudges: Nudges):
        self.db = db
        self.nudges = nudges
        self.config = config
        self.clock = clock
        self.outbox = outbox

    def ingest(self, reviews: Sequence[tuple[int, CanonicalReview]], *,
               triaged: Sequence[TriageResult] | None = None) -> list[IngestOutcome]:
        """Store the reviews and open a case for each new negative one: one transaction a batch
        of up to BATCH reviews, each review in a savepoint of its own, so a review the database
        refuses is reported ("failed") and rolls back alone, never the others. `triaged`: the
        reviews' triage, when it was done elsewhere (`reviewdesk import` does it in parallel)."""
        if triaged is not None and len(triaged) != len(reviews):
            raise ValueError("one triage result a review")
        outcomes: list[IngestOutcome] = []
        for start in range(0, len(reviews), BATCH):
            arrived = self.clock.now()
            triaged_batch = [
                (index, incoming,
                 triaged[start + offset] if triaged is not None
                 else triage(incoming, self.config, received_at=arrived))
                for offset, (index, incoming) in enumerate(reviews[start:start + BATCH])]
            # The same review arriving twice at once, or a click racing an edit: read again.
            outcomes += retry_on_conflict(lambda batch=triaged_batch: self._store_batch(batch),
                                          conflicts=(IntegrityError, *CONFLICTS))
        if any(o.outcome != "unchanged" for o in outcomes):
            self.nudges.changed()
            self.outbox.wake()
        return outcomes

    def preview(self, reviews: Sequence[tuple[int, CanonicalReview]]) -> list[IngestOutcome]:
        """What ingest would do, writing nothing (for `reviewdesk import --dry-run`)."""
        outcomes = []
        with self.db.session() as session:
            for index, incoming in reviews:
                review = repo.find_review(
                    session, source=incoming.source, external_id=incoming.external_id
                )
                opens = triage(incoming, self.config, received_at=self.clock.now()).negative
                if review is None:
                    outcome = "created"
                else:
                    outcome = "updated" if _changes(review, incoming) else "unchanged"
                    has_case = repo.case_for_review(session, review_id=review.id) is not None
                    opens = opens and outcome == "updated" and not has_case
                outcomes.append(IngestOutcome(index, incoming.external_id, outcome, None, opens))
        return outcomes

    def _store_batch(self, batch: list[tuple[int, CanonicalReview, TriageResult]]
                     ) -> list[IngestOutcome]:
        """One transaction: the batch's new reviews (and their cases) are written a table at a
        time; should the database refuse that, and for reviews already stored, each review is
        written in a savepoint of its own."""
        now = self.clock.now()
        with self.db.session() as session:
            begin_for_savepoints(session)
            known = repo.find_reviews(session, keys=[(r.source, r.external_id)
                                                     for _, r, _ in batch])
            bursts = Bursts(self.config, self.outbox, session, now)
            outcomes: dict[int, IngestOutcome] = {}
            earlier = self._earlier_cases(session, [
                (incoming, result) for _, incoming, result in batch
                if (incoming.source, incoming.external_id) not in known])
            fresh: dict[tuple[str, str], int] = {}  # a new review's first place in the batch
            for position, (_index, incoming, result) in enumerate(batch):
                key = (incoming.source, incoming.external_id)
                # A reviewer writing again goes one at a time: their case comes back.
                if key not in known and key not in fresh and \
                        self._comeback_key(incoming, result) not in earlier:
                    fresh[key] = position
            if fresh:
                try:
                    with session.begin_nested():
                        outcomes.update(self._create_all(
                            session, [(position, *batch[position])
                                      for position in fresh.values()], now, bursts))
                except DBAPIError as error:
                    if isinstance(error, ENVIRONMENTAL):
                        raise
                    # One of them is refused (or another copy stored one meanwhile): find out,
                    # one review at a time.
                    bursts.forget()
                if outcomes and len(fresh) < len(batch):  # the same review again, later on
                    known.update(repo.find_reviews(session, keys=list(fresh)))
            for position, (index, incoming, result) in enumerate(batch):
                if position in outcomes:
                    continue
                key = (incoming.source, incoming.external_id)
                try:
                    with session.begin_nested():
                        outcome = self._store(session, index, incoming, result,
                                              known.get(key), now, bursts)
                except DBAPIError as error:
                    if isinstance(error, ENVIRONMENTAL):
                        raise  # the database, not the review: the batch is tried again
                    if isinstance(error, IntegrityError) and key not in known and \
                            repo.review_ids(session, keys=[key]):
                        raise  # another copy stored it meanwhile: the batch is read again
                    logger.error("review %s %s not stored: the database refused it (%s)",
                                 incoming.source, incoming.external_id, type(error.orig).__name__)
                    bursts.forget()
                    outcome = IngestOutcome(index, incoming.external_id, "failed", None)
                if outcome.outcome == "created":
                    known[key] = repo.find_reviews(session, keys=[key])[key]
                outcomes[position] = outcome
            session.commit()
        return [outcomes[position] for position in range(len(batch))]

    def _create_all(self, session: Session,
                    items: list[tuple[int, int, CanonicalReview, TriageResult]], now: datetime,
                    bursts: Bursts) -> dict[int, IngestOutcome]:
        """New reviews, then their cases (open_cases): a statement a table."""
        repo.insert_many(session, Review, [
            {**incoming.model_dump(), "triage": result.as_dict(), "received_at": now,
             "updated_at": now}
            for _position, _index, incoming, result in items])
        ids = repo.review_ids(session, keys=[(incoming.source, incoming.external_id)
                                             for _p, _i, incoming, _r in items])
        review_ids = [ids[(incoming.source, incoming.external_id)]
                      for _p, _i, incoming, _r in items]
        opening = [(review_id, incoming, result)
                   for (_position, _index, incoming, result), review_id in zip(items, review_ids,
                                                                               strict=True)
                   if result.negative]
        case_of = dict(zip([review_id for review_id, _review, _result in opening],
                           self.open_cases(session, opening, now, bursts), strict=True))
        for (_position, _index, _incoming, result), review_id in zip(items, review_ids,
                                                                    strict=True):
            if result.needs_a_look:
                self._list_for_a_look(session, review_id, now)
        outcomes = {}
        for (position, index, incoming, result), review_id in zip(items, review_ids,
                                                                 strict=True):
            case_id = case_of.get(review_id)
            logger.info("review %s stored (%s %s), labels %s, case %s", review_id,
                        incoming.source, incoming.external_id, ",".join(result.labels) or "-",
                        case_id)
            outcomes[position] = IngestOutcome(index, incoming.external_id, "created", case_id,
                                               case_id is not None)
        return outcomes

    def _comeback_key(self, incoming: CanonicalReview, result: TriageResult
                      ) -> tuple[str, str | None, str] | None:
        """Who wrote a new negative review, and where: how their earlier case is found."""
        if not (result.negative and incoming.author):
            return None
        site = self.config.site(incoming.site)
        return incoming.source, site.id if site else None, incoming.author

    def _earlier_cases(self, session: Session,
                       items: Sequence[tuple[CanonicalReview, TriageResult]]) -> dict:
        keys = {key for incoming, result in items
                if (key := self._comeback_key(incoming, result)) is not None}
        since = self.clock.now() - self.config.windows.comes_back_within
        return repo.earlier_cases(session, keys=keys, statuses=COMES_BACK, closed_since=since)

    def _store(self, session: Session, index: int, incoming: CanonicalReview,
               result: TriageResult, review: Review | None, now: datetime,
               bursts: Bursts) -> IngestOutcome:
        if review is None:
            earlier = self._earlier_cases(session, [(incoming, result)])
            review = Review(**incoming.model_dump(), triage=result.as_dict(), received_at=now,
                            updated_at=now)
            session.add(review)
            session.flush()
            if earlier:
                case = next(iter(earlier.values()))
                return self._wrote_again(session, index, incoming, review, result, case, now)
            case_id = self.open_case(session, review, result, now, bursts=bursts) \
                if result.negative else None
            if result.needs_a_look:
                self._list_for_a_look(session, review.id, now)
            logger.info("review %s stored (%s %s), labels %s, case %s", review.id,
                        incoming.source, incoming.external_id, ",".join(result.labels) or "-",
                        case_id)
            return IngestOutcome(index, incoming.external_id, "created", case_id,
                                 case_id is not None)

        changed = _changes(review, incoming)
        case = repo.case_for_review(session, review_id=review.id)
        if not changed:
            return IngestOutcome(index, incoming.external_id, "unchanged",
                                 case.id if case else None)
        old_rating = review.rating
        was_on_site = ON_SITE in TriageResult.from_dict(review.triage or {}).labels
        for name, value in changed.items():
            setattr(review, name, value)
        review.triage = result.as_dict()
        review.updated_at = now
        session.add(review)
        session.flush()
        if case is None:
            case_id = self.open_case(session, review, result, now, bursts=bursts) \
                if result.negative else None
            if result.needs_a_look:
                self._list_for_a_look(session, review.id, now)
            return IngestOutcome(index, incoming.external_id, "updated", case_id,
                                 case_id is not None)
        # Still a complaint after the edit: a case whose work had ended comes back.
        window = self._come_back(session, case, result, now) if result.negative else None
        repo.add_event(
            session, case_id=case.id, actor=SYSTEM, action=Action.REVIEW_EDITED, at=now,
            details={"fields": sorted(changed), "old_rating": old_rating,
                     "came_back": window is not None},
        )
        self.outbox.update_card(session, case_id=case.id)
        # A case that comes back is said in the channel too, at its bottom, with a link to its
        # card: the card itself stays where it was posted, days up the channel.
        self.outbox.thread_reply(
            session, case_id=case.id,
            text=str(line("history_review_edited", old_rating=old_rating,
                          new_rating=review.rating,
                          due_at=window.due_at if window else None)),
            broadcast=window is not None,
        )
        if case.escalated_by:
            self.outbox.update_px_card(session, case_id=case.id)
        if ON_SITE in result.labels and not was_on_site and case.status == Status.OPEN:
            self.ask_to_find(session, case.id, case.site, review)
        logger.info("review %s edited (%s), case %s", review.id, ",".join(sorted(changed)),
                    case.id)
        return IngestOutcome(index, incoming.external_id, "updated", case.id)

    def _wrote_again(self, session: Session, index: int, incoming: CanonicalReview,
                     review: Review, result: TriageResult, case: Case,
                     now: datetime) -> IngestOutcome:
        """A new negative review from the reviewer of a case whose work had ended (same source,
        site and author): the case comes back on its card, with their new words."""
        case.followup_review_id = review.id
        # Their new words have no answer yet: the next reply is a reply, not an edit.
        case.responded_by = case.responded_at = None
        window = self._come_back(session, case, result, now)
        repo.add_event(session, case_id=case.id, actor=SYSTEM, action=Action.WROTE_AGAIN,
                       at=now, details={"review_id": review.id, "rating": review.rating,
                                        "labels": list(result.labels)})
        self.outbox.update_card(session, case_id=case.id)
        self.outbox.thread_reply(session, case_id=case.id, text=str(line(
            "history_wrote_again", text=review.text, rating=review.rating,
            due_at=window.due_at if window else None)), broadcast=window is not None)
        if case.escalated_by:
            self.outbox.update_px_card(session, case_id=case.id)
        if ON_SITE in result.labels and case.status == Status.OPEN:
            self.ask_to_find(session, case.id, case.site, review)
        logger.info("review %s stored (%s %s): its reviewer wrote again, case %s back",
                    review.id, incoming.source, incoming.external_id, case.id)
        return IngestOutcome(index, incoming.external_id, "created", case.id)

    def _come_back(self, session: Session, case: Case, result: TriageResult,
                   now: datetime) -> CaseWindow | None:
        """Open a done (or resolved) case again with a new response window; None when the
        case was not closed that way (it stays as it is)."""
        case.updated_at = now
        session.add(case)
        if case.status not in COMES_BACK:
            session.flush()
            return None
        case.status = Status.OPEN
        case.closed_by = case.closed_at = case.closed_reason = case.closed_note = None
        windows = repo.windows_of(session, case_id=case.id)
        window = respond_again(session, self.config, case, windows, now, result.labels)
        session.flush()
        self.nudges.sync(session, case.id)
        return window

    def open_case(self, session: Session, review: Review, result: TriageResult,
                  now: datetime, *, actor: str = SYSTEM, bursts: Bursts | None = None) -> int:
        """Open a case for one stored review (see open_cases)."""
        bursts = bursts or Bursts(self.config, self.outbox, session, now)
        [case_id] = self.open_cases(session, [(review.id, review, result)], now, bursts,
                                    actor=actor)
        return case_id

    def open_cases(self, session: Session,
                   opening: Sequence[tuple[int, Review | CanonicalReview, TriageResult]],
                   now: datetime, bursts: Bursts, *, actor: str = SYSTEM) -> list[int]:
        """The one way a case opens, for each stored review (its id, the review, its triage):
        the case (in its burst, if any), its response window as its labels say, the event,
        the reminders, the card, a copy for risk and, for someone on site now, a DM to who
        can find them. A statement a table, so an import of thousands is as quick as one."""
        if not opening:
            return []
        cases = []
        for review_id, review, _result in opening:
            site = self.config.site(review.site)
            site_id = site.id if site else None
            batch = bursts.join(review.source, site_id)
            cases.append({"review_id": review_id, "status": Status.OPEN, "site": site_id,
                          "version": 1, "created_at": now, "updated_at": now,
                          "batch_id": batch.id if batch else None})
        repo.insert_many(session, Case, cases)
        case_of = repo.case_ids_of_reviews(session, review_ids=[c["review_id"] for c in cases])
        case_ids = [case_of[case["review_id"]] for case in cases]
        windows = []
        for (_review_id, _review, result), case, case_id in zip(opening, cases, case_ids,
                                                                strict=True):
            kind, due_at = response_deadline(self.config, case["site"], result.labels, now)
            windows.append({"case_id": case_id, "kind": kind, "started_at": now,
                            "due_at": due_at})
        repo.insert_many(session, CaseWindow, windows)
        keep_deadlines(session, case_ids)
        window_of = repo.window_ids(session, case_ids=case_ids)
        window_ids = [window_of[(window["case_id"], window["kind"])] for window in windows]
        repo.insert_many(session, CaseEvent, [
            {"case_id": case_id, "actor": actor, "action": Action.OPENED, "created_at": now,
             "request_key": None,
             "details": {"review_id": review_id, "source": review.source,
                         "rating": review.rating, "labels": list(result.labels),
                         "batch_id": case["batch_id"], "band": result.band}}
            for (review_id, review, result), case, case_id in zip(opening, cases, case_ids,
                                                                  strict=True)])
        repo.insert_many(session, Nudge, [
            {"status": "pending", "late": False, **row}
            for window, window_id in zip(windows, window_ids, strict=True)
            for row in self.nudges.plan(window_id=window_id, case_id=window["case_id"],
                                        started_at=window["started_at"],
                                        due_at=window["due_at"])])
        self.outbox.post_cards(session, case_ids=case_ids,
                               channel=self.config.slack.triage_channel)
        risk_channel = self.config.slack.risk_channel
        if risk_channel:
            self.outbox.risk_notices(session, channel=risk_channel, case_ids=[
                case_id for (_id, _review, result), case_id in zip(opening, case_ids,
                                                                   strict=True)
                if "risk" in result.labels])
        for (_id, review, result), case, case_id in zip(opening, cases, case_ids, strict=True):
            if ON_SITE in result.labels:
                self.ask_to_find(session, case_id, case["site"], review)
        return case_ids

    def ask_to_find(self, session: Session, case_id: int, site_id: str | None,
                     review: Review | CanonicalReview) -> None:
        """Someone is at the site now: a DM to whoever there finds them (its on-site contact,
        else its PX contacts) with the card's link, written with the case's change, so it goes
        out once. A review with no known site has nobody to ask; its card says on site now."""
        site = self.config.site(site_id)
        if site is None:
            return
        people = who_finds_the_reviewer(on_site_contact=site.on_site_contact,
                                        px_contacts=site.px_contacts)
        text = str(line("on_site_dm", case_id=case_id, site_name=site.name,
                        source=source_name(review.source), rating=review.rating,
                        author=review.author, words=review_start(review.text, ON_SITE_WORDS),
                        why="on_site_contact" if site.on_site_contact else "px_contacts",
                        posted=review.created_at,
                        stale=self.clock.now() - review.created_at > self.config.windows.urgent))
        for person in people:
            self.outbox.case_dm(session, case_id=case_id, user=person, text=text)
        logger.info("case %s: someone on site now; %s asked to find them", case_id,
                    len(people))

    def _list_for_a_look(self, session: Session, review_id: int, now: datetime) -> None:
        """Put an unsure review on today's "Needs a look" message: posted with the day's first,
        updated in place as more arrive, so nothing waits for a daily run."""
        if looks.item_for_review(session, review_id=review_id) is not None:
            return  # an edit of a review already listed
        channel = self.config.slack.triage_channel
        day = self.config.today(now)
        look_list = looks.list_for(session, day=day, channel=channel)
        if look_list is None:
            look_list = LookList(day=day, channel=channel, created_at=now)
            session.add(look_list)
            session.flush()
            self.outbox.post_look_list(session, list_id=look_list.id)
        else:
            self.outbox.update_look_list(session, list_id=look_list.id)
        session.add(LookItem(review_id=review_id, list_id=look_list.id, added_at=now))
        logger.info("review %s needs a look (list %s)", review_id, look_list.id)
