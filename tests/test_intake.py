"""POST /intake/reviews: authenticated, validated item by item, idempotent; GET /healthz."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.core.case_lists import CaseLists
from storage.lists import OpenCases
from testing.driver import review
from testing.workspace import TRIAGE


def test_a_missing_or_wrong_token_gets_401_and_stores_nothing(driver, slack):
    for token in (None, "wrong-token", "Bearer"):
        status, body = driver.post_reviews(review(), token=token)
        assert status == 401, token
        assert body == {"error": "missing or wrong bearer token"}
    assert CaseLists(driver.bot.db, driver.bot.config).page(OpenCases(), limit=1).total == 0


def test_a_batch_with_bad_items_stores_the_good_ones_and_names_the_bad_fields(driver, slack):
    batch = [
        review(external_id="ok-1"),
        review(external_id="bad-rating", rating=7),
        {k: v for k, v in review().items() if k != "external_id"},
        review(external_id="bad-date", created_at="last Tuesday"),
        review(external_id="ok-2", rating=None, source="Facebook"),
    ]
    status, body = driver.post_reviews(batch)
    assert status == 422
    assert body["received"] == 5 and body["created"] == 2 and body["rejected"] == 3
    errors = {(e["index"], e["field"]) for e in body["errors"]}
    assert errors == {(1, "rating"), (2, "external_id"), (3, "created_at")}
    assert next(e for e in body["errors"] if e["index"] == 1)["external_id"] == "bad-rating"
    assert [item["external_id"] for item in body["items"]] == ["ok-1", "ok-2"]
    slack.wait_for(lambda: len(slack.messages(TRIAGE)) == 2)


def test_the_body_may_be_one_review_a_list_or_an_envelope(driver):
    assert driver.post_reviews(review(external_id="a"))[1]["created"] == 1
    assert driver.post_reviews([review(external_id="b")])[1]["created"] == 1
    assert driver.post_reviews({"reviews": [review(external_id="c")]})[1]["created"] == 1


def test_malformed_json_and_wrong_shapes_get_400(driver):
    status, body = driver.post_reviews(None, raw=b"{not json")
    assert status == 400 and "JSON review" in body["error"]
    status, _ = driver.post_reviews("just a string")
    assert status == 400


def test_an_oversized_body_gets_413(driver):
    huge = [review(external_id=str(n), text="x" * 19_000) for n in range(300)]  # ~5.7 MB
    status, body = driver.post_reviews(huge)
    assert status == 413 and "MB" in body["error"]
    assert CaseLists(driver.bot.db, driver.bot.config).page(OpenCases(), limit=1).total == 0


def test_the_same_review_twice_at_once_opens_one_case(driver, slack):
    import threading

    results = []
    threads = [threading.Thread(target=lambda: results.append(driver.post_reviews(review())))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcomes = sorted(body["items"][0]["outcome"] for _, body in results)
    assert outcomes == ["created", "unchanged", "unchanged", "unchanged"]
    assert len({body["items"][0]["case_id"] for _, body in results}) == 1
    slack.wait_for(lambda: slack.messages(TRIAGE))
    assert len(slack.messages(TRIAGE)) == 1


def test_healthz_answers(driver):
    status, body = driver.get("/healthz")
    assert status == 200 and body["status"] == "ok"


def test_a_site_not_in_the_config_is_refused_naming_the_field_and_the_known_sites(driver, slack):
    status, body = driver.post_reviews(review(external_id="mars", site="mars"))
    assert status == 422 and body["created"] == 0 and body["rejected"] == 1
    (error,) = body["errors"]
    assert (error["index"], error["field"], error["external_id"]) == (0, "site", "mars")
    assert "'mars'" in error["message"] and "north, south" in error["message"]

    status, body = driver.post_reviews([review(external_id="ok-id"),
                                        review(external_id="mars-2", site="Mars"),
                                        review(external_id="ok-alias", site="North Campus"),
                                        review(external_id="ok-none", site=None)])
    assert status == 422 and body["created"] == 3
    assert [(e["index"], e["field"]) for e in body["errors"]] == [(1, "site")]
    slack.wait_for(lambda: len(slack.messages(TRIAGE)) == 3)


def test_a_review_dated_in_the_future_is_refused_but_a_little_clock_skew_is_not(driver, clock):
    ahead = clock.now() + timedelta(minutes=4)
    status, body = driver.post_reviews([
        review(external_id="2099", created_at="2099-01-01T00:00:00Z"),
        review(external_id="skew", created_at=ahead.isoformat()),
        review(external_id="later", created_at=(clock.now() + timedelta(hours=1)).isoformat())])
    assert status == 422
    assert [item["external_id"] for item in body["items"]] == ["skew"]
    assert [(e["index"], e["field"]) for e in body["errors"]] == [(0, "created_at"),
                                                                 (2, "created_at")]
    assert "in the future" in body["errors"][0]["message"]


def test_a_facebook_body_of_entries_that_are_not_reviews_says_what_it_skipped(driver, caplog):
    caplog.set_level(logging.INFO, logger="reviewdesk.intake")
    page = "1122334455"
    own_post = {"id": f"{page}_1", "message": "Flu shots on Saturday.",
                "created_time": "2026-11-24T10:00:00+0000"}
    page_post = {**own_post, "id": f"{page}_2", "from": {"id": page, "name": "Example Health"}}

    status, body = driver.post_reviews({"format": "facebook", "data": [own_post, page_post]})

    assert status == 200 and body["received"] == 2 and body["stored"] == 0
    assert [(s["index"], s["field"]) for s in body["skipped"]] == [(0, "data[0].from"),
                                                                   (1, "data[1].from.id")]
    said = "\n".join(record.getMessage() for record in caplog.records)
    assert "2 skipped" in said and "data[1].from.id" in said
    assert "Flu shots" not in said  # ids and fields, never what was written

    webhook = {"format": "facebook", "object": "page", "entry": [{"id": page, "changes": []}]}
    status, body = driver.post_reviews(webhook)
    assert status == 200 and [s["field"] for s in body["skipped"]] == ["entry"]
