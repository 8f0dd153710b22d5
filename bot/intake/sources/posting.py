"""Posting a reply back to a review source: the typed outcome every source's client returns, the
look-up that settles an unknown outcome before anything is posted again, and the one HTTP helper
that tells "never sent" from "sent, answer lost"."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import requests
import urllib3.exceptions

# (connect, read) seconds. A post that gets no answer within the read timeout has an unknown
# outcome: it may have landed.
POST_TIMEOUT = (5.0, 20.0)


class PostStatus(StrEnum):
    POSTED = "posted"  # live on the source (or, for Hide, done)
    PENDING = "pending"  # accepted, held for the source's moderation
    REJECTED = "rejected"  # the source refused the words (moderation, policy): reword it
    FAILED = "failed"  # not posted; `retryable` says whether trying again can help
    UNKNOWN = "unknown"  # sent, no answer: look it up before posting again


@dataclass(frozen=True)
class PostResult:
    status: PostStatus
    source: str
    reply_id: str | None = None  # the source's id for the reply, when it gives one
    reason: str | None = None  # the source's moderation reason or error message, for a person
    retryable: bool = False
    retry_after: float | None = None  # seconds, when the source said
    http_status: int | None = None
    error_code: str | int | None = None  # the source's own code (Graph's, Yelp's id, Google's)

    @property
    def landed(self) -> bool:
        """The reply exists on the source (live or waiting for moderation)."""
        return self.status in (PostStatus.POSTED, PostStatus.PENDING)

    def describe(self) -> str:
        """One line for a log: status and codes, never the reason text or the reply."""
        parts = [f"{self.source} {self.status}"]
        if self.http_status:
            parts.append(f"HTTP {self.http_status}")
        if self.error_code is not None:
            parts.append(f"code {self.error_code}")
        if self.retryable:
            parts.append("retryable")
        return ", ".join(parts)


class LookupStatus(StrEnum):
    FOUND = "found"  # our reply is there; `result` says whether live, pending or rejected
    ABSENT = "absent"  # it is not there: posting again is safe
    CANNOT_TELL = "cannot_tell"  # the source cannot be asked (or did not answer)


@dataclass(frozen=True)
class ReplyLookup:
    status: LookupStatus
    result: PostResult | None = None
    reason: str | None = None


def failed(source: str, reason: str, *, retryable: bool = False, http_status: int | None = None,
           error_code: str | int | None = None, retry_after: float | None = None) -> PostResult:
    return PostResult(PostStatus.FAILED, source, reason=reason, retryable=retryable,
                      http_status=http_status, error_code=error_code, retry_after=retry_after)


class NotSent(Exception):
    """The request never reached the source (no connection): nothing can have been posted."""


class NoAnswer(Exception):
    """The request went out but no answer came back: it may have been posted."""


_NO_CONNECTION = (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError)


def _never_connected(error: requests.ConnectionError) -> bool:
    """requests wraps urllib3's MaxRetryError, whose `reason` says why: refused or timed out
    while connecting means nothing was sent."""
    wrapped = error.args[0] if error.args else None
    return isinstance(wrapped, _NO_CONNECTION) or isinstance(getattr(wrapped, "reason", None),
                                                             _NO_CONNECTION)


def send(session: requests.Session, method: str, url: str, *,
         timeout: tuple[float, float] = POST_TIMEOUT, json: Any = None,
         data: Mapping[str, Any] | None = None,
         headers: Mapping[str, str] | None = None,
         params: Mapping[str, Any] | None = None) -> requests.Response:
    """One request; NotSent when no connection was made, NoAnswer when it was sent and the
    answer did not come (timeout, dropped connection). Neither carries the URL."""
    try:
        return session.request(method, url, json=json, data=data, headers=headers,
                               params=params, timeout=timeout)
    except requests.ConnectTimeout:
        raise NotSent from None
    except requests.ConnectionError as error:
        if _never_connected(error):
            raise NotSent from None
        raise NoAnswer from None
    except requests.Timeout:
        raise NoAnswer from None
    except requests.RequestException:
        raise NotSent from None


def answer_json(response: requests.Response) -> dict[str, Any]:
    """The answer's JSON object, or {} when it is empty or not an object."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def same_text(a: str | None, b: str | None) -> bool:
    """Whether two replies are the same words (sources trim and rewrap whitespace)."""
    return " ".join((a or "").split()) == " ".join((b or "").split())
