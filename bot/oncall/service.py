"""The on-call rotation kept in the database: seeding from the configuration, who is on call
when, changes (overrides, swaps, removals), weekly hand-offs and the on-call user group.

The database is the source of truth. Members are ordered rows; each announced hand-off is a row
naming whose turn it was, and the turn moves on by one member per hand-off time after the latest
row, so a restart (or a second copy of the bot) gives the same answers. Overrides win for their
period. Everything the rotation tells Slack goes through the outbox, in the transaction that
makes the change."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from bot.clock import Clock
from bot.config import Config, Rotation
from bot.core.case_lists import CaseLists
from bot.core.roles import Role, Roles
from bot.oncall import handoffs
from bot.oncall.schedule import WEEK, Snapshot, handoff_times, next_handoff, previous_handoff
from bot.oncall.values import (
    BadInput,
    Handoff,
    Member,
    NotAllowed,
    Override,
    RotationStatus,
    Shift,
    refusal,
)
from bot.outbox import OutboxWriter
from storage import rotation as store
from storage.db import Database, retry_on_conflict
from storage.models import RotationMember, RotationOverride

logger = logging.getLogger(__name__)
audit = logging.getLogger("reviewdesk.audit")

OVERRIDES_SHOWN = timedelta(days=90)  # how far ahead `/reviewdesk oncall` lists overrides
# A write conflicts when another writer got in between: SQLite's busy snapshot, or a unique
# key (a member, a hand-off) taken meanwhile. Either way the write starts again from its reads.
_WRITE_CONFLICTS = (IntegrityError, OperationalError)

T = TypeVar("T")


def _override(row: RotationOverride) -> Override:
    return Override(id=row.id, user_id=row.user_id, starts_at=row.starts_at,
                    ends_at=row.ends_at, created_by=row.created_by)


def _snapshot(session: Session, rotation: Rotation, now: datetime, starts: datetime,
              ends: datetime) -> Snapshot:
    """What the rotation needs to answer questions about [starts, ends], read in one session."""
    base = store.latest_handoff(session, at=starts) or store.first_handoff(session)
    rows = [base] if base else []
    rows += [row for row in store.handoffs_between(session, after=starts, until=ends)
             if base is None or row.id != base.id]
    return Snapshot(
        rotation=rotation,
        now=now,
        members=[Member(m.user_id, m.position, m.active) for m in store.members(session)],
        anchors=sorted((row.handoff_at, row.user_id) for row in rows),
        overrides=[_override(o) for o in store.overrides_between(session, starts=starts,
                                                                  ends=ends)],
    )


class RotationService:
    def __init__(self, db: Database, config: Config, clock: Clock, outbox: OutboxWriter, *,
                 roles: Roles):
        self.db = db
        self.config = config
        self.clock = clock
        self.outbox = outbox
        self.roles = roles

    @property
    def rotation(self) -> Rotation:
        return self.config.rotation

    # ---- start-up --------------------------------------------------------------------------

    def seed(self, config: Config | None = None) -> None:
        """Bring the configured members into the database: all of them into an empty rotation,
        later only new names, at the end. The database order and removals are kept; what
        differs from the configuration is logged. Records the first hand-off on a fresh start,
        and brings the on-call user group in step."""
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
                _log_differences(list(rows.values()), wanted)
            session.flush()
            self._record_first_handoff(session, self.clock.now())
            self._keep_group_in_step(session, self.clock.now())

        self._write(apply)
        self.outbox.wake()

    def _record_first_handoff(self, session: Session, now: datetime) -> None:
        if store.latest_handoff(session) is not None:
            return
        first = next((m.user_id for m in store.members(session) if m.active), None)
        if first is not None:
            store.add_handoff(session, handoff_at=previous_handoff(now, self.rotation),
                              user_id=first, announced_at=now)

    # ---- questions -------------------------------------------------------------------------

    def _read(self, starts: datetime, ends: datetime) -> Snapshot:
        with self.db.session() as session:
            return _snapshot(session, self.rotation, self.clock.now(), starts, ends)

    def on_call(self, at: datetime | None = None) -> str | None:
        """Who is on call at `at` (default now), overrides considered; None with nobody."""
        at = at or self.clock.now()
        return self._read(at, at).on_call_at(at)

    def next_on_call(self) -> str | None:
        """Who is on call just after the next hand-off, overrides considered."""
        at = next_handoff(self.clock.now(), self.rotation)
        return self._read(at, at).on_call_at(at)

    def week_ahead(self, start: datetime | None = None) -> list[Shift]:
        """Who is on call over the seven days from `start` (default now), as shifts."""
        start = start or self.clock.now()
        return self._read(start, start + WEEK).shifts(start, start + WEEK)

    def order(self) -> list[str]:
        """The active members, in rotation order."""
        with self.db.session() as session:
            return [m.user_id for m in store.members(session) if m.active]

    def status(self) -> RotationStatus:
        now = self.clock.now()
        with self.db.session() as session:
            snapshot = _snapshot(session, self.rotation, now, now, now + OVERRIDES_SHOWN)
            later = store.overrides_between(session, starts=now, ends=now + OVERRIDES_SHOWN)
        # "Next" is the next person on call, not the next hand-off: after "override @sam until
        # fri 17:00", the order's person is back on Friday, before Sam's own turn on Monday.
        change = snapshot.next_change(now, now + OVERRIDES_SHOWN)
        next_at, next_on_call = change or (next_handoff(now, self.rotation), None)
        return RotationStatus(
            now=now,
            on_call=snapshot.on_call_at(now),
            covering=snapshot.override_at(now),
            base=snapshot.base_at(now),
            next_at=next_at,
            next_on_call=next_on_call,
            shifts=snapshot.shifts(now, now + WEEK),
            overrides=[_override(o) for o in sorted(later, key=lambda o: (o.starts_at, o.id or 0))],
            order=snapshot.order(),
            rotation=self.rotation,
        )

    def is_admin(self, user: str) -> bool:
        """[rotation] admins and [roles] admins (members, or members of a user group)."""
        return self.roles.is_admin(user)

    # ---- changes ---------------------------------------------------------------------------

    def check_admin(self, actor: str) -> None:
        if self.is_admin(actor):
            return
        admins = self.roles.holders(Role.ADMINS)
        if not admins:
            raise refusal(NotAllowed, "no_admins")
        raise refusal(NotAllowed, "not_admin", admins=admins)

    def _change_order(self, actor: str, apply: Callable[[Session], None]) -> None:
        """Change the order from now on: hand-offs already due are announced first, so a change
        never rewrites whose turn it was."""
        self.check_admin(actor)
        self.announce_due_handoffs()

        def change(session: Session) -> None:
            apply(session)
            session.flush()
            self._keep_group_in_step(session, self.clock.now())

        self._write(change)
        self.outbox.wake()

    def override(self, actor: str, user: str, starts_at: datetime,
                 ends_at: datetime) -> Override:
        """`user` is on call from `starts_at` until `ends_at`, whatever the order says."""
        self.check_admin(actor)
        now = self.clock.now()
        if ends_at <= now:
            raise refusal(BadInput, "ends_in_past")
        if ends_at <= starts_at:
            raise refusal(BadInput, "ends_before_start")

        def apply(session: Session) -> Override:
            row = store.add_override(session, user_id=user, starts_at=max(starts_at, now),
                                     ends_at=ends_at, created_by=actor, created_at=now)
            session.flush()
            self._keep_group_in_step(session, now)
            return _override(row)

        override = self._write(apply)
        self.outbox.wake()
        audit.info("rotation override %s: %s on call %s to %s, by %s", override.id, user,
                   override.starts_at.isoformat(), ends_at.isoformat(), actor)
        return override

    def swap(self, actor: str, first: str, second: str) -> None:
        """The two members trade places in the order; who is on call now stays."""
        self.check_admin(actor)
        if first == second:
            raise refusal(BadInput, "same_person")

        def apply(session: Session) -> None:
            first_place = _active_member(session, first).position
            second_place = _active_member(session, second).position
            store.set_member(session, user_id=first, position=second_place)
            store.set_member(session, user_id=second, position=first_place)

        self._change_order(actor, apply)
        audit.info("rotation swap: %s and %s traded places, by %s", first, second, actor)

    def remove(self, actor: str, user: str) -> None:
        """Take `user` out of the order (the row stays, inactive). If it was their turn, the next
        member takes over now."""

        def apply(session: Session) -> None:
            _active_member(session, user)
            if sum(m.active for m in store.members(session)) <= 1:
                raise refusal(BadInput, "last_member", user=user)
            store.set_member(session, user_id=user, active=False)

        self._change_order(actor, apply)
        audit.info("rotation remove: %s, by %s", user, actor)

    def add(self, actor: str, user: str) -> None:
        """Put `user` at the end of the order (back in, if they were removed)."""

        def apply(session: Session) -> None:
            existing = store.get_member(session, user_id=user)
            if existing is not None and existing.active:
                raise refusal(BadInput, "already_member", user=user)
            position = store.last_position(session) + 1
            if existing is None:
                store.add_member(session, user_id=user, position=position)
            else:
                store.set_member(session, user_id=user, position=position, active=True)
            session.flush()
            self._record_first_handoff(session, self.clock.now())

        self._change_order(actor, apply)
        audit.info("rotation add: %s, by %s", user, actor)

    def _write(self, apply: Callable[[Session], T]) -> T:
        """Run `apply` in a transaction and commit, again from the start on a conflict."""

        def attempt() -> T:
            with self.db.session() as session:
                result = apply(session)
                session.commit()
                return result

        return retry_on_conflict(attempt, conflicts=_WRITE_CONFLICTS)

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
        try:
            # SQLite: another writer committed after our read; look again.
            announced = retry_on_conflict(lambda: self._announce_once(self.clock.now()),
                                          conflicts=(OperationalError,))
        except IntegrityError:
            return 0  # another copy of the bot recorded this hand-off first; it announces it
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
            snapshot = _snapshot(session, self.rotation, now, latest.handoff_at, now)
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
            cases = handoffs.open_cases(session, CaseLists(self.db, self.config))
            handoffs.announce(session, self.outbox, self.config, Handoff(
                on_call=on_call, base=base, override_ends=override.ends_at if override else None,
                handoff_at=handoff_at, until=next_handoff(handoff_at, self.rotation),
                cases=cases.lines, total=cases.total))
            self._keep_group_in_step(session, now, on_call=snapshot.on_call_at(now))
            session.commit()
        logger.info("hand-off %s announced: %s on call (turn of %s)", handoff_at.isoformat(),
                    on_call, base)
        return 1

    # ---- the on-call user group --------------------------------------------------------------

    def _keep_group_in_step(self, session: Session, now: datetime, *,
                            on_call: str | None = None) -> None:
        """Ask for the on-call user group to be whoever is on call now, if it was not."""
        if self.rotation.usergroup is not None and on_call is None:
            on_call = _snapshot(session, self.rotation, now, now, now).on_call_at(now)
        handoffs.keep_group_in_step(session, self.outbox, self.rotation.usergroup, on_call)

    def sync_usergroup(self) -> None:
        """Bring the on-call user group in step now (the scheduler runs this when an override
        starts or ends; hand-offs and changes do it themselves)."""
        if self.rotation.usergroup is None:
            return
        self._write(lambda session: self._keep_group_in_step(session, self.clock.now()))
        self.outbox.wake()

    def next_usergroup_change(self) -> datetime | None:
        """When an override next starts or ends (None without a user group to keep)."""
        if self.rotation.usergroup is None:
            return None
        with self.db.session() as session:
            return store.next_override_change(session, after=self.clock.now())


def _active_member(session: Session, user: str) -> RotationMember:
    member = store.get_member(session, user_id=user)
    if member is None or not member.active:
        raise refusal(BadInput, "not_member", user=user)
    return member


def _log_differences(rows: list[RotationMember], wanted: list[str]) -> None:
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
