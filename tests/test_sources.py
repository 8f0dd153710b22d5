"""The source parsers on every shared sample, the intake formats, the Pub/Sub and Yelp webhook
decoders, the clients' error mapping and secrets, and the poll back-off."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from bot.config import Config, ConfigError, parse_config
from bot.core.reviews import SkippedItem, validate_batch
from bot.intake.pollers import source_backoff
from bot.intake.shapes import Unshaped
from bot.intake.source_clients import clients_from_env
from bot.intake.sources import (
    ErrorKind,
    SourceError,
    facebook,
    google,
    podium,
    retry_after_seconds,
    yelp,
)
from bot.intake.sources.formats import FORMATS, to_canonical
from testing.fakes.json_api import SAMPLES, sample
from testing.workspace import START, config_data

LOCATION = "accounts/108/locations/2201"
PAGE_ID = "1122334455"
BUSINESS_ID = "north-campus-hospital-springfield"


@pytest.fixture
def config() -> Config:
    data = config_data(sources={
        "google": {"enabled": True, "locations": [{"name": LOCATION, "site": "north"}]},
        "facebook": {"enabled": True, "pages": [{"page_id": PAGE_ID, "site": "south"}]},
        "yelp": {"businesses": {BUSINESS_ID: "north"}},
    })
    data["sites"][0]["aliases"].append("loc-north")  # Podium's location uid for North
    return parse_config(data)


# The sites the reviews name, and the clock they are checked against, in validation.
SITES = parse_config(config_data())


def validated(items: list[Any]):
    return validate_batch(items, config=SITES, now=START)


def valid(items: list[Any]) -> dict[str, Any]:
    """The validated reviews by external id; fails the test on any item error."""
    batch = validated(items)
    assert batch.errors == []
    return {review.external_id: review for _, review in batch.reviews}


def errors_of(items: list[Any]) -> set[tuple[int, str]]:
    return {(error.index, error.field) for error in validated(items).errors}


def graph_answer(status: int, body: Any, headers: dict[str, str] | None = None):
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    response.headers.update(headers or {})
    return response


# ---- Google ----------------------------------------------------------------------------------


def test_google_reviews_samples_become_canonical_reviews(config):
    items = (to_canonical("google", sample("google_reviews_page1.json"), config)
             + to_canonical("google", sample("google_reviews_page2.json"), config))
    reviews = valid(items)

    assert list(reviews) == ["AbFvOqk1", "AbFvOqk2", "AbFvOqk3", "AbFvOqk4"]
    first = reviews["AbFvOqk1"]
    assert (first.source, first.site, first.author, first.rating) == ("google", "north",
                                                                      "Morgan L.", 1)
    assert first.text.startswith("Three hours in the waiting room")
    assert first.created_at == datetime(2026, 11, 22, 19, 2, 11, 331000, tzinfo=UTC)
    assert first.url is None
    anonymous = reviews["AbFvOqk2"]
    assert (anonymous.author, anonymous.rating, anonymous.text) == (None, 5, "")
    # created_at is when it was written, not when the owner replied (updateTime).
    assert reviews["AbFvOqk3"].created_at == datetime(2026, 11, 21, 8, 15, tzinfo=UTC)
    assert [reviews[i].rating for i in ("AbFvOqk3", "AbFvOqk4")] == [2, 3]


@pytest.mark.parametrize("comment", [
    "Nadie nos atendió en urgencias.\n\n(Translated by Google)\nNobody saw us in the ER.",
    "(Translated by Google) Nobody saw us in the ER.\n\n(Original)\nNadie nos atendió en "
    "urgencias.",
])
def test_google_keeps_what_the_reviewer_wrote_not_the_translation(comment):
    mapped = google.review_to_canonical({"comment": comment}, site=None)
    assert mapped["text"] == "Nadie nos atendió en urgencias."


def test_a_review_that_is_only_a_translation_keeps_it():
    assert google.original_comment("(Translated by Google) Too long a wait.") == "Too long a wait."


def test_google_unspecified_stars_are_unrated_and_unknown_ones_are_a_rating_error(config):
    review = sample("google_reviews_page1.json")["reviews"][0]
    unrated = {**review, "starRating": "STAR_RATING_UNSPECIFIED"}
    bad = {**review, "reviewId": "bad", "starRating": "SIX"}

    items = to_canonical("google", [unrated, bad], config)

    assert validated(items).reviews[0][1].rating is None
    assert errors_of(items) == {(1, "rating")}


def test_google_items_that_cannot_be_mapped_fail_validation_by_field(config):
    review = sample("google_reviews_page1.json")["reviews"][0]
    no_id = {key: value for key, value in review.items() if key != "reviewId"}
    bad_time = {**review, "createTime": "yesterday"}

    items = to_canonical("google", [no_id, "not a review", bad_time], config)

    assert errors_of(items) == {(0, "external_id"), (1, "(item)"), (2, "created_at")}


def test_google_review_of_a_location_not_in_the_config_has_no_site(config):
    review = {**sample("google_reviews_page2.json")["reviews"][0],
              "name": "accounts/108/locations/9999/reviews/AbFvOqk4"}
    assert valid(to_canonical("google", review, config))["AbFvOqk4"].site is None


def test_extra_fields_in_real_traffic_are_ignored(config):
    review = {**sample("google_reviews_page2.json")["reviews"][0], "newField": {"x": 1},
              "reviewer": {"displayName": "Jo R.", "isAnonymous": False, "badge": "local"}}
    assert valid(to_canonical("google", {"reviews": [review], "nextThing": 1}, config))


def test_pubsub_push_names_the_location_and_review():
    assert google.parse_pubsub_push(sample("google_pubsub_push.json")) == (LOCATION, "AbFvOqk9")


def _push(data: bytes | str) -> dict[str, Any]:
    encoded = data if isinstance(data, str) else base64.b64encode(data).decode()
    return {"message": {"data": encoded, "messageId": "1"}, "subscription": "s"}


@pytest.mark.parametrize(("body", "field"), [
    (_push(json.dumps({"type": "NEW_QUESTION", "reviewName": f"{LOCATION}/reviews/x"}).encode()),
     "message.data.type"),
    (_push(json.dumps({"type": "NEW_REVIEW", "reviewName": "locations/1"}).encode()),
     "message.data.reviewName"),
    (_push(b"not json"), "message.data"),
    (_push("%%% not base64"), "message.data"),
    ({"message": {}}, "message.data"),
], ids=["other-type", "bad-name", "not-json", "not-base64", "no-data"])
def test_a_pubsub_push_without_a_review_is_skipped_naming_the_field(body, field):
    skipped = google.parse_pubsub_push(body)
    assert isinstance(skipped, SkippedItem)
    assert skipped.field == field and skipped.problem


@pytest.mark.parametrize(("body", "named"), [
    (["not", "a", "push"], "a Pub/Sub push must be a JSON object"),
    ({"message": {"data": 5}}, "message.data must be a string"),
    (_push(json.dumps({"type": {"x": 1}, "reviewName": f"{LOCATION}/reviews/x"}).encode()),
     "message.data.type must be a string"),
], ids=["not-an-object", "data-a-number", "type-an-object"])
def test_a_pubsub_push_of_the_wrong_shape_is_refused_naming_the_field(body, named):
    with pytest.raises(Unshaped) as refused:
        google.parse_pubsub_push(body)
    assert str(refused.value) == named


def test_an_updated_review_notification_is_a_review_too():
    body = _push(json.dumps({"type": "UPDATED_REVIEW",
                             "reviewName": f"{LOCATION}/reviews/AbFvOqk1"}).encode())
    assert google.parse_pubsub_push(body) == (LOCATION, "AbFvOqk1")


# ---- Facebook --------------------------------------------------------------------------------


def test_facebook_feed_sample_keeps_visitors_posts_and_comments_not_the_pages(config):
    reviews = valid(to_canonical("facebook", sample("facebook_feed.json"), config))

    # 1122334455_998877 is the page's own post (no `from`): only its comments are reviews.
    assert sorted(reviews) == ["1122334455_998878", "998877_1001", "998877_1002"]
    post = reviews["1122334455_998878"]
    assert (post.source, post.site, post.author, post.rating) == ("facebook", "south",
                                                                  "Jordan K.", None)
    assert post.url == "https://www.facebook.com/1122334455_998878"
    assert post.created_at == datetime(2026, 11, 23, 18, 30, tzinfo=UTC)
    comment = reviews["998877_1001"]
    assert comment.author == "Pat Q."
    assert comment.text.startswith("Tried to get one at the south clinic")
    assert comment.url == "https://www.facebook.com/1122334455_998877"  # the post it is on


def test_facebook_skips_comments_the_page_wrote(config):
    post = {"id": f"{PAGE_ID}_1", "message": "Visiting hours change Monday.",
            "from": {"id": PAGE_ID, "name": "Example Health"},
            "created_time": "2026-11-20T15:00:00+0000",
            "comments": {"data": [
                {"id": "1_1", "message": "Why?", "from": {"id": "77", "name": "Pat"},
                 "created_time": "2026-11-20T16:00:00+0000"},
                {"id": "1_2", "message": "To keep patients safe.",
                 "from": {"id": PAGE_ID, "name": "Example Health"},
                 "created_time": "2026-11-20T16:05:00+0000"},
                {"id": "1_3", "message": "Nobody answers the phone.",
                 "created_time": "2026-11-20T16:09:00+0000"},
            ]}}
    reviews = valid(to_canonical("facebook", {"data": [post]}, config))
    assert sorted(reviews) == ["1_1", "1_3"]
    assert reviews["1_3"].author is None


def test_facebook_says_which_entries_it_skipped_and_why(config):
    own_post = {"id": f"{PAGE_ID}_2", "message": "Flu shots on Saturday.",
                "created_time": "2026-11-20T15:00:00+0000"}
    page_post = {**own_post, "id": f"{PAGE_ID}_3", "from": {"id": PAGE_ID},
                 "comments": {"data": [{"id": "3_1", "message": "Thanks", "from": {"id": PAGE_ID},
                                        "created_time": "2026-11-20T16:00:00+0000"}]}}

    batch = validated(to_canonical("facebook", {"data": [own_post, page_post]}, config))

    assert batch.reviews == [] and batch.errors == []
    assert [(s.index, s.field) for s in batch.skipped] == [
        (0, "data[0].from"), (1, "data[1].from.id"), (2, "data[1].comments.data[0].from.id")]
    assert all("not a review" in s.problem for s in batch.skipped)


def test_a_facebook_webhook_notification_is_skipped_as_one_entry_saying_why(config):
    webhook = {"object": "page", "entry": [{"id": PAGE_ID, "time": 1764000000, "changes": [
        {"field": "feed", "value": {"item": "comment", "verb": "add", "message": "Rude staff"}}]}]}

    (skipped,) = validated(to_canonical("facebook", webhook, config)).skipped

    assert skipped.field == "entry" and "webhook" in skipped.problem


def test_facebook_ratings_sample_becomes_recommendations(config):
    body = {**sample("facebook_ratings.json"), "page_id": PAGE_ID}
    reviews = valid(to_canonical("facebook", body, config))

    negative, positive = reviews["777000111"], reviews["777000112"]
    assert (negative.recommendation, negative.rating, negative.author) == ("negative", None,
                                                                           "Casey D.")
    assert negative.text == "Staff in radiology were cold and never explained anything."
    assert negative.site == "south"
    assert negative.url == f"https://www.facebook.com/{PAGE_ID}/reviews"
    assert positive.recommendation == "positive"


def test_facebook_ratings_without_a_page_have_no_site(config):
    reviews = valid(to_canonical("facebook", sample("facebook_ratings.json"), config))
    assert {review.site for review in reviews.values()} == {None}


def test_facebook_items_that_cannot_be_mapped_fail_validation_by_field(config):
    ratings = sample("facebook_ratings.json")["data"]
    no_story = {key: value for key, value in ratings[0].items() if key != "open_graph_story"}
    odd_type = {**ratings[1], "recommendation_type": "meh"}

    items = to_canonical("facebook", [no_story, odd_type, 42], config)

    assert errors_of(items) == {(0, "external_id"), (1, "recommendation"), (2, "(item)")}


def test_graph_paging_follows_next_without_its_token():
    answer = {"paging": {"cursors": {"after": "QQ"},
                         "next": "https://graph.example/v21.0/1/feed?access_token=SECRET"
                                 "&limit=25&after=QQ"}}
    assert facebook.next_page_params(answer) == {"limit": "25", "after": "QQ"}
    assert facebook.next_page_params(sample("facebook_ratings.json")) is None
    assert facebook.next_page_params(sample("facebook_feed.json")) == {"after": "QVFIUk5x"}


@pytest.mark.parametrize(("status", "body", "kind"), [
    (400, sample("facebook_error_code12.json"), ErrorKind.DEPRECATED),
    (400, {"error": {"code": 190, "message": "Session has expired"}}, ErrorKind.AUTH),
    (400, {"error": {"code": 4, "message": "Application request limit reached"}},
     ErrorKind.RATE_LIMITED),
    (500, {"error": {"code": 2, "is_transient": True}}, ErrorKind.UNAVAILABLE),
    (429, {}, ErrorKind.RATE_LIMITED),
    (400, {"error": {"code": 100}}, ErrorKind.REFUSED),
])
def test_graph_errors_are_read_from_their_code(status, body, kind):
    assert facebook.graph_error(graph_answer(status, body)).kind is kind


# ---- Yelp and Podium -------------------------------------------------------------------------


def test_yelp_webhook_sample_names_the_review():
    announced = yelp.webhook_reviews(sample("yelp_webhook.json"))
    assert announced.reviews == [(BUSINESS_ID, "yRv0aBcD", 0)] and announced.skipped == []


def test_yelp_webhook_skips_other_events_saying_which_and_why():
    body = {"data": {"id": BUSINESS_ID, "updates": [
        {"event_type": "NEW_PHOTO_EVENT", "review_id": "x"},
        {"event_type": "NEW_REVIEW_EVENT"},
        {"event_type": "NEW_REVIEW_EVENT", "review_id": "y"}]}}
    announced = yelp.webhook_reviews(body)
    assert announced.reviews == [(BUSINESS_ID, "y", 2)]
    assert [(s.index, s.field) for s in announced.skipped] == [
        (0, "data.updates[0].event_type"), (1, "data.updates[1].review_id")]
    nothing = yelp.webhook_reviews({"unexpected": True})
    assert nothing.reviews == [] and [s.field for s in nothing.skipped] == ["data.id"]


@pytest.mark.parametrize(("body", "named"), [
    ({"data": {"id": BUSINESS_ID, "updates": [{"event_type": {"x": 1}, "review_id": "x"}]}},
     "data.updates[0].event_type must be a string"),  # was a TypeError: unhashable dict
    ({"data": {"id": BUSINESS_ID, "updates": [{"event_type": "NEW_REVIEW_EVENT"}, "junk"]}},
     "data.updates[1] must be an object"),
    ({"data": {"id": ["x"]}}, "data.id must be a string"),
    ({"data": {"id": BUSINESS_ID, "updates": [{"review_id": "x" * 256}]}},
     "data.updates[0].review_id must be at most 255 characters"),
], ids=["event-type-an-object", "junk-update", "business-a-list", "huge-review-id"])
def test_a_yelp_webhook_of_the_wrong_shape_is_refused_naming_the_field(body, named):
    with pytest.raises(Unshaped) as refused:
        yelp.webhook_reviews(body)
    assert str(refused.value) == named


def test_yelp_review_time_is_pacific_and_its_float_rating_whole():
    review = {"id": "yRv0aBcD", "text": "Late again.", "rating": 2.0,
              "time_created": "2026-11-22 11:29:41", "user": {"name": "Casey R."},
              "url": "https://www.yelp.com/biz/x?hrid=yRv0aBcD"}
    mapped = valid([yelp.review_to_canonical(review, site="north")])["yRv0aBcD"]
    assert mapped.created_at == datetime(2026, 11, 22, 19, 29, 41, tzinfo=UTC)
    assert (mapped.rating, mapped.author, mapped.site) == (2, "Casey R.", "north")


def test_podium_sample_is_stored_under_the_platform_it_came_from(config):
    reviews = valid(to_canonical("podium", sample("podium_review.json"), config))

    review = reviews["AbFvOqk7"]
    assert (review.source, review.site, review.author, review.rating) == ("google", "north",
                                                                          "Mel H.", 2)
    assert review.url == "https://reviews.example/r/5f0e"
    assert review.created_at == datetime(2026, 11, 22, 10, tzinfo=UTC)


def test_podium_review_without_a_platform_id_falls_back_to_podiums_own(config):
    item = sample("podium_review.json")
    item["review"] = {"body": "Rude.", "rating": 1}
    item["locations"] = [{"uid": "somewhere-else"}]
    review = valid([podium.review_to_canonical(item, config)])["podium-5f0e2c1a-rev"]
    assert (review.source, review.site) == ("podium", None)


def test_podium_items_that_cannot_be_mapped_fail_validation_by_field(config):
    item = sample("podium_review.json")
    item["review"]["rating"] = 2.5
    del item["createdAt"]
    assert errors_of(to_canonical("podium", [item], config)) == {(0, "rating"), (0, "created_at")}


# ---- intake formats --------------------------------------------------------------------------


def test_canonical_format_passes_reviews_through(config):
    lines = (SAMPLES / "canonical_reviews.jsonl").read_text().splitlines()
    reviews = [json.loads(line) for line in lines]
    assert len(valid(to_canonical("canonical", reviews, config))) == 4
    assert len(valid(to_canonical("canonical", {"reviews": reviews}, config))) == 4
    assert len(valid(to_canonical("canonical", reviews[0], config))) == 1


def test_an_unknown_format_is_a_clear_error(config):
    with pytest.raises(ValueError, match="unknown review format 'tripadvisor'") as raised:
        to_canonical("tripadvisor", {}, config)
    assert all(name in str(raised.value) for name in FORMATS)


@pytest.mark.parametrize("format", FORMATS)
def test_a_body_that_is_not_reviews_is_an_item_error_in_every_format(format, config):
    assert errors_of(to_canonical(format, "nonsense", config)) == {(0, "(item)")}


# ---- clients, secrets and back-off -----------------------------------------------------------


def test_missing_secrets_are_named_all_at_once(config):
    with pytest.raises(ConfigError) as raised:
        clients_from_env(config, {})
    problems = " ".join(raised.value.problems)
    for name in ("GOOGLE_REFRESH_TOKEN", "FACEBOOK_PAGE_TOKEN", "YELP_API_KEY"):
        assert name in problems


def test_a_refresh_token_needs_its_client(config):
    with pytest.raises(ConfigError, match="GOOGLE_CLIENT_SECRET is not"):
        google.credentials_from_env({"GOOGLE_REFRESH_TOKEN": "r", "GOOGLE_CLIENT_ID": "id"})


def test_a_page_can_have_its_own_token(config):
    env = {facebook.page_token_env_name(PAGE_ID): "page-token", "GOOGLE_REFRESH_TOKEN": "r",
           "GOOGLE_CLIENT_ID": "i", "GOOGLE_CLIENT_SECRET": "s", "YELP_API_KEY": "k"}
    clients = clients_from_env(config, env)
    assert clients.facebook is not None and clients.google is not None
    assert clients.yelp is not None


def test_source_errors_say_nothing_secret():
    error = SourceError(ErrorKind.RATE_LIMITED, status=429, retry_after=120)
    assert str(error) == "rate_limited (HTTP 429, retry after 120s)"


def test_retry_after_reads_seconds_and_dates():
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0
    assert retry_after_seconds("soon") is None


def test_backoff_doubles_up_to_the_maximum_but_honours_retry_after():
    limit = timedelta(minutes=10)
    policy = source_backoff(limit)
    assert [policy.delay(n) for n in range(1, 8)] == [30, 60, 120, 240, 480, 600, 600]
    assert policy.delay(1, retry_after=900) == 900
    assert policy.delay(400) == 600
