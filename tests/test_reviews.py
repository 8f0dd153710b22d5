"""validate_batch: every bad item is reported with its index and field, every good one is kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.config import parse_config
from bot.core.reviews import MAX_TEXT_CHARS, CanonicalReview, ItemError, validate_batch
from testing.workspace import START, config_data

CONFIG = parse_config(config_data())


def validate(items: list, now: datetime = START):
    return validate_batch(items, config=CONFIG, now=now)


def item(**changes) -> dict:
    data = {
        "source": "google",
        "external_id": "g-1",
        "site": "north",
        "author": "Dana K.",
        "rating": 1,
        "text": "Waited five hours and nobody told us anything.",
        "url": "https://maps.example/review/g-1",
        "created_at": "2026-11-20T14:03:00Z",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not ...}


def test_a_mixed_batch_reports_each_bad_item_and_keeps_every_good_one():
    items = [
        item(external_id="good-1"),                              # 0
        item(external_id=...),                                   # 1 missing external_id
        item(external_id="bad-rating-7", rating=7),              # 2
        item(external_id="good-2", rating=None),                 # 3
        item(external_id="bad-rating-five", rating="five"),      # 4
        item(external_id="bad-rating-true", rating=True),        # 5
        item(external_id="bad-date", created_at="last tuesday"),  # 6
        item(external_id="bad-long", text="x" * (MAX_TEXT_CHARS + 1)),  # 7
        item(external_id="bad-text-number", text=42),            # 8
        "not an object",                                         # 9
        item(external_id="good-3", rating=5),                    # 10
    ]
    batch = validate(items)

    assert [index for index, _ in batch.reviews] == [0, 3, 10]
    assert [review.external_id for _, review in batch.reviews] == ["good-1", "good-2", "good-3"]
    assert all(isinstance(review, CanonicalReview) for _, review in batch.reviews)

    where = [(error.index, error.field) for error in batch.errors]
    assert where == [
        (1, "external_id"),
        (2, "rating"),
        (4, "rating"),
        (5, "rating"),
        (6, "created_at"),
        (7, "text"),
        (8, "text"),
        (9, "(item)"),
    ]
    by_index = {error.index: error for error in batch.errors}
    assert by_index[1].message == "is required"
    assert by_index[1].external_id is None
    assert by_index[2].message == "must be between 1 and 5 or null, not 7"
    assert by_index[2].external_id == "bad-rating-7"
    assert "str" in by_index[4].message
    assert "bool" in by_index[5].message
    assert by_index[6].message == "is not an ISO 8601 date and time: 'last tuesday'"
    assert by_index[7].message == f"is longer than {MAX_TEXT_CHARS} characters"
    assert "int" in by_index[8].message
    assert by_index[9].message == "must be a JSON object"
    for error in batch.errors:
        assert error.message
        assert error.as_dict()["index"] == error.index
        assert error.as_dict()["field"] == error.field


def test_an_item_with_several_problems_reports_each_field():
    batch = validate([item(rating=0, created_at="soon", url="ftp://x")])
    assert batch.reviews == []
    assert sorted(error.field for error in batch.errors) == ["created_at", "rating", "url"]
    assert {error.index for error in batch.errors} == {0}
    assert {error.external_id for error in batch.errors} == {"g-1"}


@pytest.mark.parametrize("not_an_object", [None, 5, "text", ["a", "list"]])
def test_anything_but_an_object_is_rejected_as_a_whole(not_an_object):
    batch = validate([not_an_object, item()])
    assert batch.errors == [ItemError(0, "(item)", "must be a JSON object")]
    assert [index for index, _ in batch.reviews] == [1]


def test_an_empty_batch_is_empty():
    batch = validate([])
    assert batch.reviews == []
    assert batch.errors == []


def test_text_of_exactly_the_limit_is_accepted():
    batch = validate([item(text="x" * MAX_TEXT_CHARS)])
    assert batch.errors == []
    assert len(batch.reviews[0][1].text) == MAX_TEXT_CHARS


def test_a_naive_created_at_is_taken_as_utc():
    (_, review), = validate([item(created_at="2026-11-20T14:03:00")]).reviews
    assert review.created_at == datetime(2026, 11, 20, 14, 3, tzinfo=UTC)
    assert review.created_at.utcoffset().total_seconds() == 0


def test_a_created_at_with_an_offset_is_converted_to_utc():
    (_, review), = validate([item(created_at="2026-11-20T14:03:00+02:00")]).reviews
    assert review.created_at == datetime(2026, 11, 20, 12, 3, tzinfo=UTC)
    assert review.created_at.tzinfo == UTC


def test_source_is_lower_cased():
    (_, review), = validate([item(source="  Google ")]).reviews
    assert review.source == "google"


def test_a_numeric_external_id_becomes_a_string():
    (_, review), = validate([item(external_id=1234567)]).reviews
    assert review.external_id == "1234567"


def test_null_text_becomes_empty():
    (_, review), = validate([item(text=None)]).reviews
    assert review.text == ""


def test_missing_optional_fields_are_none_and_blank_ones_too():
    batch = validate([item(site="", author=..., url=..., rating=..., text=...)])
    (_, review), = batch.reviews
    assert review.site is None
    assert review.author is None
    assert review.url is None
    assert review.rating is None
    assert review.text == ""


def test_unknown_fields_are_ignored():
    (_, review), = validate([item(stars=1, extra={"a": 1})]).reviews
    assert not hasattr(review, "stars")


@pytest.mark.parametrize("rating", ["1", 1.0, 0, 6])
def test_ratings_must_be_whole_numbers_from_one_to_five(rating):
    (error,) = validate([item(rating=rating)]).errors
    assert (error.index, error.field) == (0, "rating")


def test_a_boolean_external_id_is_not_echoed_as_an_id():
    (error,) = validate([item(external_id=True)]).errors
    assert error.field == "external_id"
    assert error.external_id is None


def test_a_site_the_config_does_not_know_is_refused_naming_the_known_ones():
    batch = validate([item(external_id="mars", site="mars"),
                      item(external_id="by-name", site="North Campus"),
                      item(external_id="by-id", site="south"),
                      item(external_id="no-site", site=None)])

    (error,) = batch.errors
    assert (error.index, error.field, error.external_id) == (0, "site", "mars")
    assert "'mars'" in error.message and "north, south" in error.message
    assert [review.external_id for _, review in batch.reviews] == ["by-name", "by-id", "no-site"]


def test_a_review_written_in_the_future_is_refused_beyond_a_few_minutes_of_skew():
    now = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
    batch = validate([item(external_id="skew", created_at="2026-11-20T14:04:59Z"),
                      item(external_id="ahead", created_at="2026-11-20T14:05:01Z"),
                      item(external_id="2099", created_at="2099-01-01T00:00:00Z")], now=now)

    assert [review.external_id for _, review in batch.reviews] == ["skew"]
    assert [(error.index, error.field) for error in batch.errors] == [(1, "created_at"),
                                                                     (2, "created_at")]
    assert "in the future" in batch.errors[1].message and "2099" in batch.errors[1].message


def test_an_item_may_be_refused_for_its_site_and_its_date_at_once():
    batch = validate([item(site="mars", created_at="2099-01-01T00:00:00Z")])
    assert [error.field for error in batch.errors] == ["site", "created_at"]
    assert batch.reviews == []
