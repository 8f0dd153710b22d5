"""Nudges: before a window lapses, at lapse, and after; exactly once, across restarts and
Slack failures. Time is a ManualClock; `run_due()` is what the scheduler calls."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlmodel import select

from bot.blocks.ids import ActionId, BlockId, CallbackId, InputId
from bot.clock import SystemClock
from bot.config import parse_config
from storage.models import Nudge
from testing.driver import Driver, action_ids, block_text, settle
from testing.workspace import MARIA, SAM, TRIAGE, config_data
from twin.interactions import plain_text_value


def _driver(bot, slack) -> Driver:
    from testing.workspace import INTAKE_TOKEN, SIGNING_SECRET

    return Driver(bot, slack, signing_secret=SIGNING_SECRET, intake_token=INTAKE_TOKEN)


def _nudges(bot) -> list[Nudge]:
    with bot.db.session() as session:
        return list(session.exec(select(Nudge).order_by(Nudge.due_at, Nudge.id)))


def _at(bot, clock, hours: float) -> list[str]:
    """Move to `hours` after the start of the test, run what the scheduler runs (its own
    sweep may run it too), and return the keys of the nudges sent so far."""
    from testing.workspace import START

    clock.set(START + timedelta(hours=hours))
    bot.nudges.run_due()
    return [n.key for n in _nudges(bot) if n.status == "sent"]


def _thread_texts(slack, card) -> list[str]:
    return [m.get("text") or "" for m in slack.thread(TRIAGE, card["ts"])]


def test_reminders_before_at_and_after_the_deadline(driver, slack, bot, clock):
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)
    driver.click(MARIA, card, ActionId.CLAIM, TRIAGE)
    driver.card_showing(case_id, TRIAGE, "Claimed by")
    assert [n.key for n in _nudges(bot)] == ["lead-0", "lead-1", "lapse"]

    assert _at(bot, clock, 17.9) == []
    assert _at(bot, clock, 18) == ["lead-0"]  # 75 % of 24 h
    nudge = slack.wait_for(lambda: [m for m in slack.thread(TRIAGE, card["ts"])
                                    if "in 6 h" in (m.get("text") or "")])[0]
    assert f"<@{MARIA}>" in nudge["text"]
    assert action_ids(nudge) == [ActionId.NUDGE_SNOOZE, ActionId.NUDGE_ON_IT]
    driver.card_showing(case_id, TRIAGE, "Due in 6 h")

    assert _at(bot, clock, 23) == ["lead-0", "lead-1"]  # 1 h before
    slack.wait_for(lambda: any("in 1 h" in t for t in _thread_texts(slack, card)))

    assert _at(bot, clock, 24)[-1] == "lapse"  # the deadline
    slack.wait_for(lambda: any("*Window missed*" in t for t in _thread_texts(slack, card)))
    driver.card_showing(case_id, TRIAGE, "*Window missed*")
    dm = slack.wait_for(lambda: slack.dms(MARIA))[0]
    # which review it is, without opening it: the site, the source, its words, the deadline
    assert dm["text"].startswith(
        ":red_circle: *Missed:* North campus · Google ★☆☆☆☆ · “Waited five hours in the ER with "
        "my father and nobody told us anything. The…” · the first response was due <!date^")
    assert f"(case #{case_id}). You hold this case: https://" in dm["text"]
    assert "https://" in dm["text"] and "/archives/" in dm["text"]  # the card's permalink

    assert _at(bot, clock, 25)[-1] == "repeat-1"  # then every hour until handled
    slack.wait_for(lambda: any("reminder 1" in t for t in _thread_texts(slack, card)))
    assert _at(bot, clock, 25.5)[-1] == "repeat-1"


def test_responding_in_time_stops_the_reminders(driver, slack, bot, clock):
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)
    view = driver.open_view(MARIA, card, ActionId.RESPOND, TRIAGE, CallbackId.RESPOND)
    block = next(b for b in view["blocks"] if b["block_id"].startswith(BlockId.REPLY))
    reply = "Thank you for telling us. Please call 555-0101 so we can talk privately."
    driver.submit(MARIA, view, {block["block_id"]: {InputId.REPLY: plain_text_value(reply)}})
    driver.submit(MARIA, slack.view(view["id"]), {})  # Mark as posted
    driver.card_showing(case_id, TRIAGE, "First response recorded")
    assert {n.status for n in _nudges(bot)} == {"cancelled"}
    assert _at(bot, clock, 30) == []


def test_each_nudge_goes_out_once_even_with_two_bots(start_bot, slack, clock):
    first, second = start_bot(), start_bot()
    driver = _driver(first, slack)
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)
    clock.advance(timedelta(hours=18))
    barrier = threading.Barrier(2)
    sent = []

    def run(bot):
        barrier.wait()
        sent.append(bot.nudges.run_due())

    threads = [threading.Thread(target=run, args=(bot,)) for bot in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(sent) == [0, 1]
    slack.wait_for(lambda: _thread_texts(slack, card))
    settle(first)
    settle(second)
    assert len(_thread_texts(slack, card)) == 1
    assert first.nudges.run_due() == 0 and second.nudges.run_due() == 0


def test_a_nudge_due_while_the_bot_was_down_goes_out_once_marked_late(start_bot, slack, clock):
    bot = start_bot()
    driver = _driver(bot, slack)
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)
    bot.stop()

    clock.advance(timedelta(hours=23, minutes=30))  # both leads fell due during the outage
    restarted = start_bot()  # its scheduler looks at once
    texts = slack.wait_for(lambda: _thread_texts(slack, card))
    assert len(texts) == 1 and "in 30 min" in texts[0] and "late" in texts[0]
    assert [(n.key, n.status, n.late) for n in _nudges(restarted)] == [
        ("lead-0", "skipped", True), ("lead-1", "sent", True), ("lapse", "pending", False)]
    assert restarted.nudges.run_due() == 0


def test_a_slack_outage_delays_a_nudge_and_never_doubles_it(driver, slack, bot, clock):
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)
    slack.outage(True, status=503)
    assert _at(bot, clock, 18) == ["lead-0"]
    slack.wait_for_calls("chat.postMessage", 2)
    driver.settle()  # the failed attempt is recorded before the clock moves
    assert _thread_texts(slack, card) == []
    slack.outage(False)
    clock.advance(timedelta(minutes=30))
    bot.outbox.wake()
    slack.wait_for(lambda: _thread_texts(slack, card))
    driver.settle()
    assert len(_thread_texts(slack, card)) == 1


def test_snooze_and_im_on_it(driver, slack, bot, clock):
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)
    assert _at(bot, clock, 18) == ["lead-0"]
    nudge = slack.wait_for(lambda: slack.thread(TRIAGE, card["ts"]))[0]

    driver.click(SAM, nudge, ActionId.NUDGE_SNOOZE, TRIAGE)
    slack.wait_for(lambda: any("snoozed the reminders" in t for t in _thread_texts(slack, card)))
    pending = [n for n in _nudges(bot) if n.status == "pending"]
    assert all(n.due_at >= clock.now() + timedelta(hours=1) for n in pending)
    assert _at(bot, clock, 18.9) == ["lead-0"]

    driver.click(SAM, nudge, ActionId.NUDGE_ON_IT, TRIAGE)
    driver.card_showing(case_id, TRIAGE, f"Claimed by <@{SAM}>")


def test_the_scheduler_wakes_for_the_next_nudge_within_seconds(start_bot, slack):
    config = parse_config(config_data(windows={"first_response": "3s", "nudge_before": ["50%"]}))
    bot = start_bot(config=config, clock=SystemClock())
    driver = _driver(bot, slack)
    started = time.monotonic()
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)
    # the sweep alone would take 30 s; waking for the deadline takes 3 s and what a loaded
    # machine adds (8 s was once too little under CI's load)
    slack.wait_for(lambda: any("Window missed" in t for t in _thread_texts(slack, card)),
                   timeout=20)
    assert time.monotonic() - started < 25
    texts = _thread_texts(slack, card)
    assert any("in under a minute" in t for t in texts)  # the 50 % reminder
    slack.wait_for(lambda: "*Window missed*" in block_text(slack.message(TRIAGE, card["ts"])))
