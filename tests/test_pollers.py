"""Each source end to end against its fake API and the real running bot: poll (or webhook) →
stored → a card in the fake Slack; paging, token refresh, back-off and recovery, restarts that
never repost, and Facebook's deprecated ratings switched off once and for good."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from bot.config import Config, parse_config
from bot.intake.pollers import Pollers, register_pollers
from bot.intake.pushes import ingest_google_push, ingest_yelp_webhook
from bot.intake.source_clients import SourceClients, clients_from_env
from bot.intake.sources import SourceError
from storage import cursors, repository
from testing.driver import settle
from testing.fakes.facebook_api import SAMPLE_PAGE_ID, FakeFacebook
from testing.fakes.google_api import SAMPLE_LOCATION, FakeGoogle
from testing.fakes.json_api import sample
from testing.fakes.yelp_api import SAMPLE_BUSINESS_ID, FakeYelp
from testing.workspace import START, TRIAGE, config_data
from twin.webapi import SlackTwin

GOOGLE_FEED = f"google:{SAMPLE_LOCATION}"
FACEBOOK_FEED = f"facebook:feed:{SAMPLE_PAGE_ID}"
FACEBOOK_RATINGS = f"facebook:ratings:{SAMPLE_PAGE_ID}"


@pytest.fixture
def google_api() -> Iterator[FakeGoogle]:
    with FakeGoogle(max_page_size=3) as fake:  # the four sample reviews come in two pages
        fake.seed_samples()
        yield fake


@pytest.fixture
def facebook_api() -> Iterator[FakeFacebook]:
    with FakeFacebook(page_size=1, comments_page_size=1) as fake:  # every edge pages
        fake.seed_samples()
        yield fake


@pytest.fixture
def yelp_api() -> Iterator[FakeYelp]:
    with FakeYelp() as fake:
        fake.seed_samples()
        yield fake


@pytest.fixture
def config(google_api, facebook_api, yelp_api) -> Config:
    """conftest's config (the bot fixtures run with it) with every source on its fake."""
    return parse_config(config_data(
        sources={
            "google": {"enabled": True, "base_url": google_api.api_url,
                       "locations": [{"name": SAMPLE_LOCATION, "site": "north"}]},
            "facebook": {"enabled": True, "base_url": facebook_api.base_url,
                         "pages": [{"page_id": SAMPLE_PAGE_ID, "site": "south"}]},
            "yelp": {"base_url": yelp_api.base_url, "businesses": {SAMPLE_BUSINESS_ID: "north"}},
            "max_backoff": "10m",
        },
        # Unrated posts and comments all count as complaints here, whatever their tone.
        triage={"post_unrated": True, "complaint_threshold": 0.0, "unsure_threshold": 0.0},
    ))


@pytest.fixture
def env(google_api, facebook_api, yelp_api) -> dict[str, str]:
    return {**google_api.env(), "FACEBOOK_PAGE_TOKEN": facebook_api.page_token,
            "YELP_API_KEY": yelp_api.api_key}


@pytest.fixture
def clients(config, env) -> SourceClients:
    return clients_from_env(config, env)


@pytest.fixture
def pollers(bot, config, clock, clients) -> Pollers:
    return Pollers(desk=bot.desk, config=config, clock=clock, clients=clients)


def card(slack: SlackTwin, case_id: int, timeout: float = 5.0) -> dict[str, Any]:
    def posted() -> dict[str, Any] | None:
        for message in slack.messages(TRIAGE):
            if ((message.get("metadata") or {}).get("event_payload") or {}).get(
                    "case_id") == case_id:
                return message
        return None

    return slack.wait_for(posted, timeout=timeout, what=f"the card of case {case_id}")


def settled(bot, slack: SlackTwin) -> int:
    """The number of messages in the triage channel once the bot is idle."""
    settle(bot)
    return len(slack.messages(TRIAGE))


def cases(result) -> dict[str, int | None]:
    return {outcome.external_id: outcome.case_id for outcome in result.ingested.outcomes}


def cursor_of(bot, key: str):
    with bot.db.session() as session:
        return cursors.get_cursor(session, key=key)


# ---- Google ----------------------------------------------------------------------------------


