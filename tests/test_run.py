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

from testing.driver import review
from testing.workspace import BOT_TOKEN, INTAKE_TOKEN, SIGNING_SECRET, TRIAGE
from twin.queries import WAIT

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


class Bot:
    """A `reviewdesk run` process whose output goes to a file: a pipe read only at the end
    fills (64 KB) while the bot logs, and its next log line then stalls it."""

    def __init__(self, tmp_path: Path, slack, name: str, database: Path):
        self.port = _free_port()
        self.log = tmp_path / f"{name}.log"
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("SLACK_", "INTAKE_", "DATABASE_", "REVIEWDESK_"))}
        env.update(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                   SLACK_API_BASE_URL=slack.base_url, INTAKE_TOKEN=INTAKE_TOKEN,
                   PORT=str(self.port), DATABASE_URL=f"sqlite:///{database}")
        script = Path(sys.executable).parent / "reviewdesk"
        with self.log.open("w") as output:
            self.process = subprocess.Popen([str(script), "run"], cwd=tmp_path, env=env,
                                            stdout=output, stderr=subprocess.STDOUT)

    def logs(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_healthy(self, timeout: float = WAIT) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.logs()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz",
                                            timeout=1) as answer:
                    return json.loads(answer.read())
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"the bot never answered /healthz:\n{self.logs()}")

    def post_review(self, **overrides) -> None:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/intake/reviews",
            data=json.dumps(review(**overrides)).encode(),
            headers={"Authorization": f"Bearer {INTAKE_TOKEN}",
                     "Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=WAIT) as response:
            assert response.status == 200

    def stop(self) -> str:
        """SIGTERM; what it logged."""
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=WAIT)
        return self.logs()


def test_run_serves_posts_and_stops_cleanly(tmp_path: Path, slack):
    (tmp_path / "reviewdesk.toml").write_text(CONFIG)
    bot = Bot(tmp_path, slack, "bot", tmp_path / "desk.db")
    try:
        health = bot.wait_healthy()
        assert health["status"] == "ok" and health["slack"] == "http"
        bot.post_review()
        slack.wait_for(lambda: slack.messages(TRIAGE))
    finally:
        logs = bot.stop()
    assert bot.process.returncode == 0, logs
    assert "reviewdesk is running" in logs and "outbox 1 sent" in logs
    assert "apscheduler" not in logs  # its add/run/remove lines every second drown ours
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
    bots = [Bot(tmp_path, slack, f"bot{number}", database) for number in range(2)]
    try:
        for bot in bots:
            bot.wait_healthy()
        for number, bot in enumerate(bots):  # one review through each process
            bot.post_review(external_id=f"two-{number}")

        # the 50 % reminder at 1 s, the lapse at 2 s, then a repeat every second
        def replies() -> int:
            return sum(len(slack.thread(TRIAGE, card["ts"])) for card in slack.messages(TRIAGE))

        try:
            slack.wait_for(lambda: replies() >= 6, timeout=4 * WAIT, interval=0.1,
                           what="three reminders per case")
        except AssertionError as error:
            raise AssertionError(f"{error}\n" + "\n".join(bot.logs() for bot in bots)) from None
    finally:
        logs = [bot.stop() for bot in bots]
    assert all(bot.process.returncode == 0 for bot in bots), logs

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
