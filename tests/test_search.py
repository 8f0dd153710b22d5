"""`/reviewdesk find`: full-text search of the review's words (stemmed), its reviewer, and its
triage themes and labels, newest first, each with a snippet of the matching words in bold; on
SQLite (FTS5) and PostgreSQL (tsvector and GIN) alike. And every example `/reviewdesk help`
gives answers with something listed on the local workspace's sample desk."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.search import parse_query
from bot.intake.importer import import_items, read_items
from bot.triage.result import TriageResult
from local import LocalWorkspace
from storage import repository as repo
from storage.db import MIGRATIONS, Database, migrate
from storage.search import SEARCH_OBJECTS, find_cases
from storage.types import UTCDateTime
from testing.driver import Driver, block_text, review, table_blocks
from testing.local import start_test_local
from testing.workspace import LEE, SAM, START
from testing.workspace import TRIAGE as TRIAGE_CHANNEL

ROOT = Path(__file__).resolve().parent.parent
MARIA = "U0MARIA"
LOCAL_TRIAGE = "C0000TRIAGE"  # the local workspace's triage channel


def ask(twin, workspace, user: str, text: str) -> dict:
    """Type `text` as `user` in the triage channel; the private answer it got."""
    before = len(twin.ephemerals_for(user))
    result = workspace.run_command(user, LOCAL_TRIAGE, text)
    assert result.get("status") == 200 and not result.get("error"), result
    return twin.wait_for(lambda: twin.ephemerals_for(user)[before:], what=text)[-1]


@pytest.fixture
def sample_desk(tmp_path: Path, database_url: str, monkeypatch) -> Iterator[LocalWorkspace]:
    """The local workspace as `reviewdesk run` starts it without Slack: the example
    configuration and the sample reviews, loaded through the real intake routes and import."""
    monkeypatch.chdir(tmp_path)  # where it keeps the twin's messages for a non-SQLite database
    running = start_test_local(database_url, samples=True)
    yield running
    running.stop()


def help_examples(answer: dict) -> list[str]:
    """Every `/reviewdesk …` example the help's text shows."""
    return re.findall(r"`(/reviewdesk[^`]*)`", block_text(answer))


# What the answers that list nothing say (templates/messages/lines.j2).
NOTHING = ("No case mentions", "There is no case", "You hold no open cases", "Nothing is due",
           "No open case is past", "No open cases", "I don't know", "Give some words",
           "Give a case number", "no words to look for")


def listed(answer: dict) -> list[str]:
    """What an answer lists: cases (a list's lines, or a case's card with its buttons),
    figures that are not all zero, people (who is on call), or commands (the help)."""
    text = block_text(answer)
    found = re.findall(r"\*#\d+\*", text)
    found += [element["text"]["text"] for block in answer["blocks"] if block["type"] == "actions"
              for element in block["elements"] if element["type"] == "button"]
    found += [row[0]["text"] for table in table_blocks(answer) for row in table["rows"][1:]
              if re.match(r"[1-9]", row[1]["text"])]
    found += re.findall(r"<@U[A-Z0-9]+>", text)
    found += re.findall(r"`/reviewdesk [^`]+`", text)
    return found


def test_every_example_in_the_help_lists_something_on_the_sample_desk(sample_desk):
    twin, workspace, service = sample_desk.twin, sample_desk.workspace, sample_desk.service
    twin.wait_for(service.idle, what="the samples' cards")
    # A morning on the sample desk: Maria took a case, and the day went by (the urgent
    # windows are past, the first replies due soon).
    service.desk.claim(1, MARIA)
    sample_desk.clock.advance(timedelta(hours=19))
    twin.wait_for(service.idle, what="the reminders")
    examples = help_examples(ask(twin, workspace, MARIA, "/reviewdesk help"))
    assert "/reviewdesk find wait time" in examples and len(examples) >= 10
    for example in examples:
        answer = ask(twin, workspace, MARIA, example)
        text = block_text(answer)
        assert listed(answer), f"{example} lists nothing: {text}"
        assert not [phrase for phrase in NOTHING if phrase in text], f"{example}: {text}"
    # The case: the help's own example finds every sample case themed wait time (seven
    # when the issue was written; eight since the on-site grammar reads "since last night" as a
    # wait too), "waited" in bold where the review says it.
    themed = sum("wait_time" in service.desk.triage_of(case_id).themes
                 for case_id in range(1, 27))
    assert themed >= 7
    found = block_text(ask(twin, workspace, MARIA, "/reviewdesk find wait time"))
    assert f"{themed} cases mentioning “wait time”, newest first" in found
    assert found.count("Themes: wait time") == themed and found.count("*Waited*") == 2


