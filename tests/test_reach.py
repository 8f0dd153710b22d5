"""An on-site-now or escalated case reaches someone who can act on it: PX follow-ups remind and
message the site's PX contacts (not the social on-call person), someone on site now is a DM to
who can find them, such a case stays open until someone has reached the reviewer, an urgent
escalation of it is no slower than its own urgent window, and a night of misses is one DM a
person, with repeats that slow down and tell the rotation's lead once. Driven over signed HTTP
against the Slack twin; time is a ManualClock and `run_due()` is what the scheduler calls."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.blocks.ids import ActionId, BlockId, CallbackId, InputId
from bot.config import ConfigError, parse_config
from bot.core.cases import Action, Status
from storage.models import Case, CaseWindow, Nudge
from testing.driver import Driver, block_text, review
from testing.workspace import (
    INTAKE_TOKEN,
    LEE,
    MARIA,
    PAT,
    PX_NORTH,
    PX_SOUTH,
    SAM,
    SIGNING_SECRET,
    START,
    TRIAGE,
    config_data,
)
from twin.interactions import static_select_value

ROBIN, JO, ONSITE = "U0ROBIN", "U0JO", "U0ONSITE"
GURNEY = ("My mother has been on a gurney in your hallway since last night. "
          "Is anyone going to help her?")
CHEST_PAIN = "My dad has chest pain and we are in your ER waiting room right now. Nobody comes."
RISK = "The surgeon left a sponge inside my mother. We are talking to a malpractice lawyer."
REPLY = "Thank you for telling us. Please call 555-0101 so we can talk privately."


def _config(south_px_contacts=(JO,), **overrides):
    """North: PX contacts Pat and Robin, on-site contact Onsite. South: PX contact Jo, no on-site
    contact. Sam on call, Lee the rotation's lead; roles set, so only PX staff (with each
    site's contacts) may take PX follow-ups."""
    data = config_data(rotation={"members": [SAM], "lead": LEE},
                       roles={"social_team": [MARIA, SAM], "px_staff": [PAT]}, **overrides)
    data["sites"][0].update(px_contacts=[PAT, ROBIN], on_site_contact=ONSITE)
    data["sites"][1].update(px_contacts=list(south_px_contacts))
    return parse_config(data)


@pytest.fixture
def desk(start_bot, slack) -> Driver:
    for user, name in ((ROBIN, "robin"), (JO, "jo"), (ONSITE, "onsite")):
        slack.add_user(user, name)
    bot = start_bot(config=_config())
    return Driver(bot, slack, signing_secret=SIGNING_SECRET, intake_token=INTAKE_TOKEN)


def _at(driver: Driver, clock, hours: float) -> None:
    """Move to `hours` after the test's start, send what is due, and wait for it to go out."""
    clock.set(START + timedelta(hours=hours))
    driver.bot.nudges.run_due()
    driver.settle()


def _escalate(driver: Driver, user: str, case_id: int, urgency: str, site: str) -> None:
    card = driver.card(case_id, TRIAGE)
    view = driver.open_view(user, card, ActionId.ESCALATE, TRIAGE, CallbackId.ESCALATE)
    status, body = driver.submit(user, view, {
        BlockId.SITE: {InputId.SITE: static_select_value(site)},
        BlockId.URGENCY: {InputId.URGENCY: static_select_value(urgency)}})
    assert status == 200 and body == {}, body


def _thread(slack, channel: str, card: dict) -> list[str]:
    return [m.get("text") or "" for m in slack.thread(channel, card["ts"])]


def _dm_texts(slack, user: str) -> list[str]:
    return [m.get("text") or "" for m in slack.dms(user)]


def _case(driver: Driver, case_id: int) -> Case:
    with driver.bot.db.session() as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case


def _px_window(driver: Driver, case_id: int) -> CaseWindow:
    with driver.bot.db.session() as session:
        return session.exec(select(CaseWindow).where(
            CaseWindow.case_id == case_id, CaseWindow.kind == "px_followup")).one()


# ---- 1. a PX follow-up reminds PX, not the social on-call person ---------------------------


