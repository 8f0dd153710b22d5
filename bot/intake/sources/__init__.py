"""Review sources: each platform's API client and the parser that turns its JSON into canonical
review dicts. Shared here: `SourceError`, the HTTP and JSON helpers every source uses, and
`build_clients`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Any

import requests

from bot.config import ConfigError

# (connect, read) seconds: a hung source must never hold a poll (or a webhook) for long.
TIMEOUT = (5.0, 30.0)


class ErrorKind(StrEnum):
    AUTH = "auth"  # 401, or the platform's "token expired/invalid" code
    RATE_LIMITED = "rate_limited"  # 429, or the platform's throttling codes
    UNAVAILABLE = "unavailable"  # 5xx
    NETWORK = "network"  # no answer: connection refused, timeout, TLS
    REFUSED = "refused"  # any other 4xx
    BAD_RESPONSE = "bad_response"  # an answer that is not the JSON we expect
    DEPRECATED = "deprecated"  # Facebook error code 12: the Graph version dropped the field


class SourceError(Exception):
    """A source's API call failed. Carries no URL and no body: only what is safe to log."""

    def __init__(self, kind: ErrorKind, *, status: int | None = None,
                 retry_after: float | None = None, code: int | str | None = None):
        self.kind = kind
        self.status = status
        self.retry_after = retry_after
        self.code = code
        super().__init__(self.describe())

    def describe(self) -> str:
        details = [f"HTTP {self.status}"] if self.status else []
        if self.code is not None:
            details.append(f"code {self.code}")
        if self.retry_after is not None:
            details.append(f"retry after {self.retry_after:.0f}s")
        return f"{self.kind}" + (f" ({', '.join(details)})" if details else "")


def get(session: requests.Session, url: str, *, params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None) -> requests.Response:
    """GET with the shared timeout; a transport failure becomes SourceError(NETWORK)."""
    try:
        return session.get(url, params=params, headers=headers, timeout=TIMEOUT)
    except requests.RequestException:
        # `from None`: the request exception's text names the URL.
        raise SourceError(ErrorKind.NETWORK) from None


def status_error(response: requests.Response, code: int | str | None = None) -> SourceError:
    """The SourceError for a non-2xx answer, by HTTP status alone."""
    status = response.status_code
    if status == 401:
        kind = ErrorKind.AUTH
    elif status == 429:
        kind = ErrorKind.RATE_LIMITED
    elif status >= 500:
        kind = ErrorKind.UNAVAILABLE
    else:
        kind = ErrorKind.REFUSED
    return SourceError(kind, status=status, code=code,
                       retry_after=retry_after_seconds(response.headers.get("Retry-After")))


def json_of(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise SourceError(ErrorKind.BAD_RESPONSE, status=response.status_code) from None


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: it is either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def obj(value: Any) -> dict[str, Any]:
    """`value` if it is a JSON object, else an empty one: real traffic has holes."""
    return value if isinstance(value, dict) else {}


def items_of(body: Any, key: str) -> list[Any]:
    """The list under `key` in an API answer, or [] when the answer has none."""
    found = obj(body).get(key)
    return found if isinstance(found, list) else []


def present(fields: dict[str, Any]) -> dict[str, Any]:
    """Drop the None fields, so a missing required field reads "is required" in validation."""
    return {name: value for name, value in fields.items() if value is not None}


def whole_number(value: Any) -> Any:
    """4.0 → 4 (Yelp and Podium send star ratings as floats); anything else unchanged, for
    validation to judge."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time as aware UTC (Google's "…Z", Facebook's "…+0000"), else None."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def env_value(env: Mapping[str, str], name: str) -> str | None:
    return (env.get(name) or "").strip() or None


def build_clients(makers: Mapping[str, tuple[bool, Callable[[], Any]]]) -> dict[str, Any]:
    """Each client whose flag is on, built by its maker (None for the others); a ConfigError
    naming every missing secret at once when makers refuse."""
    problems: list[str] = []
    built: dict[str, Any] = {}
    for name, (enabled, make) in makers.items():
        built[name] = None
        if not enabled:
            continue
        try:
            built[name] = make()
        except ConfigError as error:
            problems.extend(error.problems)
    if problems:
        raise ConfigError(problems)
    return built