def test_google_poll_pages_through_reviews_and_cards_only_the_negative(
        pollers, bot, slack, google_api, caplog):
    caplog.set_level(logging.DEBUG)

    result = pollers.poll_once(pollers.feeds[GOOGLE_FEED])

    assert result.error is None and result.fetched == 4
    assert len(google_api.calls_to("list")) == 2  # pageSize 3: two pages
    opened = cases(result)
    assert set(opened) == {"AbFvOqk1", "AbFvOqk2", "AbFvOqk3", "AbFvOqk4"}
    assert opened["AbFvOqk2"] is None  # five stars: stored, no card
    one_star, two_stars = card(slack, opened["AbFvOqk1"]), card(slack, opened["AbFvOqk3"])
    assert one_star["ts"] != two_stars["ts"]
    assert settled(bot, slack) == sum(1 for case_id in opened.values() if case_id)

    cursor = cursor_of(bot, GOOGLE_FEED)
    assert cursor.high_water == "2026-11-23T09:00:00+00:00"  # the newest updateTime
    assert (cursor.failures, cursor.last_error) == (0, None)
    assert cursor.next_poll_at == START + timedelta(minutes=15)
    # Logs carry ids and counts: no review text, no names, no secrets. (slack_sdk's debug log
    # shows the cards it sends; the app keeps that logger at WARNING.)
    logged = "\n".join(record.getMessage() for record in caplog.records
                       if not record.name.startswith("slack_sdk"))
    for review in sample("google_reviews_page1.json")["reviews"]:
        assert review["reviewer"]["displayName"] not in logged
        assert review.get("comment", "§")[:30] not in logged
    for secret in (google_api.refresh_token, google_api.client_secret, "ya29."):
        assert secret not in logged


def test_google_later_poll_reads_only_what_is_new_and_stops_paging(pollers, clock, google_api,
                                                                   slack):
    feed = pollers.feeds[GOOGLE_FEED]
    pollers.poll_once(feed)
    google_api.add_review(SAMPLE_LOCATION, {
        "name": f"{SAMPLE_LOCATION}/reviews/AbFvOqk5", "reviewId": "AbFvOqk5",
        "reviewer": {"displayName": "Sky T.", "isAnonymous": False}, "starRating": "ONE",
        "comment": "Discharged without my prescriptions.",
        "createTime": "2026-11-24T14:00:00Z", "updateTime": "2026-11-24T14:00:00Z",
    })
    clock.advance(timedelta(minutes=15))
    list_calls = len(google_api.calls_to("list"))

    result = pollers.poll_if_due(GOOGLE_FEED)

    assert len(google_api.calls_to("list")) == list_calls + 1  # page 1 reached the mark
    outcomes = {o.external_id: o.outcome for o in result.ingested.outcomes}
    assert outcomes == {"AbFvOqk5": "created", "AbFvOqk3": "unchanged"}
    card(slack, cases(result)["AbFvOqk5"])


def test_an_expired_google_token_is_refreshed_once_and_the_poll_goes_on(pollers, clock,
                                                                        google_api):
    pollers.poll_once(pollers.feeds[GOOGLE_FEED])
    google_api.expire_tokens()
    clock.advance(timedelta(minutes=15))

    result = pollers.poll_if_due(GOOGLE_FEED)

    assert result.error is None
    assert len(google_api.calls_to("token")) == 2
    assert [call.route for call in google_api.calls[-3:]] == ["list", "token", "list"]


def test_429_backs_off_for_retry_after_then_recovers(pollers, bot, clock, google_api, slack,
                                                     caplog):
    google_api.fail("list", status=429, retry_after=120)

    failed = pollers.poll_if_due(GOOGLE_FEED)

    assert failed.error == "rate_limited (HTTP 429, retry after 120s)"
    cursor = cursor_of(bot, GOOGLE_FEED)
    assert (cursor.failures, cursor.high_water) == (1, None)
    assert cursor.next_poll_at == START + timedelta(seconds=120)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [f"poll {GOOGLE_FEED} failed: rate_limited (HTTP 429, retry after "
                        "120s); next try in 2m (1 in a row)"]

    clock.advance(timedelta(seconds=119))
    assert pollers.poll_if_due(GOOGLE_FEED) is None  # not due yet: the API is left alone
    assert len(google_api.calls_to("list")) == 1

    clock.advance(timedelta(seconds=1))
    recovered = pollers.poll_if_due(GOOGLE_FEED)

    assert recovered.error is None
    card(slack, cases(recovered)["AbFvOqk1"])
    cursor = cursor_of(bot, GOOGLE_FEED)
    assert (cursor.failures, cursor.last_error) == (0, None)
    assert cursor.next_poll_at == clock.now() + timedelta(minutes=15)