def test_px_follow_up_reminds_and_messages_every_px_contact_not_the_on_call(desk, slack, clock):
    case_id = desk.new_case(text="The nurse was rude to my father and nobody apologised.")
    _escalate(desk, MARIA, case_id, "urgent", "north")  # 4 h
    px = desk.card(case_id, PX_NORTH)
    assert f"PX contacts: <@{PAT}>, <@{ROBIN}>" in block_text(px)

    _at(desk, clock, 3)  # 75 % of the window
    [before] = _thread(slack, PX_NORTH, px)
    assert before.startswith(f":hourglass_flowing_sand: <@{PAT}>, <@{ROBIN}> (PX contacts: "
                             "nobody has claimed the follow-up): the PX follow-up is due")
    assert f"<@{SAM}>" not in before

    _at(desk, clock, 4)  # the deadline
    lapse = next(t for t in _thread(slack, PX_NORTH, px) if "*Window missed*" in t)
    assert f"<@{PAT}>, <@{ROBIN}> (PX contacts: nobody has claimed the follow-up), please " \
           "pick this up." in lapse
    for person in (PAT, ROBIN):
        [dm] = _dm_texts(slack, person)
        assert dm.startswith(":red_circle: *Missed:* North campus · Google ★☆☆☆☆ · “The nurse")
        assert "the PX follow-up was due" in dm and f"(case #{case_id})" in dm
        assert "You are one of North campus's PX contacts, and nobody has claimed the " \
               "follow-up: https://" in dm
    assert _dm_texts(slack, SAM) == [] and _dm_texts(slack, LEE) == []

    # Robin takes it: from then on the reminders are Robin's alone.
    desk.click(ROBIN, desk.card(case_id, PX_NORTH), ActionId.PX_CLAIM, PX_NORTH)
    desk.card_showing(case_id, PX_NORTH, f"PX follow-up: <@{ROBIN}>")
    _at(desk, clock, 5)
    repeat = next(t for t in _thread(slack, PX_NORTH, px) if "(reminder 1)" in t)
    assert f"<@{ROBIN}>" in repeat and f"<@{PAT}>" not in repeat and f"<@{SAM}>" not in repeat


def test_a_px_site_with_no_contacts_falls_to_the_on_call_and_says_why(start_bot, slack, clock):
    bot = start_bot(config=_config(south_px_contacts=()))
    driver = Driver(bot, slack, signing_secret=SIGNING_SECRET, intake_token=INTAKE_TOKEN)
    case_id = driver.new_case(site="south", text="Billing sent us to collections twice.")
    _escalate(driver, MARIA, case_id, "urgent", "south")
    px = driver.card(case_id, PX_SOUTH)
    _at(driver, clock, 4)
    lapse = next(t for t in _thread(slack, PX_SOUTH, px) if "*Window missed*" in t)
    assert f"<@{SAM}> (on call: this site names no PX contacts), please pick this up." in lapse
    [dm] = _dm_texts(slack, SAM)
    assert "You are on call (South clinic names no PX contacts): https://" in dm


def test_response_windows_still_go_to_the_on_call(desk, slack, clock):
    case_id = desk.new_case()
    card = desk.card(case_id, TRIAGE)
    _at(desk, clock, 24)
    lapse = next(t for t in _thread(slack, TRIAGE, card) if "*Window missed*" in t)
    assert f"<@{SAM}>, please pick this up." in lapse
    assert len(_dm_texts(slack, SAM)) == 1
    assert _dm_texts(slack, PAT) == [] and _dm_texts(slack, ROBIN) == []


# ---- 2. someone on site now: a DM to who can find them ---------------------------------------


