"""Periods of time in the organisation's time zone, as reports count them: a week runs Monday
00:00 to Monday 00:00 there (167 or 169 hours across a daylight-saving change), "the last 7
days" are 7 calendar days up to now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Period:
    """[start, end) as aware UTC moments; `first_day` and `last_day` are local dates."""

    start: datetime
    end: datetime
    timezone: str

    @property
    def first_day(self) -> date:
        return self.start.astimezone(ZoneInfo(self.timezone)).date()

    @property
    def last_day(self) -> date:
        return (self.end.astimezone(ZoneInfo(self.timezone)) - timedelta(microseconds=1)).date()

    @property
    def key(self) -> str:
        """The local date it starts on, "2026-11-23": a week's name."""
        return self.first_day.isoformat()

    def __contains__(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone).astimezone(ZoneInfo("UTC"))


def week_of(moment: datetime, timezone: str) -> Period:
    """The Monday-to-Monday week, in `timezone`, that `moment` falls in."""
    zone = ZoneInfo(timezone)
    local = moment.astimezone(zone).date()
    monday = local - timedelta(days=local.weekday())
    return Period(_midnight(monday, zone), _midnight(monday + timedelta(days=7), zone), timezone)


def weeks_before(week: Period, count: int) -> list[Period]:
    """The `count` weeks before `week`, most recent first."""
    zone = ZoneInfo(week.timezone)
    monday = week.first_day
    return [Period(_midnight(monday - timedelta(days=7 * n), zone),
                   _midnight(monday - timedelta(days=7 * (n - 1)), zone), week.timezone)
            for n in range(1, count + 1)]


def last_days(now: datetime, days: int, timezone: str) -> Period:
    """The `days` calendar days up to `now`: from the same wall-clock time `days` days ago."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    start = datetime.combine(local.date() - timedelta(days=days), local.timetz().replace(
        tzinfo=None), zone)
    return Period(start.astimezone(ZoneInfo("UTC")), now, timezone)


def span(first: Period, last: Period) -> Period:
    """One period from the start of `first` to the end of `last`."""
    return Period(first.start, last.end, first.timezone)
