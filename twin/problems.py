"""What the twins saw go wrong, for whoever listens: Slack's rules as quick checks, and the weak
registry of live twins whose problems the test suite's guard hears about (`tests/conftest.py`)."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any

from twin import rules

# A twin (a `twin.webapi.SlackTwin`) as the registry holds it and the listeners get it: this
# module never looks inside one, so it names no class of the modules that import it.
Twin = Any
Listener = Callable[[Twin, str, list[str]], None]


def message_block_errors(blocks: Any) -> list[str]:
    """Errors Slack would report for a message's ``blocks`` (empty if Slack accepts them)."""
    return rules.check_message({"text": "fallback", "blocks": blocks}).errors


def view_errors(view: Any, *, surface: str = "modal") -> list[str]:
    """Errors Slack would report for a ``modal`` or ``home`` view (empty if it accepts it)."""
    return rules.check_view(view, "home" if surface == "home" else "modal").errors


_problem_listeners: list[Listener] = []
_live_twins: weakref.WeakSet[Twin] = weakref.WeakSet()
_registry_lock = threading.Lock()


def add_problem_listener(listener: Listener) -> None:
    """Call ``listener(twin, method, problems)`` whenever any twin records problems.

    The test suite's guard uses this to fail a test whose twins (however created) rejected a
    payload by Slack's rules or saw one that would render wrongly.
    """
    with _registry_lock:
        _problem_listeners.append(listener)


def remove_problem_listener(listener: Listener) -> None:
    with _registry_lock:
        if listener in _problem_listeners:
            _problem_listeners.remove(listener)


def register(twin: Twin) -> None:
    """Count ``twin`` among the `live_twins` (weakly: it goes when it is garbage-collected)."""
    with _registry_lock:
        _live_twins.add(twin)


def live_twins() -> list[Twin]:
    """The twins not yet garbage-collected (a weak registry)."""
    with _registry_lock:
        return list(_live_twins)


def notify(twin: Twin, method: str, problems: list[str]) -> None:
    """Tell every problem listener what ``twin`` saw."""
    with _registry_lock:
        listeners = list(_problem_listeners)
    for listener in listeners:
        listener(twin, method, problems)