def test_on_site_now_messages_the_site_contact_once_with_the_card_link(desk, slack, start_bot):
    case_id = desk.new_case(rating=None, author="Dana K.", text=CHEST_PAIN)
    card = desk.card(case_id, TRIAGE)
    assert f"*On site now* — <@{ONSITE}>, please find the reviewer" in block_text(card)
    [dm] = slack.wait_for(lambda: _dm_texts(slack, ONSITE))
    assert dm.startswith(":rotating_light: *Someone may be at North campus right now and need "
                         "help.* Dana K. wrote on Google (no rating) <!date^")
    # when it was written, so nobody looks for someone who wrote yesterday (a second first
    # morning: PX was sent to find a reviewer of 22 hours before, told only "right now")
    assert re.search(r"wrote on Google \(no rating\) <!date\^\d+\^\{ago\}\|[^>]+>: “My dad has "
                     "chest pain", dm)
    assert f"(case #{case_id})" in dm and "without confirming to anyone that they are a " \
                                          "patient" in dm
    assert "/archives/" in dm  # the card's permalink
    desk.settle()
    # Exactly once: not for the PX contacts (the site has an on-site contact), nor after a
    # restart, nor when the review comes in again.
    desk.bot.stop()
    restarted = start_bot(config=_config())
    again = Driver(restarted, slack, signing_secret=SIGNING_SECRET, intake_token=INTAKE_TOKEN)
    status, body = again.post_reviews(review(rating=None, author="Dana K.", text=CHEST_PAIN))
    assert status == 200 and body["items"][0]["outcome"] == "unchanged"
    again.settle()
    assert len(_dm_texts(slack, ONSITE)) == 1
    assert _dm_texts(slack, PAT) == [] and _dm_texts(slack, ROBIN) == []



def test_who_wrote_hours_before_is_not_said_to_be_there_right_now(desk, slack, clock):
    """Written 22 hours before it reached the desk (still within on_site_within): the DM says
    when they wrote that they were there, not that they are there right now (a first
    morning: Pat was sent to find someone "right now" who wrote the day before)."""
    written = clock.now() - timedelta(hours=22)
    desk.new_case(rating=None, author="Lee W.", text=CHEST_PAIN, created_at=written.isoformat())
    [dm] = slack.wait_for(lambda: _dm_texts(slack, ONSITE))
    assert dm.startswith(f":rotating_light: *Someone wrote <!date^{int(written.timestamp())}"
                         "^{ago}|")
    assert "that they were at North campus and needed help; they may still be there.*" in dm
    assert "may be at North campus right now" not in dm


def test_the_urgent_reminders_of_someone_on_site_name_who_finds_them(desk, slack, clock):
    """One DM when the case opened is not enough: while the reviewer may still be there, each
    reminder of the urgent response names the site's on-site contact too (a first morning:
    chest pain in the waiting room, and the person sent to find them never heard again)."""
    case_id = desk.new_case(rating=None, author="Dana K.", text=CHEST_PAIN,
                            created_at=clock.now().isoformat())
    card = desk.card(case_id, TRIAGE)
    finders = f"<@{ONSITE}>: the reviewer may still be on site"
    _at(desk, clock, 1.0)  # an hour before the urgent response is due
    [lead] = [t for t in _thread(slack, TRIAGE, card) if "urgent response is due" in t]
    assert finders in lead
    _at(desk, clock, 1.9)
    [second] = [t for t in _thread(slack, TRIAGE, card) if "urgent response is due" in t
                and t != lead]
    assert finders in second
    _at(desk, clock, 2.1)  # the review is older than the urgent window now: see below
    lapse = next(t for t in _thread(slack, TRIAGE, card) if "*Window missed*" in t)
    assert f"<@{ONSITE}>: the reviewer wrote" in lapse and "*⋯ → Log outcome*" in lapse
    # an ordinary case's reminders name nobody at the site
    other = desk.new_case(external_id="g-plain", text="The parking fees are far too high.")
    _at(desk, clock, 2.1 + 19)
    reminders = _thread(slack, TRIAGE, desk.card(other, TRIAGE))
    assert reminders and not any(f"<@{ONSITE}>" in text for text in reminders)

