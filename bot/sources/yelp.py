"""Yelp: the partner review webhook, the fetch of each review it announces, and the parser.

The webhook (documented: docs.developer.yelp.com "Reviews Webhooks") names reviews but carries
no text. The public Fusion endpoint (GET /v3/businesses/{id}/reviews) answers only three
excerpts per business, so full text needs Yelp's partner API. Yelp documents no public
"one review" endpoint; ours is an ASSUMPTION to confirm with Yelp when access is granted:
GET {base_url}v3/businesses/{business_id}/reviews/{review_id} with the API key as a bearer
token, answering one review in Fusion's review shape:
{"id", "url", "text", "rating", "time_created", "user": {"id", "name", "profile_url"}}.
Fusion documents `time_created` as "YYYY-MM-DD HH:MM:SS" in Pacific time."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import requests

from bot.config import ConfigError
from bot.sources import env_value, get, items_of, json_of, obj, present, status_error, whole_number

SOURCE = "yelp"
YELP_TIME_ZONE = ZoneInfo("America/Los_Angeles")
# UPDATED_REVIEW_EVENT is an assumption: only NEW_REVIEW_EVENT is in Yelp's public docs.
REVIEW_EVENTS = frozenset({"NEW_REVIEW_EVENT", "UPDATED_REVIEW_EVENT"})


def webhook_reviews(body: Any) -> list[tuple[str, str]]:
    """(business id, review id) of each review a webhook announces."""
    data = obj(obj(body).get("data"))
    business_id = data.get("id")
    if not isinstance(business_id, str):
        return []
    return [
        (business_id, update["review_id"])
        for update in map(obj, items_of(data, "updates"))
        if update.get("event_type") in REVIEW_EVENTS and isinstance(update.get("review_id"), str)
    ]


def utc_time(time_created: Any) -> Any:
    """Fusion's Pacific "2026-11-22 11:29:41" as UTC ISO 8601; anything unreadable unchanged,
    for validation to name."""
    if not isinstance(time_created, str):
        return time_created
    try:
        moment = datetime.fromisoformat(time_created)
    except ValueError:
        return time_created
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=YELP_TIME_ZONE)
    return moment.astimezone(UTC).isoformat()


def review_to_canonical(review: Any, *, site: str | None) -> Any:
    if not isinstance(review, dict):
        return review
    return present({
        "source": SOURCE,
        "external_id": review.get("id"),
        "site": site,
        "author": obj(review.get("user")).get("name"),
        "rating": whole_number(review.get("rating")),
        "text": review.get("text"),
        "url": review.get("url"),
        "created_at": utc_time(review.get("time_created")),
    })


class YelpClient:
    """Fetches one review by id with the partner API key (env YELP_API_KEY) as bearer token."""

    def __init__(self, api_key: str, *, base_url: str, session: requests.Session | None = None):
        self._api_key = api_key
        self._base_url = base_url if base_url.endswith("/") else base_url + "/"
        self._session = session or requests.Session()

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, base_url: str) -> YelpClient:
        api_key = env_value(env, "YELP_API_KEY")
        if not api_key:
            raise ConfigError("sources.yelp lists businesses but YELP_API_KEY is not set: put "
                              "the partner API key in the environment or .env.")
        return cls(api_key, base_url=base_url)

    def get_review(self, business_id: str, review_id: str) -> dict[str, Any]:
        path = f"v3/businesses/{quote(business_id, safe='')}/reviews/{quote(review_id, safe='')}"
        response = get(self._session, self._base_url + path,
                       headers={"Authorization": f"Bearer {self._api_key}"})
        if not response.ok:
            raise status_error(response)
        return obj(json_of(response))