# ---- searching, on each database ---------------------------------------------------------------


def answer(driver: Driver, user: str, text: str, expect: str) -> dict:
    before = len(driver.slack.ephemerals_for(user))
    assert driver.command(user, text, TRIAGE_CHANNEL) == 200
    found = driver.slack.wait_for(
        lambda: [e for e in driver.slack.ephemerals_for(user)[before:]
                 if expect in (e.get("text") or "") + block_text(e)], what=text)
    return found[-1]


def hits(message: dict) -> list[int]:
    """The case numbers a list answer shows, in order."""
    return [int(n) for n in re.findall(r"^\*#(\d+)\*", block_text(message), re.MULTILINE)]


def stored_triage(driver: Driver, case_id: int) -> TriageResult:
    with driver.bot.db.session() as session:
        case = repo.get_case(session, case_id=case_id)
        review = repo.get_review(session, review_id=case.review_id)
        return TriageResult.from_dict(review.triage)


def test_find_stems_words_marks_them_in_a_snippet_and_lists_newest_first(driver, clock, caplog):
    waited = driver.new_case(external_id="s-1", author="Dana K.",
                             text="We waited a long time in the lobby & nobody came.")
    clock.advance(timedelta(minutes=5))
    waiting = driver.new_case(external_id="s-2", author="Lee W.",
                              text="The waiting room was full and the times posted were wrong.")
    clock.advance(timedelta(minutes=5))
    delayed = driver.new_case(external_id="s-3", author="Sam T.",
                              text="The delay was absurd, I left without being seen.")
    clock.advance(timedelta(minutes=5))
    nurse = driver.new_case(external_id="s-4", author="Pat Parker",
                            text="The nurse never came back with my results.")
    assert "wait_time" in stored_triage(driver, delayed).themes  # its theme, not its words
    assert "wait_time" not in stored_triage(driver, nurse).themes

    found = answer(driver, SAM, "find wait time", "3 cases mentioning “wait time”, newest first")
    assert hits(found) == [delayed, waiting, waited]
    text = block_text(found)
    # Each hit: the reviewer and the review's words, the matching ones in bold, escaped.
    assert ">Dana K.: “We *waited* a long *time* in the lobby &amp; nobody came.”" in text
    assert "The *waiting* room was full and the *times* posted" in text
    assert ">Sam T.: “The delay was absurd, I left without being seen.” · Themes: wait time" \
        in text

    # Words alone (no theme named): the words in any form, and nothing else.
    assert hits(answer(driver, SAM, "find times", "2 cases mentioning “times”")) == [
        waiting, waited]
    # The reviewer's name; a name is not stemmed away from "park".
    by_name = answer(driver, SAM, "find parker", "1 case mentioning “parker”")
    assert hits(by_name) == [nurse] and ">Pat Parker: “The nurse never came back" in \
        block_text(by_name)
    answer(driver, SAM, "find park", "No case mentions “park”")
    # Every word must be there: one missing, no case.
    answer(driver, SAM, "find waited lobby nurse", "No case mentions “waited lobby nurse”")
    assert "Parker" not in caplog.text and "lobby" not in caplog.text  # never in the logs


