"""Window arithmetic: deadlines and nudge times, in plain time or in working time only.

Pure functions of their arguments; the database keeps what they compute."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.config import WEEKDAYS, BusinessHours, clock_time, parse_duration

_MAX_DAYS = 3660  # a window longer than ten years of working days is a configuration mistake


@lru_cache(maxsize=16)
def _holiday_calendar(country: str, subdivision: str | None):
    import holidays as holiday_calendars  # only when [business_hours] names holidays

    return holiday_calendars.country_holidays(country, subdiv=subdivision)


def _working_day(day: date, hours: BusinessHours) -> bool:
    if WEEKDAYS[day.weekday()] not in hours.days:
        return False
    return not (hours.holidays and day in _holiday_calendar(hours.holidays,
                                                            hours.holidays_subdivision))


def _working_spans(start: datetime, hours: BusinessHours):
    """The working intervals from `start` on, in order, as aware datetimes."""
    zone = ZoneInfo(hours.timezone)
    local_start = start.astimezone(zone)
    day = local_start.date()
    for _ in range(_MAX_DAYS):
        if _working_day(day, hours):
            opens = datetime.combine(day, clock_time(hours.start), zone)
            closes = datetime.combine(day, clock_time(hours.end), zone)
            opens = max(opens, local_start)
            if opens < closes:
                yield opens, closes
        day += timedelta(days=1)
    raise ValueError("no working time within ten years; check [business_hours]")


def add_time(start: datetime, length: timedelta, hours: BusinessHours) -> datetime:
    """`start` plus `length`, counting only working time when business hours are on."""
    if not hours.enabled:
        return start + length
    remaining = length
    for opens, closes in _working_spans(start, hours):
        span = closes - opens
        if remaining <= span:
            return (opens + remaining).astimezone(start.tzinfo)
        remaining -= span
    raise AssertionError("unreachable")


def time_between(start: datetime, end: datetime, hours: BusinessHours) -> timedelta:
    """How much (working) time lies between two moments."""
    if end <= start:
        return timedelta(0)
    if not hours.enabled:
        return end - start
    total = timedelta(0)
    for opens, closes in _working_spans(start, hours):
        if opens >= end:
            break
        total += min(closes, end) - opens
    return total


def nudge_times(start: datetime, due: datetime, leads: list[str],
                hours: BusinessHours) -> list[datetime]:
    """When to remind before the deadline: "75%" of the window elapsed, or "1h" before it.
    Leads that would fall at or before the start are dropped; equal times merge."""
    total = time_between(start, due, hours)
    times = set()
    for lead in leads:
        if lead.endswith("%"):
            elapsed = total * (int(lead[:-1]) / 100)
        else:
            elapsed = total - parse_duration(lead)
        if elapsed > timedelta(0):
            times.add(add_time(start, elapsed, hours))
    return sorted(moment for moment in times if moment < due)
