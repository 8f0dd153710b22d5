"""Requests to /slack/events must carry a valid, fresh Slack signature."""

from __future__ import annotations

import json
import time

from bot.blocks.ids import ActionId
from testing.workspace import MARIA, TRIAGE
from twin.interactions import (
    FORM_CONTENT_TYPE,
    block_actions_payload,
    button_action,
    find_button,
    form_body_for_payload,
    post_signed,
)


def test_a_bad_or_old_signature_is_rejected_and_changes_nothing(driver, slack):
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)

    assert driver.click(MARIA, card, ActionId.CLAIM, TRIAGE, signature="v0=" + "0" * 64) == 401
    old = int(time.time()) - 10 * 60
    assert driver.click(MARIA, card, ActionId.CLAIM, TRIAGE, timestamp=old) == 401
    driver.settle()
    assert driver.events(case_id) == [("opened", "system")]

    assert driver.click(MARIA, card, ActionId.CLAIM, TRIAGE) == 200  # a genuine one works
    driver.card_showing(case_id, TRIAGE, "Claimed by")


def test_a_bad_signature_is_answered_before_the_body_is_read(driver, slack):
    """One signature check (handlers/middleware.py; Bolt's own is off), and it comes first: a
    body signed with another secret is 401 whether or not it could be read, never a 400 about
    its shape, and the bot does nothing."""
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)
    driver.settle()
    before = len(slack.calls)
    click = form_body_for_payload(block_actions_payload(
        user_id=MARIA, action=button_action(*find_button(card["blocks"], ActionId.CLAIM)),
        channel_id=TRIAGE, message=card))
    bodies = [(click, FORM_CONTENT_TYPE), ("payload=%7Bnot json", FORM_CONTENT_TYPE),
              ("payload=" + "[" * 5000, FORM_CONTENT_TYPE), ("", FORM_CONTENT_TYPE),
              ('{"type": "event_callback", "event": []}', "application/json")]
    for body, content_type in bodies:
        status, _headers, answer = post_signed(f"{driver.base}/slack/events", "another secret",
                                               body, content_type)
        assert (status, json.loads(answer)) == (
            401, {"error": "invalid request signature"}), body[:40]

    driver.settle()
    assert len(slack.calls) == before  # not even auth.test, not even an ephemeral
    assert driver.events(case_id) == [("opened", "system")]
