"""Intake stores a batch in one transaction, each review in a savepoint of its own: a review
the database refuses is reported and rolls back alone; the others are stored and get cards."""

from __future__ import annotations

import json

from sqlalchemy import text

from testing.driver import review
from testing.workspace import TRIAGE


def _refuse_external_id(db, external_id: str) -> None:
    """Make the database itself refuse one review (as it would a value it cannot hold)."""
    with db.engine.begin() as connection:
        if db.engine.dialect.name == "sqlite":
            connection.execute(text(
                "CREATE TRIGGER refuse_one BEFORE INSERT ON reviews "
                f"WHEN NEW.external_id = '{external_id}' "
                "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"))
        else:
            connection.execute(text(
                f"ALTER TABLE reviews ADD CONSTRAINT refuse_one CHECK "
                f"(external_id <> '{external_id}')"))


def test_one_review_the_database_refuses_does_not_spoil_its_batch(driver, slack, bot):
    _refuse_external_id(bot.db, "bad-2")
    batch = [review(external_id=f"bad-{n}", author=f"Reviewer {n}") for n in range(1, 5)]
    status, body = driver.post_reviews(batch)
    assert status == 200, body
    assert [item["outcome"] for item in body["items"]] == ["created", "failed", "created",
                                                          "created"]
    assert body["created"] == 3
    case_ids = [item["case_id"] for item in body["items"] if item["case_id"]]
    assert len(case_ids) == 3
    for case_id in case_ids:
        driver.card(case_id, TRIAGE)
    driver.settle()
    assert len(slack.messages(TRIAGE)) == 3


def test_a_batch_with_the_same_review_twice_stores_it_once(driver, slack):
    status, body = driver.post_reviews([review(external_id="twice"), review(external_id="other"),
                                        review(external_id="twice", rating=2)])
    assert status == 200, body
    assert [item["outcome"] for item in body["items"]] == ["created", "created", "updated"]
    first, _other, again = body["items"]
    assert first["case_id"] == again["case_id"]
    driver.card(first["case_id"], TRIAGE)
    driver.settle()
    assert len(slack.messages(TRIAGE)) == 2


def test_a_batch_of_a_hundred_opens_every_case_with_its_window_and_reminders(driver, slack, bot):
    status, body = driver.post_reviews([review(external_id=f"h-{n}") for n in range(100)])
    assert status == 200 and body["created"] == 100
    case_ids = [item["case_id"] for item in body["items"]]
    assert len(set(case_ids)) == 100
    with bot.db.engine.connect() as connection:
        windows = connection.execute(text("SELECT count(*) FROM case_windows")).scalar()
        nudges = connection.execute(text("SELECT count(DISTINCT case_id) FROM nudges")).scalar()
        opened = connection.execute(text(
            "SELECT count(*) FROM case_events WHERE action = 'opened'")).scalar()
    assert windows == nudges == opened == 100


def test_a_large_import_triages_in_worker_processes_with_the_same_result(bot, db):
    from bot.intake.importer import PARALLEL_FROM, FileItems, import_items

    items = [review(external_id=f"imp-{n}", rating=(1, 5, 4)[n % 3],
                    text=("The nurse was rude and we waited hours", "Lovely staff")[n % 2])
             for n in range(PARALLEL_FROM + 50)]
    report = import_items(bot.desk, FileItems(items, []), progress=False)
    assert report.created == len(items) and not report.errors
    assert report.opened == sum(1 for n in range(len(items)) if n % 3 == 0)
    with db.engine.connect() as connection:
        stored = dict(connection.execute(text(
            "SELECT external_id, triage FROM reviews WHERE external_id IN ('imp-0', 'imp-1')"))
            .all())
    from bot.core.reviews import validate_batch
    from bot.triage import triage

    for external_id, stored_triage in stored.items():
        (_index, canonical), = validate_batch(
            [next(i for i in items if i["external_id"] == external_id)],
            config=bot.config, now=bot.clock.now()).reviews
        expected = triage(canonical, bot.config).as_dict()
        if isinstance(stored_triage, str):  # SQLite hands JSON back as text
            stored_triage = json.loads(stored_triage)
        assert stored_triage == expected
