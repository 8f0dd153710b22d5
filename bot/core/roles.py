"""Who may do what, from `[roles]` in reviewdesk.toml: Slack members and user groups.

- social team: Hide and Ignore;
- PX staff: claim, take over, mark contacted and resolve a Patient Experience follow-up (a
  site's `px_contacts` too, for that site's follow-ups). PX are per site: someone who is a
  site's PX contact acts on that site's follow-ups only, even when also named in px_staff (as
  their Home lists only those), unless the follow-up's site names no PX contacts;
- admins: change the on-call rotation (with `[rotation] admins`).

A role left empty leaves its actions to anyone in the channel, as before roles existed. A user
group's members come from Slack (usergroups.users.list), remembered for `roles.group_cache`;
when Slack cannot be asked, the last answer stands, and with none the group lets nobody in.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from slack_sdk.errors import SlackApiError

from bot.clock import Clock
from bot.config import Config
from bot.core.cases import Action, CaseFacts, Refusal
from bot.core.reminders import who_finds_the_reviewer
from bot.slack_gateway import SlackGateway

logger = logging.getLogger(__name__)


class Role(StrEnum):
    SOCIAL_TEAM = "social_team"
    PX_STAFF = "px_staff"
    ADMINS = "admins"


ACTION_ROLES: dict[Action, Role] = {
    Action.HIDE: Role.SOCIAL_TEAM,
    Action.IGNORE: Role.SOCIAL_TEAM,
    Action.PX_CLAIM: Role.PX_STAFF,
    Action.PX_TAKE_OVER: Role.PX_STAFF,
    Action.PX_CONTACTED: Role.PX_STAFF,
    Action.RESOLVE: Role.PX_STAFF,
}


def is_group(member: str) -> bool:
    return member.startswith("S")


@dataclass(frozen=True)
class Duties:
    """The work a person's lists show: the social team's (first responses, the cases' own
    windows), Patient Experience's follow-ups at some sites, or both; and, whatever their role,
    the reviewers on site now that they are asked to find."""

    social: bool
    px_sites: tuple[str, ...] | None = None  # the sites whose PX follow-ups they take
    # The sites whose reviewers on site now they are asked to find (who_finds_the_reviewer).
    find_sites: tuple[str, ...] = ()

    @property
    def px(self) -> bool:
        return self.px_sites is not None


class Roles:
    def __init__(self, config: Config, slack: SlackGateway | None, clock: Clock):
        self.config = config
        self.slack = slack  # None: no Slack to ask, so a user group lets nobody in
        self.clock = clock
        self._lock = threading.Lock()
        self._groups: dict[str, tuple[frozenset[str], datetime]] = {}

    @property
    def configured(self) -> bool:
        return self.config.roles.configured

    # ---- who holds a role ----------------------------------------------------------------

    def holders(self, role: Role, *, px_site: str | None = None) -> list[str]:
        """The members and user groups named for `role` (for PX staff, with the site's
        px_contacts); empty when the role is not configured, which means anyone."""
        roles = self.config.roles
        if role == Role.ADMINS:
            return _unique([*self.config.rotation.admins, *roles.admins])
        if role == Role.SOCIAL_TEAM:
            return list(roles.social_team)
        if not roles.px_staff:
            return []
        site = self.config.site(px_site)
        if site is None or not site.px_contacts:
            return _unique(roles.px_staff)
        # A site naming its PX contacts: they, and PX staff who are no other site's contact.
        return _unique([*(member for member in roles.px_staff
                            if not self._contact_elsewhere(member, site.id)), *site.px_contacts])

    def holds(self, user: str, role: Role, *, px_site: str | None = None) -> bool:
        """Whether `user` may act as `role`; anyone may when the role names nobody, except
        admins, who must be named (the rotation had no open door before roles either)."""
        holders = self.holders(role, px_site=px_site)
        if not holders:
            return role != Role.ADMINS
        if role == Role.PX_STAFF and self._contact_elsewhere(user, px_site):
            return False  # another site's PX contact, and this site names its own
        if user in holders:
            return True
        return any(user in self.members(group) for group in holders if is_group(group))

    def check(self, case: CaseFacts, action: Action, actor: str) -> None:
        """Raise Refusal("not_permitted") when `actor` does not hold the role `action` needs."""
        role = ACTION_ROLES.get(action)
        if role is None or self.holds(actor, role, px_site=case.px_site):
            return
        logger.info("case %s: %s refused to %s (needs %s)", case.id, action, actor, role)
        facts: dict = {"role": str(role), "allowed": self.holders(role, px_site=case.px_site)}
        if role == Role.PX_STAFF and self._contact_elsewhere(actor, case.px_site):
            site = self.config.site(case.px_site)
            facts.update(px_site_name=site.name if site else case.px_site,
                         contact_of=[s.name for s in self.config.sites
                                     if actor in s.px_contacts])
        raise Refusal("not_permitted", case.id, facts)

    def _contact_elsewhere(self, user: str, px_site: str | None) -> bool:
        """Is `user` a PX contact of some site other than `px_site`, and not of `px_site`, which
        names PX contacts of its own? Then `px_site`'s follow-ups are not theirs (px_contacts
        name people, never user groups)."""
        site = self.config.site(px_site)
        if site is None or not site.px_contacts or user in site.px_contacts:
            return False
        return any(user in other.px_contacts for other in self.config.sites)

    def is_admin(self, user: str) -> bool:
        return self.holds(user, Role.ADMINS)

    def duties(self, user: str, *, rotation: Iterable[str] = ()) -> Duties:
        """What `user` works on. PX staff: named in `[roles] px_staff` (every site's follow-ups)
        or in a site's `px_contacts` (that site's). The social team: named in
        `[roles] social_team`, or on the on-call `rotation`, or anyone who is not PX staff
        when social_team names nobody. Someone may be both. Finding reviewers on site now:
        a site's on-site contact, or, where it names none, its PX contacts (as the card and
        each reminder ask them)."""
        roles = self.config.roles
        contact_of = tuple(site.id for site in self.config.sites
                           if self._named(user, site.px_contacts))
        staff = self._named(user, roles.px_staff)
        px_sites = contact_of or (tuple(site.id for site in self.config.sites) if staff
                                  else None)
        social = (self._named(user, roles.social_team) or user in set(rotation)
                  or (not roles.social_team and px_sites is None))
        find_sites = tuple(site.id for site in self.config.sites if user in who_finds_the_reviewer(
            on_site_contact=site.on_site_contact, px_contacts=site.px_contacts))
        return Duties(social=social, px_sites=px_sites, find_sites=find_sites)

    def _named(self, user: str, members: Iterable[str]) -> bool:
        """Is `user` one of `members`, or in one of its user groups?"""
        members = list(members)
        return user in members or any(user in self.members(group) for group in members
                                       if is_group(group))

    # ---- user groups ---------------------------------------------------------------------

    def members(self, group: str) -> frozenset[str]:
        """The members of a user group, asked of Slack at most once per `roles.group_cache`."""
        now = self.clock.now()
        with self._lock:
            cached = self._groups.get(group)
            if cached and now - cached[1] < self.config.roles.group_cache:
                return cached[0]
        try:
            if self.slack is None:
                raise OSError("no Slack client")
            users = self.slack.group_members(group)
        except (SlackApiError, OSError) as error:
            reason = (error.response.get("error") if isinstance(error, SlackApiError)
                      else type(error).__name__)
            logger.warning("user group %s: members not read (%s); %s", group, reason,
                           "using the last answer" if cached else "letting nobody in by it")
            return cached[0] if cached else frozenset()
        found = frozenset(u for u in users if isinstance(u, str))
        with self._lock:
            self._groups[group] = (found, now)
        return found

    def forget(self) -> None:
        """Ask Slack again next time (after a group's membership is known to have changed)."""
        with self._lock:
            self._groups.clear()


def _unique(members: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(members))


def describe(config: Config) -> list[str]:
    """What `reviewdesk check-config` says about roles: plain sentences."""
    roles = config.roles
    if not roles.configured:
        return ["No [roles] are set: anyone in the triage and PX channels may hide, ignore and "
                "act on Patient Experience follow-ups (as before roles existed); only "
                "[rotation] admins may change the rotation."]
    lines = []
    for name, members, what in (
            ("social_team", roles.social_team, "hide and ignore cases"),
            ("px_staff", roles.px_staff, "claim, mark contacted and resolve PX follow-ups "
                                         "(with each site's px_contacts)"),
            ("admins", roles.admins, "change the rotation (with [rotation] admins)")):
        who = _who(members)
        lines.append(f"roles.{name}: {who} may {what}." if members
                     else f"roles.{name} is empty: anyone may {what}."
                     if name != "admins" else
                     "roles.admins is empty: only [rotation] admins may change the rotation.")
    return lines


def _who(members: Sequence[str]) -> str:
    people = [m for m in members if not is_group(m)]
    groups = [m for m in members if is_group(m)]
    parts = []
    if people:
        parts.append(f"{len(people)} {'person' if len(people) == 1 else 'people'}")
    if groups:
        parts.append(f"{len(groups)} user group{'' if len(groups) == 1 else 's'}")
    return " and ".join(parts)


def group_warnings(config: Config, slack: SlackGateway | None) -> list[str]:
    """User groups named in [roles] that Slack does not know or has disabled (with Slack to
    ask)."""
    roles = config.roles
    named = {group: f"roles.{name}" for name, members in (
        ("social_team", roles.social_team), ("px_staff", roles.px_staff),
        ("admins", roles.admins)) for group in members if is_group(group)}
    if slack is None:
        return []
    return unknown_groups(slack, named, section="[roles]",
                          unknown="{where} names {group}, a user group Slack does not know: it "
                                  "lets nobody in. Copy the id from the group's page in Slack.",
                          disabled="{where} names {group} (@{handle}), a disabled user group: "
                                   "it lets nobody in.")


def unknown_groups(slack: SlackGateway, named: Mapping[str, str], *, section: str, unknown: str,
                   disabled: str) -> list[str]:
    """The one look-up of user groups (`named`: group id -> where it is named): a sentence for
    each one Slack does not know (`unknown`) or has disabled (`disabled`), both formatted with
    where, group and handle; or why Slack could not be asked about `section`'s groups."""
    if not named:
        return []
    try:
        groups = {g["id"]: g for g in slack.user_groups()}
    except SlackApiError as error:
        return [f"Could not check the user groups in {section} (Slack says "
                f"{error.response.get('error')}); the app needs the usergroups:read scope."]
    warnings = []
    for group, where in named.items():
        if group not in groups:
            warnings.append(unknown.format(where=where, group=group, handle=""))
        elif groups[group].get("date_delete"):
            warnings.append(disabled.format(where=where, group=group,
                                            handle=groups[group].get("handle")))
    return warnings
