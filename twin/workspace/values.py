"""The local workspace's plain values: the people who can use it, its channels, the clock the
page moves, and the error a request the page should not have made gets (a 400)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class WorkspaceError(ValueError):
    """A request the page should not have made; `field` names what was wrong (a 400)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Person:
    """Someone the page can be: a member id the twin knows, a short name and what they do."""

    id: str
    name: str
    role: str
    tz: str = "America/Chicago"


@dataclass(frozen=True)
class Channel:
    id: str
    name: str
    purpose: str = ""


class ClockControl(Protocol):
    """The app's injected clock as the page moves it (local mode only)."""

    def now(self) -> datetime: ...

    def ahead_by(self) -> float:
        """Seconds the clock is ahead of real time."""
        ...

    def next_deadline(self) -> tuple[datetime, str] | None:
        """The next moment something is due, and what it is."""
        ...

    def advance(self, step: str) -> datetime:
        """Move by "1h", "1d" or to the "next" deadline; returns the new time."""
        ...

    def moving(self) -> bool:
        """Whether a move is under way (pages then ask for changes less often)."""
        ...
