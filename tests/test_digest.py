"""The weekly digest: its chart, its figures against hand-computed values, once a week whatever
happens, and the Slack twin's file upload methods it uses."""

from __future__ import annotations

import json
import logging
import struct
import subprocess
import sys
import threading
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.reports.digest import LATE_LIMIT
from bot.reports.digest_chart import trend_chart
from bot.reports.figures import CaseFact, EventFact, History, WindowFact, trend
from bot.reports.periods import week_of
from testing.driver import Driver, block_text, table_blocks
from testing.workspace import (
    BOT_TOKEN,
    INTAKE_TOKEN,
    PAT,
    PX_NORTH,
    PX_SOUTH,
    SAM,
    SIGNING_SECRET,
)
from tests import history as known

ROOT = Path(__file__).resolve().parents[1]


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


# ---- the chart ----------------------------------------------------------------------------


def test_the_chart_is_a_png_with_its_axes_labelled():
    week = week_of(datetime(2026, 11, 25, tzinfo=UTC), "UTC")
    opened = week.start + timedelta(hours=10)
    history = History(
        cases={n: CaseFact(n, opened - timedelta(days=7 * (n % 3)), "north", "google")
               for n in range(1, 10)},
        events=[EventFact(1, "escalated", opened)],
        windows=[WindowFact(n, "first_response", opened + timedelta(days=1 - 7 * (n % 3)),
                            met_at=opened if n % 2 else None) for n in range(1, 10)],
    )
    weeks = trend(history, week, 8)
    assert [w.opened for w in weeks][-3:] == [3, 3, 3]
    chart = trend_chart(weeks)
    assert chart.png.startswith(b"\x89PNG") and len(chart.png) > 20_000
    assert png_size(chart.png) == chart.size == (880, 440)
    for label in ("Negative reviews and windows met, by week", "Week starting",
                  "Negative reviews", "Windows met (%)", "Replies in time",
                  "PX follow-ups in time", "23 Nov", "5 Oct"):
        assert label in chart.texts


def test_matplotlib_is_imported_only_when_a_digest_is_made():
    code = "import sys, app, reviewdesk.cli; sys.exit('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


# ---- the known week's digest ---------------------------------------------------------------------


@pytest.fixture
def digest_config(config):
    digest = config.digest.model_copy(update={"enabled": True, "subscribers": [PAT]})
    return config.model_copy(update={"timezone": known.TIMEZONE, "digest": digest})


@pytest.fixture
def known_bot(start_bot, slack, digest_config, clock):
    bot = start_bot(config=digest_config)
    driver = Driver(bot, slack, signing_secret=SIGNING_SECRET, intake_token=INTAKE_TOKEN)
    known.build(driver, clock)
    return bot, driver


def digest_in(slack, channel: str, week: str = "26 Oct") -> dict:
    found = [m for m in slack.messages(channel)
             if f"Weekly review digest for the week of {week}" in (m.get("text") or "")]
    assert len(found) == 1, [m.get("text") for m in slack.messages(channel)]
    return found[0]


def table(message: dict) -> list[list[str]]:
    (block,) = table_blocks(message)
    return [[cell["text"] for cell in row] for row in block["rows"]]


