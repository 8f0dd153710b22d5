"""Requests to /slack/events must carry a valid, fresh Slack signature."""

from __future__ import annotations

import time

from bot.ids import ActionId
from tests.conftest import MARIA, TRIAGE


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
