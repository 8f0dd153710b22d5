"""No complaint dropped silently: unrated reviews triage is unsure about open no case but are
listed in one "Needs a look" message a day, updated in place, each with Make a case and Not a
complaint; the decision is recorded once."""

from __future__ import annotations

from datetime import timedelta

from bot.blocks.ids import ActionId
from testing.driver import Driver, action_ids, block_text, review
from testing.workspace import LEE, MARIA, SAM, TRIAGE

UNSURE = ["Billed twice for the same visit and nobody calls back.",
          "Nobody returned my call about the appointment.",
          "Visited my aunt on the 4th floor. The nurses were busy."]


def _unsure(driver: Driver, number: int, **overrides) -> dict:
    status, body = driver.post_reviews(review(
        source="facebook", external_id=f"fb-unsure-{number}", rating=None,
        text=UNSURE[number % len(UNSURE)], url=f"https://facebook.example/{number}",
        **overrides))
    assert status == 200, body
    return body["items"][0]


def _look_message(driver: Driver, predicate=lambda message: True) -> dict:
    def found():
        for message in driver.slack.messages(TRIAGE):
            if "Needs a look" in block_text(message) and predicate(message):
                return message
        return None

    return driver.slack.wait_for(found, what="the Needs a look message")


def test_unsure_reviews_open_no_case_and_share_one_message_a_day(driver, slack):
    first = _unsure(driver, 0)
    assert first["case_id"] is None
    message = _look_message(driver)
    assert "Billed twice for the same visit" in block_text(message)
    assert "<https://facebook.example/0|open>" in block_text(message)
    assert action_ids(message).count(ActionId.LOOK_MAKE_CASE) == 1

    _unsure(driver, 1)
    updated = _look_message(driver, lambda m: "Nobody returned my call" in block_text(m))
    assert updated["ts"] == message["ts"]  # updated in place, not a second message
    driver.settle()
    assert len(slack.messages(TRIAGE)) == 1
    assert action_ids(updated).count(ActionId.LOOK_MAKE_CASE) == 2
    assert "2 waiting" in block_text(updated)



def test_a_review_of_emoji_alone_is_listed_not_dropped(driver, slack):
    """Nothing the model can read: a person decides, unless the emoji are plainly praise."""
    status, body = driver.post_reviews([
        review(source="facebook", external_id="fb-emoji", rating=None, text="😡😡😡👎👎🏥💀"),
        review(source="facebook", external_id="fb-praise", rating=None, text="😊😊👍")])
    assert status == 200, body
    assert [item["case_id"] for item in body["items"]] == [None, None]
    message = _look_message(driver)
    assert "😡😡😡👎👎🏥💀" in block_text(message) and "😊" not in block_text(message)
    assert action_ids(message).count(ActionId.LOOK_MAKE_CASE) == 1

def test_make_a_case_opens_its_card_and_records_who_decided(driver, slack):
    item = _unsure(driver, 0)
    message = _look_message(driver)
    assert driver.click(MARIA, message, ActionId.LOOK_MAKE_CASE, TRIAGE) == 200

    decided = _look_message(driver, lambda m: "made case #" in block_text(m))
    assert f"<@{MARIA}>" in block_text(decided)
    assert ActionId.LOOK_MAKE_CASE not in action_ids(decided)
    case_id = int(block_text(decided).split("made case #")[1].split()[0])
    card = driver.card(case_id, TRIAGE)
    assert ActionId.CLAIM in action_ids(card)
    assert driver.events(case_id) == [("opened", MARIA)]
    with driver.bot.db.session() as session:
        from storage import looks

        recorded = looks.item_for_review(session, review_id=_review_id(driver, item))
        assert (recorded.decision, recorded.decided_by, recorded.case_id) == (
            "case", MARIA, case_id)


def test_a_second_decision_is_refused_with_who_decided(driver, slack):
    _unsure(driver, 0)
    message = _look_message(driver)
    assert driver.click(SAM, message, ActionId.LOOK_NOT_COMPLAINT, TRIAGE) == 200
    _look_message(driver, lambda m: "not a complaint" in block_text(m))
    # Lee clicks the copy of the message his Slack still showed
    assert driver.click(LEE, message, ActionId.LOOK_MAKE_CASE, TRIAGE) == 200
    refusal = driver.ephemeral_for(LEE, "already decided")
    assert f"<@{SAM}>" in refusal["text"]
    driver.settle()
    assert [m for m in slack.messages(TRIAGE) if "Needs a look" not in block_text(m)] == []


