"""`reviewdesk run` as a newcomer runs it: a real process, serving HTTP, posting to Slack,
logging ids but never review text or reviewer names, and stopping cleanly on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import BOT_TOKEN, INTAKE_TOKEN, SIGNING_SECRET, TRIAGE
from tests.driver import review

CONFIG = f"""
organization = "Example Health"
[slack]
triage_channel = "{TRIAGE}"
[[sites]]
id = "north"
name = "North campus"
px_channel = "C0PXNORTH"
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_healthy(port: int, process: subprocess.Popen, timeout: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                return json.loads(r.read())
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the bot never answered /healthz")


def test_run_serves_posts_and_stops_cleanly(tmp_path: Path, slack):
    (tmp_path / "reviewdesk.toml").write_text(CONFIG)
    port = _free_port()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SLACK_", "INTAKE_", "DATABASE_", "REVIEWDESK_"))}
    env.update(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
               SLACK_API_BASE_URL=slack.base_url, INTAKE_TOKEN=INTAKE_TOKEN, PORT=str(port),
               DATABASE_URL=f"sqlite:///{tmp_path / 'desk.db'}")
    script = Path(sys.executable).parent / "reviewdesk"
    process = subprocess.Popen([str(script), "run"], cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        health = _wait_healthy(port, process)
        assert health["status"] == "ok" and health["slack"] == "http"

        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/intake/reviews", data=json.dumps(review()).encode(),
            headers={"Authorization": f"Bearer {INTAKE_TOKEN}",
                     "Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200
        slack.wait_for(lambda: slack.messages(TRIAGE), timeout=5)
    finally:
        process.send_signal(signal.SIGTERM)
        _out, logs = process.communicate(timeout=15)
    assert process.returncode == 0, logs
    assert "reviewdesk is running" in logs and "outbox 1 sent" in logs
    assert "Dana" not in logs and "Waited five hours" not in logs  # ids only
    assert BOT_TOKEN not in logs and INTAKE_TOKEN not in logs


def test_two_bot_processes_on_one_database_send_each_nudge_once(tmp_path: Path, slack):
    config = CONFIG.replace('[[sites]]', '''[windows]
first_response = "2s"
nudge_before = ["50%"]
repeat_every = "1s"

[rotation]
members = ["U0MARIA", "U0SAM"]

[[sites]]''')
    (tmp_path / "reviewdesk.toml").write_text(config)
    database = tmp_path / "desk.db"
    processes, ports = [], []
    for _ in range(2):
        port = _free_port()
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("SLACK_", "INTAKE_", "DATABASE_", "REVIEWDESK_"))}
        env.update(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                   SLACK_API_BASE_URL=slack.base_url, INTAKE_TOKEN=INTAKE_TOKEN,
                   PORT=str(port), DATABASE_URL=f"sqlite:///{database}")
        script = Path(sys.executable).parent / "reviewdesk"
        processes.append(subprocess.Popen([str(script), "run"], cwd=tmp_path, env=env,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                          text=True))
        ports.append(port)
    try:
        for port, process in zip(ports, processes, strict=True):
            _wait_healthy(port, process)
        for number, port in enumerate(ports):  # one review through each process
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/intake/reviews",
                data=json.dumps(review(external_id=f"two-{number}")).encode(),
                headers={"Authorization": f"Bearer {INTAKE_TOKEN}",
                         "Content-Type": "application/json"}, method="POST")
            urllib.request.urlopen(request, timeout=5).close()
        # the 50 % reminder at 1 s, the lapse at 2 s, then a repeat every second
        def replies() -> int:
            return sum(len(slack.thread(TRIAGE, card["ts"])) for card in slack.messages(TRIAGE))

        slack.wait_for(lambda: replies() >= 6, timeout=20, interval=0.1,
                       what="three reminders per case")
    finally:
        logs = []
        for process in processes:
            process.send_signal(signal.SIGTERM)
            logs.append(process.communicate(timeout=15)[1])
    assert all(process.returncode == 0 for process in processes), logs

    import sqlite3

    with sqlite3.connect(database) as connection:
        sent = connection.execute(
            "SELECT case_id, key FROM nudges WHERE status = 'sent'").fetchall()
    cards = slack.messages(TRIAGE)
    assert len(cards) == 2
    nudge_lines = [reply["text"] for card in cards for reply in slack.thread(TRIAGE, card["ts"])]
    assert len(sent) >= 6  # per case: the reminder, the lapse, a repeat or more
    assert len(nudge_lines) == len(sent)  # each sent exactly once, by one process or the other
    assert len({key for _case, key in sent}) >= 3
