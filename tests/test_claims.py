"""A claim means something (issue 17): someone other than the claimant pressing Respond,
Escalate, Hide or Ignore is told who holds the case and offered Take over and continue or
Cancel; a modal submitted after someone else came to hold the case says so in the modal and
records nothing until submitted again; a public reply on an unclaimed case claims it once it is
posted (or marked posted), and a reply begun and cancelled leaves the case unclaimed."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from bot.blocks.ids import ActionId, BlockId, CallbackId, InputId
from bot.core.cases import Action, Refusal
from bot.desk.holding import claim_for_reply, make_way
from testing.driver import Driver, action_ids, block_text
from testing.workspace import LEE, MARIA, PAT, PX_NORTH, SAM, START, TRIAGE
from twin.interactions import plain_text_value, static_select_value

REPLY = ("Thank you for sharing this, Dana. We are sorry for the experience you describe. "
         "Please call our Patient Experience team at 555-0101 so we can talk privately.")


def _reply_block(view: dict) -> str:
    return next(b["block_id"] for b in view["blocks"]
                if b.get("block_id", "").startswith(f"{BlockId.REPLY}:"))


# What each card button opens, what its modal is submitted with, and the event it records.
ACTIONS = {
    "respond": (ActionId.RESPOND, CallbackId.RESPOND, "responded",
                lambda view: {_reply_block(view): {InputId.REPLY: plain_text_value(REPLY)}}),
    "escalate": (ActionId.ESCALATE, CallbackId.ESCALATE, "escalated",
                 lambda view: {
                     BlockId.SITE: {InputId.SITE: static_select_value("north")},
                     BlockId.URGENCY: {InputId.URGENCY: static_select_value("urgent")},
                     BlockId.NOTE: {InputId.NOTE: plain_text_value("Father of the patient")}}),
    "hide": (ActionId.HIDE, CallbackId.HIDE, "hidden",
             lambda view: {BlockId.REASON: {InputId.REASON: static_select_value("spam")},
                           BlockId.NOTE: {InputId.NOTE: plain_text_value("Same post 3 times")}}),
    "ignore": (ActionId.IGNORE, CallbackId.IGNORE, "ignored",
               lambda view: {BlockId.REASON: {InputId.REASON: static_select_value("troll")}}),
}


def claimed_by(driver: Driver, user: str) -> tuple[int, dict]:
    case_id = driver.new_case()
    assert driver.click(user, driver.card(case_id, TRIAGE), ActionId.CLAIM, TRIAGE) == 200
    return case_id, driver.card_showing(case_id, TRIAGE, f"Claimed by <@{user}>")


def offers(driver: Driver, user: str) -> list[dict]:
    return [e for e in driver.slack.ephemerals_for(user) if "holds this case" in e["text"]]


def press_and_get_offer(driver: Driver, user: str, card: dict, action_id: str) -> dict:
    before = len(offers(driver, user))
    assert driver.click(user, card, action_id, TRIAGE) == 200
    return driver.slack.wait_for(lambda: (found := offers(driver, user)) and
                                 len(found) > before and found[-1])


def finish(driver: Driver, user: str, view: dict, values: dict) -> None:
    """Submit a modal as the person would, through the Respond modal's second step too."""
    status, body = driver.submit(user, view, values)
    assert status == 200
    if view["callback_id"] == CallbackId.RESPOND:
        assert body["response_action"] == "update", body
        ready = driver.slack.view(view["id"])
        assert ready["callback_id"] == CallbackId.REPLY_READY
        status, body = driver.submit(user, ready, {})
    assert status == 200 and body == {}, body


