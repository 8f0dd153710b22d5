"""What the suite's benchmarks share: the Slack twin and the apps as processes of their own,
signed clicks, reviews, a database holding many stored cases, and the machine's facts."""

from __future__ import annotations

import json
import os
import platform
import random
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from slack_sdk import WebClient  # noqa: E402

from twin.interactions import (  # noqa: E402
    block_actions_payload,
    button_action,
    find_button,
    form_body_for_payload,
    post_signed,
)

BOT_TOKEN = "xoxb-bench-token"
SIGNING_SECRET = "bench-signing-secret"
INTAKE_TOKEN = "bench-intake-token"
TRIAGE = "C0TRIAGE"
PX = "C0PXNORTH"
CLICKER = "U0MARIA"
PYTHON = sys.executable

CONFIG = f"""
organization = "Bench Health"
[slack]
triage_channel = "{TRIAGE}"
[bursts]
max_cards = 100000
[rotation]
members = ["{CLICKER}"]
[[sites]]
id = "north"
name = "North campus"
px_channel = "{PX}"
"""

TEXTS = [
    ("Waited five hours in the ER with my father and nobody told us anything. The front desk "
     "was rude when we asked."),
    ("The billing office sent me to collections for a bill I already paid. Three calls, no "
     "callback."),
    "Great care from the nurses on the fourth floor, thank you for looking after my mum.",
    "Parking was a nightmare but the staff were lovely and the doctor explained everything.",
    "Clean rooms, quick check-in, friendly people at the desk.",
    "Nobody answered the call button for an hour and the food was cold every day.",
    "Dr. Okafor listened and took the time to explain the results. Five stars.",
    "The discharge instructions were confusing and nobody called back with the results.",
]


def reviews(count: int, *, prefix: str, seed: int = 7) -> list[dict[str, Any]]:
    """Canonical reviews, about a third of them negative (1–2★)."""
    rnd = random.Random(seed)
    created = datetime.now(UTC) - timedelta(hours=1)
    return [{
        "source": "google", "external_id": f"{prefix}-{n}", "site": "north",
        "author": f"Reviewer {n}", "rating": rnd.choice([1, 2, 3, 4, 5, 5, 5, 4, 1]),
        "text": rnd.choice(TEXTS), "url": f"https://maps.example/review/{prefix}-{n}",
        "created_at": created.isoformat().replace("+00:00", "Z"),
    } for n in range(count)]


