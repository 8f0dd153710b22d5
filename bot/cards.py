"""Reads a case from the database into a CardView and renders its cards: what the outbox calls
at send time, so a card always shows the case as it is when it goes out."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.blocks.cards import (
    CardView,
    WindowView,
    batch_summary,
    case_card,
    expanded_card,
    px_card,
)
from bot.blocks.kit import Rendered
from bot.clock import Clock
from bot.config import Config
from storage import repository as repo


class CaseNotFound(LookupError):
    pass


def load_card_view(session: Session, *, config: Config, case_id: int,
                   now: datetime | None = None) -> CardView:
    case = repo.get_case(session, case_id=case_id)
    if case is None:
        raise CaseNotFound(case_id)
    review = repo.get_review(session, review_id=case.review_id)
    assert review is not None  # a case always has its review (foreign key)
    site = config.site(case.site)
    px_site = config.site(case.px_site)
    windows = repo.windows_of(session, case_id=case_id)
    return CardView(
        case_id=case_id,
        status=case.status,
        source=review.source,
        rating=review.rating,
        author=review.author,
        text=review.text,
        url=review.url,
        posted_at=review.created_at,
        site_name=site.name if site else (case.site or review.site or "Unknown site"),
        claimant_id=case.claimant_id,
        claimed_at=case.claimed_at,
        responded_by=case.responded_by,
        responded_at=case.responded_at,
        escalated_by=case.escalated_by,
        escalated_at=case.escalated_at,
        px_site_name=px_site.name if px_site else case.px_site,
        px_urgency=case.px_urgency,
        px_note=case.px_note,
        px_contacts=tuple(px_site.px_contacts) if px_site else (),
        px_claimant_id=case.px_claimant_id,
        px_contacted_by=case.px_contacted_by,
        px_contacted_at=case.px_contacted_at,
        closed_by=case.closed_by,
        closed_reason=case.closed_reason,
        windows={
            kind: WindowView(w.due_at, w.met_at, w.stopped_at, w.started_at)
            for kind, w in windows.items()
        },
        now=now,
        triage=review.triage or {},
        on_site_contact=site.on_site_contact if site else None,
    )


class CardRenderer:
    """Renders the triage card, the PX card, or the private expanded view of a case."""

    def __init__(self, config: Config, clock: Clock):
        self.config = config
        self.clock = clock

    def _view(self, session: Session, case_id: int) -> CardView:
        return load_card_view(session, config=self.config, case_id=case_id,
                              now=self.clock.now())

    def case_card(self, session: Session, case_id: int) -> Rendered:
        return case_card(self._view(session, case_id))

    def px_card(self, session: Session, case_id: int) -> Rendered:
        return px_card(self._view(session, case_id))

    def batch_summary(self, session: Session, batch_id: int) -> Rendered:
        batch = repo.get_batch(session, batch_id=batch_id)
        if batch is None:
            raise CaseNotFound(batch_id)
        site = self.config.site(batch.site)
        return batch_summary(source=batch.source, site_name=site.name if site else None,
                             count=batch.case_count)

    def expanded(self, session: Session, case_id: int) -> Rendered:
        return expanded_card(self._view(session, case_id))
