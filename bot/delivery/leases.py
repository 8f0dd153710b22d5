"""Short leases, renewed while the work lasts: a copy of the bot that takes a message holds it
for a few seconds at a time, and renews the hold while its Slack call is under way. A copy
that dies stops renewing, and another copy takes the message over within one lease, not
after a long fixed one."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from bot.clock import Clock
from storage import repository as repo
from storage.db import Database

logger = logging.getLogger(__name__)

LEASE = timedelta(seconds=5)


class Heartbeat:
    """Renews the leases this process holds, every third of a lease, in a thread of its own
    (the worker is busy in its Slack call)."""

    def __init__(self, db: Database, clock: Clock, owner: str, lease: timedelta = LEASE):
        self.db = db
        self.clock = clock
        self.owner = owner
        self.lease = lease
        self._held: set[int] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def hold(self, message_id: int) -> None:
        with self._lock:
            self._held.add(message_id)

    def drop(self, message_id: int) -> None:
        with self._lock:
            self._held.discard(message_id)

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="outbox-leases", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def _run(self) -> None:
        interval = self.lease.total_seconds() / 3
        while not self._stop.wait(interval):
            self.renew()

    def renew(self) -> None:
        with self._lock:
            held = sorted(self._held)
        if not held:
            return
        try:
            with self.db.session() as session:
                repo.renew_outbox_leases(session, message_ids=held, owner=self.owner,
                                         until=self.clock.now() + self.lease)
                session.commit()
        except Exception as error:  # the next beat tries again; the lease may lapse meanwhile
            logger.warning("outbox lease renewal failed (%s)", type(error).__name__)
