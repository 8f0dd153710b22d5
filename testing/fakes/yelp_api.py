"""A fake Yelp partner API on 127.0.0.1, for tests: answers the one-review endpoint reviewdesk
assumes (GET /v3/businesses/{business}/reviews/{review}, see bot/intake/sources/yelp.py) with a
review in Fusion's review shape, and hands out the shared sample webhook that announces it.
It also speaks the Respond-to-Reviews API: POST /reviews/v1/{review} with a business user's
access token (refreshed at POST /oauth2/token, 7-day tokens), refusing as Yelp documents
(R2R_* error ids): another business's review, empty, over-long, foul or repeated text, and more
than 20 replies per location a day. Failures can be injected: 401, 429 with Retry-After, 5xx,
silences."""

from __future__ import annotations

import itertools
import re
from datetime import date
from typing import Any

from testing.fakes.json_api import Answer, FakeApi, Handler, Request, bearer, sample

SAMPLE_BUSINESS_ID = "north-campus-hospital-springfield"
_ERROR_CODES = {400: "VALIDATION_ERROR", 401: "UNAUTHORIZED_ACCESS_TOKEN", 404: "NOT_FOUND",
                429: "TOO_MANY_REQUESTS_PER_SECOND"}


class FakeYelp(FakeApi):
    """Full reviews by (business id, review id), readable with one API key."""

    def __init__(self, *, api_key: str = "fake-yelp-api-key",
                 client_id: str = "fake-yelp-client", client_secret: str = "fake-yelp-secret",
                 daily_quota: int = 20) -> None:
        super().__init__()
        self.api_key = api_key
        self.client_id = client_id
        self.client_secret = client_secret
        self.daily_quota = daily_quota
        self.reviews: dict[tuple[str, str], dict[str, Any]] = {}
        # Respond-to-Reviews: refresh token -> the business it was authorized for.
        self.refresh_tokens: dict[str, str] = {}
        self.access_tokens: dict[str, str] = {}  # access token -> business
        self.responses: dict[str, list[str]] = {}  # review id -> texts posted
        self.posted_today: dict[tuple[str, date], int] = {}
        self.today = date(2026, 11, 22)
        self._token_numbers = itertools.count(1)

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

    def authorize(self, business_id: str) -> str:
        """A business user authorizes reviewdesk for `business_id`: its refresh token."""
        token = f"fake-refresh-{business_id}"
        with self._lock:
            self.refresh_tokens[token] = business_id
        return token

    def expire_tokens(self) -> None:
        with self._lock:
            self.access_tokens.clear()

    @property
    def token_url(self) -> str:
        return self.base_url + "oauth2/token"

    def routes(self) -> list[tuple[str, str, str, Handler]]:
        return [("review", "GET", r"/v3/businesses/(?P<business>[^/]+)/reviews/(?P<review>[^/]+)",
                 self._review),
                ("token", "POST", r"/oauth2/token", self._token),
                ("respond", "POST", r"/reviews/v1/(?P<review>[^/]+)", self._respond)]

    def error_body(self, status: int, message: str) -> Any:
        code = _ERROR_CODES.get(status, "INTERNAL_ERROR")
        return {"error": {"code": code, "id": code, "description": message,
                          "http_code": str(status)}}

    @staticmethod
    def _r2r_error(status: int, error_id: str, description: str) -> Answer:
        return Answer(status, {"error": {"id": error_id, "description": description,
                                         "http_code": str(status)}})

    def _token(self, request: Request, match: re.Match[str]) -> Answer:
        form = request.form
        if form.get("client_id") != self.client_id or \
                form.get("client_secret") != self.client_secret:
            return self._r2r_error(401, "INVALID_CLIENT", "Client authentication failed.")
        if form.get("grant_type") != "refresh_token":
            return self._r2r_error(400, "UNSUPPORTED_GRANT_TYPE",
                                   "The authorization grant type is not supported.")
        business = self.refresh_tokens.get(form.get("refresh_token", ""))
        if business is None:
            return self._r2r_error(404, "TOKEN_NOT_FOUND", "Supplied refresh token does not "
                                                           "exist.")
        token = f"fake-access-{next(self._token_numbers)}"
        with self._lock:
            self.access_tokens[token] = business
        return Answer(200, {"access_token": token, "token_type": "Bearer",
                            "expires_in": 604800})

    def _respond(self, request: Request, match: re.Match[str]) -> Answer:
        business = self.access_tokens.get(bearer(request) or "")
        if business is None:
            return self._r2r_error(401, "INVALID_TOKEN", "The access token provided is expired, "
                                   "revoked, malformed, or invalid for other reasons.")
        review_id = match["review"]
        owner = next((biz for biz, rid in self.reviews if rid == review_id), None)
        if owner is None:
            return self._r2r_error(400, "R2R_REVIEW_DOES_NOT_EXIST", "Review does not exist.")
        if owner != business:
            return self._r2r_error(400, "R2R_PERMISSION_DENIED",
                                   "You do not have permission to comment on that review.")
        body = request.json if isinstance(request.json, dict) else {}
        if body.get("response_type") != "public_comment":
            return self._r2r_error(400, "R2R_INVALID_RESPONSE_TYPE", "Invalid response type.")
        text = body.get("response_text")
        earlier = self.responses.get(review_id, [])
        if (not isinstance(text, str) or not text.strip() or len(text) > 5000
                or re.search(r"\b(?:damn|hell)\b", text, re.IGNORECASE)
                or any(" ".join(text.split()) == " ".join(e.split()) for e in earlier)):
            return self._r2r_error(400, "R2R_INVALID_RESPONSE_TEXT", "Invalid response text.")
        key = (business, self.today)
        with self._lock:
            if self.posted_today.get(key, 0) >= self.daily_quota:
                return self._r2r_error(400, "R2R_COMMENT_QUOTA_EXCEEDED",
                                       "You have made too many comments recently.")
            self.posted_today[key] = self.posted_today.get(key, 0) + 1
            self.responses.setdefault(review_id, []).append(text)
        return Answer(200, {})

    def _review(self, request: Request, match: re.Match[str]) -> Answer:
        if bearer(request) != self.api_key:
            return Answer(401, self.error_body(
                401, "The access token provided is not currently able to query this endpoint."))
        review = self.reviews.get((match["business"], match["review"]))
        if review is None:
            return Answer(404, self.error_body(404, "Resource could not be found."))
        return Answer(200, review)
