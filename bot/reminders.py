"""Who a reminder is for, so that one always reaches someone: the case's holder, else whoever
is on call, else the rotation's lead, else the configured fallback (a Slack user group, or
@here in the case's channel). A pure function of those names; bot/nudges.py asks it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.cases import WindowKind
from bot.config import HERE

Why = Literal["claimant", "on_call", "lead", "fallback"]


@dataclass(frozen=True)
class Recipient:
    """Who a reminder names and why. A person (`user`) is mentioned and, at a lapse, sent a
    DM; a fallback is a user group to mention (`group`) or, with neither, @here."""

    why: Why
    user: str | None = None
    group: str | None = None

    @property
    def key(self) -> str:
        """What the nudge records as its recipient: a member id, a user group id, or @here."""
        return self.user or self.group or HERE


def who_to_tell(*, claimant: str | None, window_kind: str, px_claimant: str | None,
                on_call: str | None, lead: str | None, fallback: str) -> Recipient:
    """The first of: who holds the window (the PX claimant for a PX follow-up, the case's
    claimant otherwise), the person on call, the rotation's lead, the fallback ("@here" or a
    user group id, as [rotation] fallback is written)."""
    holder = px_claimant if window_kind == WindowKind.PX_FOLLOWUP else claimant
    if holder:
        return Recipient("claimant", user=holder)
    if on_call:
        return Recipient("on_call", user=on_call)
    if lead:
        return Recipient("lead", user=lead)
    return Recipient("fallback", group=None if fallback == HERE else fallback)
