"""Reading what people type in `/reviewdesk oncall`: the words, people (`<@U123|sam>`) and
moments (`fri 17:00`, `tomorrow`, `2026-12-01 08:00`), in the rotation's time zone."""

from __future__ import annotations

import difflib
import re
from datetime import UTC, date, datetime, time, timedelta

from bot.config import WEEKDAYS, Rotation, clock_time
from bot.oncall.schedule import zone
from bot.oncall.values import BadInput, refusal

_DAY_NAMES = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "weds": 2,
    "wednesday": 2, "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5, "sun": 6, "sunday": 6,
}
_RELATIVE_DAYS = {"today": 0, "tonight": 0, "tomorrow": 1, "tmrw": 1}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_CLOCK_24H = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_CLOCK_12H = re.compile(r"^(1[0-2]|0?[1-9])(?::([0-5]\d))?\s*(am|pm)$")
_NAMED_TIMES = {"noon": time(12, 0), "midnight": time(0, 0)}
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_BARE_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_TOKENS = re.compile(r"<[^>]*>|\S+")
_OVERRIDE_PERIOD = re.compile(
    r"^(?:from\s+(?P<start>.+?)\s+)?(?:until|till|til|to)\s+(?P<end>.+)$", re.IGNORECASE)
_COMMAND_NAMES = {"oncall", "on-call", "rota", "rotation"}


def words(text: str) -> tuple[str, list[str]]:
    """The verb (lower case, "" for none) and its arguments of `oncall <verb> <args…>`; a
    mention with a space in its label stays one argument."""
    tokens = _TOKENS.findall(text.strip())
    if tokens and tokens[0].lower() in _COMMAND_NAMES:
        tokens = tokens[1:]
    return (tokens[0].lower() if tokens else ""), tokens[1:]


def _clock_time(text: str) -> time | None:
    text = text.strip().lower().replace(".", "")
    if text in _NAMED_TIMES:
        return _NAMED_TIMES[text]
    if match := _CLOCK_24H.match(text):
        return time(int(match[1]), int(match[2]))
    if match := _CLOCK_12H.match(text):
        hour = int(match[1]) % 12 + (12 if match[3] == "pm" else 0)
        return time(hour, int(match[2] or 0))
    return None


def _suggestion(text: str) -> str:
    typed = text.split()
    names = [*_DAY_NAMES, *_RELATIVE_DAYS]
    close = difflib.get_close_matches(typed[0].lower(), names, n=1, cutoff=0.6) if typed else []
    if close:
        day = close[0]
        short = WEEKDAYS[_DAY_NAMES[day]] if day in _DAY_NAMES else day
        rest = " ".join(typed[1:])
        return f"{short} {rest}" if rest and _clock_time(rest) else f"{short} 17:00"
    return "fri 17:00"


def parse_moment(text: str, *, after: datetime, rotation: Rotation) -> datetime:
    """A moment as people type it, in the rotation's time zone, as aware UTC: `fri 17:00`,
    `friday 5pm`, `tomorrow 08:00`, `today`, `2026-12-01 08:00`, or a time alone. A weekday or
    a time alone means its next occurrence after `after`; a day without a time means the
    hand-off time that day."""
    local_zone = zone(rotation)
    typed = text.strip().lower().split()
    problem = refusal(BadInput, "bad_time", text=text.strip(), suggestion=_suggestion(text))
    if not typed:
        raise problem
    head, rest = typed[0], " ".join(typed[1:])
    local_after = after.astimezone(local_zone)
    clock = _clock_time(rest) if rest else clock_time(rotation.handoff_time)
    if head in _RELATIVE_DAYS or _ISO_DATE.match(head) or head in _DAY_NAMES:
        if clock is None:
            raise problem
    else:
        clock = _clock_time(" ".join(typed))
        if clock is None:
            raise problem

    def at(day: date) -> datetime:
        return datetime.combine(day, clock, tzinfo=local_zone).astimezone(UTC)

    if head in _RELATIVE_DAYS:
        return at(local_after.date() + timedelta(days=_RELATIVE_DAYS[head]))
    if match := _ISO_DATE.match(head):
        try:
            return at(date(int(match[1]), int(match[2]), int(match[3])))
        except ValueError:
            raise problem from None
    if head in _DAY_NAMES:
        start = local_after.date()
        days = [start + timedelta(days=n) for n in range(8)]
        return next(at(d) for d in days if d.weekday() == _DAY_NAMES[head] and at(d) > after)
    # A time alone: today if still ahead, else tomorrow.
    today = at(local_after.date())
    return today if today > after else at(local_after.date() + timedelta(days=1))


def parse_user(token: str) -> str:
    """A person as Slack sends them in a slash command (`<@U123|sam>`, `<@U123>`) or a bare id."""
    if match := _MENTION.match(token):
        return match[1]
    if _BARE_ID.match(token):
        return token
    raise refusal(BadInput, "unknown_person", text=token)


def parse_override(args: list[str], *, now: datetime,
                   rotation: Rotation) -> tuple[str, datetime, datetime]:
    """`@sam until fri 17:00` or `@sam from fri 17:00 until mon 08:00`: who covers, from
    when (now, unless given) until when."""
    if not args:
        raise refusal(BadInput, "usage", verb="override")
    user = parse_user(args[0])
    match = _OVERRIDE_PERIOD.match(" ".join(args[1:]))
    if not match:
        raise refusal(BadInput, "usage", verb="override")
    starts_at = now
    if match["start"]:
        starts_at = parse_moment(match["start"], after=now, rotation=rotation)
    return user, starts_at, parse_moment(match["end"], after=starts_at, rotation=rotation)
