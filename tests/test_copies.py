"""Several copies of the bot on one database: real `reviewdesk run` processes, killed with
SIGKILL in the middle of their work. Nothing is lost and nothing doubled: each card, action
and nudge happens exactly once, by the database's conditional updates and short renewed
leases, with no coordinator of our own."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.blocks.ids import ActionId
from storage.db import Database
from storage.models import CaseEvent, Nudge, OutboxMessage
from testing.driver import block_text, review
from testing.workspace import BOT_TOKEN, INTAKE_TOKEN, MARIA, SIGNING_SECRET, TRIAGE, populate
from twin.interactions import (
    block_actions_payload,
    button_action,
    find_button,
    form_body_for_payload,
    post_signed,
)
from twin.webapi import SlackTwin

CONFIG = f"""
organization = "Example Health"
[slack]
triage_channel = "{TRIAGE}"
[windows]
first_response = "8s"
nudge_before = ["50%"]
repeat_every = "1h"
[bursts]
max_cards = 1000
[rotation]
members = ["{MARIA}"]
[[sites]]
id = "north"
name = "North campus"
px_channel = "C0PXNORTH"
"""


@pytest.fixture
def live_slack() -> Iterator[SlackTwin]:
    """A twin on real time: the copies run on the system clock."""
    with SlackTwin(bot_token=BOT_TOKEN) as fake:
        yield populate(fake)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Copy:
    """One `reviewdesk run` process in HTTP mode."""

    def __init__(self, workdir: Path, database_url: str, slack: SlackTwin):
        self.port = _free_port()
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("SLACK_", "INTAKE_", "DATABASE_", "REVIEWDESK_"))}
        env.update(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                   SLACK_API_BASE_URL=slack.base_url, INTAKE_TOKEN=INTAKE_TOKEN,
                   PORT=str(self.port), DATABASE_URL=database_url)
        self.logfile = (workdir / f"copy-{self.port}.log").open("w+")
        script = Path(sys.executable).parent / "reviewdesk"
        self.process = subprocess.Popen([str(script), "run"], cwd=workdir, env=env,
                                        stdout=subprocess.DEVNULL, stderr=self.logfile)
        self.base = f"http://127.0.0.1:{self.port}"

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_healthy(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.alive, self.logs()
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=1) as answer:
                    if json.loads(answer.read())["status"] == "ok":
                        return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"copy on {self.port} never became healthy:\n{self.logs()}")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.alive:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def logs(self) -> str:
        self.logfile.flush()
        self.logfile.seek(0)
        return self.logfile.read()

    def post_review(self, item: dict[str, Any]) -> int:
        request = urllib.request.Request(
            f"{self.base}/intake/reviews", data=json.dumps(item).encode(), method="POST",
            headers={"Authorization": f"Bearer {INTAKE_TOKEN}",
                     "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status

    def click(self, payload: dict[str, Any]) -> int:
        status, _headers, _body = post_signed(
            f"{self.base}/slack/events", SIGNING_SECRET, form_body_for_payload(payload),
            "application/x-www-form-urlencoded", timeout=3)
        return status


@pytest.fixture
def copies(tmp_path) -> Iterator[list[Copy]]:
    started: list[Copy] = []
    yield started
    for copy in started:
        copy.stop()


def _round_robin(copies: list[Copy], attempt) -> Any:
    """Send to the next live copy; a copy that dies under the request passes it on, as a load
    balancer (or Slack's and the sources' retries) would."""
    for copy in copies:
        if not copy.alive:
            continue
        try:
            return attempt(copy)
        except OSError:
            continue
    raise AssertionError("no copy answered")


def _cards(slack: SlackTwin) -> dict[int, list[dict]]:
    cards: dict[int, list[dict]] = {}
    for message in slack.messages(TRIAGE):
        payload = (message.get("metadata") or {}).get("event_payload") or {}
        if payload.get("case_id"):
            cards.setdefault(payload["case_id"], []).append(message)
    return cards


def _rows(db: Database, model) -> list:
    with db.session() as session:
        return list(session.exec(select(model)))


def test_a_copy_killed_mid_post_is_taken_over_within_seconds_and_not_doubled(
        tmp_path, database_url, live_slack, copies):
    (tmp_path / "reviewdesk.toml").write_text(CONFIG)
    first = Copy(tmp_path, database_url, live_slack)
    copies.append(first)
    first.wait_healthy()
    live_slack.fail("chat.postMessage", delay=60)  # it posts; its answer never comes in time
    first.post_review(review())
    live_slack.wait_for(lambda: live_slack.messages(TRIAGE), timeout=10, what="the card landing")
    first.kill()  # holding the card's lease, in the middle of the call

    second = Copy(tmp_path, database_url, live_slack)
    copies.append(second)
    second.wait_healthy()
    db = Database.from_url(database_url)
    try:
        # a short lease, renewed by the dead copy no more: taken over within seconds
        live_slack.wait_for(lambda: [m for m in _rows(db, OutboxMessage) if m.status == "sent"],
                            timeout=15, interval=0.1, what="the second copy recording the card")
    finally:
        db.dispose()
    assert len(live_slack.messages(TRIAGE)) == 1
    card_posts = [c for c in live_slack.calls_to("chat.postMessage")
                  if not c.params.get("thread_ts")]
    assert len(card_posts) == 1  # found, not posted again
    assert "was already posted" in second.logs()


def test_three_copies_on_postgresql_do_every_card_action_and_nudge_exactly_once(
        tmp_path, database_url, live_slack, copies):
    if not database_url.startswith("postgresql"):
        pytest.skip("several copies share a PostgreSQL database (TEST_DATABASE_URL)")
    (tmp_path / "reviewdesk.toml").write_text(CONFIG)
    for _ in range(3):
        copies.append(Copy(tmp_path, database_url, live_slack))
    for copy in copies:
        copy.wait_healthy()
    slack = live_slack
    db = Database.from_url(database_url)
    reviews = [review(external_id=f"copy-{n}", author=f"Reviewer {n}") for n in range(24)]

    def take_in(batch: list[dict]) -> None:
        for number, item in enumerate(batch):
            turn = copies[number % 3:] + copies[:number % 3]
            assert _round_robin(turn, lambda copy, item=item: copy.post_review(item)) == 200
            # …and the same review again through the next copy: stored once
            assert _round_robin(turn[1:] + turn[:1],
                                lambda copy, item=item: copy.post_review(item)) == 200

    def claim_all(expected: int, clicked: set[int]) -> None:
        cards = slack.wait_for(lambda: (found := _cards(slack)) and len(found) >= expected
                               and found, timeout=20, what=f"{expected} cards")
        for number, (case_id, (card, *_)) in enumerate(sorted(cards.items())):
            if case_id in clicked:
                continue
            block, element = find_button(card["blocks"], ActionId.CLAIM)
            payload = block_actions_payload(user_id=MARIA, action=button_action(block, element),
                                            channel_id=TRIAGE, message=card)
            turn = copies[number % 3:] + copies[:number % 3]
            # a click, and the same click delivered twice (to another copy): applied once
            assert _round_robin(turn, lambda copy, p=payload: copy.click(p)) == 200
            assert _round_robin(turn[1:] + turn[:1], lambda copy, p=payload: copy.click(p)) == 200
            clicked.add(case_id)

    try:
        clicked: set[int] = set()
        take_in(reviews[:12])
        claim_all(12, clicked)
        slack.fail("chat.postMessage", delay=1.5, times=4)  # slow posts: a kill lands mid-call
        take_in(reviews[12:16])
        copies[1].kill()
        take_in(reviews[16:])
        claim_all(24, clicked)

        def quiet() -> bool:  # every lapse reminder sent, its DM written, the outbox empty
            nudges = _rows(db, Nudge)
            due = [n for n in nudges if not n.key.startswith("repeat")]
            # a lapse is marked sent with its DM owed; the DM is written after, in that run or
            # (the copy killed in between) another copy's next one
            return (len(due) == 48 and all(n.status != "pending" for n in due)
                    and all(n.dm_status != "owed" for n in nudges)
                    and all(m.status != "pending" for m in _rows(db, OutboxMessage)))

        slack.wait_for(quiet, timeout=60, interval=0.25, what="every nudge sent, outbox empty")
    finally:
        for copy in copies:
            copy.stop()
    logs = "\n".join(copy.logs() for copy in copies)

    cards = _cards(slack)
    assert sorted(cards) == list(range(1, 25)), logs  # every case has a card…
    assert all(len(found) == 1 for found in cards.values())  # …exactly one
    events = Counter((e.case_id, e.action) for e in _rows(db, CaseEvent))
    assert all(events[(case_id, "claimed")] == 1 for case_id in cards)
    assert all(events[(case_id, "opened")] == 1 for case_id in cards)
    sent = Counter(n.case_id for n in _rows(db, Nudge) if n.status == "sent")
    for case_id, (card,) in cards.items():
        assert f"Claimed by <@{MARIA}>" in block_text(card)
        thread = slack.thread(TRIAGE, card["ts"])
        assert sum("claimed this case" in line["text"] for line in thread) == 1
        reminders = [line for line in thread if line.get("blocks")]  # with Snooze / I'm on it
        assert len(reminders) == sent[case_id] >= 1, (case_id, [r["text"] for r in thread])
    # nothing the bot posted anywhere appears twice
    keys = Counter()
    for channel in (TRIAGE, f"D{MARIA}"):
        for message in slack.messages(channel):
            for item in [message, *slack.thread(channel, message["ts"])]:
                payload = (item.get("metadata") or {}).get("event_payload") or {}
                if payload.get("key"):
                    keys[payload["key"]] += 1
    assert keys and max(keys.values()) == 1
    # each lapse's DM went out once: the lapses a run sent share one DM, naming each case once
    # (a DM names 20 and counts the rest: "…and 4 more", when all 24 lapse in one run)
    dms = [dm["text"] for dm in slack.dms(MARIA)]
    in_dms = Counter(int(part.split(")")[0]) for text in dms
                     for part in text.split("(case #")[1:])
    counted = sum(int(more) for text in dms for more in re.findall(r"…and (\d+) more", text))
    lapsed = [n for n in _rows(db, Nudge) if n.status == "sent" and n.key == "lapse"]
    assert max(in_dms.values()) == 1 and set(in_dms) <= {n.case_id for n in lapsed}
    assert len(in_dms) + counted == len(lapsed), dms
    assert {n.dm_status for n in lapsed} == {"sent"}
    db.dispose()
