"""A Slack outage delays posts; it never drops or doubles them, across retries and restarts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from slack_sdk import WebClient
from sqlmodel import select

from app import create_app
from bot.blocks.ids import ActionId
from bot.clock import AdjustableClock
from storage.db import Database
from storage.models import OutboxMessage
from testing.driver import Driver, block_text, review, settle
from testing.workspace import BOT_TOKEN, MARIA, START, TRIAGE, make_settings, populate
from twin.webapi import SlackTwin


def _driver(bot, slack) -> Driver:
    from testing.workspace import INTAKE_TOKEN, SIGNING_SECRET

    return Driver(bot, slack, signing_secret=SIGNING_SECRET, intake_token=INTAKE_TOKEN)


def _outbox(bot) -> list[OutboxMessage]:
    with bot.db.session() as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


def _let_time_pass(bot, clock, seconds: float) -> None:
    """Move the clock once what is under way is finished (an attempt that ends after the move
    would set its next try by the moved clock), then let the outbox look."""
    settle(bot)
    clock.advance(timedelta(seconds=seconds))
    bot.outbox.wake()


def test_rate_limit_delays_the_card_by_retry_after(driver, slack, bot, clock):
    slack.fail("chat.postMessage", status=429, retry_after=30)
    case_id = driver.new_case()
    slack.wait_for_calls("chat.postMessage", 1)
    driver.settle()
    assert slack.messages(TRIAGE) == []  # still waiting out Retry-After
    assert len(slack.calls_to("chat.postMessage")) == 1  # and not hammering Slack

    _let_time_pass(bot, clock, 31)
    driver.card(case_id, TRIAGE)
    driver.settle()
    assert len(slack.messages(TRIAGE)) == 1
    assert [m.status for m in _outbox(bot)] == ["sent"]


def test_server_errors_are_retried_with_backoff_and_post_once(driver, slack, bot, clock):
    slack.fail("chat.postMessage", status=503, times=2)
    case_id = driver.new_case()
    slack.wait_for_calls("chat.postMessage", 1)

    def posted_after_backoff():
        _let_time_pass(bot, clock, 10)  # each retry waits a little longer (by the clock)
        return driver._find(TRIAGE, case_id)

    slack.wait_for(posted_after_backoff, interval=0.1)
    assert len(slack.calls_to("chat.postMessage")) == 3
    assert len(slack.messages(TRIAGE)) == 1
    # a 5xx might have posted: the outbox looked for its own post before sending again
    assert slack.calls_to("conversations.history")


def test_a_post_that_timed_out_but_landed_is_not_sent_again(start_bot, slack, clock):
    bot = start_bot(slack_timeout=0.5)
    driver = _driver(bot, slack)
    slack.fail("chat.postMessage", delay=1.5)  # Slack posts it, but answers too late
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)
    # the client gives up: the attempt is recorded as of unknown outcome
    slack.wait_for(lambda: [m for m in _outbox(bot) if m.uncertain and m.lease_until is None],
                   timeout=5)
    _let_time_pass(bot, clock, 10)
    slack.wait_for(lambda: [m for m in _outbox(bot) if m.status == "sent"])

    assert len(slack.messages(TRIAGE)) == 1
    # the card's address was recovered, so later updates land on it
    driver.click(MARIA, card, ActionId.CLAIM, TRIAGE)
    updated = driver.card_showing(case_id, TRIAGE, "Claimed by")
    assert updated["ts"] == card["ts"]
    assert len(slack.messages(TRIAGE)) == 1


def test_a_restart_during_an_outage_loses_and_doubles_nothing(start_bot, slack, clock):
    first = start_bot()
    driver = _driver(first, slack)
    slack.outage(True, status=503)
    case_ids = [driver.new_case(external_id=f"g-{n}") for n in range(3)]
    slack.wait_for_calls("chat.postMessage", 1)
    first.stop()  # the bot goes down with cards undelivered

    slack.outage(False)
    second = start_bot()
    _let_time_pass(second, clock, 600)
    for case_id in case_ids:
        driver.card(case_id, TRIAGE)
    # a card can be in the channel a moment before its row is marked sent
    rows: list = []

    def all_sent() -> bool:
        rows[:] = [(m.id, m.kind, m.status, m.uncertain, m.attempts, m.next_attempt_at,
                    m.lease_until, m.last_error) for m in _outbox(second)]
        return {row[2] for row in rows} == {"sent"}

    try:
        slack.wait_for(all_sent, what="every outbox row marked sent")
    except AssertionError as error:
        raise AssertionError("\n".join([str(error), *map(str, rows)])) from None
    driver.settle()
    assert len(slack.messages(TRIAGE)) == 3


def test_actions_during_an_outage_reach_slack_in_order_afterwards(driver, slack, bot, clock):
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)
    slack.outage(True, status=500, allow={"chat.postEphemeral", "views.open"})
    driver.click(MARIA, card, ActionId.CLAIM, TRIAGE)
    slack.wait_for(lambda: [m for m in _outbox(bot) if m.attempts and m.status == "pending"])
    driver.settle()  # the failed attempt is recorded (its next try is set by today's clock)
    assert "Claimed by" not in block_text(slack.messages(TRIAGE)[0])

    slack.outage(False)
    _let_time_pass(bot, clock, 600)
    updated = driver.card_showing(case_id, TRIAGE, f"Claimed by <@{MARIA}>")
    driver.thread_with(TRIAGE, updated, "claimed this case")
    assert len(slack.thread(TRIAGE, card["ts"])) == 1


def test_a_missing_channel_is_retried_until_it_exists(driver, slack, bot, clock):
    del slack.channels[TRIAGE]
    case_id = driver.new_case()
    slack.wait_for(lambda: [m for m in _outbox(bot) if m.last_error == "channel_not_found"])
    slack.add_channel(TRIAGE, "review-triage")
    _let_time_pass(bot, clock, 600)
    driver.card(case_id, TRIAGE)


def test_the_bot_joins_a_public_channel_it_was_not_in(driver, slack):
    slack.channels[TRIAGE]["is_member"] = False
    case_id = driver.new_case()
    driver.card(case_id, TRIAGE)
    assert slack.calls_to("conversations.join")


def test_healthz_reports_the_outbox(driver, slack, bot):
    slack.outage(True)
    driver.post_reviews(review())
    slack.wait_for_calls("chat.postMessage", 1)
    status, body = driver.get("/healthz")
    assert status == 200
    assert body["status"] == "ok" and body["database"] == "ok" and body["slack"] == "http"
    assert body["outbox"] == {"pending": 1, "failed": 0}


# ---- posts of unknown outcome: looked up, never re-posted because a look-up failed ----------

HISTORY_FAILURES = {
    "429": {"status": 429, "retry_after": 30},
    "unknown_method": {"error": "unknown_method"},
    "5xx": {"status": 503},
}


def _card_posts(slack) -> int:
    """The bot's attempts to post a card (its posts carry metadata; thread lines have a
    thread_ts)."""
    return len([c for c in slack.calls_to("chat.postMessage")
                if c.params.get("metadata") and not c.params.get("thread_ts")])


def _uncertain_and_free(bot) -> list[OutboxMessage]:
    return [m for m in _outbox(bot) if m.uncertain and m.lease_until is None]


@pytest.mark.parametrize("landed", [True, False], ids=["landed", "not-landed"])
@pytest.mark.parametrize("failure", list(HISTORY_FAILURES))
def test_a_failed_look_up_never_becomes_a_second_post(start_bot, slack, clock, failure, landed):
    bot = start_bot(slack_timeout=0.3)
    driver = _driver(bot, slack)
    if landed:  # the post happens, its answer comes too late: a process killed mid-post
        slack.fail("chat.postMessage", delay=1.0)
    else:  # Slack answers 503: it may or may not have posted (here: not)
        slack.fail("chat.postMessage", status=503)
    slack.fail("conversations.history", **HISTORY_FAILURES[failure])
    case_id = driver.new_case()
    slack.wait_for(lambda: _uncertain_and_free(bot), timeout=5)

    _let_time_pass(bot, clock, 10)  # the look-up is due, and fails
    slack.wait_for_calls("conversations.history", 1)
    driver.settle()
    (row,) = _outbox(bot)
    assert row.status == "pending" and row.uncertain  # still unknown: neither sent nor re-posted
    assert row.last_error.startswith("look-up")
    assert _card_posts(slack) == 1
    assert len(slack.messages(TRIAGE)) == (1 if landed else 0)

    _let_time_pass(bot, clock, 300)  # the next look-up is answered
    card = driver.card(case_id, TRIAGE)
    slack.wait_for(lambda: [m for m in _outbox(bot) if m.status == "sent"])
    driver.settle()
    assert len(slack.messages(TRIAGE)) == 1
    # found: not sent again; positively absent: sent once more
    assert _card_posts(slack) == (1 if landed else 2)
    history = slack.calls_to("conversations.history")
    assert len(history) == 2
    (row,) = _outbox(bot)
    assert row.result_ts == card["ts"]


def test_without_history_a_post_of_unknown_outcome_waits_and_is_never_doubled(
        start_bot, slack, clock, caplog):
    """A Slack (or fake) without conversations.history: the post waits, loudly, forever."""
    bot = start_bot(slack_timeout=0.3)
    driver = _driver(bot, slack)
    slack.fail("chat.postMessage", delay=1.0)
    slack.fail("conversations.history", error="unknown_method", times=1000)
    driver.new_case()
    slack.wait_for(lambda: _uncertain_and_free(bot), timeout=5)
    for _ in range(8):
        _let_time_pass(bot, clock, 600)
        driver.settle()
    assert len(slack.calls_to("conversations.history")) == 8
    assert _card_posts(slack) == 1 and len(slack.messages(TRIAGE)) == 1
    (row,) = _outbox(bot)
    assert row.status == "pending" and row.uncertain
    assert "not sent again" in caplog.text


def test_one_look_up_a_channel_covers_every_uncertain_post_there(start_bot, slack, clock):
    bot = start_bot(slack_timeout=0.3)
    driver = _driver(bot, slack)
    slack.fail("chat.postMessage", delay=1.0, times=3)
    case_ids = [driver.new_case(external_id=f"u-{n}") for n in range(3)]
    slack.wait_for(lambda: len(_uncertain_and_free(bot)) == 3, timeout=10)

    _let_time_pass(bot, clock, 10)
    for case_id in case_ids:
        driver.card(case_id, TRIAGE)
    slack.wait_for(lambda: all(m.status == "sent" for m in _outbox(bot)))
    driver.settle()
    (lookup,) = slack.calls_to("conversations.history")  # one request for the three
    params = lookup.params
    assert int(params["limit"]) <= 15 and str(params["include_all_metadata"]).lower() in {
        "1", "true"}
    attempted = START.timestamp()
    assert float(params["oldest"]) < attempted < float(params["latest"])
    assert float(params["latest"]) - float(params["oldest"]) < 300  # a bracket, not all history
    assert len(slack.messages(TRIAGE)) == 3 and _card_posts(slack) == 3


def test_a_thread_reply_of_unknown_outcome_is_looked_up_in_its_thread(driver, slack, bot,
                                                                     clock):
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)
    slack.fail("chat.postMessage", status=502)  # the history line: unknown, and not posted
    slack.fail("conversations.replies", status=429, retry_after=60)
    driver.click(MARIA, card, ActionId.CLAIM, TRIAGE)
    slack.wait_for(lambda: _uncertain_and_free(bot), timeout=5)
    _let_time_pass(bot, clock, 10)
    slack.wait_for_calls("conversations.replies", 1)
    driver.settle()
    assert slack.thread(TRIAGE, card["ts"]) == []
    _let_time_pass(bot, clock, 120)
    driver.thread_with(TRIAGE, card, "claimed this case")
    driver.settle()
    assert len(slack.thread(TRIAGE, card["ts"])) == 1
    replies = slack.calls_to("conversations.replies")
    assert all(c.params["ts"] == card["ts"] and "oldest" in c.params for c in replies)


def test_look_ups_work_under_slacks_2025_limits_for_apps_outside_the_marketplace(
        database_url, db, config, clock):
    """1 request a minute and 15 messages a page: a bracket holding more than 15 messages is
    read a page per allowed request, and the post is still found, not doubled."""
    with SlackTwin(bot_token=BOT_TOKEN, clock=lambda: clock.now().timestamp(),
                   non_marketplace_limits=True) as slack:
        populate(slack)
        bot = create_app(make_settings(slack), config, db=Database.from_url(database_url),
                         clock=clock, outbox_poll_interval=0.1, slack_timeout=0.3)
        bot.start(host="127.0.0.1", port=0)
        try:
            driver = _driver(bot, slack)
            slack.fail("chat.postMessage", delay=1.0)
            case_id = driver.new_case()
            slack.wait_for(lambda: _uncertain_and_free(bot), timeout=5)
            others = WebClient(token=BOT_TOKEN, base_url=slack.base_url)
            for number in range(20):  # newer messages in the same minute push ours to page 2
                others.chat_postMessage(channel=TRIAGE, text=f"someone else's message {number}")

            def found_by_now() -> bool:
                _let_time_pass(bot, clock, 61)
                driver.settle()
                return any(m.status == "sent" for m in _outbox(bot))

            slack.wait_for(found_by_now, timeout=10, interval=0.05)
            driver.card(case_id, TRIAGE)
            calls = slack.calls_to("conversations.history")
            answered = [c for c in calls if c.status == 200]
            assert len(answered) == 2  # two pages of 15
            assert all(int(c.params["limit"]) <= 15 for c in calls)
            assert _card_posts(slack) == 1
            assert len([m for m in slack.messages(TRIAGE) if m.get("metadata")]) == 1
        finally:
            bot.stop()


def _skew_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "bot.delivery.loop" and "clock is off" in r.getMessage()]


def test_a_clock_far_from_slacks_is_warned_about_once_until_it_is_right_again(
        driver, slack, clock, caplog):
    caplog.set_level("INFO", logger="bot.delivery.loop")
    slack.clock = lambda: clock.now().timestamp() + 3600  # Slack an hour ahead of us
    for number in range(3):
        driver.new_case(external_id=f"g-skew-{number}")
    driver.settle()
    assert len(slack.messages(TRIAGE)) == 3
    assert len(_skew_warnings(caplog)) == 1
    assert "3600s" in _skew_warnings(caplog)[0]

    clock.advance(timedelta(hours=2))  # past the last ts Slack gave (they only increase)
    slack.clock = lambda: clock.now().timestamp()  # put right
    driver.new_case(external_id="g-skew-right")
    driver.settle()
    assert "agree again" in caplog.text
    slack.clock = lambda: clock.now().timestamp() + 3600  # off again: said again
    driver.new_case(external_id="g-skew-again")
    driver.settle()
    assert len(_skew_warnings(caplog)) == 2


def test_the_local_workspaces_moved_clock_is_not_a_clock_that_is_off(start_bot, slack, clock,
                                                                       caplog):
    moved = AdjustableClock(clock, timedelta(days=3))  # ahead on purpose
    bot = start_bot(clock=moved)
    driver = _driver(bot, slack)
    driver.new_case()
    driver.new_case(external_id="g-1002")
    driver.settle()
    assert len(slack.messages(TRIAGE)) == 2  # Slack (the twin) stamped them 3 days apart
    assert _skew_warnings(caplog) == []
