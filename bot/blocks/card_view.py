"""What a card shows: CardView, everything the case card and the PX card are drawn from, read
from the database in one go (bot/card_views.py), with each window's times (WindowView)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.core.case_lists import source_name
from bot.core.cases import closed_reason_label


@dataclass(frozen=True)
class WindowView:
    due_at: datetime
    met_at: datetime | None
    stopped_at: datetime | None
    started_at: datetime | None = None


@dataclass(frozen=True)
class CardView:
    """Everything a card shows, read from the database in one go."""

    case_id: int
    status: str
    source: str
    rating: int | None
    author: str | None
    text: str
    url: str | None
    posted_at: datetime
    site_name: str
    claimant_id: str | None
    claimed_at: datetime | None
    responded_by: str | None
    responded_at: datetime | None
    escalated_by: str | None
    escalated_at: datetime | None
    px_site_name: str | None
    px_urgency: str | None
    px_note: str | None
    px_contacts: tuple[str, ...]
    px_claimant_id: str | None
    px_contacted_by: str | None
    px_contacted_at: datetime | None
    closed_by: str | None
    closed_reason: str | None
    windows: dict[str, WindowView]
    triage: dict = field(default_factory=dict)  # bot.triage.TriageResult.as_dict()
    # Who is asked to find a reviewer on site now (the site's on-site contact, else its PX
    # contacts), and whether an answered on-site or risk case still waits for that.
    on_site_people: tuple[str, ...] = ()
    awaiting_reach: bool = False
    now: datetime | None = None  # when the card is rendered (for "due in 58 min")
    # The latest public reply's state (bot.core.reply_status.Status, None when nothing to tell), and
    # the source's words about it (a rejection's reason, an error).
    reply_status: str | None = None
    reply_reason: str | None = None
    outcome: str | None = None  # the latest Log outcome (bot.core.outcomes.Outcome)
    outcome_by: str | None = None
    outcome_at: datetime | None = None
    closed_at: datetime | None = None
    # The reviewer's newer review, when they wrote again after the case was done.
    followup_text: str | None = None
    followup_rating: int | None = None

    @property
    def source_name(self) -> str:
        return source_name(self.source)

    @property
    def closed_reason_label(self) -> str | None:
        return closed_reason_label(self.status, self.closed_reason)
