"""Podium-style review objects, as reputation platforms send them, as canonical review dicts.

The source is the platform the review lives on (`review.siteName`: "google", "yelp", …) and the
external id is that platform's review id, so a review that also arrives from the platform's own
API is stored once, and the per-source triage thresholds apply. The site is the one whose id,
name or alias matches the first location's uid (add Podium's location uids as site aliases)."""

from __future__ import annotations

from typing import Any

from bot.config import Config
from bot.intake.shapes import Shape, list_at, shaped_item
from bot.intake.sources import items_of, obj, present, whole_number

FALLBACK_SOURCE = "podium"


class _Author(Shape):
    id: str | None = None
    name: str | None = None


class _Review(Shape):
    body: str | None = None
    url: str | None = None
    rating: float | None = None
    siteName: str | None = None
    siteReviewId: str | None = None


class _Location(Shape):
    uid: str | None = None


class ReviewShape(Shape):
    uid: str | None = None
    author: _Author | None = None
    review: _Review | None = None
    responses: list[Any] | None = None
    locations: list[_Location] | None = None
    createdAt: str | None = None
    updatedAt: str | None = None


def _site(item: dict[str, Any], config: Config) -> str | None:
    locations = items_of(item, "locations")
    site = config.site(obj(locations[0]).get("uid")) if locations else None
    return site.id if site else None


def review_to_canonical(item: Any, config: Config) -> Any:
    if not isinstance(item, dict):
        return item
    review = obj(item.get("review"))
    platform = review.get("siteName")
    source = platform.strip().lower() if isinstance(platform, str) and platform.strip() else None
    uid = item.get("uid")
    external_id = review.get("siteReviewId") or (f"podium-{uid}" if isinstance(uid, str) else None)
    return present({
        "source": source or FALLBACK_SOURCE,
        "external_id": external_id,
        "site": _site(item, config),
        "author": obj(item.get("author")).get("name"),
        "rating": whole_number(review.get("rating")),
        "text": review.get("body"),
        "url": review.get("url"),
        "created_at": item.get("createdAt"),
    })


def canonical_items(body: Any, config: Config) -> list[Any]:
    """One review object, a list of them, or {"reviews": [...]}. A review with a documented
    field of the wrong type stays in the list as Unreadable, for validation to reject by
    name."""
    if isinstance(body, dict) and "reviews" in body:
        reviews, prefix = list_at(body, "reviews") or [], "reviews"
    elif isinstance(body, list):
        reviews, prefix = body, ""
    else:
        return [review_to_canonical(shaped_item(ReviewShape, body, ""), config)]
    return [review_to_canonical(shaped_item(ReviewShape, review, f"{prefix}[{index}]"), config)
            for index, review in enumerate(reviews)]
