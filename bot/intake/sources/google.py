"""Google Business Profile reviews (API v4): the review parser, the Pub/Sub push decoder for
review notifications, and the API client (OAuth refresh token or service account).

The API gives no link to a review, and a Maps link needs the location's place id, which the
review does not carry: `url` stays None."""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote

import requests
from pydantic import Field

from bot.config import Config, ConfigError
from bot.core.reviews import SkippedItem
from bot.intake.shapes import Shape, check, list_at, shaped_item
from bot.intake.sources import (
    ErrorKind,
    SourceError,
    env_value,
    get,
    json_of,
    obj,
    present,
    retry_after_seconds,
    status_error,
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
    same_text,
    send,
)

if TYPE_CHECKING:  # google-auth is loaded when Google is set up (about 10 MB otherwise idle)
    from google.auth.credentials import Credentials

SOURCE = "google"
SCOPES = ["https://www.googleapis.com/auth/business.manage"]
DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token"
MAX_PAGE_SIZE = 50

STAR_RATINGS: dict[str, int | None] = {
    "ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5, "STAR_RATING_UNSPECIFIED": None,
}
ANONYMOUS_NAME = "a google user"
REVIEW_NOTIFICATIONS = frozenset({"NEW_REVIEW", "UPDATED_REVIEW"})

_TRANSLATED = "(Translated by Google)"
_ORIGINAL = "(Original)"
_REVIEW_NAME = re.compile(r"(?P<location>accounts/[^/]+/locations/[^/]+)/reviews/(?P<review>[^/]+)")


# ---- parsing ---------------------------------------------------------------------------------


def original_comment(comment: str) -> str:
    """What the reviewer wrote. Google puts its translation in the comment, either after the
    original ("…\\n\\n(Translated by Google)\\n…") or before it ("(Translated by Google) …
    \\n\\n(Original)\\n…")."""
    if _ORIGINAL in comment:
        return comment.split(_ORIGINAL, 1)[1].strip()
    before, _, after = comment.partition(_TRANSLATED)
    return before.strip() or after.strip()


def _author(reviewer: dict[str, Any]) -> Any:
    name = reviewer.get("displayName")
    if reviewer.get("isAnonymous") is True:
        return None
    if isinstance(name, str) and name.strip().casefold() == ANONYMOUS_NAME:
        return None
    return name


def _rating(star_rating: Any) -> Any:
    # An unknown value goes through as it is, for validation to name.
    if isinstance(star_rating, str) and star_rating in STAR_RATINGS:
        return STAR_RATINGS[star_rating]
    return star_rating


def review_to_canonical(review: Any, *, site: str | None) -> Any:
    """One v4 Review as a canonical review dict (anything not an object is returned as is)."""
    if not isinstance(review, dict):
        return review
    comment = review.get("comment")
    return present({
        "source": SOURCE,
        "external_id": review.get("reviewId"),
        "site": site,
        "author": _author(obj(review.get("reviewer"))),
        "rating": _rating(review.get("starRating")),
        "text": original_comment(comment) if isinstance(comment, str) else comment,
        "created_at": review.get("createTime"),
    })


def location_of(review_name: Any) -> str | None:
    """accounts/1/locations/2 of accounts/1/locations/2/reviews/3."""
    match = _REVIEW_NAME.fullmatch(review_name) if isinstance(review_name, str) else None
    return match["location"] if match else None


def site_of(location_name: str | None, config: Config) -> str | None:
    for location in config.sources.google.locations:
        if location.name == location_name:
            return location.site
    return None


# ---- the documented shapes (developers.google.com/my-business/reference/rest/v4/
# accounts.locations.reviews, and Pub/Sub's push message) -------------------------------------


class _Reviewer(Shape):
    profilePhotoUrl: str | None = None
    displayName: str | None = None
    isAnonymous: bool | None = None


class _ReviewReply(Shape):
    comment: str | None = None
    updateTime: str | None = None


class ReviewShape(Shape):
    name: str | None = None
    reviewId: str | None = None
    reviewer: _Reviewer | None = None
    starRating: str | None = None
    comment: str | None = None
    createTime: str | None = None
    updateTime: str | None = None
    reviewReply: _ReviewReply | None = None


class _ReviewList(Shape):  # its "reviews" are checked one by one
    averageRating: float | None = None
    totalReviewCount: int | None = None
    nextPageToken: str | None = None


