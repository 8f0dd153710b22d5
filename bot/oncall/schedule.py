"""When hand-offs fall and whose turn it is: pure functions of the configured rotation and of
the recorded hand-offs, members and overrides (no database, no clock)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from bot.config import WEEKDAYS, Rotation, clock_time
from bot.oncall.values import Member, Override, Shift

WEEK = timedelta(days=7)


def zone(rotation: Rotation) -> ZoneInfo:
    return ZoneInfo(rotation.timezone)


def _on_day(day: date, rotation: Rotation) -> datetime:
    """The hand-off moment on a local calendar day, in UTC. A DST change keeps the wall time;
    a wall time the change skips (02:30 on a spring-forward night) falls an hour later."""
    local = datetime.combine(day, clock_time(rotation.handoff_time), tzinfo=zone(rotation))
    return local.astimezone(UTC)


def _handoff_day_on_or_before(moment: datetime, rotation: Rotation) -> date:
    day = moment.astimezone(zone(rotation)).date()
    return day - timedelta(days=(day.weekday() - WEEKDAYS.index(rotation.handoff_weekday)) % 7)


def handoff_times(after: datetime, before: datetime, rotation: Rotation) -> list[datetime]:
    """The hand-off moments t with after < t <= before, oldest first, as aware UTC datetimes."""
    day = _handoff_day_on_or_before(after, rotation)
    found: list[datetime] = []
    while (moment := _on_day(day, rotation)) <= before:
        if moment > after:
            found.append(moment)
        day += WEEK
    return found


def previous_handoff(at: datetime, rotation: Rotation) -> datetime:
    """The latest hand-off moment at or before `at`."""
    day = _handoff_day_on_or_before(at, rotation)
    moment = _on_day(day, rotation)
    return moment if moment <= at else _on_day(day - WEEK, rotation)


def next_handoff(after: datetime, rotation: Rotation) -> datetime:
    """The first hand-off moment strictly after `after`."""
    return handoff_times(after, after + WEEK + timedelta(days=1), rotation)[0]


def rotate(members: Sequence[Member], anchor_user: str, steps: int) -> str | None:
    """Whose turn it is `steps` hand-offs after `anchor_user`'s. A member no longer active
    hands their turn to the next active member after them in order."""
    active = [member for member in members if member.active]
    if not active:
        return None
    index = next((i for i, m in enumerate(active) if m.user_id == anchor_user), None)
    if index is None:
        gone = next((m for m in members if m.user_id == anchor_user), None)
        later = [i for i, m in enumerate(active) if gone and m.position > gone.position]
        index = later[0] if later else 0
    return active[(index + steps) % len(active)].user_id


def _same(a: Override | None, b: Override | None) -> bool:
    return (a.id if a else None) == (b.id if b else None)


@dataclass(frozen=True)
class Snapshot:
    """What the rotation needs to answer questions about a stretch of time: the members in
    order, the recorded hand-offs (`anchors`, (handoff_at, user_id), oldest first) and the
    overrides (oldest created first)."""

    rotation: Rotation
    now: datetime
    members: Sequence[Member]
    anchors: list[tuple[datetime, str]]
    overrides: Sequence[Override]

    def base_at(self, at: datetime) -> str | None:
        """Whose turn in the order it is at `at` (overrides aside)."""
        if not self.anchors:
            # Not seeded yet: count as seeding would, from the first member.
            first = next((m.user_id for m in self.members if m.active), None)
            if first is None:
                return None
            anchor = (previous_handoff(self.now, self.rotation), first)
        else:
            earlier = [anchor for anchor in self.anchors if anchor[0] <= at]
            anchor = earlier[-1] if earlier else self.anchors[0]
        anchor_at, anchor_user = anchor
        if anchor_at <= at:
            steps = len(handoff_times(anchor_at, at, self.rotation))
        else:
            steps = -len(handoff_times(at, anchor_at, self.rotation))
        return rotate(self.members, anchor_user, steps)

    def override_at(self, at: datetime) -> Override | None:
        """The override in force at `at`; of overlapping ones, the latest created."""
        covering = [o for o in self.overrides if o.starts_at <= at < o.ends_at]
        return covering[-1] if covering else None

    def on_call_at(self, at: datetime) -> str | None:
        override = self.override_at(at)
        return override.user_id if override else self.base_at(at)

    def order(self) -> list[str]:
        return [m.user_id for m in self.members if m.active]

    def next_change(self, after: datetime, until: datetime) -> tuple[datetime, str | None] | None:
        """When someone other than whoever is on call at `after` is next on call (by `until`),
        and who: the end of an override in force (the order's person is back), an override
        starting, or a hand-off. None when it stays the same person (a rotation of one)."""
        current = self.on_call_at(after)
        for shift in self.shifts(after, until):
            if shift.user_id != current:
                return shift.starts_at, shift.user_id
        return None

    def shifts(self, starts: datetime, ends: datetime) -> list[Shift]:
        cuts = {starts, ends, *handoff_times(starts, ends, self.rotation)}
        for override in self.overrides:
            cuts.update(t for t in (override.starts_at, override.ends_at) if starts < t < ends)
        bounds = sorted(t for t in cuts if starts <= t <= ends)
        shifts: list[Shift] = []
        for begin, end in pairwise(bounds):
            override = self.override_at(begin)
            user = override.user_id if override else self.base_at(begin)
            last = shifts[-1] if shifts else None
            if last and last.user_id == user and _same(last.override, override):
                shifts[-1] = last._replace(ends_at=end)
            else:
                shifts.append(Shift(begin, end, user, override))
        return shifts