def test_5xx_backs_off_exponentially_up_to_max_backoff(pollers, bot, clock, google_api):
    google_api.fail("list", status=503, times=6)
    delays = []
    for _ in range(6):
        assert pollers.poll_if_due(GOOGLE_FEED).error == "unavailable (HTTP 503)"
        cursor = cursor_of(bot, GOOGLE_FEED)
        delays.append((cursor.next_poll_at - clock.now()).total_seconds())
        clock.set(cursor.next_poll_at)

    assert delays == [30, 60, 120, 240, 480, 600]  # max_backoff is 10m
    assert cursor_of(bot, GOOGLE_FEED).failures == 6
    assert pollers.poll_if_due(GOOGLE_FEED).error is None
    assert cursor_of(bot, GOOGLE_FEED).failures == 0


def test_a_failure_on_a_later_page_stores_what_was_read_but_keeps_the_mark(
        pollers, bot, google_api, slack):
    google_api.fail("list", status=500, after=1)  # the first page answers, the second fails

    result = pollers.poll_once(pollers.feeds[GOOGLE_FEED])

    assert result.error == "unavailable (HTTP 500)"
    assert {o.external_id for o in result.ingested.outcomes} == {"AbFvOqk1", "AbFvOqk2",
                                                                 "AbFvOqk3"}
    card(slack, cases(result)["AbFvOqk1"])
    assert cursor_of(bot, GOOGLE_FEED).high_water is None  # the next poll reads it all again


def test_a_restart_rereads_without_posting_twice(start_bot, bot, config, clock, clients, slack):
    first = Pollers(desk=bot.desk, config=config, clock=clock, clients=clients)
    first.poll_once(first.feeds[GOOGLE_FEED])
    posted = settled(bot, slack)
    assert posted >= 2
    bot.stop()
    restarted = start_bot()
    # As after a crash between ingest and the mark's move: the new process reads it all again.
    with restarted.db.session() as session:
        session.delete(cursors.get_cursor(session, key=GOOGLE_FEED))
        session.commit()
    second = Pollers(desk=restarted.desk, config=config, clock=clock, clients=clients)

    result = second.poll_once(second.feeds[GOOGLE_FEED])

    assert {o.outcome for o in result.ingested.outcomes} == {"unchanged"}
    assert settled(restarted, slack) == posted


# ---- Facebook --------------------------------------------------------------------------------


def test_facebook_feed_poll_pages_posts_and_comments(pollers, bot, facebook_api, slack):
    result = pollers.poll_once(pollers.feeds[FACEBOOK_FEED])

    assert result.error is None
    opened = cases(result)
    # The page's own post is not a review; its visitors' comments are.
    assert set(opened) == {"1122334455_998878", "998877_1001", "998877_1002"}
    assert len(facebook_api.calls_to("feed")) == 2  # one post per page
    assert len(facebook_api.calls_to("comments")) == 1  # the second comment's page
    assert all("access_token" not in call.query for call in facebook_api.calls)
    assert facebook_api.calls_to("feed")[0].query["since"] == str(
        int((START - timedelta(days=7)).timestamp()))
    for case_id in opened.values():
        assert case_id is not None
        card(slack, case_id)
    assert cursor_of(bot, FACEBOOK_FEED).high_water == "2026-11-23T18:30:00+00:00"


def test_facebook_new_comment_on_an_old_post_is_found(pollers, clock, facebook_api, slack):
    pollers.poll_once(pollers.feeds[FACEBOOK_FEED])
    facebook_api.add_comment("1122334455_998877", {
        "id": "998877_1003", "message": "Still no flu shots at north either.",
        "from": {"name": "Lou B.", "id": "5551009"}, "created_time": "2026-11-24T09:00:00+0000",
    })
    clock.advance(timedelta(minutes=10))

    result = pollers.poll_if_due(FACEBOOK_FEED)

    outcomes = {o.external_id: o.outcome for o in result.ingested.outcomes}
    assert outcomes["998877_1003"] == "created"
    assert set(outcomes.values()) == {"created", "unchanged"}
    card(slack, cases(result)["998877_1003"])


