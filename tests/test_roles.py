"""Roles from [roles]: who may hide and ignore (the social team), take PX follow-ups (PX staff,
and a site's px_contacts), and change the rotation (admins), by Slack member or user group.
A refused person is told privately who may; without roles, anyone in the channel may, as
before."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app import web_client
from bot.blocks.ids import ActionId, BlockId, CallbackId, InputId
from bot.config import parse_config
from bot.core.roles import Role, describe, group_warnings
from bot.slack_gateway import SlackGateway
from testing.driver import Driver, action_ids
from testing.workspace import (
    INTAKE_TOKEN,
    LEE,
    MARIA,
    PAT,
    PX_NORTH,
    PX_SOUTH,
    SAM,
    SIGNING_SECRET,
    TRIAGE,
    config_data,
    make_settings,
)
from twin.interactions import static_select_value

SOCIAL = "S0SOCIAL"
ROBIN = "U0ROBIN"
ADMINS = "S0ADMINS"


@pytest.fixture
def with_roles(start_bot, slack):
    def start(**roles) -> Driver:
        bot = start_bot(config=parse_config(config_data(roles=roles)))
        return Driver(bot, slack, signing_secret=SIGNING_SECRET, intake_token=INTAKE_TOKEN)

    return start


def hide(driver: Driver, user: str, card: dict) -> None:
    view = driver.open_view(user, card, ActionId.HIDE, TRIAGE, CallbackId.HIDE)
    status, body = driver.submit(user, view, {
        BlockId.REASON: {InputId.REASON: static_select_value("spam")}})
    assert status == 200 and body == {}


def escalate(driver: Driver, case_id: int, site: str) -> dict:
    card = driver.card(case_id, TRIAGE)
    view = driver.open_view(MARIA, card, ActionId.ESCALATE, TRIAGE, CallbackId.ESCALATE)
    driver.submit(MARIA, view, {BlockId.SITE: {InputId.SITE: static_select_value(site)},
                                BlockId.URGENCY: {InputId.URGENCY: static_select_value("soon")}})
    return driver.card(case_id, PX_NORTH if site == "north" else PX_SOUTH)


def test_without_roles_anyone_in_the_channel_may_hide_as_before(driver, slack):
    case_id = driver.new_case()
    hide(driver, LEE, driver.card(case_id, TRIAGE))
    driver.card_showing(case_id, TRIAGE, "Hidden")


def test_only_the_social_team_may_hide_or_ignore(with_roles, slack):
    driver = with_roles(social_team=[MARIA])
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)

    for action in (ActionId.HIDE, ActionId.IGNORE):
        assert driver.click(SAM, card, action, TRIAGE) == 200
    refused = slack.wait_for(lambda: (found := [e for e in slack.ephemerals_for(SAM)
                                                if "can hide or ignore" in e["text"]])
                             and len(found) == 2 and found)
    assert refused[0]["text"] == (f"Only <@{MARIA}> can hide or ignore cases; ask them, or your "
                                  "reviewdesk admin to add you.")
    driver.settle()
    assert slack.opened_views() == []  # no modal opened for SAM

    # A Hide modal submitted by someone outside the team (a view opened by a member) is
    # refused by the desk too.
    view = driver.open_view(MARIA, card, ActionId.HIDE, TRIAGE, CallbackId.HIDE)
    driver.submit(SAM, view, {BlockId.REASON: {InputId.REASON: static_select_value("spam")}})
    slack.wait_for(lambda: len([e for e in slack.ephemerals_for(SAM)
                                if "can hide or ignore" in e["text"]]) == 3)
    assert [e[0] for e in driver.events(case_id)] == ["opened"]

    hide(driver, MARIA, card)
    driver.card_showing(case_id, TRIAGE, f"Hidden — spam — by <@{MARIA}>")
    # Other actions stay open to everyone.
    assert driver.click(SAM, driver.card(case_id, TRIAGE), ActionId.REOPEN, TRIAGE) == 200
    driver.card_showing(case_id, TRIAGE, "Unclaimed")


def test_roles_are_checked_before_the_offer_to_take_a_claimed_case_over(with_roles, slack):
    driver = with_roles(social_team=[MARIA])
    case_id = driver.new_case()
    driver.click(MARIA, driver.card(case_id, TRIAGE), ActionId.CLAIM, TRIAGE)
    card = driver.card_showing(case_id, TRIAGE, f"Claimed by <@{MARIA}>")

    driver.click(SAM, card, ActionId.HIDE, TRIAGE)
    refused = driver.ephemeral_for(SAM, "can hide or ignore")
    assert action_ids(refused) == []  # no offer to take over for what Sam may not do
    driver.click(SAM, card, ActionId.RESPOND, TRIAGE)  # anyone may respond
    offer = driver.ephemeral_for(SAM, f"<@{MARIA}> holds this case")
    assert action_ids(offer) == [ActionId.TAKE_OVER_AND_CONTINUE, ActionId.OFFER_CANCEL]
    driver.settle()
    assert slack.opened_views() == []


def test_a_user_group_grants_a_role_and_is_asked_again_after_a_while(with_roles, slack, clock):
    slack.add_usergroup(SOCIAL, "social-team", [SAM])
    driver = with_roles(social_team=[SOCIAL], group_cache="1m")
    first, second = driver.new_case(external_id="a"), driver.new_case(external_id="b")

    hide(driver, SAM, driver.card(first, TRIAGE))
    driver.click(LEE, driver.card(second, TRIAGE), ActionId.HIDE, TRIAGE)
    refused = driver.ephemeral_for(LEE, "can hide or ignore")
    assert f"Only <!subteam^{SOCIAL}> can" in refused["text"]

    slack.add_usergroup(SOCIAL, "social-team", [SAM, LEE])  # LEE joins the team in Slack
    driver.click(LEE, driver.card(second, TRIAGE), ActionId.IGNORE, TRIAGE)
    slack.wait_for(lambda: len([e for e in slack.ephemerals_for(LEE)
                                if "can hide or ignore" in e["text"]]) == 2)
    assert len(slack.calls_to("usergroups.users.list")) == 1  # remembered for a minute

    driver.settle()
    clock.advance(timedelta(seconds=61))
    hide(driver, LEE, driver.card(second, TRIAGE))
    driver.card_showing(second, TRIAGE, f"by <@{LEE}>")
    assert len(slack.calls_to("usergroups.users.list")) == 2


def test_when_slack_cannot_say_who_is_in_a_group_the_last_answer_stands(with_roles, slack,
                                                                        clock):
    slack.add_usergroup(SOCIAL, "social-team", [SAM])
    driver = with_roles(social_team=[SOCIAL])
    roles = driver.bot.desk.roles
    assert roles.holds(SAM, Role.SOCIAL_TEAM)
    clock.advance(timedelta(minutes=5))
    slack.fail("usergroups.users.list", error="ratelimited", times=5)
    assert roles.holds(SAM, Role.SOCIAL_TEAM) and not roles.holds(LEE, Role.SOCIAL_TEAM)
    roles.forget()
    assert not roles.holds(SAM, Role.SOCIAL_TEAM)  # never known: the group lets nobody in


def test_px_staff_and_the_sites_px_contacts_take_px_follow_ups(with_roles, slack):
    driver = with_roles(px_staff=[LEE])
    north = driver.new_case(external_id="n")
    px = escalate(driver, north, "north")  # escalating is everyone's

    driver.click(SAM, px, ActionId.PX_CLAIM, PX_NORTH)
    refused = driver.ephemeral_for(SAM, "can take Patient Experience follow-ups")
    assert f"Only <@{LEE}> or <@{PAT}> can" in refused["text"]  # north's px_contacts: PAT
    driver.click(PAT, px, ActionId.PX_CLAIM, PX_NORTH)
    px = driver.card_showing(north, PX_NORTH, f"PX follow-up: <@{PAT}>")
    driver.click(LEE, px, ActionId.PX_RESOLVE, PX_NORTH)  # Pat holds it: Lee is asked first
    offer = driver.ephemeral_for(LEE, f"<@{PAT}> holds this PX follow-up")
    driver.resolve(LEE, north, "no_reply", PX_NORTH, message=offer)
    driver.card_showing(north, PX_NORTH, f"Resolved by <@{LEE}>")

    south = driver.new_case(external_id="s", site="south")
    px = escalate(driver, south, "south")
    driver.click(PAT, px, ActionId.PX_CLAIM, PX_SOUTH)  # PAT is north's contact, not south's
    refused = driver.ephemeral_for(PAT, "can take Patient Experience follow-ups")
    assert f"Only <@{LEE}> can" in refused["text"]
    assert [e[0] for e in driver.events(south)] == ["opened", "escalated"]


def test_a_sites_px_contact_is_refused_another_sites_follow_ups_naming_who_may(start_bot,
                                                                               slack):
    """A first morning in the local workspace, which names every site's PX contacts PX staff:
    Pat (North campus's PX contact) resolved a South clinic follow-up Robin had claimed. PX are
    per site (a contact's Home lists their sites' follow-ups only): another site's contact is
    refused, told who may, even when named in px_staff; PX staff who are no site's contact
    still take every site's."""
    slack.add_user(ROBIN, "robin")
    data = config_data(roles={"px_staff": [PAT, ROBIN, LEE]})
    data["sites"][0]["px_contacts"] = [PAT]
    data["sites"][1]["px_contacts"] = [ROBIN]
    driver = Driver(start_bot(config=parse_config(data)), slack,
                    signing_secret=SIGNING_SECRET, intake_token=INTAKE_TOKEN)
    south = driver.new_case(external_id="s", site="south")
    px = escalate(driver, south, "south")
    driver.click(ROBIN, px, ActionId.PX_CLAIM, PX_SOUTH)
    px = driver.card_showing(south, PX_SOUTH, f"PX follow-up: <@{ROBIN}>")
    unclaimed = escalate(driver, driver.new_case(external_id="s2", site="south"), "south")
    before = driver.events(south)
    opened = len(slack.opened_views())

    driver.click(PAT, px, ActionId.PX_RESOLVE, PX_SOUTH)
    driver.click(PAT, px, ActionId.PX_CONTACTED, PX_SOUTH)
    driver.click(PAT, unclaimed, ActionId.PX_CLAIM, PX_SOUTH)
    slack.wait_for(lambda: len([e for e in slack.ephemerals_for(PAT)
                                if "South clinic's Patient Experience" in e["text"]]) == 3)
    refused = slack.ephemerals_for(PAT)[-1]["text"]
    assert refused.startswith(f"Only <@{ROBIN}> or <@{LEE}> can take South clinic's Patient "
                              "Experience follow-ups (you are North campus's PX contact)")
    driver.settle()
    assert slack.opened_views()[opened:] == [] and driver.events(south) == before

    north = driver.new_case(external_id="n")
    px = escalate(driver, north, "north")
    driver.click(PAT, px, ActionId.PX_CLAIM, PX_NORTH)  # his own site's: his
    px = driver.card_showing(north, PX_NORTH, f"PX follow-up: <@{PAT}>")
    assert driver.click(LEE, px, ActionId.PX_RESOLVE, PX_NORTH) == 200
    offer = driver.ephemeral_for(LEE, f"<@{PAT}> holds this PX follow-up")
    driver.resolve(LEE, north, "declined", PX_NORTH, message=offer)  # staff of every site
    driver.card_showing(north, PX_NORTH, f"Resolved by <@{LEE}> — Declined")


def test_rotation_admins_may_come_from_a_user_group(with_roles, slack):
    slack.add_usergroup(ADMINS, "desk-admins", [SAM])
    driver = with_roles(admins=[ADMINS])
    oncall = driver.bot.oncall

    assert "joined the rotation" in oncall.command(f"oncall add <@{LEE}>", SAM).text
    refused = oncall.command(f"oncall remove <@{LEE}>", MARIA).text
    assert refused == f"Only rotation admins (<!subteam^{ADMINS}>) can change the rotation."
    assert oncall.order() == [LEE]


def test_check_config_says_which_roles_are_set_and_checks_their_groups(slack):
    assert "No [roles] are set" in describe(parse_config(config_data()))[0]
    config = parse_config(config_data(roles={"social_team": [MARIA, SOCIAL],
                                             "px_staff": ["S0GONE"]}))
    assert describe(config) == [
        "roles.social_team: 1 person and 1 user group may hide and ignore cases.",
        "roles.px_staff: 1 user group may claim, mark contacted and resolve PX follow-ups "
        "(with each site's px_contacts).",
        "roles.admins is empty: only [rotation] admins may change the rotation.",
    ]
    slack.add_usergroup(SOCIAL, "social-team", [SAM])
    warnings = group_warnings(config, SlackGateway(web_client(make_settings(slack))))
    assert warnings == ["roles.px_staff names S0GONE, a user group Slack does not know: it lets "
                        "nobody in. Copy the id from the group's page in Slack."]


def test_roles_name_slack_ids_only():
    with pytest.raises(Exception, match="neither a Slack member id"):
        parse_config(config_data(roles={"admins": ["@maria"]}))