def test_the_digest_goes_out_monday_morning_with_the_hand_computed_figures(known_bot, slack,
                                                                           clock, tmp_path):
    bot, driver = known_bot
    known.move(driver, clock, known.DIGEST_AT - timedelta(minutes=1))
    assert bot.digest.next_due() == known.DIGEST_AT  # Monday 08:00 CST
    assert not any("Weekly review digest for the week of 26 Oct" in (m.get("text") or "")
                   for m in slack.messages(PX_NORTH))
    # (the week of 19 Oct went out on the Monday of the week built, late but within the day)
    digest_in(slack, PX_NORTH, "19 Oct")
    known.move(driver, clock, known.DIGEST_AT)  # the scheduler's job runs: sent

    north = digest_in(slack, PX_NORTH)
    rows = table(north)
    assert rows[0] == ["Figure", "This week (26 Oct)", "19 Oct", "12 Oct", "5 Oct", "28 Sep",
                       "4 weeks before"]
    by_name = {row[0]: row[1:] for row in rows[1:]}
    assert by_name["Negative reviews"] == ["5", "1", "0", "0", "0", "0.25"]
    assert by_name["First claims"] == ["3", "1", "0", "0", "0", "0.25"]
    assert by_name["Median time to claim"] == ["1 h 30 min", "2 h", "—", "—", "—", "2 h"]
    assert by_name["First replies"] == ["1", "1", "0", "0", "0", "0.25"]
    assert by_name["Median time to first reply"] == ["24 h", "19 h", "—", "—", "—", "19 h"]
    assert by_name["First-response windows met"] == [
        "33% (1 of 3)", "100% (1 of 1)", "—", "—", "—", "100% (1 of 1)"]
    assert by_name["Urgent windows met"] == ["—"] * 6
    assert by_name["PX follow-ups met"] == ["100% (1 of 1)", "—", "—", "—", "—", "—"]
    assert by_name["Escalated to PX"] == ["1", "0", "0", "0", "0", "0"]
    assert by_name["Reviewer contacted"][0] == "1" and by_name["Review updated"][0] == "1"
    assert by_name["Declined"][0] == "0" and by_name["Review removed"][0] == "0"
    assert by_name["Hidden"][0] == "1" and by_name["Ignored"][0] == "1"
    assert by_name["Reopened"] == ["2", "0", "0", "0", "0", "0"]
    text = block_text(north)
    assert ("*5* negative reviews this week (the four weeks before: 0.25 a week) · replies in "
            "time: 33% (1 of 3) · PX follow-ups in time: 100% (1 of 1) · 1 escalated") in text
    assert "*By site:* North campus 3 · South clinic 2" in text
    assert "*By source:* Google 3 · Facebook 1 · Yelp 1" in text
    assert "*Hidden, why:* profanity or harassment 1" in text
    assert "Reviewer contacted 1 · Declined 0 · No reply 0 · Review updated 1" in text
    assert "Weekly review digest · 26 Oct – 1 Nov 2026" in block_text(north)

    # the same to the other PX channel and, by DM, to the subscriber; each with the chart after
    assert table(digest_in(slack, PX_SOUTH)) == rows
    assert table(digest_in(slack, f"D{PAT}")) == rows
    for channel in (PX_NORTH, PX_SOUTH, f"D{PAT}"):
        messages = slack.messages(channel)
        shared = [m for m in messages if m.get("files") and
                  m["files"][0]["name"] == "reviewdesk-digest-2026-10-26.png"]
        assert len(shared) == 1 and messages.index(shared[0]) > messages.index(
            digest_in(slack, channel))
        assert "Negative reviews and windows met, the last 8 weeks" in shared[0]["text"]
    chart = next(f for f in slack.files() if f["name"] == "reviewdesk-digest-2026-10-26.png")
    assert png_size(chart["content"]) == (880, 440)
    (tmp_path / "known-digest-chart.png").write_bytes(chart["content"])  # to look at
    assert slack.calls_to("files.upload") == []  # the retired method is never used


