"""Reviews a source announces, fetched and stored: the one review a Google Pub/Sub push names,
the reviews a Yelp webhook names; and `ingest_items`, which validates and stores any batch the
sources' APIs gave (the polls use it too)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.config import Config
from bot.core.reviews import ItemError, validate_batch
from bot.desk.desk import Desk, IngestOutcome
from bot.intake.sources import SourceError, google, yelp
from bot.intake.sources.google import GoogleClient
from bot.intake.sources.yelp import YelpClient

logger = logging.getLogger("bot.intake.pollers")  # the name its lines had before the move


@dataclass(frozen=True)
class Ingested:
    outcomes: list[IngestOutcome]
    errors: list[ItemError]
    # Reviews a notice named that the source says do not exist (it answered 404 or 410).
    missing: tuple[str, ...] = ()

    def summary(self) -> str:
        counts = Counter(outcome.outcome for outcome in self.outcomes)
        return (f"{counts['created']} new, {counts['updated']} updated, "
                f"{counts['unchanged']} unchanged, {len({e.index for e in self.errors})} rejected")


def ingest_items(desk: Desk, items: Sequence[Any], *, where: str) -> Ingested:
    """Validate and store; each rejected item is logged with its index, id and fields."""
    batch = validate_batch(items)
    rejected: dict[int, list[ItemError]] = {}
    for error in batch.errors:
        rejected.setdefault(error.index, []).append(error)
    for index, errors in rejected.items():
        logger.warning("%s: item %s (%s) rejected: %s", where, index,
                       errors[0].external_id or "no id",
                       "; ".join(f"{e.field} {e.message}" for e in errors))
    outcomes = desk.ingestor.ingest(batch.reviews) if batch.reviews else []
    return Ingested(outcomes, batch.errors)


# ---- pushes: one review, fetched when the source says it is there ------------------------


def ingest_google_push(body: Any, *, desk: Desk, config: Config,
                       client: GoogleClient) -> Ingested | None:
    """Fetch and store the review a Pub/Sub push announces; None when it announces none.
    Raises SourceError when Google cannot be read: answer 503 so Pub/Sub delivers it again."""
    announced = google.parse_pubsub_push(body)
    if announced is None:
        return None
    location, review_id = announced
    site = google.site_of(location, config)
    if site is None:
        logger.warning("google push: location %s is not in sources.google.locations; review %s "
                       "is stored without a site", location, review_id)
    review = client.get_review(f"{location}/reviews/{review_id}")
    return ingest_items(desk, [google.review_to_canonical(review, site=site)],
                        where=f"google push {review_id}")


def ingest_yelp_webhook(body: Any, *, desk: Desk, config: Config,
                        client: YelpClient) -> Ingested:
    """Fetch and store each review a Yelp webhook announces. Raises SourceError when Yelp
    cannot be read (nothing is stored then; the redelivery stores everything)."""
    items, missing = [], []
    for business_id, review_id in yelp.webhook_reviews(body):
        site = config.sources.yelp.businesses.get(business_id)
        if site is None:
            logger.warning("yelp webhook: business %s is not in sources.yelp.businesses; "
                           "review %s is stored without a site", business_id, review_id)
        try:
            review = client.get_review(business_id, review_id)
        except SourceError as error:
            if error.status not in (404, 410):
                raise
            missing.append(review_id)  # gone at Yelp: the others are still stored
            continue
        items.append(yelp.review_to_canonical(review, site=site))
    ingested = ingest_items(desk, items, where="yelp webhook")
    return Ingested(ingested.outcomes, ingested.errors, tuple(missing))