def test_reminders_after_the_urgent_window_say_when_the_reviewer_wrote(desk, slack, clock):
    """A first morning: "kid has a fever of 104" from a waiting room went unclaimed, and 19
    hours after it was written a reminder still said the reviewer "may still be on site".
    Once the review is older than the urgent window, the reminders say when they wrote that
    they were there, as the on-site DM does (`stale`)."""
    written = clock.now()
    case_id = desk.new_case(rating=None, author="Dana K.",
                            text="My kid has a fever of 104 and we are in your waiting room now.",
                            created_at=written.isoformat())
    card = desk.card(case_id, TRIAGE)
    for hours in range(1, 20):  # the night, an hour at a time
        _at(desk, clock, hours)
    # The repeats after the deadline (the lapse, at the window's very end, is not yet older)
    reminders = [t for t in _thread(slack, TRIAGE, card)
                 if t.startswith(":red_circle: Still not handled")]
    assert len(reminders) >= 3
    assert not any("may still be on site" in text for text in reminders)
    latest = reminders[-1]
    assert (f"<@{ONSITE}>: the reviewer wrote <!date^{int(written.timestamp())}^{{ago}}|"
            in latest)
    assert "that they were on site, and may have left" in latest
    assert "*⋯ → Log outcome*" in latest


def test_with_no_on_site_contact_each_px_contact_is_asked(desk, slack):
    case_id = desk.new_case(site="south", rating=None, text=GURNEY)
    card = desk.card(case_id, TRIAGE)
    assert f"*On site now* — <@{JO}>, please find the reviewer" in block_text(card)
    [dm] = slack.wait_for(lambda: _dm_texts(slack, JO))
    assert "South clinic names no on-site contact, so this comes to its PX contacts." in dm
    assert f"(case #{case_id})" in dm


def test_a_reviewer_writing_again_from_the_site_is_a_dm_too(desk, slack, clock):
    case_id = desk.new_case(source="facebook", external_id="fb-1", rating=1)
    desk.reply_by_hand(MARIA, case_id, REPLY, TRIAGE)
    clock.advance(timedelta(hours=2))
    status, body = desk.post_reviews(review(source="facebook", external_id="fb-2", rating=None,
                                            text=CHEST_PAIN))
    assert status == 200 and body["items"][0]["case_id"] == case_id  # it came back
    [dm] = slack.wait_for(lambda: _dm_texts(slack, ONSITE))
    assert "“My dad has chest pain" in dm and f"(case #{case_id})" in dm


def test_a_person_says_the_reviewer_is_on_site_now(desk, slack, clock):
    """Triage read no one on site (a review that reached us a day late, or words the grammar
    missed): ⋯ → On site now gives the case the label, the urgent window from now in place of
    the first response's 24 h, and the site's on-site contact the DM (a second first morning:
    Make a case of the README's own gurney review gave it 24 h and told nobody)."""
    case_id = desk.new_case(text="Nobody has come to see my mother all night. Terrible.")
    card = stale = desk.card(case_id, TRIAGE)
    assert "*On site now*" not in block_text(card) and _dm_texts(slack, ONSITE) == []
    clock.advance(timedelta(minutes=30))
    assert desk.choose(SAM, card, ActionId.CASE_MORE, f"on_site:{case_id}", TRIAGE) == 200
    card = desk.card_showing(case_id, TRIAGE, f"*On site now* — <@{ONSITE}>, please find the "
                                              "reviewer")
    due = int((clock.now() + timedelta(hours=2)).timestamp())
    assert f"<!date^{due}^" in block_text(card)  # the urgent response, two hours from now
    [dm] = slack.wait_for(lambda: _dm_texts(slack, ONSITE))
    assert f"(case #{case_id})" in dm and "right now" in dm
    assert any(f"<@{SAM}> says the reviewer is on site now" in line
               for line in desk.thread_with(TRIAGE, card, "says the reviewer is on site now"))
    with desk.bot.db.session() as session:
        windows = {w.kind: w for w in session.exec(select(CaseWindow).where(
            CaseWindow.case_id == case_id)).all()}
    assert windows["first_response"].stopped_at is not None
    assert int(windows["urgent"].due_at.timestamp()) == due
    assert ("marked_on_site", SAM) in desk.events(case_id)
    # the menu no longer offers it, and a second pick (a stale card) says why
    assert f"on_site:{case_id}" not in str(card["blocks"])
    assert desk.choose(MARIA, stale, ActionId.CASE_MORE, f"on_site:{case_id}", TRIAGE) == 200
    desk.ephemeral_for(MARIA, "already says the reviewer is on site now")
    assert len(_dm_texts(slack, ONSITE)) == 1


