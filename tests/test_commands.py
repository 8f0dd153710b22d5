"""`/reviewdesk` over signed slash commands against the Slack twin: lists that count truthfully,
search, one case with its history, the figures of the last days, help for anything else."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.blocks.ids import ActionId
from testing.driver import Driver, block_text, table_blocks
from testing.workspace import INTAKE_TOKEN, LEE, MARIA, PAT, SAM, SIGNING_SECRET, TRIAGE
from tests import history as known


def answer(driver: Driver, user: str, text: str, expect: str) -> dict:
    before = len(driver.slack.ephemerals_for(user))
    assert driver.command(user, text, TRIAGE) == 200
    found = driver.slack.wait_for(
        lambda: [e for e in driver.slack.ephemerals_for(user)[before:]
                 if expect in (e.get("text") or "") + block_text(e)])
    return found[-1]


def table_rows(message: dict) -> list[list[str]]:
    found = table_blocks(message)
    assert len(found) == 1
    return [[cell["text"] for cell in row] for row in found[0]["rows"]]


def test_help_and_anything_unknown_get_the_help_text(driver):
    helped = answer(driver, SAM, "help", "`/reviewdesk stats 30d north`")
    for verb in ("open", "mine", "due", "missed", "find", "case", "stats", "oncall", "help"):
        assert f"`/reviewdesk {verb}" in block_text(helped)
    unknown = answer(driver, SAM, "dance wildly", "I don't know `dance wildly`")
    assert "`/reviewdesk open`" in block_text(unknown)
    assert "`/reviewdesk open`" in block_text(answer(driver, SAM, "", "`/reviewdesk due`"))


def test_mine_due_and_missed_follow_the_clock(driver, clock):
    first = driver.new_case(external_id="m-1")
    clock.advance(timedelta(minutes=5))
    second = driver.new_case(external_id="m-2", site="south")
    driver.click(MARIA, driver.card(first, TRIAGE), ActionId.CLAIM, TRIAGE)
    driver.card_showing(first, TRIAGE, "Claimed by")

    mine = block_text(answer(driver, MARIA, "mine", "You hold 1 open case"))
    assert f"*#{first}*" in mine and f"*#{second}*" not in mine
    assert "<https://fake.slack.com/archives/C0TRIAGE/p" in mine  # a link to the card
    assert "Nothing is due soon" in block_text(answer(driver, SAM, "due", "due soon"))

    known.move(driver, clock, clock.now() + timedelta(hours=19))  # due soon: last 6 hours
    bot_due = block_text(answer(driver, SAM, "due", "2 cases due soon"))
    assert bot_due.index(f"*#{first}*") < bot_due.index(f"*#{second}*")  # earliest first
    answer(driver, SAM, "missed", "No open case is past a deadline")

    known.move(driver, clock, clock.now() + timedelta(hours=4, minutes=57))  # first past due
    late = block_text(answer(driver, SAM, "missed", "1 case past a deadline"))
    assert f"*#{first}*" in late and ":red_circle: *First response missed*: was due" in late
    assert "1 case due soon" in block_text(answer(driver, SAM, "due", "due soon"))


def test_a_long_list_says_how_many_of_how_many_and_links_the_home_tab(driver, clock):
    for n in range(25):  # a few a minute: cards of their own, not a burst
        clock.advance(timedelta(seconds=20))
        driver.new_case(external_id=f"many-{n}", author=f"Reviewer {n}")
    driver.settle()
    listing = answer(driver, SAM, "open",
                     "20 of 25 open cases shown, missed first, then the earliest deadline")
    footer = listing["blocks"][-1]
    assert footer["type"] == "context"
    home = "<https://slack.com/app_redirect?app=A0001&amp;team=T0001|See them all on the Home tab>"
    assert home in footer["elements"][0]["text"]
    lines = [text for b in listing["blocks"] if b["type"] == "section"
             for text in b["text"]["text"].split("\n")]
    assert len(lines) == 20 and all(text.startswith("*#") for text in lines)
    assert all(text.endswith("|Open card>") for text in lines)  # never cut mid-line


def test_find_looks_in_reviews_and_says_what_it_found(driver):
    parking = driver.new_case(external_id="f-1", text="Parking was a nightmare, 50% full.")
    driver.new_case(external_id="f-2", text="The nurse never came.", author="Pat Parker")
    driver.new_case(external_id="f-3", text="Rude front desk.")
    found = block_text(answer(driver, SAM, "find park", "1 case mentioning “park”"))
    assert f"*#{parking}*" in found and "Rude" not in found  # "parking", stemmed
    assert "Pat Parker" in block_text(answer(driver, SAM, "find parker", "1 case mentioning"))
    # % and _ are letters here, not wildcards
    assert f"*#{parking}*" in block_text(answer(driver, SAM, "find 50%", "1 case mentioning"))
    answer(driver, SAM, "find 5_%", "No case mentions “5_%”")
    answer(driver, SAM, "find", "Give some words to look for")


def test_case_shows_the_card_and_its_history(driver, clock):
    case_id = driver.new_case()
    driver.click(MARIA, driver.card(case_id, TRIAGE), ActionId.CLAIM, TRIAGE)
    driver.card_showing(case_id, TRIAGE, "Claimed by")
    clock.advance(timedelta(minutes=10))
    driver.bot.desk.take_over(case_id, LEE)  # only the case's holder ignores it
    driver.bot.desk.ignore(case_id, LEE, reason="duplicate", note=None)
    driver.settle()
    shown = answer(driver, SAM, f"case #{case_id}", "*History*")
    text = block_text(shown)
    assert "reviewdesk opened the case" in text
    assert f"<@{MARIA}> claimed it" in text and f"<@{LEE}> ignored it (duplicate)" in text
    assert f"<@{LEE}> took it over from <@{MARIA}>" in text
    assert ActionId.REOPEN in [e.get("action_id") for b in shown["blocks"]
                               if b["type"] == "actions" for e in b["elements"]]
    answer(driver, SAM, "case 99999", "There is no case #99999")
    answer(driver, SAM, "case twelve", "Give a case number")


@pytest.fixture
def known_driver(start_bot, slack, config, clock):
    config = config.model_copy(update={"timezone": known.TIMEZONE})
    bot = start_bot(config=config)
    driver = Driver(bot, slack, signing_secret=SIGNING_SECRET, intake_token=INTAKE_TOKEN)
    known.build(driver, clock)
    known.move(driver, clock, known.NOW)
    return driver


def test_stats_shows_the_hand_computed_figures_of_the_last_days(known_driver):
    driver = known_driver
    # The last 7 days at Monday 09:00 CST: from Monday 26 Oct 09:00 CDT (14:00Z), so A to F.
    week = answer(driver, PAT, "stats 7d", "The last 7 days")
    rows = dict(table_rows(week)[1:])
    assert rows["Negative reviews"] == "6"
    assert rows["First claims"] == "3" and rows["Median time to claim"] == "1 h 30 min"
    assert rows["First replies"] == "1" and rows["Median time to first reply"] == "24 h"
    assert rows["First-response windows met"] == "33% (1 of 3)"
    assert rows["Urgent windows met"] == "—"
    assert rows["PX follow-ups met"] == "100% (1 of 1)"
    assert rows["Escalated to PX"] == "1"
    assert rows["Reviewer contacted"] == "1" and rows["Review updated"] == "1"
    assert rows["Declined"] == "0"
    assert (rows["Hidden"], rows["Ignored"], rows["Reopened"], rows["Resolved"]) == (
        "1", "1", "2", "0")
    text = block_text(week)
    assert "*By site:* North campus 4 · South clinic 2" in text
    assert "*By source:* Google 4 · Facebook 1 · Yelp 1" in text
    assert "*Hidden, why:* profanity or harassment 1" in text
    assert "*Ignored, why:* troll 1" in text

    south = dict(table_rows(answer(driver, PAT, "stats 30d South clinic", "South clinic"))[1:])
    assert south["Negative reviews"] == "2" and south["Median time to claim"] == "30 min"
    assert south["First-response windows met"] == "0% (0 of 1)"
    month = dict(table_rows(answer(driver, PAT, "stats 30d", "The last 30 days"))[1:])
    assert month["Negative reviews"] == "7" and month["First-response windows met"] == \
        "50% (2 of 4)"
    assert month["Median time to claim"] == "1 h 45 min"  # 30 min, 1 h 30, 2 h, 26 h 5


def test_changing_the_urgency_is_not_a_second_escalation_in_stats_or_home(driver, clock):
    """Two cases escalated, one of them moved from Routine to Urgent: stats and the Home
    tab's week both say 2 escalated (the tester saw 3)."""
    from tests.test_home import open_home

    first = driver.new_case(external_id="esc-1")
    second = driver.new_case(external_id="esc-2", site="south")
    desk = driver.bot.desk
    desk.escalate(first, SAM, site_id="north", urgency="routine", note=None)
    desk.escalate(second, SAM, site_id="south", urgency="soon", note=None)
    desk.escalate(first, SAM, site_id="north", urgency="urgent", note="They called again.")
    driver.settle()
    assert [action for action, _ in driver.events(first)].count("escalated") == 2
    clock.advance(timedelta(minutes=1))  # the last 7 days end now: the escalations are in
    week = dict(table_rows(answer(driver, SAM, "stats 7d", "The last 7 days"))[1:])
    assert week["Escalated to PX"] == "2"
    assert "· 2 escalated" in block_text(open_home(driver, SAM))


def test_stats_says_what_it_can_show(driver):
    answer(driver, SAM, "stats 14d", "I can show the last `7d`, `30d` or `90d`")
    answer(driver, SAM, "stats 7d nowhere", "I don't know the site “nowhere”")
    answer(driver, SAM, "stats", "The last 7 days")
