"""A Slack outage delays posts; it never drops or doubles them, across retries and restarts."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.ids import ActionId
from storage.models import OutboxMessage
from tests.conftest import MARIA, TRIAGE
from tests.driver import Driver, block_text, review, settle


def _driver(bot, slack) -> Driver:
    from tests.conftest import INTAKE_TOKEN, SIGNING_SECRET

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
    driver.settle()
    assert len(slack.messages(TRIAGE)) == 3
    assert {m.status for m in _outbox(second)} == {"sent"}


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
