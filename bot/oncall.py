"""The on-call rotation: who is on call when, changes from Slack, and hand-off announcements.

The database is the source of truth. Members are ordered rows; each announced hand-off is a row
naming whose turn it was, and the turn moves on by one member per hand-off time after the latest
row, so a restart (or a second copy of the bot) gives the same answers. Overrides win for their
period."""

from __future__ import annotations

import difflib
import logging
import re
import time as time_module
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import NamedTuple, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from bot.blocks import oncall as blocks
from bot.blocks.kit import Rendered
from bot.cases import WindowKind
from bot.clock import Clock
from bot.config import Config, Rotation
from bot.slack_out import Outbox
from bot.text import line
from storage import repository as repo
from storage import rotation as store
from storage.db import Database
from storage.models import Handoff, RotationMember, RotationOverride

logger = logging.getLogger(__name__)
audit = logging.getLogger("reviewdesk.audit")

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEK = timedelta(days=7)
HANDOFF_CASES = 15  # open cases listed in a hand-off message; the rest are counted
ORDERING_KEY = "oncall"
OVERRIDES_SHOWN = timedelta(days=90)  # how far ahead `/reviewdesk oncall` lists overrides
_RETRIES = 8

T = TypeVar("T")


# ---- the schedule: pure functions of the configured rotation ---------------------------------


def _zone(rotation: Rotation) -> ZoneInfo:
    return ZoneInfo(rotation.timezone)


def _handoff_clock(rotation: Rotation) -> time:
    hours, minutes = rotation.handoff_time.split(":")
    return time(int(hours), int(minutes))


def _on_day(day: date, rotation: Rotation) -> datetime:
    """The hand-off moment on a local calendar day, in UTC. A DST change keeps the wall time;
    a wall time the change skips (02:30 on a spring-forward night) falls an hour later."""
    local = datetime.combine(day, _handoff_clock(rotation), tzinfo=_zone(rotation))
    return local.astimezone(UTC)


def _handoff_day_on_or_before(moment: datetime, rotation: Rotation) -> date:
    day = moment.astimezone(_zone(rotation)).date()
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


def _rotate(members: Sequence[RotationMember], anchor_user: str, steps: int) -> str | None:
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


def _same(a: RotationOverride | None, b: RotationOverride | None) -> bool:
    return (a.id if a else None) == (b.id if b else None)


class Shift(NamedTuple):
    """A stretch of time with one person on call; `override` is set when they are covering."""

    starts_at: datetime
    ends_at: datetime
    user_id: str | None
    override: RotationOverride | None = None


@dataclass
class _Snapshot:
    """What the rotation needs to answer questions about [starts, ends), read in one session."""

    rotation: Rotation
    now: datetime
    members: Sequence[RotationMember]
    anchors: list[tuple[datetime, str]]  # recorded hand-offs: (handoff_at, user_id), oldest first
    overrides: Sequence[RotationOverride]  # oldest-created first

    @classmethod
    def load(cls, session: Session, rotation: Rotation, now: datetime, starts: datetime,
             ends: datetime) -> _Snapshot:
        base = store.latest_handoff(session, at=starts) or store.first_handoff(session)
        rows: list[Handoff] = [base] if base else []
        rows += [row for row in store.handoffs_between(session, after=starts, until=ends)
                 if base is None or row.id != base.id]
        return cls(
            rotation=rotation,
            now=now,
            members=store.members(session),
            anchors=sorted((row.handoff_at, row.user_id) for row in rows),
            overrides=store.overrides_between(session, starts=starts, ends=ends),
        )

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
        return _rotate(self.members, anchor_user, steps)

    def override_at(self, at: datetime) -> RotationOverride | None:
        """The override in force at `at`; of overlapping ones, the latest created."""
        covering = [o for o in self.overrides if o.starts_at <= at < o.ends_at]
        return covering[-1] if covering else None

    def on_call_at(self, at: datetime) -> str | None:
        override = self.override_at(at)
        return override.user_id if override else self.base_at(at)

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


# ---- reading what people type ----------------------------------------------------------------


class OnCallRefusal(Exception):
    """A rotation change that cannot be made; `message` is the sentence to show (mrkdwn)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(OnCallRefusal):
    """Someone outside the rotation's admins tried to change it."""


class BadInput(OnCallRefusal):
    """A command or time that could not be read."""


