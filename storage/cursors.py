"""The pollers' cursors, as keyword-only functions over a session: where each feed got to, and
how its errors are backing off. The caller commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from storage.models import SourceCursor

MAX_ERROR_CHARS = 500


def get_cursor(session: Session, *, key: str) -> SourceCursor | None:
    return session.get(SourceCursor, key)


def _cursor(session: Session, key: str) -> SourceCursor:
    cursor = session.get(SourceCursor, key)
    if cursor is None:
        cursor = SourceCursor(key=key, state={})
    return cursor


def record_success(session: Session, *, key: str, high_water: str | None, polled_at: datetime,
                   next_poll_at: datetime) -> None:
    """A poll read everything up to `high_water` and its reviews are stored: clear the errors."""
    cursor = _cursor(session, key)
    cursor.high_water = high_water
    cursor.last_polled_at = polled_at
    cursor.next_poll_at = next_poll_at
    cursor.failures = 0
    cursor.last_error = None
    session.add(cursor)


def record_failure(session: Session, *, key: str, failures: int, error: str,
                   polled_at: datetime, next_poll_at: datetime) -> None:
    """A poll failed; the high-water mark stays where it was."""
    cursor = _cursor(session, key)
    cursor.failures = failures
    cursor.last_error = error[:MAX_ERROR_CHARS]
    cursor.last_polled_at = polled_at
    cursor.next_poll_at = next_poll_at
    session.add(cursor)


def set_state(session: Session, *, key: str, state: dict[str, Any]) -> None:
    cursor = _cursor(session, key)
    cursor.state = dict(state)  # a new object: the JSON column does not see changes in place
    session.add(cursor)
