"""Deadlines and nudge times, in plain time and in working time only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.config import BusinessHours
from bot.core.windows import add_time, nudge_times, time_between

ALWAYS = BusinessHours()
OFFICE = BusinessHours(enabled=True, timezone="America/Chicago", start="08:00", end="17:00",
                       holidays="US")


def chicago(*args) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(*args, tzinfo=ZoneInfo("America/Chicago"))


def test_plain_time_is_plain_addition():
    start = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    assert add_time(start, timedelta(hours=24), ALWAYS) == start + timedelta(hours=24)
    assert time_between(start, start + timedelta(hours=3), ALWAYS) == timedelta(hours=3)


def test_working_time_skips_nights_weekends_and_holidays():
    friday_4pm = chicago(2026, 11, 20, 16, 0)
    # one hour on Friday, the rest from Monday 08:00
    assert add_time(friday_4pm, timedelta(hours=2), OFFICE) == chicago(2026, 11, 23, 9, 0)
    # Thanksgiving (Thursday 26 November 2026) is not a working day
    wednesday_4pm = chicago(2026, 11, 25, 16, 0)
    assert add_time(wednesday_4pm, timedelta(hours=3), OFFICE) == chicago(2026, 11, 27, 10, 0)
    # a review arriving at night starts its clock at opening time
    assert add_time(chicago(2026, 11, 24, 22, 0), timedelta(hours=1), OFFICE) \
        == chicago(2026, 11, 25, 9, 0)


def test_working_time_across_a_daylight_saving_change():
    # 2026-11-01: clocks go back; working hours stay 08:00-17:00 local
    friday = chicago(2026, 10, 30, 16, 0)
    assert add_time(friday, timedelta(hours=2), OFFICE) == chicago(2026, 11, 2, 9, 0)


def test_nudges_at_a_share_elapsed_and_before_the_deadline():
    start = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
    due = start + timedelta(hours=24)
    assert nudge_times(start, due, ["75%", "1h"], ALWAYS) == [
        start + timedelta(hours=18), start + timedelta(hours=23)]
    # leads that fall before the start are dropped; equal ones merge
    short_due = start + timedelta(minutes=30)
    assert nudge_times(start, short_due, ["50%", "1h", "15m"], ALWAYS) == [
        start + timedelta(minutes=15)]


def test_nudges_count_working_time_too():
    start = chicago(2026, 11, 23, 8, 0)  # Monday opening
    due = add_time(start, timedelta(hours=18), OFFICE)  # two working days
    assert due == chicago(2026, 11, 24, 17, 0)
    assert nudge_times(start, due, ["50%", "1h"], OFFICE) == [
        chicago(2026, 11, 23, 17, 0), chicago(2026, 11, 24, 16, 0)]