def test_find_counts_truthfully_beyond_the_page(driver, clock):
    for n in range(23):
        clock.advance(timedelta(seconds=20))  # cards of their own, not a burst
        driver.new_case(external_id=f"p-{n}", author=f"Reviewer {n}",
                        text=f"Parking garage number {n} was full again.")
    driver.settle()
    found = answer(driver, SAM, "find parking garage", "20 of 23 cases mentioning")
    assert len(hits(found)) == 20 and hits(found) == sorted(hits(found), reverse=True)
    assert "add words to narrow it down" in block_text(found)


def test_find_names_themes_and_labels(driver, clock):
    on_site = driver.new_case(
        external_id="l-1", author="Lee W.",
        text="I have been sitting in your emergency room for 6 hours right now, my son is in "
             "pain and no one will tell us anything.")
    risky = driver.new_case(
        external_id="l-2", author="Harper J.",
        text="After my husband's surgery the wrong medication was given twice. We have "
             "contacted a lawyer about malpractice.")
    billed = driver.new_case(external_id="l-3", author="Chris M.",
                             text="They charged my card twice and nobody answers the phone.")
    assert "urgent" in stored_triage(driver, on_site).labels
    assert "risk" in stored_triage(driver, risky).labels
    assert "billing" in stored_triage(driver, billed).themes

    found = answer(driver, SAM, "find on site", "1 case mentioning “on site”")
    assert hits(found) == [on_site] and ":rotating_light: *On site now*" in block_text(found)
    # Its line says how long is left, as the lists' lines do (not "due in *").
    assert ":warning: *Urgent response due in 2 h* (" in block_text(found)
    found = answer(driver, SAM, "find risk", "1 case mentioning “risk”")
    assert hits(found) == [risky] and ":scales: *Risk*" in block_text(found)
    found = answer(driver, SAM, "find billing", "1 case mentioning “billing”")
    assert hits(found) == [billed] and "Themes: billing" in block_text(found)
    # A closed case is found too.
    driver.bot.desk.ignore(billed, LEE, reason="duplicate", note=None)
    driver.settle()
    assert hits(answer(driver, SAM, "find billing", "1 case mentioning")) == [billed]


@pytest.mark.parametrize("typed", [
    '"wait time"', "wait* time", "NEAR(wait time)", "wait -time", "(wait) OR (time)",
    "wait AND time:", "{text} : wait time", "wait 😡 time", "wait^ time", "WAIT TIME",
    "wait'); DROP TABLE cases; -- time",
])
def test_find_reads_syntax_as_words(driver, typed):
    """What full-text syntax means (quotes, *, NEAR, -, parentheses, column filters) is only
    words here: each finds the case that holds all its words, and only it."""
    case_id = driver.new_case(
        external_id="o-1", text="We waited a long time near the door (no text, no call), and "
                                "they said drop it, the table was full and we had no cases.")
    driver.new_case(external_id="o-2", text="Rude at the front desk, no apology at all.")
    found = answer(driver, SAM, f"find {typed}", "mentioning")
    assert hits(found) == [case_id]


def test_find_answers_odd_input_without_breaking(driver):
    case_id = driver.new_case(external_id="o-3", text="Rude <b>staff</b> & a 50% wait.")
    # Slack escapes &, < and > in a command's text; the answer escapes them once.
    found = answer(driver, SAM, "find &lt;staff&gt; &amp;", "mentioning")
    assert hits(found) == [case_id]
    text = block_text(found)
    assert "“Rude &lt;b&gt;*staff*&lt;/b&gt; &amp; a 50% wait.”" in text
    assert "mentioning “&lt;staff&gt; &amp;”" in text
    assert hits(answer(driver, SAM, "find 50%", "1 case mentioning")) == [case_id]
    answer(driver, SAM, "find 5_%", "No case mentions “5_%”")
    long_text = "rude " + "x" * 300
    answer(driver, SAM, f"find {long_text}", "No case mentions")
    answer(driver, SAM, "find " + "rude " * 60, "1 case mentioning")
    for nothing in ("the of and", "😡 🙃", "* - ( ) \"", "NOT"):
        answer(driver, SAM, f"find {nothing}", "has no words to look for")
    answer(driver, SAM, "find", "Give some words to look for")
    answer(driver, SAM, "find    ", "Give some words to look for")


