"""Reviews a source announces, fetched and stored: the one review a Google Pub/Sub push names,
the reviews a Yelp webhook names; and `ingest_items`, which validates and stores any batch the
sources' APIs gave (the polls use it too)."""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.config import Config
from bot.core.reviews import ItemError, SkippedItem, validate_batch
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
    # What was read and, on purpose, not taken as a review (the page's own post, an event
    # that is not about a review), with why.
    skipped: tuple[SkippedItem, ...] = ()

    def summary(self) -> str:
        counts = Counter(outcome.outcome for outcome in self.outcomes)
        return (f"{counts['created']} new, {counts['updated']} updated, "
                f"{counts['unchanged']} unchanged, {len({e.index for e in self.errors})} "
                f"rejected, {len(self.skipped)} skipped")


def log_skipped(where: str, skipped: Sequence[SkippedItem], level: int = logging.INFO, *,
                log: logging.Logger = logger) -> None:
    """One line for what a body or notice held that is not a review: fields, never values."""
    if skipped:
        log.log(level, "%s: %s skipped (%s)", where, len(skipped),
                   "; ".join(f"{s.field} {s.problem}" for s in skipped))


def ingest_items(desk: Desk, items: Sequence[Any], *, where: str) -> Ingested:
    """Validate and store; each rejected item is logged with its index, id and fields (what
    is skipped on purpose, such as a page's own posts, only at debug level)."""
    batch = validate_batch(items, config=desk.config, now=desk.clock.now())
    rejected: dict[int, list[ItemError]] = {}
    for error in batch.errors:
        rejected.setdefault(error.index, []).append(error)
    for index, errors in rejected.items():
        logger.warning("%s: item %s (%s) rejected: %s", where, index,
                       errors[0].external_id or "no id",
                       "; ".join(f"{e.field} {e.message}" for e in errors))
    log_skipped(where, batch.skipped, logging.DEBUG)
    outcomes = desk.ingestor.ingest(batch.reviews) if batch.reviews else []
    return Ingested(outcomes, batch.errors, skipped=tuple(batch.skipped))


# ---- pushes: one review, fetched when the source says it is there ------------------------


def ingest_google_push(body: Any, *, desk: Desk, config: Config,
                       client: GoogleClient) -> Ingested:
    """Fetch and store the review a Pub/Sub push announces (a push announcing none is
    skipped, with why). Raises SourceError when Google cannot be read: answer 503 so Pub/Sub
    delivers it again."""
    announced = google.parse_pubsub_push(body)
    if isinstance(announced, SkippedItem):
        log_skipped("google push", [announced])
        return Ingested([], [], skipped=(announced,))
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
    """Fetch and store each review a Yelp webhook announces (its other updates are skipped,
    with why). Raises SourceError when Yelp cannot be read (nothing is stored then; the
    redelivery stores everything)."""
    announced = yelp.webhook_reviews(body)
    log_skipped("yelp webhook", announced.skipped)
    items, missing, places = [], [], []
    for business_id, review_id, index in announced.reviews:
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
        places.append(index)
    ingested = ingest_items(desk, items, where="yelp webhook")
    # A fetched review's errors are named by the place of its update in the webhook.
    errors = [dataclasses.replace(error, index=places[error.index]) for error in ingested.errors]
    return Ingested(ingested.outcomes, errors, tuple(missing), tuple(announced.skipped))
