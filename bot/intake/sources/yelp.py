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

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import requests

from bot.config import ConfigError, YelpSource
from bot.core.reviews import SkippedItem
from bot.intake.shapes import Id, Shape, check
from bot.intake.sources import (
    env_value,
    get,
    items_of,
    json_of,
    obj,
    present,
    retry_after_seconds,
    status_error,
    whole_number,
)
from bot.intake.sources.posting import (
    POST_TIMEOUT,
    LookupStatus,
    NoAnswer,
    NotSent,
    PostResult,
    PostStatus,
    ReplyLookup,
    answer_json,
    failed,
    send,
)

SOURCE = "yelp"
YELP_TIME_ZONE = ZoneInfo("America/Los_Angeles")
# UPDATED_REVIEW_EVENT is an assumption: only NEW_REVIEW_EVENT is in Yelp's public docs.
REVIEW_EVENTS = frozenset({"NEW_REVIEW_EVENT", "UPDATED_REVIEW_EVENT"})


class _Update(Shape):
    event_type: str | None = None
    review_id: Id | None = None
    rating: float | None = None
    language: str | None = None
    user_id: str | None = None
    event_time: str | None = None


class _Data(Shape):
    id: Id | None = None
    updates: list[_Update] | None = None


class _Webhook(Shape):
    time: str | None = None
    object: str | None = None
    data: _Data | None = None


@dataclass(frozen=True)
class Announced:
    """The (business id, review id, update's index) of each review a webhook announces, and
    the updates skipped, with why."""

    reviews: list[tuple[str, str, int]]
    skipped: list[SkippedItem]


def webhook_reviews(body: Any) -> Announced:
    """The reviews a webhook announces (other events are not ours: skipped, and said so).
    Unshaped, naming the field, when a documented field is of the wrong type."""
    check(_Webhook, body, what="a Yelp webhook")
    data = obj(body.get("data"))
    business_id = data.get("id")
    if not isinstance(business_id, str):
        return Announced([], [SkippedItem(None, "data.id",
                                          "is missing: the webhook names no business")])
    reviews, skipped = [], []
    for index, update in enumerate(items_of(data, "updates")):
        where = f"data.updates[{index}]"
        if update.get("event_type") not in REVIEW_EVENTS:
            skipped.append(SkippedItem(index, f"{where}.event_type",
                                       f"is not {' or '.join(sorted(REVIEW_EVENTS))}: the "
                                       "update is not about a review"))
        elif not isinstance(update.get("review_id"), str):
            skipped.append(SkippedItem(index, f"{where}.review_id",
                                       "is missing: the update names no review"))
        else:
            reviews.append((business_id, update["review_id"], index))
    return Announced(reviews, skipped)


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


# ---- posting a reply (the partner Respond-to-Reviews API) -------------------------------------

MAX_RESPONSE_CHARS = 5000
# Error ids of the Respond-to-Reviews API (docs.developer.yelp.com/reference/
# create-review-response, "R2R Error Responses"), all HTTP 400 unless said: what a person can do.
_R2R_FIXES = {
    "R2R_COMMENTS_NOT_ALLOWED": "this location does not include responding to reviews; "
                                "Yelp's sales team can enable it",
    "R2R_PROBLEM_WITH_USER_PHOTO": "the Yelp business user needs a valid photo on "
                                   "biz.yelp.com before replying",
    "R2R_UNACCEPTABLE_BIZ_USER_NAME": "Yelp does not accept the business user's name",
    "R2R_REVIEW_DOES_NOT_EXIST": "the review no longer exists on Yelp",
    "R2R_PUBLIC_COMMENTS_DISABLED": "public comments are turned off for this business",
    "R2R_BUSINESS_NOT_CLAIMED": "Yelp cannot confirm the business is claimed",
    "R2R_PERMISSION_DENIED": "the Yelp business user may not comment on this review",
    "INSUFFICIENT_SCOPE": "the Yelp authorization does not include responding to reviews",
    "INVALID_REQUEST": "Yelp refused the request as malformed",
}
_QUOTA = "R2R_COMMENT_QUOTA_EXCEEDED"  # "a maximum of 20 comments for each location per biz
# owner per day"
_REFUSED_TEXT = {"R2R_INVALID_RESPONSE_TEXT", "R2R_INVALID_RESPONSE_TYPE"}


