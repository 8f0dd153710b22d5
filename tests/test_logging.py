"""Logs carry values, not lines: whatever a sender puts in an id, each record is one line
(LOG_FORMAT=text escapes line breaks and control characters; LOG_FORMAT=json writes one JSON
object a line), and the logs of a busy day carry no review text, no reviewer's name and no
secret."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable, Iterator
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.blocks.ids import ActionId, BlockId, CallbackId, InputId
from reviewdesk.logs import configure_logging
from testing.driver import review
from testing.workspace import BOT_TOKEN, INTAKE_TOKEN, LEE, MARIA, SAM, SIGNING_SECRET, TRIAGE
from tests.test_security import click
from twin.interactions import plain_text_value, static_select_value

FORGED = "2026-11-24 15:00:00,000 ERROR reviewdesk.security: FORGED"
RECORD_START = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ \S+: ")


@pytest.fixture
def captured() -> Iterator[Callable[..., io.StringIO]]:
    """configure_logging, as `reviewdesk` runs it, into a string; the test's own logging set-up
    is put back afterwards."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()

    def start(fmt: str = "text", level: str = "INFO") -> io.StringIO:
        configure_logging(stream, fmt=fmt, level=level)
        return stream

    yield start
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved[0]:
        root.addHandler(handler)
    root.setLevel(saved[1])


def test_a_newline_in_an_id_cannot_forge_a_log_line(driver, slack, captured):
    stream = captured()
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)

    # A signed click naming a channel with a line break in it: refused, and logged.
    assert click(driver, MARIA, card, ActionId.CLAIM, f"C0X\n{FORGED}") == 200
    driver.post_reviews([review(external_id=f"x\r\n{FORGED}"), review(external_id="ok")])
    driver.settle()

    lines = stream.getvalue().splitlines()
    assert any("request refused (channel)" in line for line in lines)
    assert not [line for line in lines if line.startswith("2026-11-24 15:00:00,000")]
    assert all(RECORD_START.match(line) for line in lines), lines
    assert any("\\nFORGED" in line or "\\n2026-11-24" in line for line in lines)


@settings(max_examples=200, deadline=None)
@given(value=st.text())
def test_any_value_logs_as_exactly_one_line(value):
    for fmt in ("text", "json"):
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        handler.setFormatter(_formatter(fmt))
        record = logging.LogRecord("reviewdesk.test", logging.WARNING, __file__, 1,
                                   "review %s rejected", (value,), None)
        handler.emit(record)
        out = stream.getvalue()
        assert out.count("\n") == 1 and out.endswith("\n")
        assert len(out.splitlines()) == 1  # no \r, \x0b, \x1c…, \u2028 splits it either
        if fmt == "json":
            assert json.loads(out)["message"] == f"review {value} rejected"


@cache
def _formatter(fmt: str) -> logging.Formatter:
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        return configure_logging(stream, fmt=fmt).formatter
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])


def test_an_exception_is_one_line_too(captured):
    stream = captured()
    try:
        raise ValueError(f"bad input\n{FORGED}")
    except ValueError:
        logging.getLogger("reviewdesk.test").exception("listener failed (ref abc)")
    (line,) = stream.getvalue().splitlines()
    assert "Traceback" in line and "\\nValueError: bad input\\n2026" in line


def test_json_logs_are_one_object_a_line(driver, slack, captured):
    stream = captured("json")
    case_id = driver.new_case()
    click(driver, MARIA, driver.card(case_id, TRIAGE), ActionId.CLAIM, f"C0X\n{FORGED}")
    driver.settle()
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    refused = [r for r in records if r["message"].startswith("request refused")]
    assert refused and f"C0X\n{FORGED}" in refused[0]["message"]  # the value, intact
    assert {"asctime", "levelname", "name", "message"} <= set(refused[0])


def test_a_busy_day_logs_no_review_text_names_or_secrets(driver, slack, captured):
    stream = captured(level="DEBUG")
    secret_phrase = "my-daughter-Philippa-was-discharged-too-early"
    author = "Quintessa Valdemar-Okafor"
    case_id = driver.new_case(author=author, text=f"Awful night: {secret_phrase}.",
                              external_id="busy-1")
    card = driver.card(case_id, TRIAGE)
    driver.post_reviews([review(external_id="busy-2", author=author, rating=9,
                                text=secret_phrase)])
    driver.post_reviews(review(), token=f"{INTAKE_TOKEN}-guess")
    driver.click(MARIA, card, ActionId.CLAIM, TRIAGE)
    # clicks are acked at once and done in the background: Sam clicks once Maria's claim shows,
    # else either could win (under load the two were done the other way round)
    driver.card_showing(case_id, TRIAGE, f"Claimed by <@{MARIA}>")
    driver.click(SAM, card, ActionId.CLAIM, TRIAGE)  # refused: already claimed
    view = driver.open_view(MARIA, card, ActionId.HIDE, TRIAGE, CallbackId.HIDE)
    assert driver.submit(MARIA, view, {
        BlockId.REASON: {InputId.REASON: static_select_value("health_info")},
        BlockId.NOTE: {InputId.NOTE: plain_text_value(f"note about {author}")}}) == (200, {})
    hidden = driver.card_showing(case_id, TRIAGE, "Hidden")
    click(driver, MARIA, hidden, ActionId.REOPEN, "C0ELSEWHERE")
    click(driver, MARIA, hidden, ActionId.REOPEN, TRIAGE, team_id="T0OTHER")
    driver.click(LEE, hidden, ActionId.SHOW, TRIAGE)  # the review, privately
    driver.settle()

    logged = stream.getvalue()
    assert "case 1 hidden by U0MARIA" in logged.replace(f"case {case_id}", "case 1")
    for private in (secret_phrase, "Philippa", author, "Valdemar", "Awful night",
                    INTAKE_TOKEN, SIGNING_SECRET, BOT_TOKEN, "xoxb-"):
        assert private not in logged, private
