"""A fake Google Business Profile API (v4 reviews) and OAuth token endpoint on 127.0.0.1, for
tests.

`FakeGoogle` answers in Google's shapes, seeded from the shared samples: reviews.list (newest
update first, paged by pageSize/pageToken/nextPageToken), reviews.get, reviews.updateReply (PUT
…/reviews/{r}/reply, with Google's moderation: a reply may come back PENDING or REJECTED with a
policy violation, and `moderate()` decides later), and the token endpoint google-auth refreshes
against. Failures can be injected: expired access tokens (401), locations the account may not
reply for (403), 429 with Retry-After, 5xx, and silences. Standard library only."""

from __future__ import annotations

import itertools
import re
from typing import Any

from testing.fakes.json_api import (
    Answer,
    FakeApi,
    Handler,
    Request,
    bearer,
    decode_offset,
    encode_offset,
    sample,
)

# ---- Google ----------------------------------------------------------------------------------

SAMPLE_LOCATION = "accounts/108/locations/2201"
_STARS = ("ONE", "TWO", "THREE", "FOUR", "FIVE")
_GOOGLE_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
                  404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL",
                  502: "UNAVAILABLE", 503: "UNAVAILABLE"}


class FakeGoogle(FakeApi):
    """Reviews by location, an OAuth client, and the access tokens it has issued."""

    def __init__(self, *, client_id: str = "fake-client.apps.googleusercontent.com",
                 client_secret: str = "fake-client-secret",
                 refresh_token: str = "fake-refresh-token", max_page_size: int = 50) -> None:
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.max_page_size = max_page_size
        self.reviews: dict[str, list[dict[str, Any]]] = {}
        # What updateReply answers for new replies: "APPROVED", "PENDING" or "REJECTED".
        self.moderation = "APPROVED"
        self.policy_violation: Any = None  # given with REJECTED
        self.forbidden_locations: set[str] = set()  # the account may not reply there
        self._tokens: set[str] = set()
        self._token_numbers = itertools.count(1)

    # ---- set-up -----------------------------------------------------------------------

    def seed_samples(self, location: str = SAMPLE_LOCATION) -> None:
        """The reviews of google_reviews_page1.json and google_reviews_page2.json."""
        for name in ("google_reviews_page1.json", "google_reviews_page2.json"):
            for review in sample(name)["reviews"]:
                self.add_review(location, review)

    def add_review(self, location: str, review: dict[str, Any]) -> None:
        """Add a review, or replace the one with the same reviewId (an edit)."""
        with self._lock:
            reviews = self.reviews.setdefault(location, [])
            reviews[:] = [r for r in reviews if r["reviewId"] != review["reviewId"]]
            reviews.append(review)

    def review(self, review_name: str) -> dict[str, Any] | None:
        location = review_name.split("/reviews/")[0]
        with self._lock:
            return next((r for r in self.reviews.get(location, [])
                         if r.get("name") == review_name), None)

    def moderate(self, review_name: str, state: str, violation: Any = None) -> None:
        """Google's moderation finishing: the reply's state becomes `state`."""
        with self._lock:
            reply = (self.review(review_name) or {}).get("reviewReply")
            if reply is None:
                raise KeyError(f"{review_name} has no reply to moderate")
            reply["reviewReplyState"] = state
            if violation is not None:
                reply["policyViolation"] = violation

    def expire_tokens(self) -> None:
        """Every access token issued so far now answers 401, as after its hour is up."""
        with self._lock:
            self._tokens.clear()

    @property
    def api_url(self) -> str:
        return self.base_url + "v4/"

    @property
    def token_uri(self) -> str:
        return self.base_url + "token"

    def env(self) -> dict[str, str]:
        """The environment GoogleClient.from_env reads, pointing at this fake."""
        return {"GOOGLE_CLIENT_ID": self.client_id, "GOOGLE_CLIENT_SECRET": self.client_secret,
                "GOOGLE_REFRESH_TOKEN": self.refresh_token, "GOOGLE_TOKEN_URI": self.token_uri}

    # ---- the API ----------------------------------------------------------------------

    def routes(self) -> list[tuple[str, str, str, Handler]]:
        location = r"accounts/[^/]+/locations/[^/]+"
        return [
            ("token", "POST", r"/token", self._token),
            ("list", "GET", rf"/v4/(?P<location>{location})/reviews", self._list),
            ("get", "GET", rf"/v4/(?P<name>(?P<location>{location})/reviews/[^/]+)", self._get),
            ("reply", "PUT",
             rf"/v4/(?P<name>(?P<location>{location})/reviews/[^/]+)/reply", self._reply),
        ]

    def error_body(self, status: int, message: str) -> Any:
        return {"error": {"code": status, "message": message,
                          "status": _GOOGLE_STATUS.get(status, "UNKNOWN")}}

    def _token(self, request: Request, match: re.Match[str]) -> Answer:
        form = request.form
        if (form.get("grant_type") != "refresh_token"
                or form.get("refresh_token") != self.refresh_token
                or form.get("client_id") != self.client_id
                or form.get("client_secret") != self.client_secret):
            return Answer(400, {"error": "invalid_grant", "error_description": "Bad Request"})
        token = f"ya29.fake-{next(self._token_numbers)}"
        self._tokens.add(token)
        return Answer(200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"})

    def _unauthenticated(self, request: Request) -> Answer | None:
        if bearer(request) in self._tokens:
            return None
        return Answer(401, self.error_body(
            401, "Request had invalid authentication credentials. Expected OAuth 2 access "
                 "token, login cookie or other valid authentication credential."),
            {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'})

    def _list(self, request: Request, match: re.Match[str]) -> Answer:
        refused = self._unauthenticated(request)
        if refused:
            return refused
        reviews = list(self.reviews.get(match["location"], []))
        if request.query.get("orderBy", "updateTime desc") == "updateTime desc":
            reviews.sort(key=lambda review: review["updateTime"], reverse=True)
        offset = decode_offset(request.query.get("pageToken"))
        if offset is None:
            return Answer(400, self.error_body(400, "Request contains an invalid argument."))
        size = min(int(request.query.get("pageSize") or 50), self.max_page_size, 50)
        answer: dict[str, Any] = {}
        if reviews[offset:offset + size]:
            answer["reviews"] = reviews[offset:offset + size]
        if reviews:
            stars = [_STARS.index(r["starRating"]) + 1
                     for r in reviews if r.get("starRating") in _STARS]
            answer["averageRating"] = round(sum(stars) / len(stars), 1) if stars else 0
            answer["totalReviewCount"] = len(reviews)
        if offset + size < len(reviews):
            answer["nextPageToken"] = encode_offset(offset + size)
        return Answer(200, answer)

    def _get(self, request: Request, match: re.Match[str]) -> Answer:
        refused = self._unauthenticated(request)
        if refused:
            return refused
        for review in self.reviews.get(match["location"], []):
            if review.get("name") == match["name"]:
                return Answer(200, review)
        return Answer(404, self.error_body(404, "Requested entity was not found."))

    def _reply(self, request: Request, match: re.Match[str]) -> Answer:
        refused = self._unauthenticated(request)
        if refused:
            return refused
        if match["location"] in self.forbidden_locations:
            return Answer(403, self.error_body(403, "The caller does not have permission"))
        review = self.review(match["name"])
        if review is None:
            return Answer(404, self.error_body(404, "Requested entity was not found."))
        body = request.json if isinstance(request.json, dict) else {}
        comment = body.get("comment")
        if not isinstance(comment, str) or not comment.strip() or len(comment.encode()) > 4096:
            return Answer(400, self.error_body(400, "Request contains an invalid argument."))
        reply: dict[str, Any] = {"comment": comment, "updateTime": "2026-11-22T18:00:00Z",
                                 "reviewReplyState": self.moderation}
        if self.moderation == "REJECTED" and self.policy_violation is not None:
            reply["policyViolation"] = self.policy_violation
        with self._lock:
            review["reviewReply"] = reply
        return Answer(200, dict(reply))
