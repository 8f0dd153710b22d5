"""A person's decision on an unrated review triage was unsure about: make it a case, or mark it
not a complaint. Each decision is recorded once (it is labelled data for the next training
round) and the day's "Needs a look" message is updated in place."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from bot.clock import Clock
from bot.core.cases import LookDecision, Refusal
from bot.desk.ingest import Ingestor
from bot.desk.nudges import Nudges
from bot.outbox import OutboxWriter
from bot.triage import TriageResult
from storage import looks
from storage import repository as repo
from storage.db import CONFLICTS, Database, retry_on_conflict

logger = logging.getLogger(__name__)


class NeedsALook:
    def __init__(self, db: Database, clock: Clock, outbox: OutboxWriter, ingestor: Ingestor,
                 nudges: Nudges):
        self.db = db
        self.clock = clock
        self.outbox = outbox
        self.ingestor = ingestor
        self.nudges = nudges

    def make_case(self, review_id: int, actor: str) -> int:
        """Open a case for the review (its card goes to the triage channel as usual)."""
        return self._decide(review_id, actor, LookDecision.MADE_CASE)

    def not_a_complaint(self, review_id: int, actor: str) -> None:
        self._decide(review_id, actor, LookDecision.NOT_COMPLAINT)

    def _decide(self, review_id: int, actor: str, decision: str) -> int:
        # Two people deciding at once: the second reads again and is told who decided.
        return retry_on_conflict(lambda: self._decide_once(review_id, actor, decision),
                                 conflicts=(IntegrityError, *CONFLICTS))

    def _decide_once(self, review_id: int, actor: str, decision: str) -> int:
        now = self.clock.now()
        with self.db.session() as session:
            item = looks.item_for_review(session, review_id=review_id)
            review = repo.get_review(session, review_id=review_id)
            if item is None or review is None:
                raise Refusal("look_not_found", None, {})
            if item.decision is not None:
                raise Refusal("look_decided", item.case_id,
                              {"decided_by": item.decided_by, "case_id": item.case_id})
            case_id = None
            if decision == LookDecision.MADE_CASE:
                result = TriageResult.from_dict(review.triage or {})
                result = dataclasses.replace(
                    result, negative=True, band="complaint",
                    reasons={**result.reasons, "negative": "made a case from Needs a look"})
                review.triage = result.as_dict()
                session.add(review)
                case_id = self.ingestor.open_case(session, review, result, now, actor=actor)
            if not looks.decide(session, item_id=item.id, decision=decision, actor=actor,
                                at=now, case_id=case_id):
                raise StaleDataError("decided in the meantime")
            self.outbox.update_look_list(session, list_id=item.list_id)
            session.commit()
        logger.info("review %s: %s by %s (case %s)", review_id, decision, actor, case_id)
        self.nudges.changed()
        self.outbox.wake()
        return case_id or 0

    def export(self) -> list[dict[str, Any]]:
        """Every decision with its text: `reviewdesk triage export-feedback`."""
        with self.db.session() as session:
            return [
                {"review_id": review.id, "source": review.source, "text": review.text,
                 "complaint": item.decision == LookDecision.MADE_CASE,
                 "probability": (review.triage or {}).get("probability"),
                 "decided_by": item.decided_by,
                 "decided_at": item.decided_at.isoformat() if item.decided_at else None}
                for item, review in looks.decided(session)
            ]
