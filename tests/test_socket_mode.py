"""End to end over Socket Mode: with SLACK_APP_TOKEN set the bot takes Slack's clicks and
commands over a WebSocket (Bolt's SocketModeHandler) instead of POST /slack/events.

The fake Slack runs a fake Socket Mode endpoint (twin/socket_mode.py); the tests push
envelopes to the bot the way Slack does and read the cards and ephemerals it shows.
"""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any
from urllib.error import HTTPError

import pytest

from app import ReviewDesk, create_app
from bot.blocks.ids import ActionId
from storage.db import Database
from testing.driver import Driver, action_ids, block_text
from testing.workspace import (
    BOT_TOKEN,
    INTAKE_TOKEN,
    MARIA,
    SAM,
    TRIAGE,
    make_settings,
    populate,
)
from twin.interactions import (
    block_actions_payload,
    button_action,
    find_button,
    slash_command_form,
)
from twin.queries import WAIT
from twin.webapi import SlackTwin

APP_TOKEN = "xapp-test"  # what SlackTwin expects on apps.connections.open by default


@pytest.fixture
def socket_slack() -> Iterator[SlackTwin]:
    """The conftest `slack` workspace, plus a Socket Mode endpoint."""
    with SlackTwin(bot_token=BOT_TOKEN, app_token=APP_TOKEN, socket_mode=True) as fake:
        yield populate(fake)


@pytest.fixture
def start_socket_bot(socket_slack, database_url, db, config, clock
                     ) -> Iterator[Callable[[], ReviewDesk]]:
    """Start the bot in Socket Mode (no signing secret); stopped before the fake goes away."""
    running: list[ReviewDesk] = []

    def start() -> ReviewDesk:
        settings = make_settings(socket_slack, slack_app_token=APP_TOKEN,
                                 slack_signing_secret=None)
        service = create_app(settings, config, db=Database.from_url(database_url), clock=clock,
                             outbox_poll_interval=0.1, ack_timeout=WAIT)
        running.append(service)
        service.start(host="127.0.0.1", port=0)
        return service

    yield start
    for service in running:
        service.stop()


@pytest.fixture
def socket_driver(start_socket_bot, socket_slack) -> Driver:
    bot = start_socket_bot()
    socket_slack.socket_mode.wait_connected()
    # Nothing is signed over Socket Mode; the driver's HTTP helpers need no secret here.
    return Driver(bot, socket_slack, signing_secret="unused", intake_token=INTAKE_TOKEN)


def click(fake: SlackTwin, user: str, message: dict[str, Any], action_id: str,
          channel: str) -> str:
    """Click a button of a channel message over Socket Mode; return the envelope id."""
    block, element = find_button(message["blocks"], action_id)
    payload = block_actions_payload(user_id=user, action=button_action(block, element),
                                    channel_id=channel, message=message)
    return fake.socket_mode.send_envelope("interactive", payload)


def claim_over_socket(driver: Driver, case_id: int, user: str = MARIA) -> dict[str, Any]:
    """Claim the case's triage card over Socket Mode; return the updated card."""
    fake = driver.slack
    envelope_id = click(fake, user, driver.card(case_id, TRIAGE), ActionId.CLAIM, TRIAGE)
    assert fake.socket_mode.wait_ack(envelope_id)["envelope_id"] == envelope_id
    return driver.card_showing(case_id, TRIAGE, f"Claimed by <@{user}>")


