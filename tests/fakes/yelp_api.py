"""A fake Yelp partner API on 127.0.0.1, for tests: answers the one-review endpoint reviewdesk
assumes (GET /v3/businesses/{business}/reviews/{review}, see bot/sources/yelp.py) with a
review in Fusion's review shape, and hands out the shared sample webhook that announces it.
Failures can be injected: 401, 429 with Retry-After, 5xx, in Yelp's error shape."""

from __future__ import annotations

import re
from typing import Any

from tests.fakes.json_api import Answer, FakeApi, Handler, Request, bearer, sample

SAMPLE_BUSINESS_ID = "north-campus-hospital-springfield"
_ERROR_CODES = {400: "VALIDATION_ERROR", 401: "UNAUTHORIZED_ACCESS_TOKEN", 404: "NOT_FOUND",
                429: "TOO_MANY_REQUESTS_PER_SECOND"}


class FakeYelp(FakeApi):
    """Full reviews by (business id, review id), readable with one API key."""

    def __init__(self, *, api_key: str = "fake-yelp-api-key") -> None:
        super().__init__()
        self.api_key = api_key
        self.reviews: dict[tuple[str, str], dict[str, Any]] = {}

    def seed_samples(self) -> None:
        """The full review behind yelp_webhook.json (the webhook carries no text)."""
        update = self.webhook()["data"]["updates"][0]
        self.add_review(SAMPLE_BUSINESS_ID, {
            "id": update["review_id"],
            "url": f"https://www.yelp.com/biz/{SAMPLE_BUSINESS_ID}?hrid={update['review_id']}",
            "text": "Four hours in the ER waiting room with a broken wrist. Nobody checked on "
                    "us once and the bathroom was filthy.",
            "rating": 1,
            "time_created": "2026-11-22 11:29:41",  # Pacific time, as Fusion gives it
            "user": {"id": update["user_id"], "name": "Casey R.", "image_url": None,
                     "profile_url": f"https://www.yelp.com/user_details?userid={update['user_id']}"},
        })

    @staticmethod
    def webhook() -> dict[str, Any]:
        return sample("yelp_webhook.json")

    def add_review(self, business_id: str, review: dict[str, Any]) -> None:
        with self._lock:
            self.reviews[(business_id, review["id"])] = review

    def routes(self) -> list[tuple[str, str, str, Handler]]:
        return [("review", "GET", r"/v3/businesses/(?P<business>[^/]+)/reviews/(?P<review>[^/]+)",
                 self._review)]

    def error_body(self, status: int, message: str) -> Any:
        return {"error": {"code": _ERROR_CODES.get(status, "INTERNAL_ERROR"),
                          "description": message}}

    def _review(self, request: Request, match: re.Match[str]) -> Answer:
        if bearer(request) != self.api_key:
            return Answer(401, self.error_body(
                401, "The access token provided is not currently able to query this endpoint."))
        review = self.reviews.get((match["business"], match["review"]))
        if review is None:
            return Answer(404, self.error_body(404, "Resource could not be found."))
        return Answer(200, review)
