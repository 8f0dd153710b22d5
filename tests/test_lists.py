"""What is due first comes first: /reviewdesk open, mine, due, missed and the Home tab's lists go
by deadline (missed first, then the earliest due, none last), each line saying what the review
says and how urgent it is, through the running app against the Slack twin."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from bot.blocks.ids import ActionId
from bot.config import parse_config
from storage.db import Database, migrate
from storage.models import Case
from testing.driver import Driver, block_text
from testing.workspace import (
    INTAKE_TOKEN,
    LEE,
    MARIA,
    PAT,
    SAM,
    SIGNING_SECRET,
    TRIAGE,
    config_data,
)
from tests import history as known
from tests.test_commands import answer
from tests.test_home import click_home, open_home

ROUTINE = "The front desk was rude to my mother and the wait was long, visit {n}."
ON_SITE = "I'm sitting in your ER right now, {n} hours and nobody has seen my son."
RISK = "They gave my father the wrong medication. Calling a lawyer."
_CASE = re.compile(r"^\*#(\d+)\*")
_DATE = re.compile(r"<!date\^(\d+)\^")


def driver_with(start_bot, slack, **lists) -> Driver:
    bot = start_bot(config=parse_config(config_data(lists=lists)))
    return Driver(bot, slack, signing_secret=SIGNING_SECRET, intake_token=INTAKE_TOKEN)


def post(driver: Driver, clock, text: str, n: int, **fields) -> int:
    """One review a little after the one before (cards of their own, not a burst)."""
    clock.advance(timedelta(seconds=20))
    return driver.new_case(external_id=f"r-{n}", author=f"Reviewer {n}",
                           text=text.format(n=n), **fields)


def list_lines(message: dict) -> list[str]:
    """A /reviewdesk answer's case lines, in order."""
    return [text for block in message["blocks"] if block["type"] == "section"
            for text in block["text"]["text"].split("\n")]


def home_lines(view: dict, section: str) -> list[str]:
    """The case lines of one of the Home tab's lists (section: mine, missed, due_soon,
    unclaimed, px_mine), on the page shown."""
    # the lists follow one another; find where each starts by its heading
    headings = {"mine": "*My cases*", "missed": "*Missed*", "due_soon": "*Due soon*",
                "unclaimed": "*Unclaimed*", "px_mine": "*My PX follow-ups*"}
    found, inside = [], False
    for block in view["blocks"]:
        text = block_text({"blocks": [block]})
        if block["type"] == "divider":
            inside = False
        elif headings[section] in text and block.get("accessory") is None:
            inside = True
        elif inside and block["type"] == "section" and block.get("accessory"):
            found.append(block["text"]["text"])
    return found


def case_of(line: str) -> int:
    return int(_CASE.match(line)[1])


def due_of(line: str) -> int:
    """The deadline a line shows (the first Slack date in it), as a timestamp."""
    return int(_DATE.search(line)[1])


def test_people_on_site_now_come_before_the_routine_reviews_posted_before_them(driver, clock):
    routine = [post(driver, clock, ROUTINE, n) for n in range(3)]
    on_site = [post(driver, clock, ON_SITE, n) for n in range(3, 6)]
    driver.settle()

    lines = list_lines(answer(driver, SAM, "open", "6 open cases"))
    assert [case_of(line) for line in lines] == on_site + routine  # the earliest deadline first
    first = lines[0]
    assert first.startswith(f"*#{on_site[0]}* :rotating_light: *On site now* “I'm sitting in "
                            "your ER right now, 3 hours and nobody has seen my son.” · Google ")
    assert ":warning: *Urgent response due in 1 h 59 min*" in first  # due soon: within 4 h
    assert first.endswith("|Open card>")

    home = open_home(driver, SAM)
    assert [case_of(line) for line in home_lines(home, "due_soon")] == on_site
    assert [case_of(line) for line in home_lines(home, "unclaimed")] == routine
    assert "*Due soon* (3)" in block_text(home)


def test_with_a_short_horizon_home_s_unclaimed_list_starts_with_the_on_site_case(
        start_bot, slack, clock):
    driver = driver_with(start_bot, slack, due_soon_within="1h")
    routine = [post(driver, clock, ROUTINE, n) for n in range(3)]
    on_site = [post(driver, clock, ON_SITE, n) for n in range(3, 6)]
    home = open_home(driver, SAM)
    unclaimed = home_lines(home, "unclaimed")
    assert [case_of(line) for line in unclaimed] == on_site + routine
    assert "*On site now*" in unclaimed[0] and "*On site now*" not in unclaimed[-1]
    assert "Nothing is due soon." in block_text(home)  # 2 h left: not yet within the hour


