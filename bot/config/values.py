"""The values reviewdesk.toml is written in, each a type that reads and checks itself: durations
("90s", "1h30m"), Slack ids, nudge lead times, time zones, weekdays and times of day."""

from __future__ import annotations

import math
import re
from datetime import time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator, Field

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: str | int | float | timedelta) -> timedelta:
    """Read "90s", "30m", "24h", "3d" or a combination such as "1h30m"; a bare number is seconds."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration")
    if isinstance(value, int | float):
        seconds = float(value)
        if not math.isfinite(seconds):
            raise ValueError(f"{value!r} is not a duration")
    elif value.strip().replace(".", "", 1).isdigit():
        seconds = float(value)
    else:
        text = value.strip().lower()
        parts = _DURATION_PART.findall(text)
        if not text or _DURATION_PART.sub("", text).strip():
            raise ValueError(
                f"{value!r} is not a duration; write it like 90s, 30m, 24h or 3d"
            )
        seconds = sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)
    if seconds <= 0:
        raise ValueError(f"{value!r} must be longer than zero")
    return timedelta(seconds=seconds)


def format_duration(duration: timedelta) -> str:
    """The inverse of parse_duration for display: 1d2h, 90s, 30m."""
    seconds = int(duration.total_seconds())
    out = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            out.append(f"{count}{unit}")
    return "".join(out) or "0s"


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]

_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_USERGROUP_ID = re.compile(r"^S[A-Z0-9]{2,}$")
HERE = "@here"  # the fallback that mentions the case's channel


def _optional_id(pattern: re.Pattern[str], what: str, where: str, example: str):
    """A check of an optional Slack id: `what` it is, `where` to copy it from."""

    def check(value: Any) -> str | None:
        if value is not None and (not isinstance(value, str) or not pattern.match(value)):
            raise ValueError(f"{value!r} is not a Slack {what}; copy it from {where} "
                             f"(it starts with {example[0]}, like {example})")
        return value

    return check


_check_channel = _optional_id(_CHANNEL_ID, "channel id", "the channel's details", "C0123ABCD")


def _check_user(value: Any) -> str:
    if not isinstance(value, str) or not _USER_ID.match(value):
        raise ValueError(
            f"{value!r} is not a Slack member id; copy it from the person's profile "
            "(it starts with U, like U0123ABCD)"
        )
    return value


_check_usergroup = _optional_id(_USERGROUP_ID, "user group id", "the group's page in Slack",
                               "S0123ABCD")


def _check_fallback(value: Any) -> str:
    if isinstance(value, str) and value.strip().lower() in {"@here", "here", "<!here>"}:
        return HERE
    if isinstance(value, str) and _USERGROUP_ID.match(value.strip()):
        return value.strip()
    raise ValueError(
        f"{value!r} is neither \"@here\" nor a Slack user group id (it starts with S, "
        "like S0123ABCD)"
    )


def _check_member_or_group(value: Any) -> str:
    if not isinstance(value, str) or not (_USER_ID.match(value) or _USERGROUP_ID.match(value)):
        raise ValueError(
            f"{value!r} is neither a Slack member id (it starts with U, like U0123ABCD; copy it "
            "from the person's profile) nor a user group id (it starts with S, like S0123ABCD; "
            "copy it from the group's page)"
        )
    return value


ChannelId = Annotated[str, BeforeValidator(_check_channel)]
UserId = Annotated[str, BeforeValidator(_check_user)]
UsergroupId = Annotated[str, BeforeValidator(_check_usergroup)]
Fallback = Annotated[str, BeforeValidator(_check_fallback)]
MemberOrGroup = Annotated[str, BeforeValidator(_check_member_or_group)]


_LEAD = re.compile(r"^(\d{1,2})%$")
# How reviewdesk.toml names the days of the week (Monday first, as date.weekday() counts) and
# writes a time of day; everything that reads these settings uses these two.
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CLOCK_TIME = r"^([01]\d|2[0-3]):[0-5]\d$"  # the pattern of a time of day, "HH:MM"


def clock_time(text: str) -> time:
    """A time of day as the settings write it ("HH:MM", already validated)."""
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _check_lead(value: str) -> str:
    """A nudge lead time: a share of the window elapsed ("75%") or a time before the
    deadline ("1h")."""
    value = str(value).strip()
    if _LEAD.match(value):
        if not 0 < int(value[:-1]) < 100:
            raise ValueError(f"{value!r}: a share must be between 1% and 99%")
        return value
    parse_duration(value)
    return value


def _check_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not a time zone; write it like America/Chicago") from None
    return value


LeadTime = Annotated[str, BeforeValidator(_check_lead)]
TimeZoneName = Annotated[str, BeforeValidator(_check_zone)]
Weekday = Annotated[str, Field(pattern=f"^({'|'.join(WEEKDAYS)})$")]
