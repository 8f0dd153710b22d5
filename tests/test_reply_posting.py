"""Posting replies back to Google, Facebook and Yelp, against local fakes that speak each API's
JSON: what lands, what waits for moderation, what is refused and why, rate limits, expired
tokens, and an unknown outcome (no answer) that is looked up before anything is posted again."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.config import ConfigError, YelpSource
from bot.intake.sources.facebook import FacebookClient
from bot.intake.sources.google import GoogleClient
from bot.intake.sources.posting import LookupStatus, PostStatus
from bot.intake.sources.yelp import YelpReplyClient, refresh_token_env_name
from testing.fakes.facebook_api import SAMPLE_PAGE_ID, FakeFacebook
from testing.fakes.google_api import SAMPLE_LOCATION, FakeGoogle
from testing.fakes.json_api import bearer
from testing.fakes.yelp_api import SAMPLE_BUSINESS_ID, FakeYelp
from testing.workspace import START

REVIEW = f"{SAMPLE_LOCATION}/reviews/AbFvOqk1"
REPLY = ("Thank you for sharing this, and we're sorry for the experience you describe. Please "
         "call our Patient Experience team at 555-0101.")
# Short enough that a silent fake ends the wait quickly; a real post gets POST_TIMEOUT.
QUICK = (2.0, 0.3)


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


# ---- Google ----------------------------------------------------------------------------------


@pytest.fixture
def fake_google() -> Iterator[FakeGoogle]:
    with FakeGoogle() as fake:
        fake.seed_samples()
        yield fake


@pytest.fixture
def google(fake_google: FakeGoogle) -> GoogleClient:
    return GoogleClient.from_env(fake_google.env(), base_url=fake_google.api_url)


def test_google_reply_is_put_on_the_review_and_is_live(fake_google, google):
    result = google.update_reply(REVIEW, REPLY)

    assert result.status is PostStatus.POSTED and result.landed
    assert result.reply_id == f"{REVIEW}/reply"
    (call,) = fake_google.calls_to("reply")
    assert call.method == "PUT" and call.json == {"comment": REPLY}
    assert fake_google.review(REVIEW)["reviewReply"]["comment"] == REPLY


def test_google_holds_a_reply_for_moderation_then_rejects_it_with_its_reason(fake_google,
                                                                              google):
    fake_google.moderation = "PENDING"
    pending = google.update_reply(REVIEW, REPLY)
    assert pending.status is PostStatus.PENDING and pending.landed

    fake_google.moderate(REVIEW, "REJECTED", {"policyViolationType": "PERSONAL_INFORMATION"})
    lookup = google.fetch_reply(REVIEW, REPLY)

    assert lookup.status is LookupStatus.FOUND
    assert lookup.result.status is PostStatus.REJECTED
    assert "personal information" in lookup.result.reason


def test_google_rejecting_at_once_says_why(fake_google, google):
    fake_google.moderation = "REJECTED"
    fake_google.policy_violation = "OFF_TOPIC"

    result = google.update_reply(REVIEW, REPLY)

    assert result.status is PostStatus.REJECTED and not result.landed
    assert result.reason == "Google rejected the reply: off topic."


def test_google_permission_error_is_shown_and_not_retried(fake_google, google):
    fake_google.forbidden_locations.add(SAMPLE_LOCATION)

    result = google.update_reply(REVIEW, REPLY)

    assert result.status is PostStatus.FAILED and not result.retryable
    assert result.http_status == 403 and result.error_code == "PERMISSION_DENIED"
    assert "The caller does not have permission" in result.reason


def test_google_rate_limit_is_retryable_after_the_time_it_gives(fake_google, google):
    fake_google.fail("reply", status=429, retry_after=30)

    result = google.update_reply(REVIEW, REPLY)

    assert result.status is PostStatus.FAILED and result.retryable
    assert result.retry_after == 30
    assert google.update_reply(REVIEW, REPLY).status is PostStatus.POSTED


def test_google_server_error_on_an_idempotent_put_is_retryable(fake_google, google):
    fake_google.fail("reply", status=503)

    result = google.update_reply(REVIEW, REPLY)

    assert result.status is PostStatus.FAILED and result.retryable


def test_google_expired_token_is_refreshed_once(fake_google, google):
    assert google.update_reply(REVIEW, "First words. Please call 555-0101.").landed
    fake_google.expire_tokens()

    result = google.update_reply(REVIEW, REPLY)

    assert result.status is PostStatus.POSTED
    assert len(fake_google.calls_to("token")) == 2
    first, refused, retried = fake_google.calls_to("reply")
    assert bearer(first) == bearer(refused) != bearer(retried)


def test_google_unknown_outcome_is_looked_up_before_posting_again(fake_google, google):
    fake_google.hang("reply", handle_first=True)

    result = google.update_reply(REVIEW, REPLY, timeout=QUICK)
    fake_google.release()

    assert result.status is PostStatus.UNKNOWN and not result.landed
    found = google.fetch_reply(REVIEW, REPLY)
    assert found.status is LookupStatus.FOUND and found.result.status is PostStatus.POSTED
    assert google.fetch_reply(REVIEW, "Other words").status is LookupStatus.ABSENT


def test_google_lost_request_looks_absent(fake_google, google):
    fake_google.hang("reply", handle_first=False)

    assert google.update_reply(REVIEW, REPLY, timeout=QUICK).status is PostStatus.UNKNOWN
    fake_google.release()

    assert google.fetch_reply(REVIEW, REPLY).status is LookupStatus.ABSENT


def test_google_reply_over_4096_bytes_is_refused_before_sending(fake_google, google):
    result = google.update_reply(REVIEW, "é" * 2049)

    assert result.status is PostStatus.FAILED and not result.retryable
    assert "4096 bytes" in result.reason
    assert fake_google.calls_to("reply") == []


def test_google_unreachable_means_nothing_was_posted(fake_google):
    client = GoogleClient.from_env(fake_google.env(), base_url=closed_port_url())

    result = client.update_reply(REVIEW, REPLY)

    assert result.status is PostStatus.FAILED and result.retryable
    assert "nothing was posted" in result.reason


# ---- Facebook --------------------------------------------------------------------------------

POST_ID = f"{SAMPLE_PAGE_ID}_998877"
VISITOR_COMMENT = "998877_1001"
RECOMMENDATION_STORY = "777000111"


@pytest.fixture
def fake_facebook() -> Iterator[FakeFacebook]:
    with FakeFacebook() as fake:
        fake.seed_samples()
        yield fake


@pytest.fixture
def facebook(fake_facebook: FakeFacebook) -> FacebookClient:
    return FacebookClient({SAMPLE_PAGE_ID: fake_facebook.page_token},
                          base_url=fake_facebook.base_url, graph_version="v21.0")


def test_facebook_comment_is_posted_as_the_page(fake_facebook, facebook):
    result = facebook.post_comment(SAMPLE_PAGE_ID, POST_ID, REPLY)

    assert result.status is PostStatus.POSTED and result.reply_id
    (call,) = fake_facebook.calls_to("comment_post")
    assert call.form == {"message": REPLY}
    assert "access_token" not in call.query
    posted = fake_facebook.comment(result.reply_id)
    assert posted["from"]["id"] == SAMPLE_PAGE_ID and posted["message"] == REPLY


def test_facebook_recommendation_story_takes_a_comment(fake_facebook, facebook):
    result = facebook.post_comment(SAMPLE_PAGE_ID, RECOMMENDATION_STORY, REPLY)

    assert result.status is PostStatus.POSTED
    lookup = facebook.fetch_reply(SAMPLE_PAGE_ID, RECOMMENDATION_STORY, REPLY)
    assert lookup.status is LookupStatus.FOUND and lookup.result.reply_id == result.reply_id


def test_facebook_missing_permission_is_explained(fake_facebook, facebook):
    fake_facebook.can_engage = False

    result = facebook.post_comment(SAMPLE_PAGE_ID, POST_ID, REPLY)

    assert result.status is PostStatus.FAILED and not result.retryable
    assert result.error_code == 200
    assert "(#200)" in result.reason and "permission" in result.reason


def test_facebook_expired_token_asks_for_a_new_one(fake_facebook, facebook):
    fake_facebook.token_expired = True

    result = facebook.post_comment(SAMPLE_PAGE_ID, POST_ID, REPLY)

    assert result.status is PostStatus.FAILED and not result.retryable
    assert result.error_code == 190 and "renew" in result.reason


def test_facebook_gone_post_is_not_retried(fake_facebook, facebook):
    result = facebook.post_comment(SAMPLE_PAGE_ID, f"{SAMPLE_PAGE_ID}_404", REPLY)

    assert result.status is PostStatus.FAILED and not result.retryable
    assert result.error_code == 100 and "does not exist" in result.reason


def test_facebook_throttling_is_retryable(fake_facebook, facebook):
    fake_facebook.fail("comment_post", status=429, retry_after=60)

    result = facebook.post_comment(SAMPLE_PAGE_ID, POST_ID, REPLY)

    assert result.status is PostStatus.FAILED and result.retryable
    assert result.error_code == 4 and result.retry_after == 60


def test_facebook_server_error_on_a_post_is_an_unknown_outcome(fake_facebook, facebook):
    fake_facebook.fail("comment_post", status=500)

    result = facebook.post_comment(SAMPLE_PAGE_ID, POST_ID, REPLY)

    assert result.status is PostStatus.UNKNOWN
    assert facebook.fetch_reply(SAMPLE_PAGE_ID, POST_ID, REPLY).status is LookupStatus.ABSENT


def test_facebook_unknown_outcome_is_found_before_posting_again(fake_facebook, facebook):
    assert facebook.fetch_reply(SAMPLE_PAGE_ID, POST_ID, REPLY).status is LookupStatus.ABSENT
    fake_facebook.hang("comment_post", handle_first=True)

    result = facebook.post_comment(SAMPLE_PAGE_ID, POST_ID, REPLY, timeout=QUICK)
    fake_facebook.release()

    assert result.status is PostStatus.UNKNOWN
    lookup = facebook.fetch_reply(SAMPLE_PAGE_ID, POST_ID, REPLY)
    assert lookup.status is LookupStatus.FOUND
    assert fake_facebook.comment(lookup.result.reply_id)["message"] == REPLY


def test_facebook_lookup_pages_past_other_comments(fake_facebook, facebook):
    facebook.post_comment(SAMPLE_PAGE_ID, POST_ID, REPLY)
    for number in range(60):  # newer comments push ours to the second page
        fake_facebook.add_comment(POST_ID, {
            "id": f"998877_{5000 + number}", "message": f"comment {number}",
            "created_time": "2026-12-01T10:00:00+0000",
            "from": {"id": "5559999", "name": "Visitor"}})

    lookup = facebook.fetch_reply(SAMPLE_PAGE_ID, POST_ID, REPLY)

    assert lookup.status is LookupStatus.FOUND
    assert len(fake_facebook.calls_to("comments")) == 2


def test_facebook_hides_a_comment(fake_facebook, facebook):
    result = facebook.hide_comment(SAMPLE_PAGE_ID, VISITOR_COMMENT)

    assert result.status is PostStatus.POSTED
    (call,) = fake_facebook.calls_to("comment_update")
    assert call.form == {"is_hidden": "true"}
    assert fake_facebook.comment(VISITOR_COMMENT)["is_hidden"] is True
    assert facebook.hide_comment(SAMPLE_PAGE_ID, VISITOR_COMMENT, hidden=False).landed
    assert fake_facebook.comment(VISITOR_COMMENT)["is_hidden"] is False


def test_facebook_hide_without_an_answer_can_simply_be_tried_again(fake_facebook, facebook):
    fake_facebook.hang("comment_update")

    result = facebook.hide_comment(SAMPLE_PAGE_ID, VISITOR_COMMENT, timeout=QUICK)
    fake_facebook.release()

    assert result.status is PostStatus.FAILED and result.retryable


def test_facebook_page_without_a_token_is_a_clear_failure(fake_facebook, facebook):
    result = facebook.post_comment("999", POST_ID, REPLY)

    assert result.status is PostStatus.FAILED and "FACEBOOK_PAGE_TOKEN_999" in result.reason
    assert fake_facebook.calls == []


# ---- Yelp ------------------------------------------------------------------------------------

OTHER_BUSINESS = "south-clinic-springfield"


@pytest.fixture
def fake_yelp() -> Iterator[FakeYelp]:
    with FakeYelp() as fake:
        fake.seed_samples()
        for number in range(3):
            fake.add_review(SAMPLE_BUSINESS_ID, {"id": f"north-review-{number}", "text": "Slow."})
        fake.add_review(OTHER_BUSINESS, {"id": "south-review", "text": "Rude."})
        yield fake


@pytest.fixture
def yelp_clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def yelp(fake_yelp: FakeYelp, yelp_clock: ManualClock) -> YelpReplyClient:
    return YelpReplyClient(
        client_id=fake_yelp.client_id, client_secret=fake_yelp.client_secret,
        refresh_tokens={SAMPLE_BUSINESS_ID: fake_yelp.authorize(SAMPLE_BUSINESS_ID)},
        base_url=fake_yelp.base_url, token_url=fake_yelp.token_url, clock=yelp_clock.now)


def sample_review_id(fake: FakeYelp) -> str:
    return fake.webhook()["data"]["updates"][0]["review_id"]


def test_yelp_reply_is_a_public_comment_with_the_business_users_token(fake_yelp, yelp):
    review_id = sample_review_id(fake_yelp)

    result = yelp.post_reply(SAMPLE_BUSINESS_ID, review_id, REPLY)

    assert result.status is PostStatus.POSTED
    (call,) = fake_yelp.calls_to("respond")
    assert call.json == {"response_text": REPLY, "response_type": "public_comment"}
    assert fake_yelp.responses[review_id] == [REPLY]
    (token_call,) = fake_yelp.calls_to("token")
    assert token_call.form["grant_type"] == "refresh_token"


def test_yelp_token_is_reused_for_a_week_then_refreshed(fake_yelp, yelp, yelp_clock):
    yelp.post_reply(SAMPLE_BUSINESS_ID, "north-review-0", REPLY)
    yelp.post_reply(SAMPLE_BUSINESS_ID, "north-review-1", REPLY)
    assert len(fake_yelp.calls_to("token")) == 1

    yelp_clock.advance(timedelta(days=6, hours=12))  # within a day of the 7-day expiry
    assert yelp.post_reply(SAMPLE_BUSINESS_ID, "north-review-2", REPLY).landed

    assert len(fake_yelp.calls_to("token")) == 2


def test_yelp_revoked_access_token_is_refreshed_once(fake_yelp, yelp):
    yelp.post_reply(SAMPLE_BUSINESS_ID, "north-review-0", REPLY)
    fake_yelp.expire_tokens()

    result = yelp.post_reply(SAMPLE_BUSINESS_ID, "north-review-1", REPLY)

    assert result.status is PostStatus.POSTED
    assert [c.route for c in fake_yelp.calls[-3:]] == ["respond", "token", "respond"]


def test_yelp_daily_quota_is_a_retryable_failure(fake_yelp, yelp):
    fake_yelp.daily_quota = 2
    for number in range(2):
        assert yelp.post_reply(SAMPLE_BUSINESS_ID, f"north-review-{number}", REPLY).landed

    result = yelp.post_reply(SAMPLE_BUSINESS_ID, "north-review-2", REPLY)

    assert result.status is PostStatus.FAILED and result.retryable
    assert result.error_code == "R2R_COMMENT_QUOTA_EXCEEDED"
    assert "20 replies per location a day" in result.reason


def test_yelp_review_of_another_business_is_a_permission_error(fake_yelp, yelp):
    result = yelp.post_reply(SAMPLE_BUSINESS_ID, "south-review", REPLY)

    assert result.status is PostStatus.FAILED and not result.retryable
    assert result.error_code == "R2R_PERMISSION_DENIED"
    assert "may not comment on this review" in result.reason


def test_yelp_refusing_the_words_is_a_rejection(fake_yelp, yelp):
    assert yelp.post_reply(SAMPLE_BUSINESS_ID, "north-review-0", REPLY).landed

    again = yelp.post_reply(SAMPLE_BUSINESS_ID, "north-review-0", REPLY)

    assert again.status is PostStatus.REJECTED
    assert again.error_code == "R2R_INVALID_RESPONSE_TEXT"
    assert fake_yelp.responses["north-review-0"] == [REPLY]


def test_yelp_emoji_and_length_are_refused_before_sending(fake_yelp, yelp):
    assert "emoji" in yelp.post_reply(SAMPLE_BUSINESS_ID, "north-review-0", "Sorry 😞").reason
    assert "5000" in yelp.post_reply(SAMPLE_BUSINESS_ID, "north-review-0", "x" * 5001).reason
    assert fake_yelp.calls == []


def test_yelp_refused_refresh_token_asks_for_authorization(fake_yelp):
    client = YelpReplyClient(
        client_id=fake_yelp.client_id, client_secret=fake_yelp.client_secret,
        refresh_tokens={SAMPLE_BUSINESS_ID: "revoked"}, base_url=fake_yelp.base_url,
        token_url=fake_yelp.token_url)

    result = client.post_reply(SAMPLE_BUSINESS_ID, "north-review-0", REPLY)

    assert result.status is PostStatus.FAILED and not result.retryable
    assert result.error_code == "TOKEN_NOT_FOUND" and "authorize" in result.reason
    assert fake_yelp.calls_to("respond") == []


def test_yelp_unknown_outcome_cannot_be_looked_up_and_says_so(fake_yelp, yelp):
    fake_yelp.hang("respond", handle_first=True)

    result = yelp.post_reply(SAMPLE_BUSINESS_ID, "north-review-0", REPLY, timeout=QUICK)
    fake_yelp.release()

    assert result.status is PostStatus.UNKNOWN
    lookup = yelp.fetch_reply(SAMPLE_BUSINESS_ID, "north-review-0", REPLY)
    assert lookup.status is LookupStatus.CANNOT_TELL and "check the review on Yelp" in lookup.reason
    # Posting the same words again does not double the reply: Yelp refuses them.
    assert yelp.post_reply(SAMPLE_BUSINESS_ID, "north-review-0", REPLY).status is \
        PostStatus.REJECTED
    assert fake_yelp.responses["north-review-0"] == [REPLY]


def test_yelp_server_error_is_an_unknown_outcome(fake_yelp, yelp):
    fake_yelp.fail("respond", status=502)

    assert yelp.post_reply(SAMPLE_BUSINESS_ID, "north-review-0", REPLY).status is \
        PostStatus.UNKNOWN


def test_yelp_credentials_come_from_the_environment(fake_yelp):
    source = YelpSource(base_url=fake_yelp.base_url, token_url=fake_yelp.token_url,
                        post_replies=True, businesses={SAMPLE_BUSINESS_ID: "north"})
    with pytest.raises(ConfigError) as missing:
        YelpReplyClient.from_env({}, source=source)
    problem = str(missing.value)
    for name in ("YELP_CLIENT_ID", "YELP_CLIENT_SECRET",
                 refresh_token_env_name(SAMPLE_BUSINESS_ID)):
        assert name in problem
    assert refresh_token_env_name(SAMPLE_BUSINESS_ID) == \
        "YELP_REFRESH_TOKEN_NORTH_CAMPUS_HOSPITAL_SPRINGFIELD"

    client = YelpReplyClient.from_env({
        "YELP_CLIENT_ID": fake_yelp.client_id, "YELP_CLIENT_SECRET": fake_yelp.client_secret,
        "YELP_REFRESH_TOKEN": fake_yelp.authorize(SAMPLE_BUSINESS_ID)}, source=source)
    assert client.post_reply(SAMPLE_BUSINESS_ID, "north-review-0", REPLY).landed