def test_an_edit_into_on_site_now_is_a_dm_once(desk, slack):
    case_id = desk.new_case()
    desk.post_reviews(review(text=CHEST_PAIN))
    desk.card_showing(case_id, TRIAGE, "*On site now*")
    slack.wait_for(lambda: _dm_texts(slack, ONSITE))
    desk.post_reviews(review(text=CHEST_PAIN + " Still waiting."))  # still there: no news
    desk.card_showing(case_id, TRIAGE, "Still waiting.")
    desk.settle()
    assert len(_dm_texts(slack, ONSITE)) == 1


def test_a_review_that_is_not_on_site_now_messages_nobody(desk, slack):
    desk.new_case(text="We were in the ER waiting room last spring for six hours.")
    desk.settle()
    assert not slack.calls_to("conversations.open")


# ---- 3. on site now, or risk: a public reply alone does not end it --------------------------


@pytest.mark.parametrize("text", [CHEST_PAIN, RISK])
def test_an_urgent_case_stays_open_after_a_reply_until_an_outcome_is_logged(desk, slack, text):
    case_id = desk.new_case(rating=None, text=text)
    card = desk.reply_by_hand(MARIA, case_id, REPLY, TRIAGE, done=False)
    shown = block_text(card)
    assert ("Answered in public; it is done once someone has reached the reviewer: *⋯ → Log "
            "outcome*, or *Escalate* to Patient Experience.") in shown
    assert "*Done*" not in shown
    if text == CHEST_PAIN:  # still asking for them while nobody has reached them
        assert f"<@{ONSITE}>, please find the reviewer" in shown
    assert _case(desk, case_id).status == Status.OPEN
    assert Action.DONE not in [action for action, _ in desk.events(case_id)]
    desk.command(MARIA, "open", TRIAGE)
    answer = slack.wait_for(lambda: slack.ephemerals_for(MARIA))[-1]
    assert f"#{case_id}" in block_text(answer)  # still on the open list

    desk.log_outcome(ONSITE, case_id, "patient_contacted", TRIAGE)
    card = desk.card_showing(case_id, TRIAGE, "*Done*: answered in public, and someone reached "
                                              "the reviewer.")
    shown = block_text(card)
    # The done card keeps its labels, without asking anyone to find the reviewer any more.
    label = "*On site now*" if text == CHEST_PAIN else "*Risk*"
    assert label in shown and "please find the reviewer" not in shown
    assert "Outcome: *Patient contacted*" in shown
    desk.thread_with(TRIAGE, card, "Done: answered in public and the reviewer reached")
    done = [e for e in desk.bot.desk.history(case_id) if e.action == Action.DONE]
    assert [(e.actor, e.details) for e in done] == [(ONSITE, {"via": "reached"})]


def test_an_outcome_logged_before_the_reply_makes_the_reply_end_it(desk):
    case_id = desk.new_case(rating=None, text=CHEST_PAIN)
    desk.log_outcome(ONSITE, case_id, "declined", TRIAGE)
    desk.card_showing(case_id, TRIAGE, "Outcome: *Declined*")
    assert _case(desk, case_id).status == Status.OPEN  # not answered yet
    desk.reply_by_hand(MARIA, case_id, REPLY, TRIAGE)  # done at once
    assert [(a, u) for a, u in desk.events(case_id) if a == Action.DONE] == [(Action.DONE, MARIA)]


def test_an_escalated_on_site_case_is_done_when_px_resolves(desk, slack):
    case_id = desk.new_case(rating=None, text=CHEST_PAIN)
    desk.reply_by_hand(MARIA, case_id, REPLY, TRIAGE, done=False)
    _escalate(desk, MARIA, case_id, "urgent", "north")
    card = desk.card_showing(case_id, TRIAGE, "Escalated to PX")
    assert "it is done once someone has reached" not in block_text(card)  # PX has it now
    desk.log_outcome(SAM, case_id, "patient_contacted", TRIAGE)  # Sam is not PX staff
    desk.card_showing(case_id, TRIAGE, "Outcome: *Patient contacted*")
    assert _case(desk, case_id).status == Status.OPEN  # PX still has it
    px = desk.card(case_id, PX_NORTH)
    assert "*On site now*" in block_text(px)  # PX sees it is someone there now
    desk.resolve(PAT, case_id, "patient_contacted", PX_NORTH)
    desk.card_showing(case_id, TRIAGE, f"Resolved by <@{PAT}>")