def test_a_risk_case_due_in_two_hours_is_never_beyond_the_first_twenty_lines(driver, clock):
    routine = [post(driver, clock, ROUTINE, n) for n in range(21)]
    risky = post(driver, clock, RISK, 21)
    driver.settle()
    listing = answer(driver, SAM, "open", "20 of 22 open cases shown")
    lines = list_lines(listing)
    assert case_of(lines[0]) == risky and ":scales: *Risk*" in lines[0]
    assert [case_of(line) for line in lines[1:]] == routine[:19]
    due = answer(driver, SAM, "due", "1 case due soon")
    assert case_of(list_lines(due)[0]) == risky


def test_nothing_more_urgent_than_what_is_shown_sits_behind_show_more(start_bot, slack, clock):
    driver = driver_with(start_bot, slack, due_soon_within="1h")
    routine = [post(driver, clock, ROUTINE, n) for n in range(9)]
    on_site = [post(driver, clock, ON_SITE, n) for n in range(9, 12)]
    view = open_home(driver, SAM)
    assert "*Unclaimed* (12) · 1–8 of 12" in block_text(view)
    first = home_lines(view, "unclaimed")
    assert [case_of(line) for line in first] == on_site + routine[:5]
    assert click_home(driver, SAM, "home_page:unclaimed:1") == 200
    second = home_lines(driver.slack.home_view(SAM), "unclaimed")
    assert [case_of(line) for line in second] == routine[5:]
    assert max(map(due_of, first)) <= min(map(due_of, second))

    # A day on, every window is missed: the most overdue lead, page by page.
    known.move(driver, clock, clock.now() + timedelta(hours=25))
    view = open_home(driver, SAM)
    assert "*Missed* (12) · 1–8 of 12" in block_text(view)
    first = home_lines(view, "missed")
    assert [case_of(line) for line in first] == on_site + routine[:5]
    assert all(":red_circle: *" in line and " missed*: was due " in line for line in first)
    assert click_home(driver, SAM, "home_page:missed:1") == 200
    second = home_lines(driver.slack.home_view(SAM), "missed")
    assert [case_of(line) for line in second] == routine[5:]
    assert max(map(due_of, first)) <= min(map(due_of, second))
    # the same for /reviewdesk missed, most overdue first
    missed = list_lines(answer(driver, SAM, "missed", "12 cases past a deadline"))
    assert [case_of(line) for line in missed] == on_site + routine


def test_due_soon_holds_what_is_due_within_the_horizon_and_home_follows_the_clock(
        start_bot, slack, clock):
    driver = driver_with(start_bot, slack, due_soon_within="8h")
    case_id = post(driver, clock, ROUTINE, 0)  # 24 h: its card warns from 18 h, the list at 16 h
    view = open_home(driver, LEE)
    assert "Nothing is due soon." in block_text(view)
    answer(driver, SAM, "due", "Nothing is due soon")
    known.move(driver, clock, clock.now() + timedelta(hours=15, minutes=59))
    assert "Nothing is due soon." in block_text(driver.slack.home_view(LEE))
    known.move(driver, clock, clock.now() + timedelta(minutes=1))  # 8 h left
    due_soon = home_lines(driver.slack.home_view(LEE), "due_soon")
    assert [case_of(line) for line in due_soon] == [case_id]
    assert "*First response due in 8 h*" in due_soon[0]
    answer(driver, SAM, "due", "1 case due soon")


def test_the_horizon_is_checked_like_every_duration():
    from bot.config import ConfigError

    assert parse_config(config_data()).lists.due_soon_within == timedelta(hours=4)
    assert parse_config(config_data(lists={"due_soon_within": "90m"})).lists.due_soon_within \
        == timedelta(minutes=90)
    with pytest.raises(ConfigError) as caught:
        parse_config(config_data(lists={"due_soon_within": "soon"}))
    assert "lists.due_soon_within" in str(caught.value)


