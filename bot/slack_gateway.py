"""What the bot asks of Slack directly, outside the outbox: who is in a user group, the
workspace's address, whether the people and groups named in the configuration exist, and a
person's Home tab. Everything the bot posts goes through the outbox (bot/outbox/) instead.

Each call raises what the client raises (SlackApiError, OSError): the caller knows what to do
without an answer (keep the last one, go without links, publish later)."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient


class SlackGateway:
    """One Web API client for the bot's reads (and Home's views.publish), built once by the
    app's wiring; its 429s are counted with the outbox's."""

    def __init__(self, client: WebClient):
        self.client = client

    def group_members(self, group: str) -> list[Any]:
        """usergroups.users.list: the ids of a user group's members."""
        return self.client.usergroups_users_list(usergroup=group)["users"]

    def user_groups(self) -> list[dict[str, Any]]:
        """usergroups.list, the disabled ones too."""
        return self.client.usergroups_list(include_disabled=True)["usergroups"]

    def look_up_user(self, user: str) -> None:
        """users.info: raises SlackApiError ("user_not_found") for someone Slack does not
        know."""
        self.client.users_info(user=user)

    def team_url(self) -> str | None:
        """auth.test: the workspace's address, e.g. https://acme.slack.com/."""
        return self.client.auth_test().get("url") or None

    def publish_home(self, user: str, view: dict[str, Any]) -> None:
        """views.publish: `user`'s Home tab as it is now (a Home is never queued: the outbox
        would deliver a stale one)."""
        self.client.views_publish(user_id=user, view=view)
