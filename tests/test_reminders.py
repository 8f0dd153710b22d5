"""A reminder always reaches someone: the case's holder, else the person on call, else the
rotation's lead, else the fallback (@here in the case's channel, or a user group). Driven over
signed HTTP against the Slack twin; time is a ManualClock and `run_due()` is what the
scheduler calls."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.config import parse_config
from bot.core.reminders import Recipient, who_to_tell
from storage.models import Nudge, OutboxMessage
from testing.driver import Driver
from testing.workspace import (
    INTAKE_TOKEN,
    LEE,
    MARIA,
    PAT,
    SAM,
    SIGNING_SECRET,
    START,
    TRIAGE,
    config_data,
)

NOBODY = "(nobody holds this case, nobody is on call and no lead is set)"
ROBIN = "U0ROBIN"


@pytest.mark.parametrize(("names", "told"), [
    ({"claimant": LEE, "on_call": SAM, "lead": PAT}, Recipient("claimant", user=LEE)),
    ({"on_call": SAM, "lead": PAT}, Recipient("on_call", user=SAM)),
    ({"lead": PAT}, Recipient("lead", user=PAT)),
    ({}, Recipient("fallback")),
    ({"fallback": "S0PXDESK"}, Recipient("fallback", group="S0PXDESK")),
    # A PX follow-up is held by its PX claimant, not by the case's claimant…
    ({"kind": "px_followup", "claimant": LEE, "px_claimant": PAT, "px_contacts": [ROBIN]},
     Recipient("claimant", user=PAT, px=True)),
    # …else it goes to every PX contact of its site, never to the social on-call person…
    ({"kind": "px_followup", "claimant": LEE, "on_call": SAM, "px_contacts": [PAT, ROBIN]},
     Recipient("px_contacts", user=PAT, also=(ROBIN,), px=True)),
    # …who is told only when the site names no PX contacts.
    ({"kind": "px_followup", "claimant": LEE, "on_call": SAM},
     Recipient("on_call", user=SAM, px=True)),
    ({"kind": "px_followup", "lead": LEE}, Recipient("lead", user=LEE, px=True)),
    # A response window never goes to the PX contacts.
    ({"kind": "urgent", "on_call": SAM, "px_contacts": [PAT]}, Recipient("on_call", user=SAM)),
    ({"kind": "urgent", "claimant": LEE, "px_claimant": PAT}, Recipient("claimant", user=LEE)),
])
def test_who_to_tell_follows_the_chain_and_never_ends_empty(names, told):
    names = {"claimant": None, "px_claimant": None, "on_call": None, "lead": None,
             "fallback": "@here", "kind": "first_response", **names}
    kind = names.pop("kind")
    assert who_to_tell(window_kind=kind, **names) == told
    assert told.key in {LEE, SAM, PAT, "S0PXDESK", "@here"}


def _start(start_bot, slack, **rotation) -> tuple[object, Driver, int, dict]:
    """A bot with these [rotation] settings, and a new case's card in the triage channel."""
    bot = start_bot(config=parse_config(config_data(rotation=rotation)))
    driver = Driver(bot, slack, signing_secret=SIGNING_SECRET, intake_token=INTAKE_TOKEN)
    case_id = driver.new_case()
    return bot, driver, case_id, driver.card(case_id, TRIAGE)


def _at(bot, clock, hours: float) -> list[str]:
    clock.set(START + timedelta(hours=hours))
    bot.nudges.run_due()
    with bot.db.session() as session:
        return [n.key for n in session.exec(select(Nudge).order_by(Nudge.due_at, Nudge.id))
                if n.status == "sent"]


def _reminder(bot, clock, slack, card, *, lapse: bool) -> dict:
    """Move to the first reminder (18 h, 75 % of the window) or to the deadline (24 h), send
    what is due, and return the reminder as it reaches the card's thread."""
    sent = _at(bot, clock, 24 if lapse else 18)
    assert sent[-1] == ("lapse" if lapse else "lead-0"), sent
    return _reply(slack, card, "*Window missed*" if lapse else "in 6 h")


def _reply(slack, card, text: str) -> dict:
    """The reminder in the card's thread containing `text`, once it is there."""
    return slack.wait_for(lambda: next((m for m in slack.thread(TRIAGE, card["ts"])
                                        if text in (m.get("text") or "")), None))


def _posted(slack, message: dict) -> dict:
    """The chat.postMessage parameters that made `message`."""
    return next(call.params for call in slack.calls_to("chat.postMessage")
                if call.response and call.response.get("ts") == message["ts"])


