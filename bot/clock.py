"""The time source: every deadline and nudge asks a Clock, so tests can move time by hand."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to; thread-safe, for tests and simulations."""

    def __init__(self, start: datetime | None = None):
        self._now = start or datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._now += delta
            return self._now

    def set(self, moment: datetime) -> None:
        with self._lock:
            self._now = moment


class AdjustableClock:
    """Another clock (real time by default) plus an offset that only grows: the local
    workspace's clock control moves it forward so windows lapse in minutes. `reviewdesk run`
    against Slack never builds one.

    After a jump, whoever waits for a deadline must look again: `on_jump` callbacks run after
    every move (the scheduler re-plans, the outbox wakes)."""

    def __init__(self, base: Clock | None = None, offset: timedelta = timedelta(0)):
        if offset < timedelta(0):
            raise ValueError("the clock can only be ahead of real time")
        self._base = base or SystemClock()
        self._offset = offset
        self._lock = threading.Lock()
        self._listeners: list = []

    def now(self) -> datetime:
        with self._lock:
            return self._base.now() + self._offset

    @property
    def offset(self) -> timedelta:
        with self._lock:
            return self._offset

    def on_jump(self, callback) -> None:
        """Call `callback()` after every move of the clock."""
        self._listeners.append(callback)

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by `delta` (never back); returns the new time."""
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += delta
            moment = self._base.now() + self._offset
        for callback in list(self._listeners):
            callback()
        return moment

    def advance_to(self, moment: datetime) -> datetime:
        """Move forward to `moment` (a moment already past leaves the clock where it is)."""
        return self.advance(max(moment - self.now(), timedelta(0)))
