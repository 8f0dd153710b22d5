"""Which reviews become cases: a pure, fast function of the review and the config (no network),
so reports and backfills can run it again."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.config import Config
from bot.reviews import CanonicalReview


@dataclass(frozen=True)
class TriageResult:
    negative: bool
    labels: tuple[str, ...] = field(default=())


def triage(review: CanonicalReview, config: Config) -> TriageResult:
    if review.rating is None:
        # Most complaints on Facebook and X carry no rating; a missed complaint costs more
        # than a card someone ignores.
        return TriageResult(negative=config.triage.post_unrated)
    return TriageResult(negative=review.rating <= config.triage.negative_max_rating)