def _refusal(kind: type[OnCallRefusal], reason: str, **facts) -> OnCallRefusal:
    return kind(str(line("oncall_refusal", reason=reason, facts=facts)))


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
    words = text.split()
    names = [*_DAY_NAMES, *_RELATIVE_DAYS]
    close = difflib.get_close_matches(words[0].lower(), names, n=1, cutoff=0.6) if words else []
    if close:
        day = close[0]
        short = WEEKDAYS[_DAY_NAMES[day]] if day in _DAY_NAMES else day
        rest = " ".join(words[1:])
        return f"{short} {rest}" if rest and _clock_time(rest) else f"{short} 17:00"
    return "fri 17:00"


def parse_moment(text: str, *, after: datetime, rotation: Rotation) -> datetime:
    """A moment as people type it, in the rotation's time zone, as aware UTC: `fri 17:00`,
    `friday 5pm`, `tomorrow 08:00`, `today`, `2026-12-01 08:00`, or a time alone. A weekday or
    a time alone means its next occurrence after `after`; a day without a time means the
    hand-off time that day."""
    zone = _zone(rotation)
    words = text.strip().lower().split()
    problem = _refusal(BadInput, "bad_time", text=text.strip(), suggestion=_suggestion(text))
    if not words:
        raise problem
    head, rest = words[0], " ".join(words[1:])
    local_after = after.astimezone(zone)
    clock = _clock_time(rest) if rest else _handoff_clock(rotation)
    if head in _RELATIVE_DAYS or _ISO_DATE.match(head) or head in _DAY_NAMES:
        if clock is None:
            raise problem
    else:
        clock = _clock_time(" ".join(words))
        if clock is None:
            raise problem

    def at(day: date) -> datetime:
        return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)

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
    raise _refusal(BadInput, "unknown_person", text=token)


# ---- the service -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RotationStatus:
    """Everything `/reviewdesk oncall` shows, as plain values."""

    now: datetime
    on_call: str | None
    covering: RotationOverride | None  # the override in force now, if any
    base: str | None  # whose turn in the order it is now
    next_at: datetime
    next_on_call: str | None
    shifts: list[Shift]
    overrides: list[RotationOverride]  # in force now or later, soonest first
    order: list[str]
    rotation: Rotation


