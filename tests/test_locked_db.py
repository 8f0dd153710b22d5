"""A locked database must not cost a click its ack: with the database locked by another
process, every click is acknowledged within Slack's 3 seconds, a click that cannot be applied
in time is told so privately ("the desk is busy… not applied"), never left in silence, and no
worker is held until the lock ends."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy.engine import make_url

from app import create_app
from bot.blocks.ids import ActionId
from bot.config import parse_config
from storage.db import Database
from testing.driver import Driver, block_text
from testing.workspace import (
    INTAKE_TOKEN,
    MARIA,
    SIGNING_SECRET,
    TRIAGE,
    config_data,
    make_settings,
)
from twin.interactions import (
    block_actions_payload,
    button_action,
    find_button,
    form_body_for_payload,
    post_signed,
)

SLACK_ACK_SECONDS = 3.0  # Slack shows the user an error when a click is not acked by then
BUDGET = 1.5  # how long a click may wait on the lock in these tests (5 s when running)

_HOLD_SQLITE_LOCK = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
connection.execute("ROLLBACK")
"""


@contextmanager
def locked(bot) -> Iterator[None]:
    """Hold the database's write lock from another process (SQLite) or connection (PostgreSQL:
    the cases table, which every click writes)."""
    url = bot.db.engine.url
    if url.get_backend_name() == "sqlite":
        holder = subprocess.Popen([sys.executable, "-c", _HOLD_SQLITE_LOCK, url.database],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout.readline().strip() == "locked"
            yield
        finally:
            holder.stdin.write("\n")
            holder.stdin.flush()
            holder.wait(timeout=10)
        return
    plain = make_url(url.render_as_string(hide_password=False)).set(drivername="postgresql")
    options = dict(plain.query)
    plain = plain.set(query={})
    with psycopg.connect(plain.render_as_string(hide_password=False),
                         options=options.get("options", "")) as holder:
        holder.execute("LOCK TABLE cases IN EXCLUSIVE MODE")
        yield
        holder.rollback()


def _click(driver, card: dict, action_id: str) -> int:
    """A click as Slack sends it, which fails if the bot does not answer within 3 s."""
    block, element = find_button(card["blocks"], action_id)
    payload = block_actions_payload(user_id=MARIA, action=button_action(block, element),
                                    channel_id=TRIAGE, message=card)
    status, _headers, _body = post_signed(
        f"{driver.base}/slack/events", driver.signing_secret, form_body_for_payload(payload),
        "application/x-www-form-urlencoded", timeout=SLACK_ACK_SECONDS)
    return status


def _busy_answers(slack) -> list[dict]:
    return [e for e in slack.ephemerals_for(MARIA)
            if "desk is busy" in e.get("text", "") and "claim was not applied" in e["text"]]


def test_clicks_on_a_locked_database_are_acked_and_told_it_is_busy(start_bot, slack):
    # ten cards of their own, not a burst's summary
    bot = start_bot(config=parse_config(config_data(bursts={"max_cards": 100})))
    driver = Driver(bot, slack, signing_secret=SIGNING_SECRET, intake_token=INTAKE_TOKEN)
    bot.db.interactive_budget = BUDGET
    cards = [driver.card(driver.new_case(external_id=f"lock-{n}"), TRIAGE) for n in range(10)]
    driver.settle()

    with locked(bot):
        statuses: list[int | BaseException] = []

        def click(card):
            try:
                statuses.append(_click(driver, card, ActionId.CLAIM))
            except BaseException as error:  # a timeout: no ack within 3 s
                statuses.append(error)

        # More clicks at once than the listener pool had workers (8, as many as the HTTP
        # server's threads then) when clicks waiting on the lock held up the next ack.
        clickers = [threading.Thread(target=click, args=(card,)) for card in cards]
        for clicker in clickers:
            clicker.start()
        for clicker in clickers:
            clicker.join()
        assert statuses == [200] * 10
        # Each is told, privately, that nothing happened…
        slack.wait_for(lambda: len(_busy_answers(slack)) == 10, timeout=BUDGET + 5,
                       what="ten 'the desk is busy' answers")
        # …and no listener is still waiting on the lock, which is still held.
        slack.wait_for(lambda: not bot.in_flight.busy, timeout=5, what="idle listeners")

    for card in cards:  # nothing was applied
        assert "Claimed by" not in block_text(slack.message(TRIAGE, card["ts"]))
    assert all(("claimed", MARIA) not in driver.events(n + 1) for n in range(10))

    assert _click(driver, cards[0], ActionId.CLAIM) == 200  # the lock is gone: it works
    driver.card_showing(1, TRIAGE, f"Claimed by <@{MARIA}>")
    assert driver.events(1).count(("claimed", MARIA)) == 1


def test_a_click_waits_out_a_short_lock_and_is_applied(driver, slack, bot):
    """A lock shorter than the budget delays the claim; it is applied, not refused."""
    bot.db.interactive_budget = 10.0
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)
    with locked(bot):
        assert _click(driver, card, ActionId.CLAIM) == 200
        slack.wait_for(lambda: bot.in_flight.busy, what="the claim waiting on the lock")
    driver.card_showing(case_id, TRIAGE, f"Claimed by <@{MARIA}>")
    assert not _busy_answers(slack)


def test_the_bot_gives_a_listener_slacks_3_seconds_to_ack(slack, config, database_url):
    """Tests give every listener longer (a loaded machine is not Slack's clock); the bot as
    `reviewdesk run` builds it waits Slack's 3 seconds for an ack, for every listener."""
    bot = create_app(make_settings(slack), config, db=Database.from_url(database_url))
    try:
        assert {listener.ack_timeout for listener in bot.bolt._listeners} == {3}
        assert len(bot.bolt._listeners) > 20
    finally:
        bot.db.dispose()
