"""The canonical review and the validation of a batch of them: each bad item is reported with
its index and the field that is wrong, and every good item goes on to be stored. Beyond its
shape, a review must name a site of the config (or none) and not be written in the future."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
)

if TYPE_CHECKING:
    from bot.config import Config

MAX_TEXT_CHARS = 20_000
# How far after the desk's clock a review may say it was written: the sender's clock and ours
# may disagree by a little; "posted in 73 years" is not a clock's error.
FUTURE_TOLERANCE = timedelta(minutes=5)
MAX_URL_CHARS = 2000

# Control characters (a newline, a NUL…) have no place in a one-line field; text keeps its
# newlines and tabs but not NUL, which PostgreSQL cannot store.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NUL = "\x00"
# What would end or relabel a Slack link, or end a URL early.
_URL_BREAKERS = re.compile(r"[|<>\s\"\\^`{}]")


def _id_text(value: Any) -> Any:
    # Numeric ids are common in exports; anything else must already be a string.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


class CanonicalReview(BaseModel):
    """A review in reviewdesk's own shape, whatever source it came from."""

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)

    source: StrictStr = Field(min_length=1, max_length=40)
    external_id: Annotated[StrictStr, BeforeValidator(_id_text)] = Field(
        min_length=1, max_length=255
    )
    site: StrictStr | None = Field(default=None, max_length=80)
    author: StrictStr | None = Field(default=None, max_length=200)
    rating: StrictInt | None = Field(default=None, ge=1, le=5)
    text: StrictStr = Field(default="", max_length=MAX_TEXT_CHARS)
    url: StrictStr | None = Field(default=None, max_length=MAX_URL_CHARS)
    created_at: datetime
    # Facebook recommendations carry no stars, only positive or negative.
    recommendation: Literal["positive", "negative"] | None = None

    @field_validator("source")
    @classmethod
    def _lower_source(cls, value: str) -> str:
        return value.lower()

    @field_validator("text", mode="before")
    @classmethod
    def _null_text_is_empty(cls, value: Any) -> Any:
        return "" if value is None else value

    @field_validator("site", "author", "url")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("source", "external_id", "site", "author", "url")
    @classmethod
    def _one_line(cls, value: str | None) -> str | None:
        if value is not None and _CONTROL.search(value):
            raise ValueError("must not contain control characters (a line break, a tab, NUL…)")
        return value

    @field_validator("text")
    @classmethod
    def _storable(cls, value: str) -> str:
        if _NUL in value:
            raise ValueError("must not contain NUL characters")
        return value

    @field_validator("url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is None:
            return value
        scheme, _, rest = value.partition("://")
        if scheme.lower() not in {"http", "https"} or not rest.split("/", 1)[0]:
            raise ValueError("must be an http(s) address")
        if _URL_BREAKERS.search(value):
            raise ValueError("must not contain spaces, '|', '<', '>' or quotes; "
                             "percent-encode them (%7C for '|')")
        if "@" in rest.split("/", 1)[0]:
            raise ValueError("must not carry a user name before the host")
        return value

    @field_validator("created_at", mode="before")
    @classmethod
    def _iso_text(cls, value: Any) -> Any:
        # pydantic would read a number as Unix seconds; the shape is an ISO 8601 string.
        if isinstance(value, int | float | bool):
            raise ValueError(f"is not an ISO 8601 date and time: {value!r}")
        return value

    @field_validator("created_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        # A time without a zone (common in CSV exports) is taken as UTC.
        try:
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        except OverflowError:  # 9999-12-31T23:59:59-14:00 is past the last UTC datetime
            raise ValueError("is outside the dates reviewdesk can store") from None


@dataclass(frozen=True)
class ItemError:
    """Why one item of a batch was rejected."""

    index: int
    field: str
    message: str
    external_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"index": self.index, "field": self.field, "message": self.message}
        if self.external_id:
            out["external_id"] = self.external_id
        return out


@dataclass(frozen=True)
class Unreadable:
    """An item of a source's batch with a documented field of the wrong type, in place of its
    canonical review: validation rejects it naming that field (`field` is its path in the body
    the source sent)."""

    field: str
    message: str


@dataclass(frozen=True)
class Skipped:
    """An entry of a source's body that is read and, on purpose, not a review (the page's own
    post, a notice about something else), in place of its review: counted and named in the
    answer and the log, never dropped silently. `field` is its path in the body."""

    field: str
    problem: str


@dataclass(frozen=True)
class SkippedItem:
    """What was skipped, and where: `index` is its place in the batch (or in the list of a
    notice's updates; None for a notice naming one review)."""

    index: int | None
    field: str
    problem: str

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "problem": self.problem}
        return out if self.index is None else {"index": self.index, **out}