def test_someone_else_pressing_any_of_the_four_is_told_who_holds_it_and_offered(driver, slack):
    case_id, card = claimed_by(driver, MARIA)

    for name, (action_id, _callback, event, _values) in ACTIONS.items():
        offer = press_and_get_offer(driver, SAM, card, action_id)
        text = offer["text"]
        assert text.startswith(f"<@{MARIA}> holds this case, claimed "
                               f"<!date^{int(START.timestamp())}^"), text  # when she did
        assert "{date_short_pretty} at {time}" in text  # shown in the reader's own time
        wanted = {"respond": "respond", "escalate": "escalate it", "hide": "hide it",
                  "ignore": "ignore it"}[name]
        assert f"Take it over from them to {wanted}, or cancel" in text
        assert action_ids(offer) == [ActionId.TAKE_OVER_AND_CONTINUE, ActionId.OFFER_CANCEL]
        buttons = offer["blocks"][-1]["elements"]
        assert buttons[0]["text"]["text"] == "Take over and continue"
        assert buttons[0]["value"] == f"{case_id}:{event}"
        assert buttons[1]["text"]["text"] == "Cancel"

    driver.settle()
    assert slack.opened_views() == []  # no modal for Sam
    assert driver.events(case_id) == [("opened", "system"), ("claimed", MARIA)]
    assert f"Claimed by <@{MARIA}>" in block_text(driver.card(case_id, TRIAGE))


@pytest.mark.parametrize("name", list(ACTIONS))
def test_take_over_and_continue_writes_the_thread_then_opens_the_modal_wanted(driver, slack,
                                                                           name):
    action_id, callback_id, event, values = ACTIONS[name]
    case_id, card = claimed_by(driver, MARIA)
    offer = press_and_get_offer(driver, SAM, card, action_id)

    view = driver.open_view(SAM, offer, ActionId.TAKE_OVER_AND_CONTINUE, TRIAGE, callback_id)
    assert view["user"] == SAM  # opened with the trigger of Sam's click on the offer
    assert "holds this case" not in block_text(view)  # Sam holds it now: nothing to warn of
    driver.card_showing(case_id, TRIAGE, f"Claimed by <@{SAM}>")
    driver.thread_with(TRIAGE, card, f"<@{SAM}> took this case over from <@{MARIA}>")
    slack.wait_for(lambda: not offers(driver, SAM))  # the offer went away
    deleted = slack.calls_to("response_url")
    assert [call.params.get("delete_original") for call in deleted] == [True]
    assert deleted[0].response == {"ok": True}

    finish(driver, SAM, view, values(view))
    slack.wait_for(lambda: (event, SAM) in driver.events(case_id))
    assert driver.events(case_id)[:4] == [("opened", "system"), ("claimed", MARIA),
                                          ("taken_over", SAM), (event, SAM)]


def test_cancel_takes_the_offer_away_and_changes_nothing(driver, slack):
    case_id, card = claimed_by(driver, MARIA)
    offer = press_and_get_offer(driver, SAM, card, ActionId.HIDE)

    assert driver.click(SAM, offer, ActionId.OFFER_CANCEL, TRIAGE) == 200
    slack.wait_for(lambda: not offers(driver, SAM))
    driver.settle()
    assert slack.opened_views() == []
    assert driver.events(case_id) == [("opened", "system"), ("claimed", MARIA)]
    assert not [line for line in driver.thread(TRIAGE, card) if f"<@{SAM}>" in line]
    assert f"Claimed by <@{MARIA}>" in block_text(driver.card(case_id, TRIAGE))


def test_a_double_click_on_take_over_and_continue_takes_over_once(driver, slack):
    case_id, card = claimed_by(driver, MARIA)
    offer = press_and_get_offer(driver, SAM, card, ActionId.IGNORE)

    statuses = []
    clicks = [threading.Thread(target=lambda: statuses.append(
        driver.click(SAM, offer, ActionId.TAKE_OVER_AND_CONTINUE, TRIAGE))) for _ in range(2)]
    for click in clicks:
        click.start()
    for click in clicks:
        click.join()
    assert statuses == [200, 200]
    driver.card_showing(case_id, TRIAGE, f"Claimed by <@{SAM}>")
    driver.settle()
    assert [e for e in driver.events(case_id) if e[0] == "taken_over"] == [("taken_over", SAM)]
    assert not [e for e in slack.ephemerals_for(SAM)
                if "already hold" in e["text"] or "went wrong" in e["text"]]
    assert {view["callback_id"] for view in slack.opened_views()} == {CallbackId.IGNORE}