def test_actions_move_a_case_by_its_next_deadline(driver, clock):
    first = post(driver, clock, ROUTINE, 0)
    second = post(driver, clock, ROUTINE, 1)
    driver.reply_by_hand(MARIA, first, "We are sorry; please call us on 555-0100.", TRIAGE)
    driver.settle()
    lines = list_lines(answer(driver, SAM, "open", "1 open case"))
    assert [case_of(line) for line in lines] == [second]  # answered in public: done

    driver.bot.desk.escalate(first, MARIA, site_id="north", urgency="routine", note=None)
    driver.settle()
    escalated = list_lines(answer(driver, SAM, "open", "2 open cases"))
    assert [case_of(line) for line in escalated] == [second, first]  # 24 h, then 72 h
    assert ":alarm_clock: PX follow-up due " in escalated[1]
    driver.bot.desk.px_claim(first, SAM)
    driver.bot.desk.hide(second, MARIA, reason="spam", note=None)
    driver.settle()
    mine = list_lines(answer(driver, SAM, "mine", "You hold 1 open case"))
    assert [case_of(line) for line in mine] == [first] and f"PX: <@{SAM}>" in mine[0]
    answer(driver, LEE, "open", "1 open case")

    driver.bot.desk.reopen(second, MARIA)
    driver.settle()
    reopened = list_lines(answer(driver, LEE, "open", "2 open cases"))
    assert [case_of(line) for line in reopened] == [second, first]


def test_a_px_follow_up_held_while_the_response_comes_first_is_pxs_on_their_home(
        driver, clock):
    """An urgent escalation of a case whose public reply is still due: the lines say when PX's
    follow-up is due and who holds it, and Pat's Home offers her Mark contacted, not the
    social team's case (issue 17 §10's working day found Take over there)."""
    case_id = driver.new_case(text=RISK)
    driver.bot.desk.claim(case_id, MARIA)
    driver.bot.desk.escalate(case_id, MARIA, site_id="north", urgency="urgent", note=None)
    driver.bot.desk.px_claim(case_id, PAT)
    driver.settle()
    px_due = int((clock.now() + timedelta(hours=4)).timestamp())

    [line] = list_lines(answer(driver, PAT, "mine", "You hold 1 open case"))
    # Pat holds the PX follow-up: her line goes by her own deadline, not the social team's
    assert f":warning: *PX follow-up due in 4 h* (<!date^{px_due}^" in line
    assert f" · PX: <@{PAT}>" in line and "Urgent response due" not in line
    [line] = list_lines(answer(driver, MARIA, "open", "1 open case"))
    assert ":warning: *Urgent response due in 2 h*" in line  # the case's next deadline
    assert f"Claimed by <@{MARIA}>" in line
    assert f" · PX follow-up due <!date^{px_due}^" in line and f" · PX: <@{PAT}>" in line

    view = open_home(driver, PAT)
    [line] = home_lines(view, "px_mine")  # Pat is PX staff: her Home lists her PX follow-ups
    assert f"PX follow-up due in 4 h* (<!date^{px_due}^" in line
    assert f"home_take_over:{case_id}" not in json.dumps(view)
    assert click_home(driver, PAT, f"home_px_contacted:{case_id}") == 200
    assert ("px_contacted", PAT) in driver.events(case_id)
    view = driver.slack.home_view(PAT)
    assert "PX follow-up due" not in block_text(view)  # met: only the reply is still due
    assert f"*#{case_id}*" in block_text(view) and f"home_px_contacted:{case_id}" not in \
        json.dumps(view) and f"home_take_over:{case_id}" not in json.dumps(view)


def test_a_missed_px_follow_up_says_so_behind_the_deadline_missed_first(driver, clock):
    case_id = driver.new_case(text=RISK)
    driver.bot.desk.escalate(case_id, MARIA, site_id="north", urgency="urgent", note=None)
    driver.settle()
    clock.advance(timedelta(hours=5))  # the urgent response (2 h) and PX (4 h) both missed
    [line] = list_lines(answer(driver, SAM, "missed", "1 case past a deadline"))
    assert ":red_circle: *Urgent response missed*" in line
    assert " · :red_circle: PX follow-up missed: was due <!date^" in line
    assert " · PX: " not in line  # nobody in PX has claimed it