@dataclass(frozen=True)
class ValidatedBatch:
    reviews: list[tuple[int, CanonicalReview]]
    errors: list[ItemError]
    skipped: list[SkippedItem]  # entries that are not reviews, on purpose


def _messages(error: ValidationError) -> list[tuple[str, str]]:
    out = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]) or "(item)"
        kind = item["type"]
        if kind == "missing":
            message = "is required"
        elif kind == "string_too_long":
            message = f"is longer than {item['ctx']['max_length']} characters"
        elif kind in {"greater_than_equal", "less_than_equal"}:
            message = f"must be between 1 and 5 or null, not {item['input']!r}"
        elif kind.startswith(("datetime", "date")):
            message = f"is not an ISO 8601 date and time: {item['input']!r}"
        else:
            message = str(item["msg"]).removeprefix("Value error, ")
            if kind.endswith("_type"):
                message = f"{message}, not {type(item['input']).__name__}"
        out.append((field, message))
    return out


def _unknown_site(review: CanonicalReview, config: Config) -> str | None:
    if review.site is None or config.site(review.site) is not None:
        return None
    return (f"is not a site of reviewdesk.toml ({review.site!r}): use a site id, or its name "
            f"or an alias, of {', '.join(site.id for site in config.sites)}, or null")


def _in_the_future(review: CanonicalReview, now: datetime) -> str | None:
    if review.created_at <= now + FUTURE_TOLERANCE:
        return None
    minutes = int(FUTURE_TOLERANCE.total_seconds() // 60)
    return (f"is in the future ({review.created_at.isoformat()}; it is now "
            f"{now.astimezone(UTC).isoformat(timespec='seconds')}, and a review may be dated "
            f"at most {minutes} minutes ahead, for clock skew)")


def validate_batch(items: Sequence[Any], *, config: Config, now: datetime) -> ValidatedBatch:
    """Validate each item on its own; one bad item never stops the others. A review must name
    one of `config`'s sites (by id, name or alias) or none, and be written no later than `now`
    (the desk's clock) and FUTURE_TOLERANCE."""
    reviews: list[tuple[int, CanonicalReview]] = []
    errors: list[ItemError] = []
    skipped: list[SkippedItem] = []
    for index, item in enumerate(items):
        if isinstance(item, Skipped):
            skipped.append(SkippedItem(index, item.field, item.problem))
            continue
        if isinstance(item, Unreadable):
            errors.append(ItemError(index, item.field, item.message))
            continue
        if not isinstance(item, dict):
            errors.append(ItemError(index, "(item)", "must be a JSON object"))
            continue
        try:
            review = CanonicalReview.model_validate(item)
        except ValidationError as error:
            errors.extend(
                ItemError(index, field, message, _external_id(item))
                for field, message in _messages(error)
            )
            continue
        refused = [(name, problem) for name, problem in (
            ("site", _unknown_site(review, config)),
            ("created_at", _in_the_future(review, now)),
        ) if problem is not None]
        if refused:
            errors.extend(ItemError(index, name, problem, review.external_id)
                          for name, problem in refused)
            continue
        reviews.append((index, review))
    return ValidatedBatch(reviews, errors, skipped)


def _external_id(item: dict[str, Any]) -> str | None:
    external_id = item.get("external_id")
    readable = isinstance(external_id, str | int) and not isinstance(external_id, bool)
    return str(external_id) if readable else None