@pytest.mark.parametrize("name", list(ACTIONS))
def test_a_modal_submitted_after_someone_else_claimed_says_so_and_records_nothing(
        driver, slack, name):
    action_id, callback_id, event, values = ACTIONS[name]
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)
    view = driver.open_view(SAM, card, action_id, TRIAGE, callback_id)  # unclaimed: opens
    entered = values(view)
    driver.click(MARIA, card, ActionId.CLAIM, TRIAGE)  # while Sam's modal is open
    driver.card_showing(case_id, TRIAGE, f"Claimed by <@{MARIA}>")

    status, body = driver.submit(SAM, view, entered)
    assert status == 200 and body["response_action"] == "update", body
    shown = slack.view(view["id"])
    assert shown["callback_id"] == callback_id
    notice = block_text(shown).splitlines()[0]
    submit = shown["submit"]["text"]
    assert notice.startswith(f":warning: <@{MARIA}> holds this case now, since "
                             f"<!date^{int(START.timestamp())}^")
    assert (f"so nothing was done. Press *{submit}* again to take it over from them and go "
            "on, or *Cancel* to leave it with them.") in notice
    _assert_entered_values_kept(name, shown)
    driver.settle()
    assert driver.events(case_id) == [("opened", "system"), ("claimed", MARIA)]
    assert not [line for line in driver.thread(TRIAGE, card) if f"<@{SAM}>" in line]

    # Submitting again takes the case over from Maria, then does what Sam meant to.
    finish(driver, SAM, shown, values(shown))
    slack.wait_for(lambda: (event, SAM) in driver.events(case_id))
    assert driver.events(case_id)[:4] == [("opened", "system"), ("claimed", MARIA),
                                          ("taken_over", SAM), (event, SAM)]
    driver.thread_with(TRIAGE, card, f"<@{SAM}> took this case over from <@{MARIA}>")


def _assert_entered_values_kept(name: str, view: dict) -> None:
    """The modal shown again keeps what the person entered, whatever Slack keeps itself."""
    inputs = {block["block_id"]: block["element"] for block in view["blocks"]
              if block["type"] == "input"}
    if name == "respond":
        assert inputs[_reply_block(view)]["initial_value"] == REPLY
    elif name == "escalate":
        assert inputs[BlockId.SITE]["initial_option"]["value"] == "north"
        assert inputs[BlockId.URGENCY]["initial_option"]["value"] == "urgent"
        assert inputs[BlockId.NOTE]["initial_value"] == "Father of the patient"
    elif name == "hide":
        assert inputs[BlockId.REASON]["initial_option"]["value"] == "spam"
        assert inputs[BlockId.NOTE]["initial_value"] == "Same post 3 times"
    else:
        assert inputs[BlockId.REASON]["initial_option"]["value"] == "troll"


def test_a_second_change_of_holder_is_told_again_not_taken_over_silently(driver, slack):
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)
    view = driver.open_view(SAM, card, ActionId.HIDE, TRIAGE, CallbackId.HIDE)
    values = {BlockId.REASON: {InputId.REASON: static_select_value("spam")}}
    driver.click(MARIA, card, ActionId.CLAIM, TRIAGE)
    driver.card_showing(case_id, TRIAGE, f"Claimed by <@{MARIA}>")
    driver.submit(SAM, view, values)
    told_maria = slack.view(view["id"])
    assert f"<@{MARIA}> holds this case now" in block_text(told_maria)

    # Lee takes it over from Maria before Sam submits again: Sam agreed to take it from
    # Maria, not from Lee, so he is told again.
    driver.click(LEE, driver.card(case_id, TRIAGE), ActionId.RELEASE, TRIAGE)  # not Lee's
    offer = driver.ephemeral_for(LEE, "only they can release it")
    driver.click(LEE, offer, ActionId.TAKE_OVER, TRIAGE)
    driver.card_showing(case_id, TRIAGE, f"Claimed by <@{LEE}>")
    status, body = driver.submit(SAM, told_maria, values)
    assert status == 200 and body["response_action"] == "update"
    told_lee = slack.view(view["id"])
    assert block_text(told_lee).startswith(f":warning: <@{LEE}> holds this case now")
    driver.settle()
    assert [e[0] for e in driver.events(case_id)] == ["opened", "claimed", "taken_over"]

    driver.submit(SAM, told_lee, values)
    driver.card_showing(case_id, TRIAGE, f"Hidden — spam — by <@{SAM}>")
    assert driver.events(case_id)[-2:] == [("taken_over", SAM), ("hidden", SAM)]
    driver.thread_with(TRIAGE, card, f"<@{SAM}> took this case over from <@{LEE}>")