def _recipients(bot) -> list[str | None]:
    with bot.db.session() as session:
        return [n.recipient for n in session.exec(select(Nudge).where(Nudge.status == "sent"))]


def _case_dms(bot) -> list[OutboxMessage]:
    with bot.db.session() as session:
        return list(session.exec(select(OutboxMessage).where(OutboxMessage.kind == "case_dm")))


def test_with_an_empty_rotation_the_reminders_tell_the_channel(start_bot, slack, clock):
    """The shipped example's rotation: nobody on call, no lead, the default fallback."""
    bot, _driver, _case_id, card = _start(start_bot, slack)
    before = _reminder(bot, clock, slack, card, lapse=False)
    assert before["text"].startswith(f":hourglass_flowing_sand: <!here> {NOBODY}: the first "
                                     "response is due")
    # @here in a thread reply alone may reach only the thread: it is shown in the channel too.
    assert _posted(slack, before)["reply_broadcast"] is True

    lapse = _reminder(bot, clock, slack, card, lapse=True)
    assert f"<!here> {NOBODY}, please pick this up." in lapse["text"]
    assert _posted(slack, lapse)["reply_broadcast"] is True
    # With nobody to write to, the channel mention is the alert: no DM was even planned.
    assert _case_dms(bot) == [] and slack.calls_to("conversations.open") == []
    assert _recipients(bot) == ["@here", "@here"]


def test_a_user_group_fallback_is_mentioned_instead_of_here(start_bot, slack, clock):
    bot, _driver, _case_id, card = _start(start_bot, slack, fallback="S0PXDESK")
    lapse = _reminder(bot, clock, slack, card, lapse=True)
    assert f"<!subteam^S0PXDESK> {NOBODY}, please pick this up." in lapse["text"]
    assert "<!here>" not in lapse["text"]
    assert "reply_broadcast" not in _posted(slack, lapse)  # a group mention notifies its members
    assert _case_dms(bot) == []
    assert set(_recipients(bot)) == {"S0PXDESK"}


def test_with_nobody_on_call_the_lead_is_told_and_messaged(start_bot, slack, clock):
    bot, _driver, case_id, card = _start(start_bot, slack, lead=PAT)
    before = _reminder(bot, clock, slack, card, lapse=False)
    assert before["text"].startswith(f":hourglass_flowing_sand: <@{PAT}> (the rotation's lead: "
                                     "nobody holds this case and nobody is on call): ")
    assert "reply_broadcast" not in _posted(slack, before)

    _reminder(bot, clock, slack, card, lapse=True)
    dm = slack.wait_for(lambda: slack.dms(PAT))[0]
    assert "the first response was due" in dm["text"] and f"(case #{case_id})" in dm["text"]
    assert "it comes to you as the rotation's lead" in dm["text"]
    # From the third reminder on the lead is named as the lead; not twice when it is them.
    for hour in (25, 26, 27):
        _at(bot, clock, hour)
    third = _reply(slack, card, "(reminder 3)")
    assert third["text"].count(f"<@{PAT}>") == 1
    assert set(_recipients(bot)) == {PAT}


def test_with_a_rotation_the_person_on_call_is_told_and_messaged(start_bot, slack, clock):
    bot, _driver, case_id, card = _start(start_bot, slack, members=[SAM, LEE], lead=PAT)
    assert bot.oncall.on_call() == SAM
    before = _reminder(bot, clock, slack, card, lapse=False)
    assert before["text"].startswith(f":hourglass_flowing_sand: <@{SAM}>: the first response")

    _reminder(bot, clock, slack, card, lapse=True)
    dm = slack.wait_for(lambda: slack.dms(SAM))[0]
    assert "the first response was due" in dm["text"] and f"(case #{case_id})" in dm["text"]
    assert "You are on call: https://" in dm["text"]
    assert slack.dms(PAT) == [] and slack.dms(LEE) == []
    assert set(_recipients(bot)) == {SAM}


def test_a_claimed_case_tells_its_claimant_whoever_is_on_call(start_bot, slack, clock):
    from bot.blocks.ids import ActionId

    bot, driver, case_id, card = _start(start_bot, slack, members=[SAM, LEE])
    driver.click(MARIA, card, ActionId.CLAIM, TRIAGE)
    driver.card_showing(case_id, TRIAGE, "Claimed by")
    lapse = _reminder(bot, clock, slack, card, lapse=True)
    dm = slack.wait_for(lambda: slack.dms(MARIA))[0]
    assert "You hold this case: https://" in dm["text"]
    assert f"<@{MARIA}>, please pick this up." in lapse["text"]
    assert slack.dms(SAM) == []
    assert set(_recipients(bot)) == {MARIA}