def test_the_next_day_gets_a_message_of_its_own(driver, slack, clock):
    _unsure(driver, 0)
    first = _look_message(driver)
    clock.advance(timedelta(days=1))
    _unsure(driver, 1)
    second = _look_message(driver, lambda m: m["ts"] != first["ts"])
    assert "Nobody returned my call" in block_text(second)
    assert "Billed twice" not in block_text(second)


def test_an_edit_of_a_listed_review_lists_it_once(driver, slack):
    _unsure(driver, 0)
    _look_message(driver)
    _unsure(driver, 0, author="Dana K. (edited)")
    driver.settle()
    message = _look_message(driver)
    assert action_ids(message).count(ActionId.LOOK_MAKE_CASE) == 1


def _review_id(driver: Driver, item: dict) -> int:
    from storage import repository

    with driver.bot.db.session() as session:
        return repository.find_review(session, source="facebook",
                                      external_id=item["external_id"]).id


def test_decisions_are_exported_as_labelled_data_and_counted_in_the_figures(
        driver, database_url, tmp_path, clock):
    import json

    from testing.workspace import config_data
    from tests.test_cli import reviewdesk, write_config

    _unsure(driver, 0)
    message = _look_message(driver)
    driver.click(MARIA, message, ActionId.LOOK_MAKE_CASE, TRIAGE)
    # The click is acked before it is applied: wait for it, so that Sam's message shows the
    # second review as the only one with buttons.
    _look_message(driver, lambda m: "made case #" in block_text(m))
    _unsure(driver, 1)
    message = _look_message(driver, lambda m: "Nobody returned" in block_text(m)
                            and "made case #" in block_text(m))
    driver.click(SAM, message, ActionId.LOOK_NOT_COMPLAINT, TRIAGE)
    _look_message(driver, lambda m: "0 waiting" in block_text(m))
    driver.settle()

    config = write_config(tmp_path / "reviewdesk.toml", config_data())
    out = tmp_path / "feedback.jsonl"
    result = reviewdesk(tmp_path, "triage", "export-feedback", str(out),
                        DATABASE_URL=database_url, REVIEWDESK_CONFIG=str(config))
    assert result.returncode == 0, result.stderr
    assert "2 decisions written" in result.stdout
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(row["text"][:12], row["complaint"], row["decided_by"]) for row in rows] == [
        ("Billed twice", True, MARIA), ("Nobody retur", False, SAM)]
    assert all(0 < row["probability"] < 1 for row in rows)
    # `make train-triage` takes the file in next to the NHS files, as its own organisation
    from bot.triage import nhs

    decisions = nhs.load(out)
    assert [(row.text[:12], row.complaint, row.trust, row.themed) for row in decisions] == [
        ("Billed twice", True, "feedback", False), ("Nobody retur", False, "feedback", False)]
    assert nhs.data_files(tmp_path)[-1] == out

    until = (clock.now() + timedelta(hours=1)).isoformat()
    report = reviewdesk(tmp_path, "report", "--since", "7d", "--until", until, "--format",
                        "json", DATABASE_URL=database_url, REVIEWDESK_CONFIG=str(config))
    assert report.returncode == 0, report.stderr
    figures = json.loads(report.stdout)["figures"]
    assert figures["needs_a_look_listed"] == 2
    assert figures["needs_a_look_decided"] == {"case": 1, "not_complaint": 1}
    assert figures["negative_reviews"] == 1  # the one made a case
    earlier = reviewdesk(tmp_path, "report", "--since", "7d", "--until",
                         (clock.now() - timedelta(days=8)).isoformat(), "--format", "json",
                         DATABASE_URL=database_url, REVIEWDESK_CONFIG=str(config))
    assert json.loads(earlier.stdout)["figures"]["needs_a_look_decided"] == {
        "case": 0, "not_complaint": 0}