def test_a_public_reply_on_an_unclaimed_case_claims_it_and_closing_one_does_not(driver,
                                                                                 slack):
    replied = driver.new_case(external_id="g-1")
    card = driver.card(replied, TRIAGE)
    view = driver.open_view(SAM, card, ActionId.RESPOND, TRIAGE, CallbackId.RESPOND)
    status, body = driver.submit(SAM, view, ACTIONS["respond"][3](view))
    assert status == 200 and body["response_action"] == "update"  # ready to copy and post
    driver.settle()  # Next is not posting: the case is nobody's yet
    assert driver.events(replied) == [("opened", "system")]
    assert "Claimed by" not in block_text(driver.card(replied, TRIAGE))
    driver.submit(SAM, slack.view(view["id"]), {})  # Mark as posted
    card = driver.card_showing(replied, TRIAGE, f"Responded by <@{SAM}>")
    driver.thread_with(TRIAGE, card, f"<@{SAM}> claimed this case")
    assert driver.events(replied) == [("opened", "system"), ("claimed", SAM),
                                      ("responded", SAM), ("done", SAM)]

    ignored = driver.new_case(external_id="g-2", author="Lee R.")  # not Dana writing again
    view = driver.open_view(SAM, driver.card(ignored, TRIAGE), ActionId.IGNORE, TRIAGE,
                            CallbackId.IGNORE)
    finish(driver, SAM, view, ACTIONS["ignore"][3](view))
    driver.card_showing(ignored, TRIAGE, f"Ignored — troll — by <@{SAM}>")
    assert driver.events(ignored) == [("opened", "system"), ("ignored", SAM)]


def test_the_claimants_own_presses_open_their_modals_as_before(driver, slack):
    case_id, card = claimed_by(driver, MARIA)
    for action_id, callback_id, _event, _values in ACTIONS.values():
        driver.open_view(MARIA, card, action_id, TRIAGE, callback_id)
    driver.settle()
    assert not offers(driver, MARIA)
    assert driver.events(case_id) == [("opened", "system"), ("claimed", MARIA)]


def test_im_on_it_on_a_reminder_still_takes_the_case_over(driver, slack, bot, clock):
    case_id, card = claimed_by(driver, MARIA)
    clock.set(START + timedelta(hours=18))  # 75 % of the 24 h window: Maria is reminded
    bot.nudges.run_due()
    nudge = slack.wait_for(lambda: [m for m in slack.thread(TRIAGE, card["ts"])
                                    if ActionId.NUDGE_ON_IT in action_ids(m)])[0]

    assert driver.click(SAM, nudge, ActionId.NUDGE_ON_IT, TRIAGE) == 200
    driver.card_showing(case_id, TRIAGE, f"Claimed by <@{SAM}>")
    driver.thread_with(TRIAGE, card, f"<@{SAM}> took this case over from <@{MARIA}>")
    driver.settle()
    assert not offers(driver, SAM)


def test_hide_on_source_ticked_is_kept_when_the_modal_says_who_holds_the_case():
    from bot.blocks.ids import ModalContext
    from bot.desk.holding import Holder
    from bot.replies.modals import hide_modal

    for ticked in (True, False):
        view = hide_modal(context_value=ModalContext(7, TRIAGE, taking_from=MARIA),
                          suggested="spam", on_source="Facebook", hide_there=ticked,
                          held=Holder(MARIA, START))
        box = next(b for b in view["blocks"] if b.get("block_id") == BlockId.HIDE_ON_SOURCE)
        assert bool(box["element"].get("initial_options")) is ticked
        assert ModalContext.load(view["private_metadata"]).taking_from == MARIA


