"""Who a reminder is for, so that one always reaches someone who can act on it: for a response
window, the case's holder, else whoever is on call, else the rotation's lead, else the configured
fallback (a Slack user group, or @here in the case's channel); for a PX follow-up, its PX
claimant, else every PX contact of the site PX has it for, and only when the site names none the
response windows' chain. Pure functions of those names; bot/desk/nudges.py and
bot/desk/ingest.py ask."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.config import HERE
from bot.core.cases import WindowKind

Why = Literal["claimant", "px_contacts", "on_call", "lead", "fallback"]


@dataclass(frozen=True)
class Recipient:
    """Who a reminder names and why. People (`user`, and `also` when a site has several PX
    contacts) are mentioned and, at a lapse, sent a DM; a fallback is a user group to mention
    (`group`) or, with neither, @here. `px` says the window is a PX follow-up (its chain fell to
    the on-call person only because the site names no PX contacts)."""

    why: Why
    user: str | None = None
    group: str | None = None
    also: tuple[str, ...] = ()
    px: bool = False

    @property
    def key(self) -> str:
        """What the nudge records as its recipient: the (first) member id, a user group id, or
        @here."""
        return self.user or self.group or HERE

    @property
    def people(self) -> tuple[str, ...]:
        """Everyone named by member id, in order: each gets the lapse DM."""
        return (self.user, *self.also) if self.user else ()


def who_to_tell(*, claimant: str | None, window_kind: str, px_claimant: str | None,
                on_call: str | None, lead: str | None, fallback: str,
                px_contacts: Sequence[str] = ()) -> Recipient:
    """The first of: who holds the window (the PX claimant for a PX follow-up, the case's
    claimant otherwise); for a PX follow-up, the PX site's contacts, all of them; the person on
    call; the rotation's lead; the fallback ("@here" or a user group id, as [rotation] fallback
    is written). The social on-call person is told of a PX follow-up only when its site names
    no PX contacts: PX staff are who may act on it."""
    px = window_kind == WindowKind.PX_FOLLOWUP
    holder = px_claimant if px else claimant
    if holder:
        return Recipient("claimant", user=holder, px=px)
    contacts = tuple(dict.fromkeys(px_contacts)) if px else ()
    if contacts:
        return Recipient("px_contacts", user=contacts[0], also=contacts[1:], px=True)
    if on_call:
        return Recipient("on_call", user=on_call, px=px)
    if lead:
        return Recipient("lead", user=lead, px=px)
    return Recipient("fallback", group=None if fallback == HERE else fallback, px=px)


def who_finds_the_reviewer(*, on_site_contact: str | None,
                           px_contacts: Sequence[str]) -> tuple[str, ...]:
    """Who is asked to find a reviewer who is at the site now: its on-site contact, else its PX
    contacts (PX owns service recovery, and they are at the site)."""
    if on_site_contact:
        return (on_site_contact,)
    return tuple(dict.fromkeys(px_contacts))