def test_the_digest_goes_out_once_whatever_happens(known_bot, start_bot, slack, clock,
                                                   digest_config):
    bot, driver = known_bot
    known.move(driver, clock, known.DIGEST_AT + timedelta(hours=1))  # the job sends it
    driver.settle()
    digest_in(slack, PX_NORTH)
    assert bot.digest.run_due() == 0  # again: already sent
    assert bot.digest.next_due() == known.DIGEST_AT + timedelta(days=7)
    restarted = start_bot(config=digest_config)  # a restart, or a second copy at once
    week = bot.digest.week_reported(known.DIGEST_AT)
    results: list[int] = []
    barrier = threading.Barrier(2)

    def send(copy) -> None:
        barrier.wait()
        results.append(copy.digest.send(week))

    threads = [threading.Thread(target=send, args=(copy,)) for copy in (bot, restarted)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [0, 0]
    driver.settle()
    digest_in(slack, PX_NORTH)  # still exactly one
    assert len([f for f in slack.files() if PX_NORTH in f["channels"]
                and f["name"] == "reviewdesk-digest-2026-10-26.png"]) == 1


def test_two_copies_racing_for_a_new_week_send_one_digest(start_bot, slack, config, clock):
    monday = datetime(2026, 11, 30, 8, 5, tzinfo=UTC)  # the tests' organisation is in UTC
    config = config.model_copy(update={"digest": config.digest.model_copy(
        update={"enabled": True})})
    first, second = start_bot(config=config), start_bot(config=config)
    clock.set(monday)
    week = first.digest.week_reported(monday)
    results: list[int] = []
    barrier = threading.Barrier(2)

    def send(copy) -> None:
        barrier.wait()
        results.append(copy.digest.send(week))

    threads = [threading.Thread(target=send, args=(copy,)) for copy in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 1]
    driver = Driver(first, slack, signing_secret=SIGNING_SECRET, intake_token=INTAKE_TOKEN)
    driver.settle()
    empty = digest_in(slack, PX_NORTH, "23 Nov")  # an empty week: zeros and dashes, nothing broken
    by_name = {row[0]: row[1:] for row in table(empty)[1:]}
    assert by_name["Negative reviews"] == ["0"] * 6
    assert by_name["Median time to claim"] == ["—"] * 6
    assert "*0* negative reviews this week" in block_text(empty)
    assert "*By site:* none" in block_text(empty)


def test_a_digest_more_than_half_a_day_late_is_skipped(known_bot, slack, clock, caplog):
    bot, driver = known_bot
    # the desk sent the week before's (known.build ran through its time)
    known.move(driver, clock, known.DIGEST_AT + LATE_LIMIT + timedelta(minutes=1))
    assert bot.digest.run_due() == 0
    assert bot.digest.next_due() == known.DIGEST_AT + timedelta(days=7)
    # The scheduler's sweep asks every 30 s: the log says it once.
    for _ in range(3):
        clock.advance(timedelta(seconds=30))
        assert bot.digest.run_due() == 0
    skipped = [r for r in caplog.records
               if "digest of the week of 2026-10-26 skipped" in r.getMessage()]
    assert [r.levelname for r in skipped] == ["WARNING"]
    assert not [m for m in slack.messages(PX_NORTH)
                if "Weekly review digest for the week of 26 Oct" in m["text"]]


def test_a_desk_started_after_its_first_digest_time_says_so_calmly(start_bot, digest_config,
                                                                    clock, caplog):
    """A desk that never sent a digest missed nothing: its first start after Monday's time is
    no warning (a second first morning read 'digest … skipped: 5 days late' as a fault)."""
    caplog.set_level(logging.INFO, logger="bot.reports.digest")
    bot = start_bot(config=digest_config)
    send_at = bot.digest.send_time(clock.now())
    clock.advance(send_at + LATE_LIMIT + timedelta(minutes=1) - clock.now())
    assert bot.digest.run_due() == 0
    clock.advance(timedelta(seconds=30))
    assert bot.digest.run_due() == 0
    said = [r for r in caplog.records if "digest of the week" in r.getMessage()]
    assert [r.levelname for r in said] == ["INFO"]
    assert "the desk started after its time" in said[0].getMessage()


def test_a_chart_upload_cut_off_after_it_took_effect_is_not_shared_twice(
        start_bot, slack, config, clock):
    config = config.model_copy(update={"digest": config.digest.model_copy(
        update={"enabled": True})})
    bot = start_bot(config=config, slack_timeout=0.3)
    driver = Driver(bot, slack, signing_secret=SIGNING_SECRET, intake_token=INTAKE_TOKEN)
    # The answer comes after the client gave up; the file was shared all the same.
    slack.fail("files.completeUploadExternal", delay=0.6)
    monday = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    known.move(driver, clock, monday)  # the digest job runs
    slack.wait_for(lambda: len(slack.calls_to("files.completeUploadExternal")) >= 2)
    for _ in range(3):  # let the outbox retry (after its backoff) and look for the file
        known.move(driver, clock, clock.now() + timedelta(minutes=10))
    shared = [m for m in slack.messages(PX_NORTH) if m.get("files")]
    assert len(shared) == 1
    assert [c.params["channel"] for c in slack.calls_to("conversations.history")] == [PX_NORTH]
    assert bot.outbox.counts().get("pending", 0) == 0


# ---- the twin's file upload methods -------------------------------------------------------------


def test_the_twin_uploads_files_as_slack_does(slack):
    client = WebClient(token=BOT_TOKEN, base_url=slack.base_url)
    answer = client.files_upload_v2(channel=PX_NORTH, content=b"\x89PNG fake", filename="x.png",
                                    title="X", alt_txt="a chart", initial_comment="Here it is")
    assert answer["files"][0]["title"] == "X"
    (message,) = [m for m in slack.messages(PX_NORTH) if m.get("files")]
    assert message["text"] == "Here it is" and message["files"][0]["name"] == "x.png"
    assert slack.files()[0]["content"] == b"\x89PNG fake"

    with pytest.raises(SlackApiError) as refused:
        client.api_call("files.upload", data={"channels": PX_NORTH, "content": "x"})
    assert refused.value.response["error"] == "method_deprecated"
    with pytest.raises(SlackApiError) as refused:
        client.files_getUploadURLExternal(filename="x.png", length=0)
    assert refused.value.response["error"] == "missing_argument"
    with pytest.raises(SlackApiError) as refused:
        client.files_getUploadURLExternal(filename="x.png", length=3, alt_txt="a" * 1001)
    assert refused.value.response["error"] == "alt_txt_too_large"

    started = client.files_getUploadURLExternal(filename="y.png", length=3)
    with pytest.raises(SlackApiError) as refused:  # completed before its bytes arrived
        client.files_completeUploadExternal(files=[{"id": started["file_id"]}],
                                            channel_id=PX_NORTH)
    assert refused.value.response["error"] == "file_not_found"
    request = urllib.request.Request(started["upload_url"], data=b"abc", method="POST")
    with urllib.request.urlopen(request) as response:
        assert response.status == 200 and response.read() == b"OK - 3"
    client.files_completeUploadExternal(files=[{"id": started["file_id"]}])  # kept private
    assert [f["channels"] for f in slack.files() if f["id"] == started["file_id"]] == [[]]
    with pytest.raises(SlackApiError) as refused:  # "This method can only be called once."
        client.files_completeUploadExternal(files=[{"id": started["file_id"]}],
                                            channel_id=PX_NORTH)
    assert refused.value.response["error"] == "file_not_found"
    with pytest.raises(SlackApiError) as refused:
        client.api_call("files.completeUploadExternal",
                        params={"files": json.dumps([{"title": "no id"}])})
    assert refused.value.response["error"] == "invalid_arguments"
    assert SAM  # the workspace's people are there to share with