def test_making_way_takes_over_only_from_the_holder_the_person_was_shown(driver):
    """What a submission does right before acting, when the holder changed after the modal
    looked (a race too narrow to drive through Slack's payloads)."""
    case_id, _card = claimed_by(driver, LEE)
    desk = driver.bot.desk

    with pytest.raises(Refusal) as refused:
        make_way(desk, case_id, SAM, Action.HIDE, taking_from=MARIA, request_key="k1")
    assert refused.value.reason == "held_by_other"
    assert refused.value.facts["claimant"] == LEE
    assert [e[0] for e in driver.events(case_id)] == ["opened", "claimed"]

    make_way(desk, case_id, SAM, Action.HIDE, taking_from=LEE, request_key="k2")
    make_way(desk, case_id, SAM, Action.HIDE, taking_from=LEE, request_key="k2")  # again
    assert driver.events(case_id) == [("opened", "system"), ("claimed", LEE),
                                      ("taken_over", SAM)]
    driver.settle()


def test_the_replys_claim_leaves_a_case_claimed_or_closed_meanwhile_alone(driver):
    """claim_for_reply runs once the reply is out, which nothing may stop."""
    desk = driver.bot.desk
    held, _card = claimed_by(driver, MARIA)
    claim_for_reply(desk, held, SAM, request_key="k1")
    hidden = driver.new_case(external_id="g-hidden")
    desk.hide(hidden, LEE, reason="spam", note=None)

    claim_for_reply(desk, hidden, SAM, request_key="k2")  # refused quietly: it is closed
    assert driver.events(held) == [("opened", "system"), ("claimed", MARIA)]
    assert driver.events(hidden) == [("opened", "system"), ("hidden", LEE)]
    driver.settle()


# ---- a PX follow-up someone else holds ----------------------------------------------------


def px_held_by(driver: Driver, user: str) -> tuple[int, dict]:
    """A case escalated to North campus's PX, its follow-up claimed by `user`."""
    case_id = driver.new_case()
    view = driver.open_view(MARIA, driver.card(case_id, TRIAGE), ActionId.ESCALATE, TRIAGE,
                            CallbackId.ESCALATE)
    finish(driver, MARIA, view, ACTIONS["escalate"][3](view))
    px = driver.card(case_id, PX_NORTH)
    assert driver.click(user, px, ActionId.PX_CLAIM, PX_NORTH) == 200
    return case_id, driver.card_showing(case_id, PX_NORTH, f"PX follow-up: <@{user}>")


def px_offer(driver: Driver, user: str, px: dict, action_id: str) -> dict:
    def found():
        return [e for e in driver.slack.ephemerals_for(user)
                if "holds this PX follow-up" in e["text"]]
    before = len(found())
    assert driver.click(user, px, action_id, PX_NORTH) == 200
    return driver.slack.wait_for(lambda: len(found()) > before and found()[-1])


