"""Loads a card's view from the database and renders it. The outbox calls this one entry, with
an id, when a card (or a burst's summary, or a day's "Needs a look") goes out, so it always
shows things as they are at that moment; every other message is rendered when it is written."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.blocks.card_view import CardView, WindowView
from bot.blocks.cards import (
    batch_summary,
    case_card,
    expanded_card,
    px_card,
    risk_notice,
)
from bot.blocks.looks import LookLine, LookListView, look_list
from bot.clock import Clock
from bot.config import Config
from bot.core.case_changes import awaits_reaching
from bot.core.case_lists import source_name
from bot.core.cases import Status as CaseStatus
from bot.core.reminders import who_finds_the_reviewer
from bot.core.reply_status import SHOWN_ON_CARD, Status
from bot.outbox import Rendered
from bot.text import web_url
from storage import looks, replies
from storage import repository as repo
from storage.db import Database
from storage.models import LookItem, Review


class CaseNotFound(LookupError):
    pass


def _load(session: Session, *, config: Config, case_id: int, now: datetime) -> CardView:
    case = repo.get_case(session, case_id=case_id)
    if case is None:
        raise CaseNotFound(case_id)
    review = repo.get_review(session, review_id=case.review_id)
    assert review is not None  # a case always has its review (foreign key)
    # The reviewer's newer words, when they wrote again after the case was done.
    followup = (repo.get_review(session, review_id=case.followup_review_id)
                if case.followup_review_id else None)
    site = config.site(case.site)
    px_site = config.site(case.px_site)
    windows = repo.windows_of(session, case_id=case_id)
    reply = replies.for_card(session, case_id=case_id, first={Status.UNKNOWN},
                             shown=SHOWN_ON_CARD)
    return CardView(
        case_id=case_id,
        status=case.status,
        source=review.source,
        rating=review.rating,
        author=review.author,
        text=review.text,
        url=web_url(review.url),
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
        closed_at=case.closed_at,
        closed_reason=case.closed_reason,
        windows={
            kind: WindowView(w.due_at, w.met_at, w.stopped_at, w.started_at)
            for kind, w in windows.items()
        },
        now=now,
        triage=(followup or review).triage or {},
        followup_text=followup.text if followup else None,
        followup_rating=followup.rating if followup else None,
        on_site_people=who_finds_the_reviewer(
            on_site_contact=site.on_site_contact, px_contacts=site.px_contacts) if site else (),
        awaiting_reach=(case.status == CaseStatus.OPEN and case.responded_by is not None
                        and case.escalated_by is None and awaits_reaching(case, windows)),
        reply_status=reply.status if reply else None,
        reply_reason=reply.reason if reply else None,
        outcome=case.outcome,
        outcome_by=case.outcome_by,
        outcome_at=case.outcome_at,
    )


class CardViews:
    """Renders a case's triage card, PX card, risk notice or private expanded view, and a
    burst's summary, each from its id."""

    def __init__(self, db: Database, config: Config, clock: Clock):
        self.db = db
        self.config = config
        self.clock = clock

    def load(self, case_id: int) -> CardView:
        with self.db.session() as session:
            return _load(session, config=self.config, case_id=case_id, now=self.clock.now())

    def case_card(self, case_id: int) -> Rendered:
        return case_card(self.load(case_id))

    def px_card(self, case_id: int) -> Rendered:
        return px_card(self.load(case_id))

    def risk_notice(self, case_id: int) -> Rendered:
        return risk_notice(self.load(case_id), triage_channel=self.config.slack.triage_channel)

    def expanded(self, case_id: int) -> Rendered:
        return expanded_card(self.load(case_id))

    def look_list(self, list_id: int) -> Rendered:
        with self.db.session() as session:
            look = looks.get_list(session, list_id=list_id)
            if look is None:
                raise CaseNotFound(list_id)
            view = LookListView(day=look.day, lines=tuple(
                self._look_line(item, review) for item, review in
                looks.items_of(session, list_id=list_id)))
        return look_list(view)

    def _look_line(self, item: LookItem, review: Review) -> LookLine:
        site = self.config.site(review.site)
        return LookLine(
            review_id=review.id or 0, source_name=source_name(review.source),
            site_name=site.name if site else review.site, author=review.author,
            text=review.text, url=review.url,
            probability=(review.triage or {}).get("probability"),
            decision=item.decision, decided_by=item.decided_by, case_id=item.case_id)

    def batch_summary(self, batch_id: int) -> Rendered:
        with self.db.session() as session:
            batch = repo.get_batch(session, batch_id=batch_id)
            if batch is None:
                raise CaseNotFound(batch_id)
            source, site_id, count = batch.source, batch.site, batch.case_count
        site = self.config.site(site_id)
        return batch_summary(source=source, site_name=site.name if site else None, count=count)