class _PushMessage(Shape):
    data: str | None = None
    attributes: dict[str, str] | None = None
    messageId: str | None = None
    message_id: str | None = None
    publishTime: str | None = None
    publish_time: str | None = None
    orderingKey: str | None = None


class _Push(Shape):
    message: _PushMessage | None = None
    subscription: str | None = None
    deliveryAttempt: int | None = None


class _Notification(Shape):  # the JSON in the message's base64 data
    type: str | None = None
    reviewName: Annotated[str, Field(max_length=1000)] | None = None
    locationName: str | None = None


def canonical_items(body: Any, config: Config) -> list[Any]:
    """A reviews.list answer ({"reviews": [...]}), a list of reviews, or one review. Unshaped
    when the answer's own fields are of the wrong type; a review whose are stays in the list as
    Unreadable, for validation to reject by name."""
    if isinstance(body, dict) and "reviews" in body:
        check(_ReviewList, body)
        reviews, prefix = list_at(body, "reviews") or [], "reviews"
    elif isinstance(body, list):
        reviews, prefix = body, ""
    else:
        return [_canonical_review(shaped_item(ReviewShape, body, ""), config)]
    return [_canonical_review(shaped_item(ReviewShape, review, f"{prefix}[{index}]"), config)
            for index, review in enumerate(reviews)]


def _canonical_review(review: Any, config: Config) -> Any:
    if not isinstance(review, dict):
        return review
    return review_to_canonical(review, site=site_of(location_of(review.get("name")), config))


def parse_pubsub_push(body: Any) -> tuple[str, str] | SkippedItem:
    """(location name, review id) of a Pub/Sub push announcing a new or updated review; for
    any other notification, and for data that is not base64 JSON, what was skipped and why.
    Unshaped, naming the field, when the push or its notification has a field of the wrong
    type."""
    check(_Push, body, what="a Pub/Sub push")
    data = obj(body.get("message")).get("data")
    if not isinstance(data, str):
        return SkippedItem(None, "message.data", "is missing: the push names no review")
    try:
        notification = json.loads(base64.b64decode(data, validate=True))
    except ValueError:  # bad base64, bad UTF-8 and bad JSON are all ValueErrors
        return SkippedItem(None, "message.data", "is not base64-encoded JSON")
    check(_Notification, notification, "message.data")
    if notification.get("type") not in REVIEW_NOTIFICATIONS:
        return SkippedItem(None, "message.data.type",
                           f"is not {' or '.join(sorted(REVIEW_NOTIFICATIONS))}: the "
                           "notification is not about a review")
    review_name = notification.get("reviewName")
    match = _REVIEW_NAME.fullmatch(review_name) if isinstance(review_name, str) else None
    if match is None:
        return SkippedItem(None, "message.data.reviewName",
                           "is not a review's name (accounts/…/locations/…/reviews/…)")
    return match["location"], match["review"]


# ---- the API ---------------------------------------------------------------------------------


def credentials_from_env(env: Mapping[str, str]) -> Credentials:
    """A refresh token with its OAuth client (GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET,
    GOOGLE_REFRESH_TOKEN, GOOGLE_TOKEN_URI), else a service account key file
    (GOOGLE_APPLICATION_CREDENTIALS)."""
    from google.oauth2 import credentials as oauth2_credentials
    from google.oauth2 import service_account

    refresh_token = env_value(env, "GOOGLE_REFRESH_TOKEN")
    if refresh_token:
        client = {name: env_value(env, name) for name in ("GOOGLE_CLIENT_ID",
                                                          "GOOGLE_CLIENT_SECRET")}
        missing = [name for name, value in client.items() if not value]
        if missing:
            raise ConfigError(f"GOOGLE_REFRESH_TOKEN is set but {' and '.join(missing)} "
                              f"{'is' if len(missing) == 1 else 'are'} not: put the OAuth "
                              "client's id and secret in the environment or .env.")
        return oauth2_credentials.Credentials(
            None, refresh_token=refresh_token, client_id=client["GOOGLE_CLIENT_ID"],
            client_secret=client["GOOGLE_CLIENT_SECRET"],
            token_uri=env_value(env, "GOOGLE_TOKEN_URI") or DEFAULT_TOKEN_URI, scopes=SCOPES,
        )
    key_file = env_value(env, "GOOGLE_APPLICATION_CREDENTIALS")
    if key_file:
        try:
            return service_account.Credentials.from_service_account_file(key_file,
                                                                         scopes=SCOPES)
        except (OSError, ValueError) as error:
            raise ConfigError(f"GOOGLE_APPLICATION_CREDENTIALS names {key_file}, which is not a "
                              f"readable service account key ({type(error).__name__}).") from None
    raise ConfigError("sources.google is enabled but no Google credentials are set: put "
                      "GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET and GOOGLE_REFRESH_TOKEN (or "
                      "GOOGLE_APPLICATION_CREDENTIALS) in the environment or .env.")