def test_resolving_a_px_follow_up_someone_else_holds_asks_first_then_asks_the_outcome(driver,
                                                                                      slack):
    """A first morning: Pat pressed Resolve on a follow-up Robin had claimed; nothing asked
    whether to take it from Robin, nor what came of it, and the social team's card said
    "Resolved by @Pat". Resolve on a follow-up someone else holds asks, as the social team's
    buttons do; Take over and continue writes the take-over in the PX thread, then the
    Resolve modal asks what came of it."""
    case_id, px = px_held_by(driver, PAT)
    opened = len(slack.opened_views())
    before = driver.events(case_id)
    offer = px_offer(driver, SAM, px, ActionId.PX_RESOLVE)
    assert offer["text"].startswith(f"<@{PAT}> holds this PX follow-up, claimed <!date^")
    assert "Take it over from them to resolve it, or cancel" in offer["text"]
    assert action_ids(offer) == [ActionId.TAKE_OVER_AND_CONTINUE, ActionId.OFFER_CANCEL]
    assert offer["blocks"][-1]["elements"][0]["value"] == f"{case_id}:resolved"
    driver.settle()
    assert slack.opened_views()[opened:] == []  # nothing opened, nothing done
    assert driver.events(case_id) == before

    view = driver.open_view(SAM, offer, ActionId.TAKE_OVER_AND_CONTINUE, PX_NORTH,
                            CallbackId.RESOLVE)
    px = driver.card_showing(case_id, PX_NORTH, f"PX follow-up: <@{SAM}>")
    driver.thread_with(PX_NORTH, px, f"<@{SAM}> (Patient Experience) took the follow-up over "
                                     f"from <@{PAT}>")
    assert "holds this" not in block_text(view)  # Sam holds it now
    status, body = driver.submit(SAM, view, {})  # no outcome: asked for
    assert status == 200 and body["response_action"] == "errors"
    assert BlockId.OUTCOME in body["errors"]
    status, body = driver.submit(SAM, view, {
        BlockId.OUTCOME: {InputId.OUTCOME: static_select_value("declined")},
        BlockId.NOTE: {InputId.NOTE: plain_text_value("Did not want a call")}})
    assert status == 200 and body == {}
    card = driver.card_showing(case_id, TRIAGE, f"Resolved by <@{SAM}>")
    assert f"Resolved by <@{SAM}> — Declined" in block_text(card)  # collapsed, with it
    driver.card_showing(case_id, PX_NORTH, "Outcome: *Declined*")
    driver.thread_with(PX_NORTH, px, f"<@{SAM}> resolved this case: *Declined*.")
    assert driver.events(case_id)[-3:] == [("px_claimed", PAT), ("px_taken_over", SAM),
                                           ("resolved", SAM)]


def test_marking_contacted_a_px_follow_up_someone_else_holds_asks_first(driver, slack):
    case_id, px = px_held_by(driver, PAT)
    offer = px_offer(driver, SAM, px, ActionId.PX_CONTACTED)
    assert "Take it over from them to mark the reviewer contacted, or cancel" in offer["text"]
    assert driver.click(SAM, offer, ActionId.OFFER_CANCEL, PX_NORTH) == 200
    driver.settle()
    assert [e[0] for e in driver.events(case_id)][-1] == "px_claimed"  # Cancel: nothing

    offer = px_offer(driver, SAM, px, ActionId.PX_CONTACTED)
    assert driver.click(SAM, offer, ActionId.TAKE_OVER_AND_CONTINUE, PX_NORTH) == 200
    driver.card_showing(case_id, PX_NORTH, f"Reviewer contacted by <@{SAM}>")
    assert driver.events(case_id)[-3:] == [("px_claimed", PAT), ("px_taken_over", SAM),
                                           ("px_contacted", SAM)]


def test_a_resolve_submitted_after_someone_claimed_the_follow_up_says_so(driver, slack):
    case_id, _px = px_held_by(driver, PAT)
    driver.bot.desk.px_take_over(case_id, LEE)  # Lee holds it and opens Resolve
    view = driver.open_view(LEE, driver.card(case_id, PX_NORTH), ActionId.PX_RESOLVE, PX_NORTH,
                            CallbackId.RESOLVE)
    driver.bot.desk.px_take_over(case_id, PAT)  # …and Pat takes it back meanwhile
    values = {BlockId.OUTCOME: {InputId.OUTCOME: static_select_value("no_reply")}}
    status, body = driver.submit(LEE, view, values)
    assert status == 200 and body["response_action"] == "update"
    shown = slack.view(view["id"])
    assert f"<@{PAT}> holds this PX follow-up now" in block_text(shown)
    assert "resolved" not in [e[0] for e in driver.events(case_id)]
    status, body = driver.submit(LEE, shown, values)  # again: take it over and resolve
    assert status == 200 and body == {}
    slack.wait_for(lambda: ("resolved", LEE) in driver.events(case_id))
    assert driver.events(case_id)[-2:] == [("px_taken_over", LEE), ("resolved", LEE)]