def test_the_index_follows_edits_and_imports(driver, tmp_path):
    case_id = driver.new_case(external_id="e-1", text="The parking was awful and the rude "
                                                       "guard laughed.")
    assert hits(answer(driver, SAM, "find parking", "1 case mentioning")) == [case_id]
    # The review is edited at its source: the new words are found, the old ones not.
    status, _ = driver.post_reviews(review(external_id="e-1", text="Collections called about a "
                                                                  "bill I paid, rude again."))
    assert status == 200
    answer(driver, SAM, "find parking", "No case mentions “parking”")
    assert hits(answer(driver, SAM, "find collections", "1 case mentioning")) == [case_id]
    # `reviewdesk import` stores in bulk (Core inserts): those cases are found as well.
    lines = [review(external_id=f"i-{n}", author=f"Imported {n}",
                    text=f"The cafeteria food was cold on visit {n}, rude staff.")
             for n in range(3)]
    path = tmp_path / "reviews.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    report = import_items(driver.bot.desk, read_items(path), progress=False)
    assert report.opened == 3
    found = answer(driver, SAM, "find cafeteria", "3 cases mentioning “cafeteria”")
    assert len(hits(found)) == 3


# ---- the index: built for what is stored, and used --------------------------------------------

SEARCH_REVISION = "0008"  # storage/migrations/versions/…_case_search.py


def _alembic_config() -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _downgrade(database: Database, revision: str) -> None:
    config = _alembic_config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


_reviews = sa.table("reviews", sa.column("id"), sa.column("source"), sa.column("external_id"),
                    sa.column("author"), sa.column("text"), sa.column("triage", sa.JSON),
                    *(sa.column(name, UTCDateTime) for name in
                      ("created_at", "received_at", "updated_at")))
_cases = sa.table("cases", sa.column("id"), sa.column("review_id"), sa.column("status"),
                  sa.column("version"), sa.column("created_at", UTCDateTime),
                  sa.column("updated_at", UTCDateTime))


def _store(database: Database, n: int, text: str, triage: dict) -> None:
    """A review and its case, written as the schema before the search index allows."""
    with database.engine.begin() as connection:
        connection.execute(_reviews.insert().values(
            id=n, source="google", external_id=f"m-{n}", author=f"Reviewer {n}", text=text,
            triage=triage, created_at=START, received_at=START, updated_at=START))
        connection.execute(_cases.insert().values(id=n, review_id=n, status="open", version=1,
                                                  created_at=START, updated_at=START))


def _found(database: Database, words: list[str], tags: list[str] = ()) -> list[int]:
    with database.session() as session:
        hits, total = find_cases(session, words=words, tags=tags, limit=20)
        assert total == len(hits)
        return [hit.case.id for hit in hits]