class GoogleClient:
    """Reads reviews; refreshes the access token when it is missing or expired, and once more
    when the API answers 401 anyway. Safe to share between threads."""

    def __init__(self, credentials: Credentials, *, base_url: str,
                 session: requests.Session | None = None):
        self._credentials = credentials
        self._base_url = base_url if base_url.endswith("/") else base_url + "/"
        import google.auth.transport.requests

        self._session = session or requests.Session()
        self._token_request = google.auth.transport.requests.Request(self._session)
        self._token_lock = threading.Lock()

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, base_url: str) -> GoogleClient:
        return cls(credentials_from_env(env), base_url=base_url)

    def list_reviews(self, location_name: str, *, page_token: str | None = None,
                     page_size: int = MAX_PAGE_SIZE) -> dict[str, Any]:
        """One page of a location's reviews, most recently updated first."""
        params = {"pageSize": page_size, "orderBy": "updateTime desc"}
        if page_token:
            params["pageToken"] = page_token
        return obj(self._get(f"{location_name}/reviews", params))

    def get_review(self, review_name: str) -> dict[str, Any]:
        """One review by its name, accounts/…/locations/…/reviews/…."""
        return obj(self._get(review_name))

    def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        url = self._base_url + quote(path, safe="/")
        response = get(self._session, url, params=params, headers=self._auth(refresh=False))
        if response.status_code == 401:
            response = get(self._session, url, params=params, headers=self._auth(refresh=True))
        if not response.ok:
            raise status_error(response)
        return json_of(response)

    def _auth(self, *, refresh: bool) -> dict[str, str]:
        import google.auth.exceptions

        with self._token_lock:
            if refresh or not self._credentials.valid:
                try:
                    self._credentials.refresh(self._token_request)
                except google.auth.exceptions.RefreshError:
                    raise SourceError(ErrorKind.AUTH, code="token refresh refused") from None
                except google.auth.exceptions.TransportError:
                    raise SourceError(ErrorKind.NETWORK, code="token endpoint") from None
            return {"Authorization": f"Bearer {self._credentials.token}"}

    # ---- posting a reply (accounts.locations.reviews.updateReply) --------------------------

    def update_reply(self, review_name: str, comment: str, *,
                     timeout: tuple[float, float] = POST_TIMEOUT) -> PostResult:
        """Create or replace the owner's reply to a review:
        PUT {base}accounts/{a}/locations/{l}/reviews/{r}/reply with a ReviewReply
        {"comment": …} (developers.google.com/my-business/reference/rest/v4/
        accounts.locations.reviews/updateReply). The answer is the ReviewReply; since 2026 it
        carries its moderation state (latest-updates, 2026-04-01: ReviewReplyState PENDING,
        APPROVED, REJECTED) and, when rejected, a PolicyViolation (2026-07-01). ASSUMPTION to
        confirm against live traffic: the fields are named `reviewReplyState` and
        `policyViolation` on the ReviewReply; `state` is read too. A PUT is idempotent, so a
        5xx is simply retryable; a timeout is still an unknown outcome, settled by
        fetch_reply."""
        problem = reply_problem(comment)
        if problem:
            return failed(SOURCE, problem)
        url = self._base_url + quote(f"{review_name}/reply", safe="/")
        try:
            response = send(self._session, "PUT", url, json={"comment": comment},
                            headers=self._auth(refresh=False), timeout=timeout)
            if response.status_code == 401:
                response = send(self._session, "PUT", url, json={"comment": comment},
                                headers=self._auth(refresh=True), timeout=timeout)
        except NotSent:
            return failed(SOURCE, "Google could not be reached; nothing was posted.",
                          retryable=True)
        except NoAnswer:
            return PostResult(PostStatus.UNKNOWN, SOURCE, reason="Google did not answer in time;"
                              " the reply may have been saved.")
        except SourceError as error:  # the token endpoint refused or was unreachable
            return failed(SOURCE, f"Google sign-in failed ({error.describe()}).",
                          retryable=error.kind is ErrorKind.NETWORK, error_code=error.code)
        if not response.ok:
            return _google_failure(response)
        return reply_result(answer_json(response), review_name)

    def fetch_reply(self, review_name: str, comment: str | None = None, *,
                    timeout: tuple[float, float] = POST_TIMEOUT) -> ReplyLookup:
        """The review's current reply (reviews.get), to settle an unknown outcome or to follow a
        pending reply through moderation. With `comment`, a reply with other words counts as
        absent: ours did not land (and updateReply would replace it)."""
        url = self._base_url + quote(review_name, safe="/")
        try:
            response = send(self._session, "GET", url, headers=self._auth(refresh=False),
                            timeout=timeout)
            if response.status_code == 401:
                response = send(self._session, "GET", url, headers=self._auth(refresh=True),
                                timeout=timeout)
        except (NotSent, NoAnswer):
            return ReplyLookup(LookupStatus.CANNOT_TELL, reason="Google did not answer.")
        except SourceError as error:
            return ReplyLookup(LookupStatus.CANNOT_TELL,
                               reason=f"Google sign-in failed ({error.describe()}).")
        if not response.ok:
            return ReplyLookup(LookupStatus.CANNOT_TELL, result=_google_failure(response),
                               reason=_google_message(response))
        reply = obj(answer_json(response).get("reviewReply"))
        if not reply or (comment is not None and not same_text(reply.get("comment"), comment)):
            return ReplyLookup(LookupStatus.ABSENT)
        return ReplyLookup(LookupStatus.FOUND, result=reply_result(reply, review_name))