def test_facebook_ratings_poll_cards_the_negative_recommendation(pollers, slack):
    result = pollers.poll_once(pollers.feeds[FACEBOOK_RATINGS])

    assert result.error is None
    opened = cases(result)
    assert set(opened) == {"777000111", "777000112"}
    card(slack, opened["777000111"])


def test_facebook_expired_token_backs_off_with_one_log_line(pollers, bot, facebook_api, caplog):
    facebook_api.token_expired = True

    result = pollers.poll_once(pollers.feeds[FACEBOOK_FEED])

    assert result.error == "auth (HTTP 400, code 190)"
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.intake.pollers"]
    assert lines == [f"poll {FACEBOOK_FEED} failed: auth (HTTP 400, code 190); next try in "
                     "30s (1 in a row)"]
    assert facebook_api.page_token not in caplog.text


def test_facebook_error_12_switches_ratings_off_once_and_for_good(
        start_bot, bot, config, clock, clients, facebook_api, caplog):
    facebook_api.ratings_deprecated = True
    pollers = Pollers(desk=bot.desk, config=config, clock=clock, clients=clients)

    assert pollers.poll_if_due(FACEBOOK_RATINGS).off
    for _ in range(3):
        clock.advance(timedelta(minutes=10))
        assert pollers.poll_if_due(FACEBOOK_RATINGS).off
    bot.stop()
    restarted = start_bot()
    after_restart = Pollers(desk=restarted.desk, config=config, clock=clock, clients=clients)
    assert after_restart.poll_if_due(FACEBOOK_RATINGS).off

    assert len(facebook_api.calls_to("ratings")) == 1
    warnings = [r for r in caplog.records
                if r.levelno >= logging.WARNING and r.name.startswith("bot.")]
    assert len(warnings) == 1
    assert "error code 12" in warnings[0].getMessage()
    assert SAMPLE_PAGE_ID in warnings[0].getMessage()
    assert cursor_of(restarted, FACEBOOK_RATINGS).failures == 0
    # The page's feed is still polled.
    assert after_restart.poll_if_due(FACEBOOK_FEED).error is None


def test_ratings_are_tried_again_after_the_graph_version_changes(
        bot, config, clock, clients, facebook_api):
    facebook_api.ratings_deprecated = True
    pollers = Pollers(desk=bot.desk, config=config, clock=clock, clients=clients)
    assert pollers.poll_if_due(FACEBOOK_RATINGS).off
    facebook_api.ratings_deprecated = False
    sources = config.sources.model_copy(update={"facebook": config.sources.facebook.model_copy(
        update={"graph_version": "v20.0"})})
    older = config.model_copy(update={"sources": sources})

    result = Pollers(desk=bot.desk, config=older, clock=clock, clients=clients).poll_if_due(
        FACEBOOK_RATINGS)

    assert not result.off and result.error is None


# ---- pushes ----------------------------------------------------------------------------------


def test_google_pubsub_push_fetches_the_review_and_posts_its_card(bot, config, clients,
                                                                  google_api, slack):
    google_api.add_review(SAMPLE_LOCATION, {
        "name": f"{SAMPLE_LOCATION}/reviews/AbFvOqk9", "reviewId": "AbFvOqk9",
        "reviewer": {"displayName": "Ash P.", "isAnonymous": False}, "starRating": "ONE",
        "comment": "The ER lost my mother's paperwork twice.",
        "createTime": "2026-11-23T11:59:00Z", "updateTime": "2026-11-23T11:59:00Z",
    })
    push = sample("google_pubsub_push.json")

    ingested = ingest_google_push(push, desk=bot.desk, config=config, client=clients.google)

    (outcome,) = ingested.outcomes
    assert (outcome.external_id, outcome.outcome) == ("AbFvOqk9", "created")
    card(slack, outcome.case_id)
    again = ingest_google_push(push, desk=bot.desk, config=config, client=clients.google)
    assert again.outcomes[0].outcome == "unchanged"


def test_a_push_for_something_else_fetches_nothing_and_says_so(bot, config, clients,
                                                               google_api):
    other = {"message": {"data": "eyJ0eXBlIjogIk5FV19RVUVTVElPTiJ9"}}  # {"type": "NEW_QUESTION"}
    ingested = ingest_google_push(other, desk=bot.desk, config=config, client=clients.google)
    assert ingested.outcomes == [] and [s.field for s in ingested.skipped] == [
        "message.data.type"]
    assert google_api.calls == []


