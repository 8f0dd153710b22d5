"""Reviews in: store each one idempotently, triage it, and open a case for each new negative
one, with its window, its card (or a place in a burst's summary thread) and a copy for risk."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.cases import SYSTEM, Action, Status, WindowKind
from bot.clock import Clock
from bot.config import Config
from bot.nudges import Nudges
from bot.reviews import CanonicalReview
from bot.slack_out import Outbox
from bot.text import line
from bot.triage import TriageResult, triage
from bot.windows import add_time
from storage import looks
from storage import repository as repo
from storage.db import CONFLICTS, Database, retry_on_conflict
from storage.models import CardBatch, Case, CaseWindow, LookItem, LookList, Review

logger = logging.getLogger(__name__)

CHANGE_FIELDS = ("site", "author", "rating", "text", "url", "created_at", "recommendation")
URGENT_LABELS = frozenset({"urgent", "risk"})


@dataclass(frozen=True)
class IngestOutcome:
    index: int
    external_id: str
    outcome: str  # created | updated | unchanged
    case_id: int | None
    opened_case: bool = False  # this review opened a case now (or, previewed, would)


def _changes(review: Review, incoming: CanonicalReview) -> dict[str, Any]:
    return {
        name: getattr(incoming, name)
        for name in CHANGE_FIELDS
        if getattr(incoming, name) != getattr(review, name)
    }


class Ingestor:
    def __init__(self, db: Database, config: Config, clock: Clock, outbox: Outbox,
                 nudges: Nudges):
        self.db = db
        self.nudges = nudges
        self.config = config
        self.clock = clock
        self.outbox = outbox

    def ingest(self, reviews: Sequence[tuple[int, CanonicalReview]]) -> list[IngestOutcome]:
        """Store each review (one transaction each) and open a case for each new negative one."""
        outcomes = [self._ingest_one(index, review) for index, review in reviews]
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
                opens = triage(incoming, self.config).negative
                if review is None:
                    outcome = "created"
                else:
                    outcome = "updated" if _changes(review, incoming) else "unchanged"
                    has_case = repo.case_for_review(session, review_id=review.id) is not None
                    opens = opens and outcome == "updated" and not has_case
                outcomes.append(IngestOutcome(index, incoming.external_id, outcome, None, opens))
        return outcomes

    def _ingest_one(self, index: int, incoming: CanonicalReview) -> IngestOutcome:
        def store() -> IngestOutcome:
            with self.db.session() as session:
                outcome = self._store(session, index, incoming)
                session.commit()
            return outcome

        # The same review arriving twice at once, or a click racing an edit: read again.
        return retry_on_conflict(store, conflicts=(IntegrityError, *CONFLICTS))

    def _store(self, session: Session, index: int, incoming: CanonicalReview) -> IngestOutcome:
        now = self.clock.now()
        result = triage(incoming, self.config)
        review = repo.find_review(
            session, source=incoming.source, external_id=incoming.external_id
        )
        if review is None:
            review = Review(**incoming.model_dump(), triage=result.as_dict(), received_at=now,
                            updated_at=now)
            session.add(review)
            session.flush()
            case_id = self.open_case(session, review, result, now) if result.negative else None
            if result.needs_a_look:
                self._list_for_a_look(session, review, now)
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
        for name, value in changed.items():
            setattr(review, name, value)
        review.triage = result.as_dict()
        review.updated_at = now
        session.add(review)
        session.flush()
        if case is None:
            case_id = self.open_case(session, review, result, now) if result.negative else None
            if result.needs_a_look:
                self._list_for_a_look(session, review, now)
            return IngestOutcome(index, incoming.external_id, "updated", case_id,
                                 case_id is not None)
        repo.add_event(
            session, case_id=case.id, actor=SYSTEM, action=Action.REVIEW_EDITED, at=now,
            details={"fields": sorted(changed), "old_rating": old_rating},
        )
        case.updated_at = now
        session.add(case)
        session.flush()
        self.outbox.update_card(session, case_id=case.id)
        self.outbox.thread_reply(
            session, case_id=case.id,
            text=str(line("history_review_edited", old_rating=old_rating,
                          new_rating=review.rating)),
        )
        if case.escalated_by:
            self.outbox.update_px_card(session, case_id=case.id)
        logger.info("review %s edited (%s), case %s", review.id, ",".join(sorted(changed)),
                    case.id)
        return IngestOutcome(index, incoming.external_id, "updated", case.id)

    def open_case(self, session: Session, review: Review, result: TriageResult,
                  now: datetime, *, actor: str = SYSTEM) -> int:
        """Open a case for a stored review: its window, its card, a copy for risk."""
        site = self.config.site(review.site)
        site_id = site.id if site else None
        batch = self._join_burst(session, review.source, site_id, now)
        case = Case(review_id=review.id, status=Status.OPEN, site=site_id, created_at=now,
                    updated_at=now, batch_id=batch.id if batch else None)
        session.add(case)
        session.flush()
        kind = WindowKind.URGENT if URGENT_LABELS & set(result.labels) else \
            WindowKind.FIRST_RESPONSE
        length = self.config.windows.length(kind, site=site_id, labels=result.labels)
        session.add(CaseWindow(case_id=case.id, kind=kind, started_at=now,
                               due_at=add_time(now, length, self.config.business_hours)))
        repo.add_event(
            session, case_id=case.id, actor=actor, action=Action.OPENED, at=now,
            details={"review_id": review.id, "source": review.source, "rating": review.rating,
                     "labels": list(result.labels), "batch_id": case.batch_id,
                     "band": result.band},
        )
        self.outbox.post_card(session, case_id=case.id, channel=self.config.slack.triage_channel)
        self.nudges.sync(session, case.id)
        risk_channel = self.config.slack.risk_channel
        if "risk" in result.labels and risk_channel:
            self.outbox.risk_notice(session, case_id=case.id, channel=risk_channel)
        return case.id

    def _list_for_a_look(self, session: Session, review: Review, now: datetime) -> None:
        """Put an unsure review on today's "Needs a look" message: posted with the day's first,
        updated in place as more arrive, so nothing waits for a daily run."""
        if looks.item_for_review(session, review_id=review.id) is not None:
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
        session.add(LookItem(review_id=review.id, list_id=look_list.id, added_at=now))
        logger.info("review %s needs a look (list %s)", review.id, look_list.id)

    def _join_burst(self, session: Session, source: str, site_id: str | None,
                    now: datetime) -> CardBatch | None:
        """The summary card a new case goes under when its source and site are flooding the
        channel (the first poll of a source brings hundreds of old reviews), else None."""
        since = now - self.config.bursts.window
        batch = repo.active_batch(session, source=source, site=site_id, since=since)
        if batch is None:
            recent = repo.count_recent_cases(session, source=source, site=site_id, since=since)
            # The summary counts within the cap: max_cards - 1 cards of their own, then it.
            if recent < self.config.bursts.max_cards - 1:
                return None
            batch = CardBatch(source=source, site=site_id,
                              channel=self.config.slack.triage_channel, opened_at=now,
                              last_case_at=now)
            session.add(batch)
            session.flush()
            self.outbox.post_batch(session, batch_id=batch.id)
            logger.info("burst from %s/%s: new cards go under summary %s", source, site_id,
                        batch.id)
        else:
            self.outbox.update_batch(session, batch_id=batch.id)
        batch.case_count += 1
        batch.last_case_at = now
        session.add(batch)
        return batch