# ---- 4. an urgent escalation is no slower than the urgent response window ------------------


@pytest.mark.parametrize(("text", "urgency", "hours"), [
    (CHEST_PAIN, "urgent", 2),  # on site now: min(PX urgent 4 h, [windows] urgent 2 h)
    (CHEST_PAIN, "soon", 24),  # a slower urgency chosen on purpose is kept
    (RISK, "urgent", 4),  # risk: PX's own urgent window ([windows.px_urgency])
    ("The front desk was rude to my mother.", "urgent", 4),
])
def test_an_urgent_escalation_of_someone_on_site_gets_the_urgent_window(
        desk, clock, text, urgency, hours):
    case_id = desk.new_case(rating=1, text=text)
    _escalate(desk, MARIA, case_id, urgency, "north")
    due = clock.now() + timedelta(hours=hours)
    desk.card_showing(case_id, PX_NORTH, f"Follow up by <!date^{int(due.timestamp())}^")
    assert _px_window(desk, case_id).due_at == due


# ---- 5. no floods ----------------------------------------------------------------------------


def _cases(driver: Driver, count: int, **overrides) -> list[int]:
    status, body = driver.post_reviews({"reviews": [
        review(external_id=f"night-{n}", author=f"Reviewer {n}",
               text=f"Waited {n + 2} hours in the ER and nobody told us anything. Awful.",
               **overrides)
        for n in range(count)]})
    assert status == 200, body
    return [item["case_id"] for item in body["items"]]


def test_a_night_of_misses_is_one_dm_listing_the_cases(desk, slack, clock):
    case_ids = _cases(desk, 25)
    desk.settle()
    _at(desk, clock, 24)  # all 25 first-response windows lapse at once
    [dm] = _dm_texts(slack, SAM)
    assert dm.startswith(":red_circle: *25 cases need you:* each missed its deadline.")
    lines = [line for line in dm.splitlines() if line.startswith("• ")]
    assert len(lines) == 20 and dm.rstrip().endswith(
        "…and 5 more: `/reviewdesk missed` lists them all.")
    for line in lines:
        assert "the first response was due" in line
        assert "You are on call: https://" in line and "/archives/" in line
    listed = {int(line.split("(case #")[1].split(")")[0]) for line in lines}
    assert listed < set(case_ids)
    # Every case's thread still says it was missed, once.
    with desk.bot.db.session() as session:
        lapses = session.exec(select(Nudge).where(Nudge.key == "lapse")).all()
    assert {n.status for n in lapses} == {"sent"} and {n.dm_status for n in lapses} == {"sent"}


def test_dms_owed_when_the_bot_stopped_mid_run_go_out_once_after_the_restart(
        start_bot, slack, clock):
    bot = start_bot(config=_config())
    driver = Driver(bot, slack, signing_secret=SIGNING_SECRET, intake_token=INTAKE_TOKEN)
    _cases(driver, 3)
    driver.settle()
    bot.stop()
    clock.set(START + timedelta(hours=24))
    # The process sends the three lapses, then dies before it writes their DMs.
    with bot.db.session() as session:
        due = session.exec(select(Nudge.id).where(Nudge.status == "pending",
                                                  Nudge.due_at <= clock.now())
                           .order_by(Nudge.due_at, Nudge.id)).all()
    # the two reminders before the deadline are skipped (too late), the three lapses sent
    assert sum(bot.nudges._send(nudge_id, clock.now()) for nudge_id in due) == 3
    with bot.db.session() as session:
        owed = session.exec(select(Nudge).where(Nudge.dm_status == "owed")).all()
    assert len(owed) == 3 and all(n.dm_to == [[SAM, "on_call"]] for n in owed)

    clock.set(START + timedelta(hours=24, minutes=10))
    restarted = start_bot(config=_config())  # its scheduler runs what is due at once
    again = Driver(restarted, slack, signing_secret=SIGNING_SECRET, intake_token=INTAKE_TOKEN)
    slack.wait_for(lambda: _dm_texts(slack, SAM))
    again.settle()
    [dm] = _dm_texts(slack, SAM)
    assert dm.startswith(":red_circle: *3 cases need you:*")
    restarted.stop()
    once_more = start_bot(config=_config())
    Driver(once_more, slack, signing_secret=SIGNING_SECRET, intake_token=INTAKE_TOKEN).settle()
    assert once_more.nudges.send_owed_dms() == 0
    assert len(_dm_texts(slack, SAM)) == 1


