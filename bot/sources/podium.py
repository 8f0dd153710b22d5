"""Podium-style review objects, as reputation platforms send them, as canonical review dicts.

The source is the platform the review lives on (`review.siteName`: "google", "yelp", …) and the
external id is that platform's review id, so a review that also arrives from the platform's own
API is stored once, and the per-source triage thresholds apply. The site is the one whose id,
name or alias matches the first location's uid (add Podium's location uids as site aliases)."""

from __future__ import annotations

from typing import Any

from bot.config import Config
from bot.sources import items_of, obj, present, whole_number

FALLBACK_SOURCE = "podium"


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
    """One review object, a list of them, or {"reviews": [...]}."""
    if isinstance(body, dict) and "reviews" in body:
        reviews = items_of(body, "reviews")
    else:
        reviews = body if isinstance(body, list) else [body]
    return [review_to_canonical(review, config) for review in reviews]
