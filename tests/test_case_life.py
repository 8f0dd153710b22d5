"""A case's working life: the urgency chosen at escalation is PX's deadline, a case answered in
public is done and leaves the lists, and it comes back on the same card when its reviewer
writes again or someone presses Reopen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.blocks.ids import ActionId, BlockId, CallbackId, InputId
from bot.config import parse_config
from bot.core.cases import Action, WindowKind
from storage.models import CaseWindow, Nudge
from testing.driver import action_ids, block_text, review
from testing.workspace import MARIA, PAT, PX_NORTH, SAM, TRIAGE, config_data
from twin.interactions import plain_text_value, static_select_value

ON_SITE = "I'm sitting in your ER right now and nobody has checked on us for three hours."
RISK = "The surgeon left a sponge inside my mother. We are talking to a malpractice lawyer."
REPLY = "Thank you for telling us, Dana. Please call 555-0101 so we can talk privately."


def _escalate(driver, user, case_id, urgency, *, site="north", note=None) -> dict:
    card = driver.card(case_id, TRIAGE)
    view = driver.open_view(user, card, ActionId.ESCALATE, TRIAGE, CallbackId.ESCALATE)
    values = {BlockId.SITE: {InputId.SITE: static_select_value(site)},
              BlockId.URGENCY: {InputId.URGENCY: static_select_value(urgency)}}
    if note:
        values[BlockId.NOTE] = {InputId.NOTE: plain_text_value(note)}
    before = _escalations(driver, case_id)
    status, body = driver.submit(user, view, values)
    assert status == 200
    if not body:  # accepted: the bot acks first and escalates after, so wait for it
        driver.slack.wait_for(lambda: _escalations(driver, case_id) > before,
                              what=f"case {case_id} escalated")
    return body


def _escalations(driver, case_id) -> int:
    return [action for action, _ in driver.events(case_id)].count(Action.ESCALATE)


def _windows(bot, case_id, kind) -> list[CaseWindow]:
    with bot.db.session() as session:
        return list(session.exec(select(CaseWindow).where(
            CaseWindow.case_id == case_id, CaseWindow.kind == kind).order_by(CaseWindow.round)))


def _pending_nudges(bot, window_id) -> list[tuple[str, float]]:
    with bot.db.session() as session:
        rows = session.exec(select(Nudge).where(Nudge.window_id == window_id,
                                                Nudge.status == "pending")
                            .order_by(Nudge.due_at)).all()
        return [(n.key, n.due_at.timestamp()) for n in rows]


def _date_of(moment) -> str:
    return f"<!date^{int(moment.timestamp())}^"


def _urgency_chosen(view) -> str:
    block = next(b for b in view["blocks"] if b.get("block_id") == BlockId.URGENCY)
    return block["element"]["initial_option"]["value"]


# ---- 1. urgency sets the deadline ---------------------------------------------------------


@pytest.mark.parametrize(("urgency", "hours"), [("urgent", 4), ("soon", 24), ("routine", 72)])
def test_the_urgency_chosen_is_the_px_follow_up_deadline(driver, bot, clock, urgency, hours):
    case_id = driver.new_case()
    assert _escalate(driver, MARIA, case_id, urgency) == {}
    due = clock.now() + timedelta(hours=hours)

    px = driver.card(case_id, PX_NORTH)
    assert f"Follow up by {_date_of(due)}" in block_text(px)
    card = driver.card_showing(case_id, TRIAGE, "Escalated to PX")
    driver.thread_with(TRIAGE, card, f"PX follow-up due {_date_of(due)}")
    [window] = _windows(bot, case_id, WindowKind.PX_FOLLOWUP)
    assert window.due_at == due
    # the reminders are planned on that window: 75 % of it, 1 h before, the deadline
    assert _pending_nudges(bot, window.id)[-1] == ("lapse", due.timestamp())


def test_urgent_reaches_its_reminders_and_the_miss_the_same_day(driver, bot, clock, slack):
    case_id = driver.new_case(text=RISK)
    _escalate(driver, MARIA, case_id, "urgent")
    px = driver.card(case_id, PX_NORTH)
    clock.advance(timedelta(hours=3))  # 75 % of 4 h
    bot.nudges.run_due()
    slack.wait_for(lambda: any("in 1 h" in (m.get("text") or "")
                               for m in slack.thread(PX_NORTH, px["ts"])))
    clock.advance(timedelta(hours=1))
    bot.nudges.run_due()
    slack.wait_for(lambda: any("*Window missed*" in (m.get("text") or "")
                               for m in slack.thread(PX_NORTH, px["ts"])))
    driver.card_showing(case_id, PX_NORTH, "*Window missed*")


def test_the_lengths_per_urgency_come_from_the_config(start_bot, slack, clock):
    from testing.driver import Driver
    from testing.workspace import INTAKE_TOKEN, SIGNING_SECRET

    data = config_data()
    data["windows"]["px_urgency"] = {"urgent": "6h", "soon": "12h"}
    bot = start_bot(config=parse_config(data))
    driver = Driver(bot, slack, signing_secret=SIGNING_SECRET, intake_token=INTAKE_TOKEN)
    case_id = driver.new_case()
    _escalate(driver, MARIA, case_id, "soon")
    due = clock.now() + timedelta(hours=12)
    assert f"Follow up by {_date_of(due)}" in block_text(driver.card(case_id, PX_NORTH))


def test_a_soon_or_urgent_window_is_never_longer_than_routine():
    data = config_data()
    data["windows"]["px_followup"] = "8h"
    windows = parse_config(data).windows
    assert windows.px_followup_for("soon") == timedelta(hours=8)
    assert windows.px_followup_for("urgent") == timedelta(hours=4)
    assert windows.px_followup_for("routine") == timedelta(hours=8)


@pytest.mark.parametrize("text", [ON_SITE, RISK])
def test_on_site_and_risk_cases_open_escalate_with_urgent_chosen(driver, text):
    case_id = driver.new_case(text=text)
    card = driver.card(case_id, TRIAGE)
    view = driver.open_view(MARIA, card, ActionId.ESCALATE, TRIAGE, CallbackId.ESCALATE)
    assert _urgency_chosen(view) == "urgent"


def test_an_ordinary_case_opens_escalate_with_routine_chosen(driver):
    case_id = driver.new_case()
    view = driver.open_view(MARIA, driver.card(case_id, TRIAGE), ActionId.ESCALATE, TRIAGE,
                            CallbackId.ESCALATE)
    assert _urgency_chosen(view) == "routine"
    assert ":warning:" not in block_text(view)


def test_a_risk_case_downgraded_below_urgent_is_warned_about_and_allowed(driver, slack):
    """The lawyer/malpractice case taken down to Routine: the modal says why Urgent is
    chosen, the change is still made, and the case's history (and PX's thread, once PX has
    it) says it went below Urgent."""
    case_id = driver.new_case(text=RISK)
    view = driver.open_view(MARIA, driver.card(case_id, TRIAGE), ActionId.ESCALATE, TRIAGE,
                            CallbackId.ESCALATE)
    assert _urgency_chosen(view) == "urgent"
    assert (":warning: *Urgent — today* is suggested because the review has risk language "
            "(mentions “left a sponge”). A lower urgency gives PX longer; it is allowed, "
            "and noted on the case and on PX's card.") in block_text(view)
    assert _escalate(driver, MARIA, case_id, "routine") == {}  # a warning, not a refusal
    card = driver.card_showing(case_id, TRIAGE, "Escalated to PX")
    driver.thread_with(TRIAGE, card, ":warning: Below *Urgent* although the review has risk "
                                     "language (mentions “left a sponge”).")
    # PX's card says so too, not only "Routine" (a second first morning)
    driver.card_showing(case_id, PX_NORTH, ":warning: Below *Urgent* although the review has "
                                           "risk language (mentions “left a sponge”).")
    # PX has it now: a change of urgency shows the modal's warning again, and goes to PX too.
    view = driver.open_view(MARIA, driver.card(case_id, TRIAGE), ActionId.ESCALATE, TRIAGE,
                            CallbackId.ESCALATE)
    assert _urgency_chosen(view) == "routine" and ":warning: *Urgent — today*" in \
        block_text(view)
    _escalate(driver, MARIA, case_id, "soon")
    px = driver.card(case_id, PX_NORTH)
    slack.wait_for(lambda: any("changed the urgency to *Soon — within a day*" in m["text"]
                               and "Below *Urgent* although" in m["text"]
                               for m in slack.thread(PX_NORTH, px["ts"])))
    _escalate(driver, MARIA, case_id, "urgent")
    lines = slack.wait_for(lambda: [m["text"] for m in slack.thread(PX_NORTH, px["ts"])
                                    if "changed the urgency to *Urgent" in m["text"]])
    assert "Below *Urgent*" not in lines[-1]
    px = driver.card(case_id, PX_NORTH, lambda m: "Urgent — today" in block_text(m))
    assert "Below *Urgent*" not in block_text(px)
    assert [event.details.get("below_urgent") for event in driver.bot.desk.history(case_id)
            if event.action == "escalated"] == [["risk"], ["risk"], None]


def test_someone_on_site_escalated_below_urgent_is_noted(driver):
    case_id = driver.new_case(text=ON_SITE)
    _escalate(driver, MARIA, case_id, "soon")
    card = driver.card_showing(case_id, TRIAGE, "Escalated to PX")
    driver.thread_with(TRIAGE, card, ":warning: Below *Urgent* although the reviewer is on "
                                     "site now (on site now: “")


def test_escalating_again_with_another_urgency_moves_the_deadline(driver, bot, clock, slack):
    case_id = driver.new_case()
    _escalate(driver, MARIA, case_id, "routine")
    px = driver.card(case_id, PX_NORTH)
    [routine] = _windows(bot, case_id, WindowKind.PX_FOLLOWUP)

    clock.advance(timedelta(hours=1))
    card = driver.card_showing(case_id, TRIAGE, "Escalated to PX (North campus, Routine)")
    view = driver.open_view(SAM, card, ActionId.ESCALATE, TRIAGE, CallbackId.ESCALATE)
    assert "already has this case" in block_text(view)
    assert _urgency_chosen(view) == "routine"  # what it has now
    driver.submit(SAM, view, {
        BlockId.SITE: {InputId.SITE: static_select_value("north")},
        BlockId.URGENCY: {InputId.URGENCY: static_select_value("urgent")},
        BlockId.NOTE: {InputId.NOTE: plain_text_value("The family called the switchboard.")},
    })
    due = clock.now() + timedelta(hours=4)

    px = driver.card_showing(case_id, PX_NORTH, f"Follow up by {_date_of(due)}")
    text = block_text(px)
    assert "*Urgent — today*" in text and "The family called the switchboard." in text
    line = next(t for t in driver.thread_with(PX_NORTH, px, "changed the urgency")
                if "changed the urgency" in t)
    assert "*Urgent — today* (was Routine)" in line
    [window] = _windows(bot, case_id, WindowKind.PX_FOLLOWUP)
    assert window.id == routine.id and window.due_at == due  # moved, not a second window
    assert [key for key, _ in _pending_nudges(bot, window.id)][-1] == "lapse"
    assert _pending_nudges(bot, window.id)[-1][1] == due.timestamp()
    assert [a for a, _ in driver.events(case_id)].count(Action.ESCALATE) == 2
    assert len([m for m in slack.messages(PX_NORTH) if m.get("blocks")]) == 1  # one PX card


def test_escalating_again_after_the_deadline_passed_keeps_the_miss(driver, bot, clock):
    case_id = driver.new_case()
    _escalate(driver, MARIA, case_id, "urgent")
    clock.advance(timedelta(hours=5))
    bot.nudges.run_due()
    driver.card_showing(case_id, PX_NORTH, "*Window missed*")
    _escalate(driver, MARIA, case_id, "soon")
    driver.card_showing(case_id, PX_NORTH, "Follow up by")
    missed, fresh = _windows(bot, case_id, WindowKind.PX_FOLLOWUP)
    assert missed.met_at is None and missed.due_at < clock.now()  # still counts as missed
    assert fresh.round == 1 and fresh.due_at == clock.now() + timedelta(hours=24)


def test_escalating_again_to_another_site_is_answered_in_the_modal(driver, slack):
    case_id = driver.new_case()
    _escalate(driver, MARIA, case_id, "routine")
    driver.card(case_id, PX_NORTH)
    body = _escalate(driver, MARIA, case_id, "urgent", site="south")
    assert body["response_action"] == "errors"
    assert "North campus's Patient Experience team" in body["errors"][BlockId.SITE]


def test_escalating_again_after_px_contact_is_refused(driver):
    case_id = driver.new_case()
    _escalate(driver, MARIA, case_id, "routine")
    px = driver.card(case_id, PX_NORTH)
    driver.click(PAT, px, ActionId.PX_CONTACTED, PX_NORTH)
    card = driver.card_showing(case_id, TRIAGE, "Reviewer contacted")
    driver.click(SAM, card, ActionId.ESCALATE, TRIAGE)
    driver.ephemeral_for(SAM, "already marked the reviewer as contacted")


# ---- 3. a case's work ends ------------------------------------------------------------------


def test_a_public_reply_makes_the_case_done_and_it_leaves_the_lists(driver, slack):
    case_id = driver.new_case()
    other = driver.new_case(external_id="g-2", author="Lee R.")
    driver.click(MARIA, driver.card(case_id, TRIAGE), ActionId.CLAIM, TRIAGE)
    driver.card_showing(case_id, TRIAGE, "Claimed by")

    card = driver.reply_by_hand(MARIA, case_id, REPLY, TRIAGE)

    text = block_text(card)
    assert "*Done*: answered in public" in text and f"Responded by <@{MARIA}>" in text
    assert ">Waited five hours in the ER" in text  # the review stays readable
    assert action_ids(card) == [ActionId.RESPOND, ActionId.ESCALATE, ActionId.REOPEN,
                                ActionId.OPEN_REVIEW, ActionId.CASE_MORE]
    driver.thread_with(TRIAGE, card, "Done: answered in public")
    assert (Action.DONE, MARIA) in driver.events(case_id)

    answers = []
    for verb in ("open", "mine"):  # one at a time: two answers in flight may come either way
        driver.command(MARIA, verb, TRIAGE)
        answers.append(slack.wait_for(
            lambda: (found := slack.ephemerals_for(MARIA)) and len(found) > len(answers)
            and found)[-1])
    open_answer, mine_answer = (block_text(a) for a in answers)
    assert f"#{other}" in open_answer and f"#{case_id}" not in open_answer
    assert f"#{case_id}" not in mine_answer


def test_an_escalated_case_is_done_when_px_resolves(driver, slack):
    case_id = driver.new_case()
    _escalate(driver, MARIA, case_id, "soon")
    driver.card(case_id, PX_NORTH)
    card = driver.card(case_id, TRIAGE)
    view = driver.open_view(MARIA, card, ActionId.RESPOND, TRIAGE, CallbackId.RESPOND)
    block = next(b for b in view["blocks"] if b["block_id"].startswith(BlockId.REPLY))
    driver.submit(MARIA, view, {block["block_id"]: {InputId.REPLY: plain_text_value(REPLY)}})
    driver.submit(MARIA, slack.view(view["id"]), {})
    card = driver.card_showing(case_id, TRIAGE, f"Responded by <@{MARIA}>")
    assert "*Done*" not in block_text(card)  # PX still has it
    assert Action.DONE not in [a for a, _ in driver.events(case_id)]

    driver.resolve(PAT, case_id, "declined", PX_NORTH)
    driver.card_showing(case_id, TRIAGE, f"Resolved by <@{PAT}>")


def test_escalating_a_done_case_opens_it_for_px(driver):
    case_id = driver.new_case()
    card = driver.reply_by_hand(MARIA, case_id, REPLY, TRIAGE)  # her reply made it hers
    view = driver.open_view(MARIA, card, ActionId.ESCALATE, TRIAGE, CallbackId.ESCALATE)
    driver.submit(MARIA, view, {BlockId.SITE: {InputId.SITE: static_select_value("north")},
                              BlockId.URGENCY: {InputId.URGENCY: static_select_value("soon")}})
    driver.card(case_id, PX_NORTH)
    card = driver.card_showing(case_id, TRIAGE, "Escalated to PX (North campus, Soon")
    assert "*Done*" not in block_text(card) and ActionId.PX_RESOLVE not in action_ids(card)


def test_the_reviewer_writing_again_brings_the_case_back_on_the_same_card(driver, slack, clock):
    case_id = driver.new_case(source="facebook", external_id="fb-1", rating=None,
                              text="Waited five hours in the ER and nobody told us anything.")
    driver.reply_by_hand(MARIA, case_id, REPLY, TRIAGE)
    cards_before = [m for m in slack.messages(TRIAGE) if m.get("blocks")]
    clock.advance(timedelta(hours=2))

    status, body = driver.post_reviews(review(
        source="facebook", external_id="fb-2", rating=None,
        text="Still nobody has called me back about my father. Rude staff and an awful, dirty "
             "ER. Worst hospital ever."))
    assert status == 200
    assert body["items"][0]["case_id"] == case_id  # the same case, no new one

    card = driver.card_showing(case_id, TRIAGE, "The reviewer wrote again")
    text = block_text(card)
    assert ">Still nobody has called me back about my father." in text
    assert ">Waited five hours in the ER" in text  # the first words stay
    due = clock.now() + timedelta(hours=24)
    assert f"Respond by {_date_of(due)}" in text
    assert ActionId.RESPOND in action_ids(card) and "*Done*" not in text
    driver.thread_with(TRIAGE, card, "The reviewer wrote again")
    assert len([m for m in slack.messages(TRIAGE) if m.get("blocks")]) == len(cards_before)
    assert (Action.WROTE_AGAIN, "system") in driver.events(case_id)
    # The card stays where it was, days up the channel: its thread line is also sent to the
    # channel, so the case shows at the bottom, with a link to its card (Slack's "also send
    # to the channel").
    (back,) = [c.params for c in slack.calls_to("chat.postMessage")
               if "The reviewer wrote again" in c.params.get("text", "")]
    assert back["thread_ts"] == card["ts"] and back["reply_broadcast"] in (True, "true", "1")

    # the reply now answers the newer words, and the case is done again
    driver.reply_by_hand(MARIA, case_id, REPLY, TRIAGE)
    assert [a for a, _ in driver.events(case_id)].count(Action.DONE) == 2


def test_someone_else_writing_on_the_same_source_opens_a_case_of_their_own(driver):
    case_id = driver.new_case(source="facebook", external_id="fb-1", rating=None,
                              text="Waited five hours in the ER and nobody told us anything.")
    driver.reply_by_hand(MARIA, case_id, REPLY, TRIAGE)
    other = driver.new_case(source="facebook", external_id="fb-2", rating=1, author="Lee R.")
    assert other != case_id


def test_an_edit_that_is_still_a_complaint_brings_it_back_and_a_happy_edit_does_not(
        driver, slack, clock):
    case_id = driver.new_case()
    driver.reply_by_hand(MARIA, case_id, REPLY, TRIAGE)

    status, _ = driver.post_reviews(review(rating=4, text="They called me and sorted it out."))
    assert status == 200
    card = driver.card_showing(case_id, TRIAGE, "They called me and sorted it out.")
    assert "*Done*" in block_text(card)  # a kinder review is no reason to reopen

    clock.advance(timedelta(hours=1))
    driver.post_reviews(review(rating=1, text="Nobody called back after all. Terrible."))
    card = driver.card_showing(case_id, TRIAGE, "Nobody called back after all.")
    assert "*Done*" not in block_text(card) and "Respond by" in block_text(card)
    driver.thread_with(TRIAGE, card, "The case is open again: respond by")
    # Only the edit that brought it back is also sent to the channel.
    edits = [c.params for c in slack.calls_to("chat.postMessage")
             if "The reviewer edited this review" in c.params.get("text", "")]
    assert [bool(edit.get("reply_broadcast")) for edit in edits] == [False, True]


def test_reopen_of_a_done_case_gives_it_a_new_response_window(driver, bot, clock):
    case_id = driver.new_case(text=ON_SITE)
    driver.reply_by_hand(MARIA, case_id, REPLY, TRIAGE, done=False)
    driver.log_outcome(SAM, case_id, "patient_contacted", TRIAGE)
    card = driver.card_showing(case_id, TRIAGE, "*Done*: answered in public")
    clock.advance(timedelta(minutes=30))
    driver.click(SAM, card, ActionId.REOPEN, TRIAGE)
    due = clock.now() + timedelta(hours=2)  # on site now: the urgent window again
    card = driver.card_showing(case_id, TRIAGE, f"Respond by {_date_of(due)}")
    driver.thread_with(TRIAGE, card, "reopened this case (it was done)")
    first, second = _windows(bot, case_id, WindowKind.URGENT)
    assert first.met_at is not None and second.round == 1 and second.met_at is None




def test_a_review_by_the_same_name_long_after_opens_a_case_of_its_own(driver, clock):
    case_id = driver.new_case(source="facebook", external_id="fb-1", rating=1)
    driver.reply_by_hand(MARIA, case_id, REPLY, TRIAGE)
    clock.advance(timedelta(days=31))  # [windows] comes_back_within is 30 days
    assert driver.new_case(source="facebook", external_id="fb-2", rating=1) != case_id