def test_yelp_webhook_fetches_the_full_review_and_posts_its_card(bot, config, clients,
                                                                 yelp_api, slack):
    ingested = ingest_yelp_webhook(yelp_api.webhook(), desk=bot.desk, config=config,
                                   client=clients.yelp)

    (outcome,) = ingested.outcomes
    assert (outcome.external_id, outcome.outcome) == ("yRv0aBcD", "created")
    posted = card(slack, outcome.case_id)
    with bot.db.session() as session:
        review = repository.find_review(session, source="yelp", external_id="yRv0aBcD")
    assert review.site == "north"
    assert review.created_at == datetime(2026, 11, 22, 19, 29, 41, tzinfo=UTC)
    assert review.text.startswith("Four hours in the ER")
    redelivered = ingest_yelp_webhook(yelp_api.webhook(), desk=bot.desk, config=config,
                                      client=clients.yelp)
    assert redelivered.outcomes[0].outcome == "unchanged"
    assert settled(bot, slack) == 1 and slack.messages(TRIAGE)[0]["ts"] == posted["ts"]


def test_yelp_webhook_skips_other_updates_and_names_a_fetched_reviews_errors_by_update(
        bot, config, clients, yelp_api):
    webhook = yelp_api.webhook()
    review_update = webhook["data"]["updates"][0]
    webhook["data"]["updates"] = [{**review_update, "event_type": "NEW_PHOTO_EVENT"},
                                  review_update]
    yelp_api.reviews[(SAMPLE_BUSINESS_ID, review_update["review_id"])]["time_created"] = \
        "2099-01-01 00:00:00"

    ingested = ingest_yelp_webhook(webhook, desk=bot.desk, config=config, client=clients.yelp)

    assert ingested.outcomes == []
    assert [(s.index, s.field) for s in ingested.skipped] == [(0, "data.updates[0].event_type")]
    assert [(e.index, e.field) for e in ingested.errors] == [(1, "created_at")]


def test_yelp_outage_raises_so_the_webhook_is_redelivered(bot, config, clients, yelp_api):
    yelp_api.fail("review", status=503)
    with pytest.raises(SourceError) as raised:
        ingest_yelp_webhook(yelp_api.webhook(), desk=bot.desk, config=config,
                            client=clients.yelp)
    assert raised.value.status == 503
    with bot.db.session() as session:
        assert repository.find_review(session, source="yelp", external_id="yRv0aBcD") is None


# ---- the scheduler ---------------------------------------------------------------------------


def test_register_pollers_adds_a_job_per_feed_that_polls_when_due(bot, config, clock, clients,
                                                                  google_api, facebook_api,
                                                                  slack):
    scheduler = BackgroundScheduler(timezone=UTC)
    pollers = register_pollers(scheduler, desk=bot.desk, config=config, clock=clock,
                               clients=clients, tick=timedelta(seconds=0.2))
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {f"poll:{key}" for key in (GOOGLE_FEED, FACEBOOK_FEED, FACEBOOK_RATINGS)}
    assert all(job.coalesce and job.max_instances == 1 and job.args == (job.id[5:],)
               for job in jobs.values())
    scheduler.start()
    try:
        slack.wait_for(lambda: cursor_of(bot, GOOGLE_FEED) and cursor_of(bot, FACEBOOK_FEED)
                       and cursor_of(bot, FACEBOOK_RATINGS), timeout=5, what="every feed polled")
        ticked_from = datetime.now(UTC)
        slack.wait_for(lambda: all(job.next_run_time.timestamp() > ticked_from.timestamp() + 0.5
                                   for job in scheduler.get_jobs()),
                       what="a few more ticks of every feed")
        # none was due again: the clock has not moved
        assert len(google_api.calls_to("list")) == 2
        clock.advance(timedelta(minutes=15))
        slack.wait_for(lambda: len(google_api.calls_to("list")) == 3, timeout=5,
                       what="the next Google poll")
    finally:
        scheduler.shutdown(wait=True)
    assert pollers.feeds.keys() == {GOOGLE_FEED, FACEBOOK_FEED, FACEBOOK_RATINGS}
