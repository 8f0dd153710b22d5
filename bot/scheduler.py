"""APScheduler drives the timed work: nudges, hand-offs and source polls. The database stays
the source of truth; the scheduler only decides when to look. It wakes for the next due time
(re-planned whenever a case changes) and sweeps periodically as a safety net."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_SUBMITTED,
    JobExecutionEvent,
    JobSubmissionEvent,
)
from apscheduler.schedulers.background import BackgroundScheduler

from bot.clock import Clock

logger = logging.getLogger(__name__)

SWEEP_EVERY = timedelta(seconds=30)


class Scheduler:
    def __init__(self, clock: Clock, *, sweep_every: timedelta = SWEEP_EVERY):
        self.clock = clock
        self.sweep_every = sweep_every
        self._stopping = False
        self.apscheduler = BackgroundScheduler(timezone=UTC, job_defaults={
            "coalesce": True, "max_instances": 1, "misfire_grace_time": 3600,
        })
        self._timed: dict[str, tuple[Callable[[], object], Callable[[], datetime | None]]] = {}
        self._lock = threading.Lock()
        self._running = 0  # jobs submitted and not yet finished
        self._in_run = 0  # timed jobs inside their run, whichever thread runs them
        self._held: set[str] = set()  # timed jobs only run_now runs (see `held`)
        self.apscheduler.add_listener(
            self._count_jobs, EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)

    def _count_jobs(self, event: JobSubmissionEvent | JobExecutionEvent) -> None:
        with self._lock:
            if event.code == EVENT_JOB_SUBMITTED:
                self._running += 1
            elif event.code in (EVENT_JOB_EXECUTED, EVENT_JOB_ERROR):
                self._running -= 1

    def idle(self) -> bool:
        """No job is running, and none of the timed ones is due by the injected clock."""
        with self._lock:
            if self._running:
                return False
        now = self.clock.now()
        return all((due := next_due()) is None or due > now
                   for _run, next_due in self._timed.values())

    def add_timed(self, name: str, run: Callable[[], object],
                  next_due: Callable[[], datetime | None]) -> None:
        """Run `run` at `next_due()` (real time), then again at the next due time, and at
        least every sweep."""
        self._timed[name] = (run, next_due)
        self.apscheduler.add_job(self._run, "interval", args=[name],
                                 seconds=self.sweep_every.total_seconds(),
                                 id=f"{name}-sweep", replace_existing=True)

    def replan(self, name: str) -> None:
        """Something changed: look at `name`'s next due time now."""
        if not self.apscheduler.running or name not in self._timed:
            return
        self._schedule_next(name)

    def busy(self) -> bool:
        """A timed job is inside its run, in any thread."""
        with self._lock:
            return self._in_run > 0

    @contextmanager
    def held(self, names: Iterable[str]) -> Iterator[None]:
        """While inside, the timed jobs `names` run only when `run_now` runs them, not on
        their timers (the local workspace's clock steps through their moments itself)."""
        names = set(names)
        with self._lock:
            self._held |= names
        try:
            yield
        finally:
            with self._lock:
                self._held -= names
            for name in names:
                self.replan(name)

    def has(self, name: str) -> bool:
        return name in self._timed

    def next_due(self, name: str) -> datetime | None:
        """When the timed job `name` next has work, by the injected clock."""
        return self._timed[name][1]()

    def run_now(self, name: str) -> None:
        """Run the timed job `name` in this thread, as its timer would (the local workspace's
        clock control runs each moment's work before moving on)."""
        self._run(name, now=True)

    def _schedule_next(self, name: str) -> None:
        _run, next_due = self._timed[name]
        due = next_due()
        if due is None:
            return
        # Due times are in the injected clock's time; the scheduler waits in real time.
        wait = max(due - self.clock.now(), timedelta(0))
        if wait > self.sweep_every:
            return  # the sweep comes first and plans again
        when = datetime.now(UTC) + wait
        with self._lock:
            if self._stopping:
                return
            self.apscheduler.add_job(self._run, "date", args=[name], run_date=when,
                                     id=f"{name}-next", replace_existing=True)

    def _run(self, name: str, *, now: bool = False) -> None:
        run, _next_due = self._timed[name]
        with self._lock:
            if name in self._held and not now:
                return
            self._in_run += 1
        try:
            run()
        except Exception:
            # A failed pass is retried at the next sweep; the rows it did not finish stay due.
            logger.exception("scheduled %s failed", name)
        finally:
            with self._lock:
                self._in_run -= 1
        self._schedule_next(name)

    def start(self) -> None:
        self.apscheduler.start()
        for name in self._timed:
            self._schedule_next(name)

    def shutdown(self) -> None:
        with self._lock:
            self._stopping = True
        if self.apscheduler.running:
            self.apscheduler.shutdown(wait=True)