def post_slack_events(driver: Driver) -> int:
    request = urllib.request.Request(
        f"{driver.base}/slack/events", data=b'{"type": "url_verification", "challenge": "x"}',
        headers={"Content-Type": "application/json"}, method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except HTTPError as error:
        return error.code


def test_the_bot_connects_and_says_so_and_has_no_events_url(socket_driver, socket_slack):
    assert socket_slack.socket_mode.connections == 1
    opened = socket_slack.calls_to("apps.connections.open")
    assert len(opened) == 1
    assert opened[0].headers.get("Authorization") == f"Bearer {APP_TOKEN}"

    status, health = socket_driver.get("/healthz")
    assert status == 200
    assert health["status"] == "ok" and health["slack"] == "socket"
    assert post_slack_events(socket_driver) == 404


def test_a_click_over_socket_mode_claims_the_case(socket_driver, socket_slack):
    case_id = socket_driver.new_case()
    card = socket_driver.card(case_id, TRIAGE)
    assert "Unclaimed" in block_text(card)

    claimed = claim_over_socket(socket_driver, case_id)
    assert ActionId.RELEASE in action_ids(claimed)
    assert len(socket_slack.messages(TRIAGE)) == 1  # updated in place, not reposted
    socket_driver.thread_with(TRIAGE, claimed, f"<@{MARIA}> claimed this case")
    assert ("claimed", MARIA) in socket_driver.events(case_id)


def test_the_open_command_over_socket_mode_answers_privately(socket_driver, socket_slack):
    first = socket_driver.new_case(external_id="a")
    socket_driver.new_case(external_id="b", site="south")
    claim_over_socket(socket_driver, first)

    command = slash_command_form(command="/reviewdesk", text="open", user_id=SAM,
                                 channel_id=TRIAGE)
    envelope_id = socket_slack.socket_mode.send_envelope("slash_commands", command,
                                                         accepts_response_payload=True)
    assert socket_slack.socket_mode.wait_ack(envelope_id)["envelope_id"] == envelope_id

    listing = socket_driver.ephemeral_for(SAM, "2 open")
    assert listing["channel"] == TRIAGE
    text = block_text(listing)
    assert f"*#{first}* “Waited five hours in the ER" in text
    assert "· Google ★☆☆☆☆ · North campus · :alarm_clock: First response due " in text
    assert f"· :raised_hand: Claimed by <@{MARIA}>" in text and "· Unclaimed ·" in text
    assert socket_slack.ephemerals_for(MARIA) == []


def test_after_slack_recycles_the_connection_the_bot_reconnects_and_still_works(
        socket_driver, socket_slack):
    case_id = socket_driver.new_case()
    socket_driver.card(case_id, TRIAGE)

    socket_slack.socket_mode.disconnect_all()  # the old connection stops counting at once
    socket_slack.socket_mode.wait_connected()  # so this waits for the bot's new one
    assert len(socket_slack.calls_to("apps.connections.open")) >= 2

    claim_over_socket(socket_driver, case_id)
    assert ("claimed", MARIA) in socket_driver.events(case_id)


def test_the_bot_starts_while_slack_refuses_socket_mode_and_connects_later(
        start_socket_bot, socket_slack):
    socket_slack.fail("apps.connections.open", error="internal_error", times=2)
    bot = start_socket_bot()  # does not raise, nor wait for Slack
    driver = Driver(bot, socket_slack, signing_secret="unused", intake_token=INTAKE_TOKEN)

    # HTTP works meanwhile: reviews are taken and their cards posted
    status, health = driver.get("/healthz")
    assert status == 200 and health["slack"] == "socket"
    case_id = driver.new_case()
    driver.card(case_id, TRIAGE)

    socket_slack.wait_for_calls("apps.connections.open", 3, timeout=8)
    socket_slack.socket_mode.wait_connected(timeout=5)
    refused = [call for call in socket_slack.calls_to("apps.connections.open")
               if call.response and not call.response.get("ok")]
    assert len(refused) == 2
    claim_over_socket(driver, case_id)


def test_a_socket_url_that_cannot_be_reached_is_replaced_by_a_fresh_one(
        start_socket_bot, socket_slack):
    """apps.connections.open hands out a URL whose server refuses (one being recycled): the
    bot asks for a fresh URL rather than dialling the dead one again."""
    real_open = socket_slack._methods["apps.connections.open"]
    handed_out: list[str] = []

    def dead_then_real(params: dict[str, Any]) -> dict[str, Any]:
        answer = {"ok": True, "url": "ws://127.0.0.1:1/link/?ticket=gone"} if not handed_out \
            else real_open(params)
        handed_out.append(answer["url"])
        return answer

    socket_slack._methods["apps.connections.open"] = dead_then_real
    bot = start_socket_bot()
    socket_slack.socket_mode.wait_connected(timeout=8)
    assert len(handed_out) == 2

    driver = Driver(bot, socket_slack, signing_secret="unused", intake_token=INTAKE_TOKEN)
    claim_over_socket(driver, driver.new_case())


def socket_mode_threads_started_by(start: Callable[[], ReviewDesk]
                                   ) -> tuple[ReviewDesk, list[threading.Thread]]:
    """Start the bot; return it and the thread it connects to Slack in."""
    before = set(threading.enumerate())
    bot = start()
    return bot, [t for t in set(threading.enumerate()) - before if t.name == "socket-mode"]


def test_stopping_while_slack_refuses_ends_the_retries(start_socket_bot, socket_slack):
    socket_slack.fail("apps.connections.open", error="internal_error", times=100)
    bot, connecting = socket_mode_threads_started_by(start_socket_bot)
    assert len(connecting) == 1
    socket_slack.wait_for_calls("apps.connections.open", 1)
    bot.stop()
    tries = len(socket_slack.calls_to("apps.connections.open"))

    connecting[0].join(timeout=3)  # it wakes from its 1 s back-off and sees the bot stopped
    assert not connecting[0].is_alive()
    assert len(socket_slack.calls_to("apps.connections.open")) == tries


def test_stopping_while_the_first_connection_is_under_way_leaves_no_connection(
        start_socket_bot, socket_slack):
    socket_slack.fail("apps.connections.open", delay=0.5)  # a slow answer, then a good URL
    bot, connecting = socket_mode_threads_started_by(start_socket_bot)
    assert len(connecting) == 1
    socket_slack.wait_for_calls("apps.connections.open", 1)
    bot.stop()  # while apps.connections.open is still being answered

    connecting[0].join(timeout=5)
    socket_slack.wait_for(lambda: socket_slack.socket_mode.connections == 0, timeout=0.5,
                          what="no Socket Mode connection left open after stop()")