def response_problem(text: str) -> str | None:
    """Why Yelp would refuse this reply before it is sent, or None."""
    if not text.strip():
        return "The reply is empty."
    if len(text) > MAX_RESPONSE_CHARS:
        return (f"Yelp takes replies up to {MAX_RESPONSE_CHARS} characters; this one is "
                f"{len(text)}. Shorten it.")
    if any(ord(ch) > 0xFFFF or 0x2600 <= ord(ch) <= 0x27BF for ch in text):
        return "Yelp does not accept emoji in replies; remove them."
    return None


def refresh_token_env_name(business_id: str) -> str:
    """YELP_REFRESH_TOKEN_<BUSINESS ID>, the id upper-cased with other characters as _."""
    return "YELP_REFRESH_TOKEN_" + "".join(c if c.isalnum() else "_" for c in business_id).upper()


class YelpReplyClient:
    """Replies as the business through Yelp's partner Respond-to-Reviews API
    (docs.developer.yelp.com/docs/respond-to-reviews-api-v2): POST {base}reviews/v1/{review_id}
    with JSON {"response_text", "response_type": "public_comment"} and the business user's
    OAuth access token. Access tokens live 7 days and are refreshed with the business user's
    refresh token (docs.developer.yelp.com/docs/refresh-tokens: POST
    https://api.yelp.com/oauth2/token, grant_type=refresh_token, client_id, client_secret),
    before they expire and once more when Yelp answers 401 INVALID_TOKEN. Tokens are kept per
    business id: each location may be authorized by a different business user. Safe to share
    between threads."""

    def __init__(self, *, client_id: str, client_secret: str,
                 refresh_tokens: Mapping[str, str], base_url: str, token_url: str,
                 session: requests.Session | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self._client_id = client_id
        self._client_secret = client_secret
        self._refresh_tokens = dict(refresh_tokens)
        self._base_url = base_url if base_url.endswith("/") else base_url + "/"
        self._token_url = token_url
        self._session = session or requests.Session()
        self._clock = clock
        self._tokens: dict[str, tuple[str, datetime]] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, source: YelpSource) -> YelpReplyClient:
        """YELP_CLIENT_ID and YELP_CLIENT_SECRET (the partner app), and per business
        YELP_REFRESH_TOKEN_<BUSINESS ID>, else YELP_REFRESH_TOKEN (one business user who
        manages every location)."""
        client = {name: env_value(env, name) for name in ("YELP_CLIENT_ID", "YELP_CLIENT_SECRET")}
        shared = env_value(env, "YELP_REFRESH_TOKEN")
        tokens = {biz: env_value(env, refresh_token_env_name(biz)) or shared
                  for biz in source.businesses}
        missing = [name for name, value in client.items() if not value]
        missing += [refresh_token_env_name(biz) for biz, token in tokens.items() if not token]
        if missing:
            raise ConfigError(f"sources.yelp.post_replies is on but {', '.join(missing)} "
                              f"{'is' if len(missing) == 1 else 'are'} not set: put the partner "
                              "app's client id and secret and each business user's refresh "
                              "token (or YELP_REFRESH_TOKEN) in the environment or .env.")
        return cls(client_id=client["YELP_CLIENT_ID"] or "",
                   client_secret=client["YELP_CLIENT_SECRET"] or "",
                   refresh_tokens={biz: token for biz, token in tokens.items() if token},
                   base_url=source.base_url, token_url=source.token_url)

    def post_reply(self, business_id: str, review_id: str, text: str, *,
                   timeout: tuple[float, float] = POST_TIMEOUT) -> PostResult:
        """Post `text` as the business's public comment on the review. Yelp documents no body
        for success and no id for the comment: a 2xx is POSTED without reply_id."""
        problem = response_problem(text)
        if problem:
            return failed(SOURCE, problem)
        url = self._base_url + f"reviews/v1/{quote(review_id, safe='')}"
        body = {"response_text": text, "response_type": "public_comment"}
        try:
            response = send(self._session, "POST", url, json=body,
                            headers=self._auth(business_id, refresh=False), timeout=timeout)
            if response.status_code == 401:
                response = send(self._session, "POST", url, json=body,
                                headers=self._auth(business_id, refresh=True), timeout=timeout)
        except _TokenRefused as refused:
            return failed(SOURCE, refused.reason, retryable=refused.retryable,
                          error_code=refused.code)
        except NotSent:
            return failed(SOURCE, "Yelp could not be reached; nothing was posted.",
                          retryable=True)
        except NoAnswer:
            return PostResult(PostStatus.UNKNOWN, SOURCE,
                              reason="Yelp did not answer in time; the reply may be up.")
        if response.ok:
            return PostResult(PostStatus.POSTED, SOURCE)
        return _r2r_failure(response)

    def fetch_reply(self, business_id: str, review_id: str, text: str) -> ReplyLookup:
        """Yelp documents no way to read a business's comment back, so an unknown outcome
        cannot be settled here: a person checks the review on Yelp, then marks it posted or
        posts again. (Posting the same words twice is refused by Yelp as "too similar to a
        comment that's already been posted", so a second try does not double the reply.)"""
        return ReplyLookup(LookupStatus.CANNOT_TELL,
                           reason="Yelp cannot be asked whether the reply is up; check the "
                                  "review on Yelp.")

    def _auth(self, business_id: str, *, refresh: bool) -> dict[str, str]:
        with self._lock:
            token = self._tokens.get(business_id)
            # Refresh a day early: a token that expires mid-request fails for nothing.
            if refresh or token is None or token[1] - timedelta(days=1) <= self._clock():
                token = self._refresh(business_id)
                self._tokens[business_id] = token
            return {"Authorization": f"Bearer {token[0]}"}

    def _refresh(self, business_id: str) -> tuple[str, datetime]:
        refresh_token = self._refresh_tokens.get(business_id)
        if not refresh_token:
            raise _TokenRefused(f"There is no Yelp refresh token for business {business_id}: "
                                f"set {refresh_token_env_name(business_id)}.", retryable=False)
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token,
                "client_id": self._client_id, "client_secret": self._client_secret}
        try:
            response = send(self._session, "POST", self._token_url, data=form)
        except (NotSent, NoAnswer):
            raise _TokenRefused("Yelp's sign-in could not be reached; nothing was posted.",
                                retryable=True) from None
        answer = answer_json(response)
        if not response.ok or not isinstance(answer.get("access_token"), str):
            error = obj(answer.get("error"))
            code = error.get("id") or answer.get("error")
            raise _TokenRefused(
                f"Yelp refused to renew the sign-in ({code or f'HTTP {response.status_code}'}): "
                "the business user needs to authorize reviewdesk again.",
                retryable=response.status_code >= 500, code=code)
        if isinstance(answer.get("refresh_token"), str):
            # Yelp's v3 token endpoint hands out a new refresh token with each access token.
            self._refresh_tokens[business_id] = answer["refresh_token"]
        seconds = answer.get("expires_in")
        lifetime = timedelta(seconds=seconds) if isinstance(seconds, int | float) \
            else timedelta(days=7)
        return answer["access_token"], self._clock() + lifetime