def test_a_line_starts_with_the_review_s_words_escaped_and_cut_at_a_word(driver, clock):
    text = ("<!channel> Parking & billing at <b>North</b> were a mess *again* and nobody "
            "would tell us where to go for the appointment we had waited weeks for.")
    case_id = driver.new_case(external_id="esc", text=text)
    driver.click(MARIA, driver.card(case_id, TRIAGE), ActionId.CLAIM, TRIAGE)
    driver.card_showing(case_id, TRIAGE, "Claimed by")
    line = list_lines(answer(driver, MARIA, "mine", "You hold 1 open case"))[0]
    assert line.startswith(f"*#{case_id}* “&lt;!channel&gt; Parking &amp; billing at "
                           "&lt;b&gt;North&lt;/b&gt; were a mess *again* and nobody"
                           "…” · Google ★☆☆☆☆ · North campus · :alarm_clock: First response due ")
    assert f"Claimed by <@{MARIA}>" in line
    view = open_home(driver, MARIA)
    assert "“&lt;!channel&gt; Parking" in block_text(view)  # the twin took it as it is


def test_the_migration_fills_in_the_next_deadline_of_stored_cases(database_url):
    database = Database.from_url(database_url)
    try:
        migrate(database.engine, "0010-1")
        now = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
        hour = timedelta(hours=1)
        with database.engine.begin() as connection:
            for n in range(1, 4):
                connection.execute(sa.text(
                    "INSERT INTO reviews (id, source, external_id, text, created_at, "
                    "received_at, updated_at, triage) VALUES (:id, 'google', :ext, 'Bad.', "
                    ":at, :at, :at, '{}')"), {"id": n, "ext": f"m-{n}", "at": now})
                connection.execute(sa.text(
                    "INSERT INTO cases (id, review_id, status, version, created_at, updated_at) "
                    "VALUES (:id, :id, :status, 1, :at, :at)"),
                    {"id": n, "status": "hidden" if n == 3 else "open", "at": now})
            windows = [  # case, kind, started, due, met
                (1, "first_response", now - 20 * hour, now + 4 * hour, None),
                (1, "px_followup", now - 70 * hour, now + 2 * hour, None),  # the earliest
                (2, "first_response", now, now + 24 * hour, now),  # met: no deadline
                (3, "first_response", now, now + 24 * hour, None),  # closed: none listed
            ]
            for case_id, kind, started, due, met in windows:
                connection.execute(sa.text(
                    "INSERT INTO case_windows (case_id, kind, started_at, due_at, met_at) "
                    "VALUES (:case_id, :kind, :started, :due, :met)"),
                    {"case_id": case_id, "kind": kind, "started": started, "due": due,
                     "met": met})
        migrate(database.engine)
        with database.session() as session:
            cases = {case.id: case for case in session.exec(select(Case))}
        assert (cases[1].next_window, cases[1].next_due_at, cases[1].next_due_soon_at) == (
            "px_followup", now + 2 * hour, now + 2 * hour - 18 * hour)  # its last quarter
        assert (cases[2].next_window, cases[2].next_due_at) == (None, None)
        assert (cases[3].next_window, cases[3].next_due_at) == (None, None)
    finally:
        database.dispose()


def test_with_the_samples_every_urgent_case_leads_open_and_due_soon_is_not_empty(tmp_path):
    """The local workspace with its sample reviews, loaded through the real intake routes:
    what is due in two hours comes before what is due tomorrow, within the first lines."""
    from testing.local import start_test_local

    running = start_test_local(f"sqlite:///{tmp_path / 'local.db'}", samples=True)
    try:
        maria, triage = "U0MARIA", "C0000TRIAGE"
        assert running.workspace.run_command(maria, triage, "/reviewdesk open")["status"] == 200
        listing = running.twin.wait_for(lambda: running.twin.ephemerals_for(maria))[-1]
        lines = list_lines(listing)
        urgent = [n for n, line in enumerate(lines) if "Urgent response" in line]
        routine = [n for n, line in enumerate(lines) if "First response" in line]
        assert urgent and routine and max(urgent) < min(routine), lines
        assert all(("*On site now*" in lines[n] or "*Risk*" in lines[n]) for n in urgent)
        running.workspace.open_app(maria, "home")
        home = running.twin.wait_for(lambda: running.twin.home_view(maria))
        due_soon = home_lines(home, "due_soon")
        assert len(due_soon) == min(len(urgent), 8)  # each urgent case is due within 4 h
    finally:
        running.stop()