class OnCall:
    def __init__(self, db: Database, config: Config, clock: Clock, outbox: Outbox):
        self.db = db
        self.config = config
        self.clock = clock
        self.outbox = outbox

    @property
    def rotation(self) -> Rotation:
        return self.config.rotation

    # ---- start-up --------------------------------------------------------------------------

    def seed(self, config: Config | None = None) -> None:
        """Bring the configured members into the database: all of them into an empty rotation,
        later only new names, at the end. The database order and removals are kept; what
        differs from the configuration is logged. Records the first hand-off on a fresh start."""
        wanted = list(dict.fromkeys((config or self.config).rotation.members))

        def apply(session: Session) -> None:
            rows = {row.user_id: row for row in store.members(session)}
            position = store.last_position(session)
            for user in wanted:
                if user not in rows:
                    position += 1
                    store.add_member(session, user_id=user, position=position)
                    if rows:
                        logger.info("rotation: %s is new in the configuration; added at the "
                                    "end of the order", user)
            if rows:
                self._log_differences(list(rows.values()), wanted)
            session.flush()
            self._record_first_handoff(session, self.clock.now())

        self._write(apply)

    def _log_differences(self, rows: list[RotationMember], wanted: list[str]) -> None:
        for row in rows:
            if row.active and row.user_id not in wanted:
                logger.warning("rotation: %s is in the rotation but not in the configuration; "
                               "kept (remove with /reviewdesk oncall remove)", row.user_id)
            if not row.active and row.user_id in wanted:
                logger.warning("rotation: %s is in the configuration but was removed from the "
                               "rotation; kept out (add with /reviewdesk oncall add)", row.user_id)
        in_db = [row.user_id for row in sorted(rows, key=lambda r: (r.position, r.id or 0))
                 if row.active and row.user_id in wanted]
        in_config = [user for user in wanted if user in in_db]
        if in_db != in_config:
            logger.info("rotation: the order in the database (%s) differs from the "
                        "configuration's (%s); the database order is kept",
                        ", ".join(in_db), ", ".join(in_config))

    def _record_first_handoff(self, session: Session, now: datetime) -> None:
        if store.latest_handoff(session) is not None:
            return
        first = next((m.user_id for m in store.members(session) if m.active), None)
        if first is not None:
            store.add_handoff(session, handoff_at=previous_handoff(now, self.rotation),
                              user_id=first, announced_at=now)

    # ---- questions -------------------------------------------------------------------------

    def _snapshot(self, starts: datetime, ends: datetime) -> _Snapshot:
        with self.db.session() as session:
            return _Snapshot.load(session, self.rotation, self.clock.now(), starts, ends)

    def on_call(self, at: datetime | None = None) -> str | None:
        """Who is on call at `at` (default now), overrides considered; None with nobody."""
        at = at or self.clock.now()
        return self._snapshot(at, at).on_call_at(at)

    def next_on_call(self) -> str | None:
        """Who is on call just after the next hand-off, overrides considered."""
        at = next_handoff(self.clock.now(), self.rotation)
        return self._snapshot(at, at).on_call_at(at)

    def week_ahead(self, start: datetime | None = None) -> list[Shift]:
        """Who is on call over the seven days from `start` (default now), as shifts."""
        start = start or self.clock.now()
        return self._snapshot(start, start + WEEK).shifts(start, start + WEEK)

    def order(self) -> list[str]:
        """The active members, in rotation order."""
        with self.db.session() as session:
            return [m.user_id for m in store.members(session) if m.active]

    def status(self) -> RotationStatus:
        now = self.clock.now()
        next_at = next_handoff(now, self.rotation)
        with self.db.session() as session:
            snapshot = _Snapshot.load(session, self.rotation, now, now, now + WEEK)
            later = store.overrides_between(session, starts=now, ends=now + OVERRIDES_SHOWN)
        return RotationStatus(
            now=now,
            on_call=snapshot.on_call_at(now),
            covering=snapshot.override_at(now),
            base=snapshot.base_at(now),
            next_at=next_at,
            next_on_call=snapshot.on_call_at(next_at),
            shifts=snapshot.shifts(now, now + WEEK),
            overrides=sorted(later, key=lambda o: (o.starts_at, o.id or 0)),
            order=[m.user_id for m in snapshot.members if m.active],
            rotation=self.rotation,
        )

    def is_admin(self, user: str) -> bool:
        return user in self.rotation.admins

    # ---- changes ---------------------------------------------------------------------------

    def _check_admin(self, actor: str) -> None:
        if self.is_admin(actor):
            return
        if not self.rotation.admins:
            raise _refusal(NotAllowed, "no_admins")
        raise _refusal(NotAllowed, "not_admin", admins=list(self.rotation.admins))

    def _change_order(self, actor: str, apply: Callable[[Session], None]) -> None:
        """Change the order from now on: hand-offs already due are announced first, so a change
        never rewrites whose turn it was."""
        self._check_admin(actor)
        self.announce_due_handoffs()
        self._write(apply)

    def override(self, actor: str, user: str, starts_at: datetime,
                 ends_at: datetime) -> RotationOverride:
        """`user` is on call from `starts_at` until `ends_at`, whatever the order says."""
        self._check_admin(actor)
        now = self.clock.now()
        if ends_at <= now:
            raise _refusal(BadInput, "ends_in_past")
        if ends_at <= starts_at:
            raise _refusal(BadInput, "ends_before_start")

        def apply(session: Session) -> RotationOverride:
            return store.add_override(session, user_id=user, starts_at=max(starts_at, now),
                                      ends_at=ends_at, created_by=actor, created_at=now)

        override = self._write(apply)
        audit.info("rotation override %s: %s on call %s to %s, by %s", override.id, user,
                   override.starts_at.isoformat(), ends_at.isoformat(), actor)
        return override

    def swap(self, actor: str, first: str, second: str) -> None:
        """The two members trade places in the order; who is on call now stays."""
        self._check_admin(actor)
        if first == second:
            raise _refusal(BadInput, "same_person")

        def apply(session: Session) -> None:
            first_place = self._active_member(session, first).position
            second_place = self._active_member(session, second).position
            store.set_member(session, user_id=first, position=second_place)
            store.set_member(session, user_id=second, position=first_place)

        self._change_order(actor, apply)
        audit.info("rotation swap: %s and %s traded places, by %s", first, second, actor)

    def remove(self, actor: str, user: str) -> None:
        """Take `user` out of the order (the row stays, inactive). If it was their turn, the next
        member takes over now."""

        def apply(session: Session) -> None:
            self._active_member(session, user)
            if sum(m.active for m in store.members(session)) <= 1:
                raise _refusal(BadInput, "last_member", user=user)
            store.set_member(session, user_id=user, active=False)

        self._change_order(actor, apply)
        audit.info("rotation remove: %s, by %s", user, actor)

    def add(self, actor: str, user: str) -> None:
        """Put `user` at the end of the order (back in, if they were removed)."""

        def apply(session: Session) -> None:
            existing = store.get_member(session, user_id=user)
            if existing is not None and existing.active:
                raise _refusal(BadInput, "already_member", user=user)
            position = store.last_position(session) + 1
            if existing is None:
                store.add_member(session, user_id=user, position=position)
            else:
                store.set_member(session, user_id=user, position=position, active=True)
            session.flush()
            self._record_first_handoff(session, self.clock.now())

        self._change_order(actor, apply)
        audit.info("rotation add: %s, by %s", user, actor)

    def _active_member(self, session: Session, user: str) -> RotationMember:
        member = store.get_member(session, user_id=user)
        if member is None or not member.active:
            raise _refusal(BadInput, "not_member", user=user)
        return member

    def _write(self, apply: Callable[[Session], T]) -> T:
        """Run `apply` in a transaction and commit, again from the start when another writer
        got in between (SQLite's busy snapshot, a unique key taken meanwhile)."""
        for attempt in range(_RETRIES):
            try:
                with self.db.session() as session:
                    result = apply(session)
                    session.commit()
                    return result
            except (IntegrityError, OperationalError) as error:
                if attempt == _RETRIES - 1:
                    raise
                logger.info("rotation write conflicted (%s); retrying", type(error).__name__)
                time_module.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")

    # ---- hand-offs -------------------------------------------------------------------------

    def next_wakeup(self) -> datetime:
        """When announce_due_handoffs has work: a hand-off not yet recorded (possibly past,
        after downtime), else the next one."""
        now = self.clock.now()
        with self.db.session() as session:
            latest = store.latest_handoff(session)
        if latest is not None:
            due = handoff_times(latest.handoff_at, now, self.rotation)
            if due:
                return due[-1]
        return next_handoff(now, self.rotation)

    def announce_due_handoffs(self) -> int:
        """Record each hand-off whose time has come and announce the latest one: one message in
        the rotation's channel and the same by DM to the new on-call person, in the transaction
        that records it, so it goes out once whoever runs this. Hand-offs missed while the bot
        was down are recorded without a message. Returns how many were announced."""
        for attempt in range(_RETRIES):
            try:
                announced = self._announce_once(self.clock.now())
                break
            except IntegrityError:
                # Another copy of the bot recorded this hand-off first; it announces it.
                return 0
            except OperationalError:
                # SQLite: another writer committed after our read; look again.
                if attempt == _RETRIES - 1:
                    raise
                time_module.sleep(0.01 * (attempt + 1))
        if announced:
            self.outbox.wake()
        return announced

    def _announce_once(self, now: datetime) -> int:
        with self.db.session() as session:
            latest = store.latest_handoff(session)
            if latest is None:
                self._record_first_handoff(session, now)
                session.commit()
                return 0
            due = handoff_times(latest.handoff_at, now, self.rotation)
            if not due:
                return 0
            snapshot = _Snapshot.load(session, self.rotation, now, latest.handoff_at, now)
            turns = [(at, snapshot.base_at(at)) for at in due]
            if turns[-1][1] is None:
                return 0  # nobody in the rotation: nothing to hand over
            for at, user in turns[:-1]:
                logger.info("hand-off %s (%s) passed while the bot was down; recorded, not "
                            "announced", at.isoformat(), user)
            for at, user in turns:
                store.add_handoff(session, handoff_at=at, user_id=user or "", announced_at=now)
            session.flush()  # a second copy of the bot fails here, before writing any message
            handoff_at, base = turns[-1]
            override = snapshot.override_at(handoff_at)
            on_call = override.user_id if override else base
            assert on_call is not None
            cases, total = self._open_cases(session)
            channel = self.rotation.channel or self.config.slack.triage_channel
            for where, direct in ((channel, False), (on_call, True)):
                message = blocks.handoff_message(
                    on_call=on_call, base=base, override=override, handoff_at=handoff_at,
                    until=next_handoff(handoff_at, self.rotation), cases=cases, total=total,
                    direct=direct,
                )
                if direct:
                    self.outbox.dm(session, user=where, text=message.text,
                                   blocks=message.blocks, ordering_key=ORDERING_KEY)
                else:
                    self.outbox.message(session, channel=where, text=message.text,
                                        blocks=message.blocks, ordering_key=ORDERING_KEY)
            session.commit()
        logger.info("hand-off %s announced: %s on call (turn of %s)", handoff_at.isoformat(),
                    on_call, base)
        return 1

    def _open_cases(self, session: Session) -> tuple[list[blocks.HandoffCase], int]:
        """The open cases a hand-off lists (earliest deadline first), and how many are open."""
        cases = []
        for case, review, due_at in store.open_cases_by_deadline(session, limit=HANDOFF_CASES):
            window = None
            if due_at is not None:
                window = next((w.kind for w in repo.windows_of(session, case_id=case.id).values()
                               if w.due_at == due_at and w.met_at is None
                               and w.stopped_at is None), WindowKind.FIRST_RESPONSE)
            holder = (case.px_claimant_id if window == WindowKind.PX_FOLLOWUP
                      else case.claimant_id)
            site = self.config.site(case.site)
            cases.append(blocks.HandoffCase(
                case_id=case.id, source=review.source, rating=review.rating,
                site_name=site.name if site else case.site, claimant=holder, window=window,
                due_at=due_at,
            ))
        return cases, store.count_open_cases(session)

    # ---- the slash command -------------------------------------------------------------------

    def command(self, text: str, actor: str) -> Rendered:
        """Answer `/reviewdesk oncall …` (the text after `/reviewdesk`) for `actor`."""
        words = _TOKENS.findall(text.strip())
        if words and words[0].lower() in {"oncall", "on-call", "rota", "rotation"}:
            words = words[1:]
        verb = words[0].lower() if words else ""
        args = words[1:]
        try:
            if verb in {"", "show", "now", "week"}:
                return blocks.status_message(self.status())
            if verb == "help":
                return blocks.help_message(self.rotation)
            if verb in {"override", "swap", "remove", "add"}:
                # Say who may change the rotation before complaining about the wording.
                self._check_admin(actor)
            if verb == "override":
                return self._override_command(args, actor)
            if verb == "swap":
                if len(args) != 2:
                    raise _refusal(BadInput, "usage", verb="swap")
                first, second = parse_user(args[0]), parse_user(args[1])
                self.swap(actor, first, second)
                return self._done("swapped", first=first, second=second)
            if verb in {"remove", "add"}:
                if len(args) != 1:
                    raise _refusal(BadInput, "usage", verb=verb)
                user = parse_user(args[0])
                (self.remove if verb == "remove" else self.add)(actor, user)
                return self._done("removed" if verb == "remove" else "added", user=user)
            raise _refusal(BadInput, "unknown_command", text=verb)
        except OnCallRefusal as refused:
            logger.info("oncall command refused for %s: %s", actor, type(refused).__name__)
            return blocks.refusal_message(refused.message)

    def _override_command(self, args: list[str], actor: str) -> Rendered:
        if not args:
            raise _refusal(BadInput, "usage", verb="override")
        user = parse_user(args[0])
        rest = " ".join(args[1:])
        match = re.match(r"^(?:from\s+(?P<start>.+?)\s+)?(?:until|till|til|to)\s+(?P<end>.+)$",
                         rest, re.IGNORECASE)
        if not match:
            raise _refusal(BadInput, "usage", verb="override")
        now = self.clock.now()
        starts_at = now
        if match["start"]:
            starts_at = parse_moment(match["start"], after=now, rotation=self.rotation)
        ends_at = parse_moment(match["end"], after=starts_at, rotation=self.rotation)
        override = self.override(actor, user, starts_at, ends_at)
        return self._done("override", user=user, starts_at=override.starts_at,
                          ends_at=override.ends_at, started=override.starts_at <= now)

    def _done(self, action: str, **facts) -> Rendered:
        return blocks.done_message(action, facts, self.status())