def negative_reviews(count: int, *, prefix: str) -> list[dict[str, Any]]:
    return [dict(item, rating=1, text=TEXTS[0]) for item in reviews(count, prefix=prefix)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[rank]


def median(values: list[float]) -> float:
    return statistics.median(values)


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def machine() -> dict[str, str]:
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
    except OSError:
        lscpu = ""
    wanted = ("Architecture", "Model name", "CPU(s)", "Thread(s) per core", "CPU max MHz")
    facts = {}
    for line in lscpu.splitlines():
        name, _, value = line.partition(":")
        if name.strip() in wanted:
            facts[name.strip()] = value.strip()
    facts["Load average (1, 5, 15 min) at the end"] = ", ".join(
        f"{load:.2f}" for load in os.getloadavg())
    facts["Python"] = platform.python_version()
    facts["SQLite"] = sqlite3.sqlite_version
    facts["OS"] = platform.platform()
    return facts


# ---- processes --------------------------------------------------------------------------


class Process:
    """A child process serving HTTP on `port`."""

    def __init__(self, args: list[str], *, env: dict[str, str] | None = None,
                 cwd: Path | None = None, port: int | None = None, log: Path | None = None):
        self.port = port
        self.log = log
        self.stderr = log.open("w") if log else subprocess.DEVNULL
        self.process = subprocess.Popen(args, env=env, cwd=cwd, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=self.stderr, text=True)

    @property
    def pid(self) -> int:
        return self.process.pid

    def readline(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.readline().strip()

    def wait_http(self, path: str = "/healthz", timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                said = self.log.read_text(errors="replace")[-2000:] if self.log else ""
                raise RuntimeError(f"{self.process.args} exited:\n{said}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=1):
                    return
            except urllib.error.HTTPError:
                return  # it answers
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{self.process.args} never answered on {self.port}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


_TWIN = """
import sys
from twin.webapi import SlackTwin
twin = SlackTwin(bot_token=sys.argv[1]).start()
for channel, name in (("C0TRIAGE", "review-triage"), ("C0PXNORTH", "px-north")):
    twin.add_channel(channel, name)
twin.add_user("U0MARIA", "maria")
print(twin.base_url, flush=True)
sys.stdin.readline()
twin.stop()
"""


@contextmanager
def twin_process(workdir: Path) -> Iterator[str]:
    """The Slack twin in a process of its own (so it takes no CPU from the process measuring);
    yields its Web API base URL."""
    process = Process([PYTHON, "-c", _TWIN, BOT_TOKEN], cwd=ROOT, log=workdir / "twin.log",
                      env={**os.environ, "PYTHONPATH": str(ROOT)})
    base_url = process.readline()
    try:
        yield base_url
    finally:
        assert process.process.stdin is not None
        process.process.stdin.write("\n")
        process.process.stdin.flush()
        process.stop()


def run_reviewdesk(workdir: Path, base_url: str, database: Path, *, name: str) -> Process:
    """`reviewdesk run` in HTTP mode, as deployed."""
    (workdir / "reviewdesk.toml").write_text(CONFIG)
    port = free_port()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SLACK_", "INTAKE_", "DATABASE_", "REVIEWDESK_"))}
    env.update(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
               SLACK_API_BASE_URL=base_url, INTAKE_TOKEN=INTAKE_TOKEN, PORT=str(port),
               DATABASE_URL=f"sqlite:///{database}", LOG_LEVEL="WARNING")
    script = Path(PYTHON).parent / "reviewdesk"
    process = Process([str(script), "run"], env=env, cwd=workdir, port=port,
                      log=workdir / f"{name}.log")
    process.wait_http()
    return process


def start_bare_bolt(workdir: Path, base_url: str, server: str = "cheroot-8") -> Process:
    """bench/bare_bolt.py on `server` (see its SERVERS), started; wait_http before use."""
    port = free_port()
    return Process([PYTHON, str(ROOT / "bench" / "bare_bolt.py"), server, str(port), base_url,
                    SIGNING_SECRET, BOT_TOKEN], cwd=workdir, port=port,
                   log=workdir / f"bare_bolt-{server}.log")


def run_bare_bolt(workdir: Path, base_url: str, server: str = "cheroot-8") -> Process:
    process = start_bare_bolt(workdir, base_url, server)
    process.wait_http("/slack/events")
    return process


def cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until_quiet(pid: int, *, interval: float = 0.1, timeout: float = 10.0) -> None:
    """Wait until a process has used (nearly) no CPU for `interval`: the work a burst of clicks
    left behind their acks is done, and does not weigh on what is measured next."""
    deadline = time.monotonic() + timeout
    before = cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(interval)
        now = cpu_seconds(pid)
        if now - before <= 0.011:  # one clock tick: its idle threads' polling
            return
        before = now


# ---- talking to them ------------------------------------------------------------------------


def post_json(port: int, path: str, body: Any, timeout: float = 120) -> dict[str, Any]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {INTAKE_TOKEN}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return json.loads(error.read() or b"{}")


def slack_client(base_url: str) -> WebClient:
    return WebClient(token=BOT_TOKEN, base_url=base_url, timeout=30)


def cards(client: WebClient) -> dict[int, dict[str, Any]]:
    """The case cards in the triage channel, by case id."""
    found: dict[int, dict[str, Any]] = {}
    cursor = None
    while True:
        page = client.conversations_history(channel=TRIAGE, limit=1000, cursor=cursor,
                                            include_all_metadata=True)
        for message in page["messages"]:
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("case_id"):
                found[payload["case_id"]] = message
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return found


def wait_for_cards(client: WebClient, case_ids: set[int], timeout: float = 120
                   ) -> dict[int, dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = cards(client)
        if case_ids <= set(found):
            return found
        time.sleep(0.05)
    raise RuntimeError(f"{len(case_ids - set(cards(client)))} cards never appeared")


def click_payload(card: dict[str, Any], action_id: str) -> dict[str, Any]:
    block, element = find_button(card["blocks"], action_id)
    return block_actions_payload(user_id=CLICKER, action=button_action(block, element),
                                 channel_id=TRIAGE, message=card)


def timed_click(port: int, payload: dict[str, Any]) -> float:
    """Seconds until the app answers (acks) a signed click."""
    body = form_body_for_payload(payload)
    started = time.perf_counter()
    status, _headers, _body = post_signed(f"http://127.0.0.1:{port}/slack/events",
                                          SIGNING_SECRET, body,
                                          "application/x-www-form-urlencoded", timeout=10)
    elapsed = time.perf_counter() - started
    if status != 200:
        raise RuntimeError(f"click answered {status}")
    return elapsed


# ---- a database with many stored cases ---------------------------------------------------------


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def build_stored_cases(path: Path, count: int, *, open_share: float = 0.1) -> None:
    """A migrated SQLite database holding `count` cases, most of them closed long ago (their
    windows met or stopped, their reminders sent or cancelled, their cards posted), the rest
    open with reminders due tomorrow."""
    from storage.db import Database, migrate

    database = Database.from_url(f"sqlite:///{path}")
    migrate(database.engine)
    database.dispose()
    now = datetime.now(UTC)
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("BEGIN")
    opened = max(1, int(count * open_share))
    chunk = 10_000
    for start in range(0, count, chunk):
        ids = range(start + 1, min(count, start + chunk) + 1)
        review_rows, case_rows, window_rows, event_rows, outbox_rows, nudge_rows = (
            [], [], [], [], [], [])
        for n in ids:
            is_open = n > count - opened
            at = now - timedelta(days=30 if not is_open else 0, minutes=n % 1000)
            review_rows.append((n, "google", f"stored-{n}", "north", f"Stored {n}", 1,
                                TEXTS[n % len(TEXTS)], None, None, _stamp(at), _stamp(at),
                                _stamp(at), json.dumps({"negative": True, "labels": []})))
            status = "open" if is_open else ("hidden", "ignored", "resolved")[n % 3]
            closed = None if is_open else _stamp(at + timedelta(hours=1))
            case_rows.append((n, n, status, "north", 2, None if is_open else "U0MARIA", closed,
                              TRIAGE, f"{int(at.timestamp())}.{n % 1_000_000:06d}",
                              _stamp(at), _stamp(at)))
            due = (now + timedelta(days=1)) if is_open else at + timedelta(hours=24)
            window_rows.append((n, n, "first_response", _stamp(at), _stamp(due),
                                None if is_open else closed))
            event_rows.append((2 * n - 1, n, "system", "opened", "{}", _stamp(at)))
            event_rows.append((2 * n, n, "U0MARIA", "claimed", "{}", _stamp(at)))
            outbox_rows.append((n, uuid.uuid4().hex, n, f"case:{n}", "post_card", TRIAGE,
                                "{}", "sent", 1, 0, _stamp(at), _stamp(at), _stamp(at)))
            for key, due_at in (("lead-0", at + timedelta(hours=18)), ("lapse", due)):
                nudge_rows.append((n, n, key, _stamp(due_at),
                                   "pending" if is_open else "cancelled"))
        connection.executemany(
            "INSERT INTO reviews (id, source, external_id, site, author, rating, text, url, "
            "recommendation, created_at, received_at, updated_at, triage) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", review_rows)
        connection.executemany(
            "INSERT INTO cases (id, review_id, status, site, version, closed_by, closed_at, "
            "card_channel, card_ts, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            case_rows)
        connection.executemany(
            "INSERT INTO case_windows (id, case_id, kind, started_at, due_at, stopped_at) "
            "VALUES (?,?,?,?,?,?)", window_rows)
        connection.executemany(
            "INSERT INTO case_events (id, case_id, actor, action, details, created_at) "
            "VALUES (?,?,?,?,?,?)", event_rows)
        connection.executemany(
            "INSERT INTO outbox (id, dedupe_key, case_id, ordering_key, kind, channel, payload, "
            "status, attempts, uncertain, next_attempt_at, created_at, sent_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", outbox_rows)
        connection.executemany(
            "INSERT INTO nudges (window_id, case_id, key, due_at, status, late) "
            "VALUES (?,?,?,?,?,0)",
            nudge_rows)
    connection.execute("COMMIT")
    connection.execute("ANALYZE")
    connection.close()
