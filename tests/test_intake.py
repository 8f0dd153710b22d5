"""POST /intake/reviews: authenticated, validated item by item, idempotent; GET /healthz."""

from __future__ import annotations

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
