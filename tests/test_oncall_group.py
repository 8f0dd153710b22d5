"""The on-call user group (like Grafana OnCall's): with [rotation] usergroup set, the Slack user
group's member is kept to whoever is on call, at start-up, at each hand-off and when an override
starts or ends, through the outbox: once per change, never lost across a restart, and never
tried again after Slack refuses it for good. Time is a ManualClock starting Tuesday 2026-11-24
09:00 in Chicago; hand-offs are Mondays 09:00 there."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.config import parse_config
from storage.models import OutboxMessage
from testing.driver import Driver
from testing.workspace import (
    INTAKE_TOKEN,
    LEE,
    MARIA,
    PAT,
    SAM,
    SIGNING_SECRET,
    TRIAGE,
    config_data,
)

GROUP = "S0ONCALL"
MON_30 = datetime(2026, 11, 30, 15, tzinfo=UTC)
FRI_5PM = datetime(2026, 11, 27, 23, tzinfo=UTC)  # Friday 17:00 in Chicago


def group_config(**rotation):
    settings = {"members": [MARIA, SAM, LEE], "admins": [PAT], "timezone": "America/Chicago",
                "usergroup": GROUP}
    settings.update(rotation)
    return parse_config(config_data(rotation=settings))


def updates(slack) -> list[str]:
    """The members each usergroups.users.update asked for, answered or not, in order."""
    return [call.params["users"] for call in slack.calls_to("usergroups.users.update")]


def syncs(bot) -> list[tuple[list[str], str]]:
    with bot.db.session() as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "usergroup_sync")
                            .order_by(OutboxMessage.id))
        return [(row.payload["users"], row.status) for row in rows]


def members_become(slack, users: list[str]) -> list[str]:
    return slack.wait_for(lambda: slack.usergroup_members(GROUP) == users and users,
                          what=f"{GROUP} to be {users}")


def test_the_group_follows_the_start_an_override_and_a_handoff(start_bot, slack, clock):
    slack.add_usergroup(GROUP, "reviewdesk-oncall", [LEE])
    bot = start_bot(config=group_config())
    members_become(slack, [MARIA])  # start-up: Maria's turn

    driver = Driver(bot, slack, signing_secret=SIGNING_SECRET, intake_token=INTAKE_TOKEN)
    assert driver.command(PAT, f"oncall override <@{PAT}> until fri 17:00", TRIAGE) == 200
    driver.ephemeral_for(PAT, "is on call from now until Fri 27 Nov 17:00")
    members_become(slack, [PAT])

    # The override ends between hand-offs: the scheduler wakes for it and Maria is back.
    assert bot.oncall.next_usergroup_change() == FRI_5PM
    clock.set(FRI_5PM)
    bot.oncall.sync_usergroup()
    members_become(slack, [MARIA])

    clock.set(MON_30)
    assert bot.oncall.announce_due_handoffs() == 1
    members_become(slack, [SAM])
    slack.wait_for(lambda: all(status == "sent" for _users, status in syncs(bot)))
    assert updates(slack) == [MARIA, PAT, MARIA, SAM]

    # Nothing changed since: nothing is asked, however often the scheduler looks.
    bot.oncall.sync_usergroup()
    bot.outbox.deliver_due()
    assert updates(slack) == [MARIA, PAT, MARIA, SAM]


def test_a_sync_pending_at_a_restart_goes_out_after_it_once(start_bot, slack, clock):
    slack.add_usergroup(GROUP, "reviewdesk-oncall", [MARIA])
    bot = start_bot(config=group_config())
    members_become(slack, [MARIA])
    slack.wait_for(lambda: syncs(bot) == [([MARIA], "sent")])

    slack.fail("usergroups.users.update", status=503)  # Slack is down at the hand-off
    clock.set(MON_30)
    assert bot.oncall.announce_due_handoffs() == 1
    slack.wait_for_calls("usergroups.users.update", 2)
    slack.wait_for(lambda: syncs(bot) == [([MARIA], "sent"), ([SAM], "pending")])
    bot.stop()
    assert slack.usergroup_members(GROUP) == [MARIA]

    clock.advance(timedelta(minutes=5))  # past the retry's backoff
    restarted = start_bot(config=group_config())
    members_become(slack, [SAM])
    slack.wait_for(lambda: syncs(restarted) == [([MARIA], "sent"), ([SAM], "sent")])
    assert updates(slack) == [MARIA, SAM, SAM]  # the failed try, then the one that went out


def test_a_group_slack_will_not_let_the_bot_change_is_not_retried(start_bot, slack, clock):
    slack.add_usergroup(GROUP, "reviewdesk-oncall", [LEE], editable=False)
    bot = start_bot(config=group_config())
    slack.wait_for(lambda: syncs(bot) == [([MARIA], "failed")])
    answer = slack.calls_to("usergroups.users.update")[0].response
    assert answer == {"ok": False, "error": "permission_denied"}

    # Refused for good: not asked again until the person on call changes.
    bot.oncall.sync_usergroup()
    bot.outbox.deliver_due()
    assert updates(slack) == [MARIA]
    clock.set(MON_30)
    assert bot.oncall.announce_due_handoffs() == 1
    slack.wait_for(lambda: syncs(bot) == [([MARIA], "failed"), ([SAM], "failed")])
    assert updates(slack) == [MARIA, SAM]
    assert slack.usergroup_members(GROUP) == [LEE]


def test_without_a_usergroup_nothing_is_asked_of_slack(start_bot, slack, clock):
    bot = start_bot(config=group_config(usergroup=None))
    clock.set(MON_30)
    assert bot.oncall.announce_due_handoffs() == 1
    slack.wait_for(lambda: slack.dms(SAM))
    assert bot.oncall.next_usergroup_change() is None
    assert syncs(bot) == [] and updates(slack) == []
