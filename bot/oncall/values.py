"""The on-call rotation's typed values, shared by the rotation's modules and the Block Kit
builders (bot/oncall/blocks.py): plain frozen dataclasses, never database rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from bot.config import Rotation
from bot.core.case_lists import CaseLine
from bot.text import line


@dataclass(frozen=True)
class Member:
    """A place in the on-call order; someone removed keeps theirs, inactive."""

    user_id: str
    position: int
    active: bool


@dataclass(frozen=True)
class Override:
    """Someone covers a period, whatever the order says."""

    id: int | None
    user_id: str
    starts_at: datetime
    ends_at: datetime
    created_by: str


class Shift(NamedTuple):
    """A stretch of time with one person on call; `override` is set when they are covering."""

    starts_at: datetime
    ends_at: datetime
    user_id: str | None
    override: Override | None = None


@dataclass(frozen=True)
class RotationStatus:
    """Everything `/reviewdesk oncall` shows."""

    now: datetime
    on_call: str | None
    covering: Override | None  # the override in force now, if any
    base: str | None  # whose turn in the order it is now
    next_at: datetime  # when someone else is next on call (else the next hand-off)
    next_on_call: str | None  # who; None when nobody else is (a rotation of one)
    shifts: list[Shift]
    overrides: list[Override]  # in force now or later, soonest first
    order: list[str]
    rotation: Rotation


@dataclass(frozen=True)
class Handoff:
    """A hand-off announcement: who is on call from `handoff_at` until `until`, and the open
    cases (the first few, earliest deadline first, and how many there are in all)."""

    on_call: str
    base: str | None  # whose turn in the order it is; differs from on_call when covered
    override_ends: datetime | None
    handoff_at: datetime
    until: datetime
    cases: tuple[CaseLine, ...]  # as the lists show them (bot/core/case_lists.py)
    total: int


# ---- refusals ----------------------------------------------------------------------------------


class OnCallRefusal(Exception):
    """A rotation change that cannot be made; `message` is the sentence to show (mrkdwn)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(OnCallRefusal):
    """Someone outside the rotation's admins tried to change it."""


class BadInput(OnCallRefusal):
    """A command or time that could not be read."""


def refusal(kind: type[OnCallRefusal], reason: str, **facts) -> OnCallRefusal:
    """The refusal `kind`, worded by templates/messages/lines.j2's `oncall_refusal`."""
    return kind(str(line("oncall_refusal", reason=reason, facts=facts)))
