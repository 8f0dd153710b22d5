"""What tests read back from a twin: the calls it received and the problems it saw, the channels'
messages and threads, ephemerals, views and files as they are now, and waiting for them."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any, TypeVar

from twin.methods.base import MethodBase, is_top_level
from twin.problems import notify
from twin.protocol import Call

T = TypeVar("T")

# How long a test waits for what it expects before failing: long enough for a loaded CI
# machine (5 s was not, on PostgreSQL with other jobs running); a condition met sooner
# returns at once, so passing tests are not slower.
WAIT = 15.0


class Queries(MethodBase):
    """Read-only helpers for tests (copies, taken under the lock) and waiting on them."""

    def calls_to(self, method: str) -> list[Call]:
        """The recorded calls to ``method``, oldest first."""
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def problems(self) -> list[tuple[str, list[str]]]:
        """Every call rejected by Slack's rules or rendering wrongly, as (method, problems),
        oldest first, then the problems recorded with `record_problems`."""
        with self._lock:
            found = [(call.method, list(call.problems)) for call in self.calls if call.problems]
            return found + [(source, list(lines)) for source, lines in self._other_problems]

    def record_problems(self, source: str, problems: list[str]) -> None:
        """Record problems found outside the Web API (e.g. a bad ``view_submission`` ack,
        checked by the test driver with `twin.rules.view_submission_response_errors`)."""
        if not problems:
            return
        with self._lock:
            self._other_problems.append((source, list(problems)))
        notify(self, source, list(problems))

    def wait_for(
        self,
        predicate: Callable[[], T],
        timeout: float = WAIT,
        interval: float = 0.02,
        *,
        what: str | None = None,
    ) -> T:
        """Poll ``predicate`` until it returns something truthy and return that.

        On timeout raise AssertionError naming ``what`` (or the predicate) and listing the
        most recent calls, which usually explains what the app did instead.
        """
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if time.monotonic() >= deadline:
                description = what or getattr(predicate, "__qualname__", repr(predicate))
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {description}; "
                    f"recent calls: {self._recent_calls_summary()}"
                )
            time.sleep(interval)

    def wait_for_calls(self, method: str, count: int = 1, timeout: float = WAIT) -> list[Call]:
        """Wait until at least ``count`` calls to ``method`` were recorded; return them all."""

        def enough_calls() -> list[Call]:
            calls = self.calls_to(method)
            return calls if len(calls) >= count else []

        return self.wait_for(enough_calls, timeout, what=f"{count} call(s) to {method}")

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """The channel's top-level messages (no thread replies), oldest first, as they are now."""
        with self._lock:
            return copy.deepcopy([m for m in self._messages.get(channel, []) if is_top_level(m)])

    def thread(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """The replies in the thread under ``ts`` (without the parent), oldest first."""
        with self._lock:
            replies = [
                m
                for m in self._messages.get(channel, [])
                if m.get("thread_ts") == ts and m["ts"] != ts
            ]
            return copy.deepcopy(replies)

    def message(self, channel: str, ts: str) -> dict[str, Any]:
        """One message (top-level or reply); AssertionError if there is none."""
        with self._lock:
            found = self._find_message(channel, ts)
            if found is None:
                raise AssertionError(f"no message {ts} in channel {channel}")
            return copy.deepcopy(found)

    def ephemerals_for(self, user: str, channel: str | None = None) -> list[dict[str, Any]]:
        """Ephemeral messages shown to ``user`` (optionally only in ``channel``), oldest first."""
        with self._lock:
            return copy.deepcopy(
                [
                    e
                    for e in self._ephemerals
                    if e["user"] == user and channel in (None, e["channel"])
                ]
            )

    def opened_views(self) -> list[dict[str, Any]]:
        """Every modal opened or pushed, in order, as it is now (after any updates)."""
        with self._lock:
            return copy.deepcopy(list(self._views.values()))

    def view(self, view_id: str) -> dict[str, Any]:
        """One modal by id (including the ``trigger_id`` and ``user`` that opened it)."""
        with self._lock:
            if view_id not in self._views:
                raise AssertionError(f"no view {view_id}; known: {sorted(self._views)}")
            return copy.deepcopy(self._views[view_id])

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """The App Home view last published for ``user_id``, if any."""
        with self._lock:
            return copy.deepcopy(self._home_views.get(user_id))

    def files(self) -> list[dict[str, Any]]:
        """Every file whose upload was completed, oldest first, with its bytes (``content``)."""
        with self._lock:
            return [copy.deepcopy(f) for f in self._files.values() if f["completed"]]

    def dms(self, user: str) -> list[dict[str, Any]]:
        """The bot's direct messages to `user`, oldest first."""
        return self.messages(f"D{user}")

    def _recent_calls_summary(self, count: int = 15) -> str:
        with self._lock:
            recent = self.calls[-count:]
        parts = []
        for call in recent:
            outcome = call.response.get("error", "ok") if call.response else call.status
            parts.append(f"{call.method}→{outcome}")
        return ", ".join(parts) or "none"