MAX_REPLY_BYTES = 4096  # ReviewReply.comment: "The maximum length is 4096 bytes"
_PENDING_STATES = frozenset({"PENDING", "PENDING_MODERATION", "IN_REVIEW"})
_REJECTED_STATES = frozenset({"REJECTED"})


def reply_problem(comment: str) -> str | None:
    """Why Google would refuse this reply before it is sent, or None."""
    if not comment.strip():
        return "The reply is empty."
    size = len(comment.encode())
    if size > MAX_REPLY_BYTES:
        return (f"Google takes replies up to {MAX_REPLY_BYTES} bytes; this one is {size}. "
                "Shorten it.")
    return None


def _violation_text(violation: Any) -> str | None:
    """A PolicyViolation in words, whatever its shape (a string or an object)."""
    if isinstance(violation, str):
        return violation.replace("_", " ").lower()
    if isinstance(violation, dict):
        words = [str(v) for k, v in violation.items()
                 if isinstance(v, str) and k not in {"name", "uri"}]
        return "; ".join(words).replace("_", " ").lower() or None
    if isinstance(violation, list):
        found = [text for text in map(_violation_text, violation) if text]
        return "; ".join(found) or None
    return None


def reply_result(reply: dict[str, Any], review_name: str) -> PostResult:
    """A ReviewReply as a PostResult: live, held for moderation, or rejected with Google's
    reason."""
    state = str(reply.get("reviewReplyState") or reply.get("state") or "").upper()
    reply_id = f"{review_name}/reply"
    if state in _PENDING_STATES:
        return PostResult(PostStatus.PENDING, SOURCE, reply_id=reply_id,
                          reason="Google is reviewing the reply before it appears.")
    if state in _REJECTED_STATES:
        why = _violation_text(reply.get("policyViolation"))
        return PostResult(PostStatus.REJECTED, SOURCE, reply_id=reply_id, error_code=state,
                          reason=f"Google rejected the reply{': ' + why if why else ''}.")
    return PostResult(PostStatus.POSTED, SOURCE, reply_id=reply_id)


def _google_message(response: requests.Response) -> str:
    error = obj(answer_json(response).get("error"))
    message = error.get("message")
    return message if isinstance(message, str) and message else f"HTTP {response.status_code}"


def _google_failure(response: requests.Response) -> PostResult:
    status = response.status_code
    error = obj(answer_json(response).get("error"))
    code = error.get("status") if isinstance(error.get("status"), str) else None
    message = f"Google says: {_google_message(response)}"
    retry_after = retry_after_seconds(response.headers.get("Retry-After"))
    if status == 403:
        message += " (the account signed in cannot reply for this location)"
    return failed(SOURCE, message, retryable=status == 429 or status >= 500,
                  http_status=status, error_code=code, retry_after=retry_after)