def _search_objects(database: Database) -> set[str]:
    with database.engine.connect() as connection:
        if database.engine.dialect.name == "sqlite":
            rows = connection.exec_driver_sql("SELECT name FROM sqlite_master")
        else:
            rows = connection.exec_driver_sql(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() UNION "
                "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
        return {name for (name,) in rows} & SEARCH_OBJECTS


def test_the_migration_indexes_the_cases_already_stored_and_goes_back(database_url):
    database = Database.from_url(database_url)
    before = ScriptDirectory.from_config(_alembic_config()).get_revision(
        SEARCH_REVISION).down_revision
    try:
        migrate(database.engine, before)
        assert not _search_objects(database)
        _store(database, 1, "We waited a long time in the lobby.", {"themes": ["wait_time"]})
        _store(database, 2, "Billed twice.", {"themes": ["billing"], "labels": ["risk"]})
        _store(database, 3, "Nobody called back.", {})
        migrate(database.engine)
        assert _search_objects(database)
        assert _found(database, ["waiting", "times"]) == [1]
        assert _found(database, ["reviewer", "2"]) == [2]  # the reviewer's name
        assert _found(database, ["nothing"], ["risk", "wait_time"]) == [2, 1]

        _downgrade(database, before)
        assert not _search_objects(database)
        _store(database, 4, "The wait was long and nobody called.", {})  # no triggers left
        migrate(database.engine)
        assert _found(database, ["called"]) == [4, 3]
    finally:
        database.dispose()


def _statements(database: Database, run) -> list[tuple[str, object]]:
    """The SQL (and its parameters) that `run` sent to the database."""
    seen: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        seen.append((statement, parameters))

    sa.event.listen(database.engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", record)
    return seen


def test_searching_reads_the_index_not_every_row(db):
    for n in range(1, 41):
        _store(db, n, f"Parking lot {n} was full and we waited.",
               {"themes": ["parking"] if n % 2 else ["wait_time"]})
    # 20 shown of 40: the query for the page and the count.
    statements = _statements(db, lambda: _found_page(db, ["parking", "waited"], ["parking"]))
    searches = [(sql, params) for sql, params in statements if "case_search" in sql]
    assert len(searches) == (2 if db.engine.dialect.name == "sqlite" else 1)  # page, count
    with db.engine.connect() as connection:
        for sql, params in searches:
            if db.engine.dialect.name == "sqlite":
                plan = " / ".join(row[3] for row in connection.exec_driver_sql(
                    f"EXPLAIN QUERY PLAN {sql}", params))
                assert "VIRTUAL TABLE INDEX" in plan, plan
                assert "SCAN reviews" not in plan and "SCAN cases" not in plan, plan
                assert "TEMP B-TREE" not in plan, plan  # no sort: FTS5 gives the newest first
            else:
                connection.exec_driver_sql("SET enable_seqscan = off")  # as with many rows
                plan = " / ".join(row[0] for row in connection.exec_driver_sql(
                    f"EXPLAIN {sql}", params))
                assert "ix_case_search_words" in plan, plan
                assert "ix_case_search_tags" in plan, plan
                assert "Seq Scan" not in plan, plan


def _found_page(database: Database, words: list[str], tags: list[str]) -> None:
    with database.session() as session:
        hits, total = find_cases(session, words=words, tags=tags, limit=20)
    assert (len(hits), total) == (20, 40)


@settings(max_examples=150, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=st.text(st.characters(exclude_categories=["Cs"]), max_size=200)
       | st.lists(st.sampled_from(['"', "*", "NEAR", "-", "(", ")", ":", "{", "}", "^", "AND",
                                   "OR", "NOT", "'", ";", "wait", "time", "😡", "\x00", "é"]),
                  max_size=12).map(" ".join))
def test_any_text_is_a_search_or_nothing_to_search(db, typed):
    """Whatever is typed, the search runs (or there is nothing to search): never an error."""
    query = parse_query(typed)
    assert all(re.fullmatch(r"[^\W_]+", word) for word in query.words)
    with db.session() as session:
        hits, total = find_cases(session, words=query.words, tags=query.tags, limit=20)
    assert hits == [] and total == 0  # nothing is stored


def test_the_search_bench_runs(tmp_path):
    """bench/search_bench.py stays runnable (on tiny sizes; its figures are not judged here)."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "search_bench.py"), "--small", "40", "--large",
         "80", "--rounds", "1"],
        cwd=tmp_path, env={**os.environ, "TMPDIR": str(tmp_path)}, capture_output=True,
        text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    assert re.search(r"every search: p99 [\d.]+ ms .* ratio [\d.]+x", done.stdout), done.stdout
    # Found: the reviews that say "waited" (one in eight), themed wait time.
    assert re.search(r"^\| wait time \| 5 \| [\d.]+ ms \| 10 \| [\d.]+ ms \|$", done.stdout,
                     re.MULTILINE), done.stdout
