"""What `reviewdesk check-config` warns about the rotation: who a reminder will reach when
nobody holds a case, and people or user groups Slack does not know. Warnings, not failures."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from bot.config import HERE, Config
from bot.core.roles import unknown_groups
from bot.slack_gateway import SlackGateway


def rotation_warnings(config: Config, slack: SlackGateway | None) -> list[str]:
    """Plain sentences; with `slack`, the named people and user groups are looked up."""
    rotation = config.rotation
    told = ("@here in the case's channel" if rotation.fallback == HERE
            else f"the user group {rotation.fallback}, mentioned in the case's channel")
    warnings = []
    if not rotation.members:
        whom = f"the rotation's lead, {rotation.lead}" if rotation.lead else told
        warnings.append(f"The rotation has no members: reminders for cases nobody has claimed "
                        f"will go to {whom}. Name people in [rotation] members, or add them with "
                        "/reviewdesk oncall add @name.")
    if slack is None:
        return warnings
    return warnings + _unknown_people(config, slack) + _unknown_groups(config, slack)


def _unknown_people(config: Config, slack: SlackGateway) -> list[str]:
    rotation = config.rotation
    roles: dict[str, str] = {}
    for role, users in (("rotation.members", rotation.members),
                        ("rotation.admins", rotation.admins),
                        ("rotation.lead", [rotation.lead] if rotation.lead else [])):
        for user in users:
            roles.setdefault(user, role)
    warnings = []
    for user, role in roles.items():
        try:
            slack.look_up_user(user)
        except SlackApiError as error:
            code = error.response.get("error")
            if code == "user_not_found":
                warnings.append(f"{role} names {user}, whom Slack does not know: nobody would "
                                "get their reminders. Copy the member id from their profile.")
            else:
                warnings.append(f"Could not look up {user} ({role}): Slack says {code}.")
    return warnings


def _unknown_groups(config: Config, slack: SlackGateway) -> list[str]:
    rotation = config.rotation
    named = {group: role for role, group in (("rotation.fallback", rotation.fallback),
                                              ("rotation.usergroup", rotation.usergroup))
             if group and group != HERE}
    return unknown_groups(slack, named, section="[rotation]",
                          unknown="{where} is {group}, a user group Slack does not know; copy "
                                  "the id from the group's page in Slack.",
                          disabled="{where} is {group} (@{handle}), a user group that is "
                                   "disabled; enable it in Slack.")