class _TokenRefused(Exception):
    def __init__(self, reason: str, *, retryable: bool, code: Any = None):
        super().__init__(reason)
        self.reason, self.retryable, self.code = reason, retryable, code


def _r2r_failure(response: requests.Response) -> PostResult:
    error = obj(answer_json(response).get("error"))
    error_id = error.get("id") if isinstance(error.get("id"), str) else None
    description = error.get("description") if isinstance(error.get("description"), str) \
        else f"HTTP {response.status_code}"
    status = response.status_code
    retry_after = retry_after_seconds(response.headers.get("Retry-After"))
    if error_id in _REFUSED_TEXT:
        return PostResult(PostStatus.REJECTED, SOURCE, error_code=error_id, http_status=status,
                          reason=f"Yelp refused the words: {description} (empty, over 5,000 "
                                 "characters, foul language, or too like a comment already "
                                 "posted).")
    if error_id == _QUOTA or status == 429:
        return failed(SOURCE, f"Yelp says: {description} (at most 20 replies per location a "
                      "day; try again tomorrow).", retryable=True, http_status=status,
                      error_code=error_id, retry_after=retry_after)
    if status == 401:
        return failed(SOURCE, f"Yelp says: {description} (the business user needs to authorize "
                      "reviewdesk again).", http_status=status, error_code=error_id)
    if status >= 500:
        return PostResult(PostStatus.UNKNOWN, SOURCE, http_status=status, error_code=error_id,
                          reason=f"Yelp failed ({description}); the reply may or may not be "
                                 "up.")
    fix = _R2R_FIXES.get(error_id or "")
    return failed(SOURCE, f"Yelp says: {description}" + (f" ({fix})." if fix else "."),
                  http_status=status, error_code=error_id)
