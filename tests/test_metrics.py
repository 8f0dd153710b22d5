"""GET /metrics, as Prometheus scrapes it: the outbox's depth and its oldest pending message,
Slack's 429s, clicks' time to their ack, cases by status, missed windows and failing feeds."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.blocks.ids import ActionId
from bot.config import Config, parse_config
from bot.intake.pollers import Pollers
from bot.intake.source_clients import clients_from_env
from testing.driver import settle
from testing.fakes.google_api import SAMPLE_LOCATION, FakeGoogle
from testing.workspace import MARIA, TRIAGE, config_data

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(bot) -> Samples:
    with urllib.request.urlopen(f"http://127.0.0.1:{bot.port}/metrics", timeout=5) as answer:
        assert answer.status == 200
        assert answer.headers["Content-Type"].startswith("text/plain; version=")
        text = answer.read().decode("utf-8")
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, frozenset(labels.items()))]


def _let_time_pass(bot, clock, seconds: float) -> None:
    settle(bot)
    clock.advance(timedelta(seconds=seconds))
    bot.outbox.wake()


def test_the_outbox_slack_429s_cases_clicks_and_missed_windows(driver, slack, bot, clock):
    empty = scrape(bot)
    assert value(empty, "reviewdesk_database_up") == 1
    assert value(empty, "reviewdesk_outbox_messages", status="pending") == 0
    assert value(empty, "reviewdesk_outbox_oldest_pending_seconds") == 0
    assert value(empty, "reviewdesk_cases", status="open") == 0
    assert value(empty, "reviewdesk_click_ack_seconds_count") == 0
    assert not [key for key in empty if key[0] == "reviewdesk_slack_rate_limited_total"]

    slack.fail("chat.postMessage", status=429, retry_after=30)
    case_id = driver.new_case()
    slack.wait_for_calls("chat.postMessage", 1)
    _let_time_pass(bot, clock, 20)  # still waiting out Retry-After
    waiting = scrape(bot)
    assert value(waiting, "reviewdesk_slack_rate_limited_total", method="chat.postMessage") == 1
    assert value(waiting, "reviewdesk_outbox_messages", status="pending") >= 1
    assert value(waiting, "reviewdesk_outbox_oldest_pending_seconds") == 20  # by the clock
    assert value(waiting, "reviewdesk_cases", status="open") == 1

    _let_time_pass(bot, clock, 11)
    card = driver.card(case_id, TRIAGE)
    driver.settle()
    delivered = scrape(bot)
    assert value(delivered, "reviewdesk_outbox_messages", status="pending") == 0
    assert value(delivered, "reviewdesk_outbox_oldest_pending_seconds") == 0

    driver.click(MARIA, card, ActionId.CLAIM, TRIAGE)
    driver.card_showing(case_id, TRIAGE, "Claimed by")
    clicked = scrape(bot)
    assert value(clicked, "reviewdesk_click_ack_seconds_count") == 1
    assert value(clicked, "reviewdesk_click_ack_seconds_bucket", le="+Inf") == 1
    assert value(clicked, "reviewdesk_click_ack_seconds_sum") > 0
    assert not [key for key in clicked if key[0] == "reviewdesk_windows_missed"]

    clock.advance(timedelta(days=3))  # the first response's window lapses, unanswered
    missed = scrape(bot)
    assert value(missed, "reviewdesk_windows_missed", kind="first_response") == 1
    assert value(missed, "reviewdesk_cases", status="open") == 1


@pytest.fixture
def google_api() -> Iterator[FakeGoogle]:
    with FakeGoogle() as fake:
        fake.seed_samples()
        yield fake


@pytest.fixture
def config(google_api) -> Config:
    return parse_config(config_data(sources={
        "google": {"enabled": True, "base_url": google_api.api_url,
                   "locations": [{"name": SAMPLE_LOCATION, "site": "north"}]}}))


def test_failed_polls_in_a_row_per_feed(bot, config, clock, google_api):
    pollers = Pollers(desk=bot.desk, config=config, clock=clock,
                      clients=clients_from_env(config, google_api.env()))
    feed = f"google:{SAMPLE_LOCATION}"
    google_api.fail("list", status=503, times=2)
    for _ in range(2):
        assert pollers.poll_if_due(feed).error == "unavailable (HTTP 503)"
        clock.advance(timedelta(minutes=5))
    assert value(scrape(bot), "reviewdesk_poll_failures_in_a_row", source="google",
                 feed=feed) == 2
    assert pollers.poll_if_due(feed).error is None
    assert value(scrape(bot), "reviewdesk_poll_failures_in_a_row", source="google",
                 feed=feed) == 0