def test_two_bots_sending_the_same_run_write_each_case_into_one_dm(start_bot, slack, clock):
    first, second = start_bot(config=_config()), start_bot(config=_config())
    driver = Driver(first, slack, signing_secret=SIGNING_SECRET, intake_token=INTAKE_TOKEN)
    case_ids = _cases(driver, 6)
    driver.settle()
    clock.set(START + timedelta(hours=24))
    barrier = threading.Barrier(2)

    def run(bot):
        barrier.wait()
        bot.nudges.run_due()

    threads = [threading.Thread(target=run, args=(bot,)) for bot in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    driver.settle()
    Driver(second, slack, signing_secret=SIGNING_SECRET, intake_token=INTAKE_TOKEN).settle()
    listed = [int(part.split(")")[0]) for dm in _dm_texts(slack, SAM)
              for part in dm.split("(case #")[1:]]
    assert sorted(listed) == sorted(case_ids)  # each case in exactly one DM
    assert 1 <= len(_dm_texts(slack, SAM)) <= 2


def test_repeats_slow_down_once_the_lead_is_named_who_gets_one_dm(desk, slack, clock):
    case_id = desk.new_case()
    card = desk.card(case_id, TRIAGE)
    sent_at = []
    for hour in range(24, 24 + 49):  # the deadline and two days of hours after it
        _at(desk, clock, hour)
        count = sum("Still not handled" in t or "*Window missed*" in t
                    for t in _thread(slack, TRIAGE, card))
        if count > len(sent_at):
            sent_at.append(hour - 24)
    # the lapse, hourly until the lead is named (3rd), then 2 h, 4 h, then every 8 h
    assert sent_at == [0, 1, 2, 3, 5, 9, 17, 25, 33, 41]
    third = next(t for t in _thread(slack, TRIAGE, card) if "(reminder 3)" in t)
    assert f"<@{SAM}>, and <@{LEE}> as the rotation's lead." in third
    [dm] = _dm_texts(slack, LEE)  # once, when the repeats first name Lee
    assert dm.startswith(":rotating_light: *Still not handled:* North campus · Google")
    assert "Still not handled after 3 reminders: nobody holds it, so it comes to you as the " \
           "rotation's lead: https://" in dm
    assert len(_dm_texts(slack, SAM)) == 1  # the lapse only


def test_the_lead_is_told_once_a_case_even_when_a_new_window_lapses(desk, slack, clock):
    case_id = desk.new_case()
    desk.card(case_id, TRIAGE)
    for hour in (24, 25, 26, 27):
        _at(desk, clock, hour)
    assert len(_dm_texts(slack, LEE)) == 1
    _escalate(desk, MARIA, case_id, "urgent", "north")  # a PX window of 4 h, missed too
    for hour in (31, 32, 33, 34, 36):
        _at(desk, clock, hour)
    assert len(_dm_texts(slack, LEE)) == 1


def test_repeat_every_max_shorter_than_repeat_every_is_refused():
    with pytest.raises(ConfigError, match="repeat_every_max"):
        parse_config(config_data(windows={"repeat_every": "2h", "repeat_every_max": "1h"}))
    windows = parse_config(config_data(windows={"repeat_every": "12h"})).windows
    assert windows.repeat_gap(10) == timedelta(hours=12)  # the default cap never shortens it
