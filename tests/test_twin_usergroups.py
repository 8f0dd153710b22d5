"""The Slack twin's usergroups.* methods (list, users.list, users.update), driven by the real
slack_sdk WebClient: Slack's response shapes and its error names."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from twin.webapi import U_LEE, U_MARIA, U_SAM, SlackTwin


@pytest.fixture
def slack() -> Iterator[SlackTwin]:
    with SlackTwin() as fake:
        fake.add_usergroup("S0ONCALL", "reviewdesk-oncall", [U_MARIA])
        fake.add_usergroup("S0OLD", "old-team", [U_LEE], disabled=True)
        fake.add_usergroup("S0LOCKED", "admins-only", [U_LEE], editable=False)
        yield fake


@pytest.fixture
def client(slack: SlackTwin) -> WebClient:
    return WebClient(token=slack.bot_token, base_url=slack.base_url)


def error_of(call) -> str:
    with pytest.raises(SlackApiError) as caught:
        call()
    return caught.value.response["error"]


def test_list_shows_enabled_groups_with_users_and_counts_on_request(client: WebClient) -> None:
    groups = client.usergroups_list()["usergroups"]
    assert [g["id"] for g in groups] == ["S0ONCALL", "S0LOCKED"]
    first = groups[0]
    assert first["handle"] == "reviewdesk-oncall" and first["is_usergroup"] is True
    assert first["date_delete"] == 0 and "users" not in first and "user_count" not in first
    detailed = client.usergroups_list(include_disabled=True, include_users=True,
                                      include_count=True)["usergroups"]
    assert [(g["id"], g["users"], g["user_count"]) for g in detailed] == [
        ("S0ONCALL", [U_MARIA], 1), ("S0OLD", [U_LEE], 1), ("S0LOCKED", [U_LEE], 1)]


def test_users_list_and_update_replace_the_members(slack: SlackTwin, client: WebClient) -> None:
    assert client.usergroups_users_list(usergroup="S0ONCALL")["users"] == [U_MARIA]
    answer = client.usergroups_users_update(usergroup="S0ONCALL", users=[U_SAM, U_LEE])
    assert answer["usergroup"]["id"] == "S0ONCALL"
    assert answer["usergroup"]["users"] == [U_SAM, U_LEE]
    assert client.usergroups_users_list(usergroup="S0ONCALL")["users"] == [U_SAM, U_LEE]
    # A comma-separated string, as the docs write it, and JSON alike.
    client.api_call("usergroups.users.update", json={"usergroup": "S0ONCALL", "users": U_LEE})
    assert slack.usergroup_members("S0ONCALL") == [U_LEE]


def test_errors_have_slacks_names(slack: SlackTwin, client: WebClient) -> None:
    assert error_of(lambda: client.usergroups_users_list(usergroup="S0NOPE")) == "no_such_subteam"
    assert error_of(lambda: client.usergroups_users_list(usergroup="S0OLD")) == "no_such_subteam"
    assert client.usergroups_users_list(usergroup="S0OLD", include_disabled=True)["users"] == [
        U_LEE]
    update = client.usergroups_users_update
    assert error_of(lambda: update(usergroup="S0NOPE", users=[U_SAM])) == "no_such_subteam"
    assert error_of(lambda: update(usergroup="S0ONCALL", users=[])) == "no_users_provided"
    assert error_of(lambda: update(usergroup="S0ONCALL", users=["U0NOBODY"])) == "invalid_users"
    assert error_of(lambda: update(usergroup="S0LOCKED", users=[U_SAM])) == "permission_denied"
    assert error_of(lambda: client.api_call("usergroups.users.update",
                                            json={"users": U_SAM})) == "missing_argument"
    # A refused update changes nothing.
    assert slack.usergroup_members("S0ONCALL") == [U_MARIA]
    assert slack.usergroup_members("S0LOCKED") == [U_LEE]
