"""The benchmark suite: every figure is a ratio against a baseline measured in the same run, on
this machine, and the table (with the machine) is written to bench/RESULTS.md.

    make bench                        # the full suite (a few minutes), writes bench/RESULTS.md
    .venv/bin/python bench/run.py --smoke   # every benchmark on tiny sizes (the tests run it)
    .venv/bin/python bench/run.py --only ack,intake

The apps run as processes of their own (`reviewdesk run`, and the bare Bolt app of
bench/bare_bolt.py), against the Slack twin in a third process, so that nothing measured shares
a CPU with the process measuring. bench/triage_bench.py and bench/guard_bench.py (quality
benches kept by their authors) are run too and their speed lines quoted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from support import (
    CONFIG,
    PYTHON,
    ROOT,
    TRIAGE,
    Process,
    build_stored_cases,
    click_payload,
    machine,
    median,
    negative_reviews,
    peak_rss_mb,
    percentile,
    post_json,
    reviews,
    run_bare_bolt,
    run_reviewdesk,
    slack_client,
    start_bare_bolt,
    timed_click,
    twin_process,
    wait_for_cards,
    wait_until_quiet,
)

from reviewdesk.server import HTTP_THREADS

RESULTS = ROOT / "bench" / "RESULTS.md"


CONCURRENCY = 10


@dataclass(frozen=True)
class Sizes:
    sequential_clicks: int
    intake_reviews: int
    import_rows: int
    small: int  # stored cases, the baseline of the scaling figures
    large: int
    latency_samples: int
    memory_cards: int
    scan_repeats: int
    bursts: tuple[tuple[int, int], ...]  # clicks sent at once, and how many times
    list_repeats: int = 3


FULL = Sizes(sequential_clicks=300, intake_reviews=3000,
             import_rows=100_000, small=1_000, large=100_000, latency_samples=21,
             memory_cards=100, scan_repeats=5, list_repeats=100,
             bursts=((CONCURRENCY, 30), (50, 10)))
SMOKE = Sizes(sequential_clicks=10, intake_reviews=200, import_rows=300,
              small=600, large=1200, latency_samples=2, memory_cards=5, scan_repeats=1,
              bursts=((CONCURRENCY, 2),))


@dataclass
class Row:
    figure: str
    ours: str
    baseline: str
    ratio: float | None
    goal: str
    met: bool | None

    def cells(self) -> list[str]:
        ratio = "—" if self.ratio is None else f"{self.ratio:.3g}×"
        met = "—" if self.met is None else ("yes" if self.met else "**no**")
        return [self.figure, self.ours, self.baseline, ratio, self.goal, met]


# ---- click acks ------------------------------------------------------------------------------

# The bare Bolt app's servers (bench/bare_bolt.py): the fastest at each burst is the baseline.
# cheroot as reviewdesk is served (its threads, reviewdesk.server.HTTP_THREADS), cheroot with
# the 8 threads it had before, and two servers that start a thread per connection.
BARE_SERVERS = tuple(dict.fromkeys((f"cheroot-{HTTP_THREADS}", "cheroot-8", "threading",
                                     "werkzeug")))
# Clicks a server takes before the next one takes its turn: a block of sequential clicks or
# of bursts. Servers take turns block by block, so the machine's other work weighs on each
# alike; the app's listeners finish the block's work before the next server's turn.
BLOCK_CLICKS = 50


def _burst(port: int, payloads: list[dict]) -> list[float]:
    """Seconds to each ack of clicks sent at once (their threads released together)."""
    if len(payloads) == 1:
        return [timed_click(port, payloads[0])]
    times = [0.0] * len(payloads)
    barrier = threading.Barrier(len(payloads))

    def send(index: int, payload: dict) -> None:
        barrier.wait()
        times[index] = timed_click(port, payload)

    threads = [threading.Thread(target=send, args=pair) for pair in enumerate(payloads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def _toggling_clicks(cards: list[dict], count: int) -> list[dict]:
    """Claim, then Release, then Claim… by one person, card after card: every click changes
    its case, and any run of len(cards) clicks touches each card once."""
    from bot.blocks.ids import ActionId

    clicks = []
    for n in range(count):
        payload = click_payload(cards[n % len(cards)], ActionId.CLAIM)
        if (n // len(cards)) % 2:
            payload["actions"][0]["action_id"] = ActionId.RELEASE
        clicks.append(payload)
    return clicks


def ack_times(servers: dict[str, Process], cards: list[dict], sizes: Sizes
              ) -> dict[int, dict[str, list[float]]]:
    """Seconds to each ack, by burst size (1: one click after another) and server: every
    server gets the same clicks (a warm-up pass over the cards first), block by block in
    turn, each block's first server a different one."""
    plan = [(1, sizes.sequential_clicks)]
    plan += [(burst, burst * rounds) for burst, rounds in sizes.bursts]
    clicks = _toggling_clicks(cards, len(cards) + sum(count for _burst_, count in plan))
    warm_up, clicks = clicks[:len(cards)], clicks[len(cards):]
    for process in servers.values():
        for payload in warm_up:
            timed_click(process.port, payload)
        wait_until_quiet(process.pid)
    times: dict[int, dict[str, list[float]]] = {}
    names = list(servers)
    turn = 0
    for burst, count in plan:
        mine, clicks = clicks[:count], clicks[count:]
        block = max(1, BLOCK_CLICKS // burst) * burst
        times[burst] = {name: [] for name in names}
        for start in range(0, count, block):
            rounds = [mine[at:at + burst] for at in range(start, min(count, start + block), burst)]
            for name in names[turn % len(names):] + names[:turn % len(names)]:
                for round_ in rounds:
                    times[burst][name] += _burst(servers[name].port, round_)
                wait_until_quiet(servers[name].pid)
            turn += 1
    return times


def _ms(times: list[float]) -> str:
    return f"{percentile(times, 0.99) * 1000:.1f} ms (p50 {median(times) * 1000:.1f})"


def bench_ack(workdir: Path, sizes: Sizes) -> list[Row]:
    most = max([CONCURRENCY, *(burst for burst, _rounds in sizes.bursts)])
    with twin_process(workdir) as base_url:
        slack = slack_client(base_url)
        servers = {"reviewdesk": run_reviewdesk(workdir, base_url, workdir / "ack.db",
                                                name="ack")}
        try:
            for name in BARE_SERVERS:
                servers[name] = start_bare_bolt(workdir, base_url, name)
            for name in BARE_SERVERS:
                servers[name].wait_http("/slack/events")
            answer = post_json(servers["reviewdesk"].port, "/intake/reviews",
                               negative_reviews(most, prefix="ack"))
            case_ids = {item["case_id"] for item in answer["items"]}
            found = wait_for_cards(slack, case_ids)
            times = ack_times(servers, [found[case_id] for case_id in sorted(case_ids)], sizes)
        finally:
            for process in servers.values():
                process.stop()
    rows = []
    for burst, by_server in times.items():
        label = "sequential" if burst == 1 else f"{burst} at once"
        bare = {name: by_server[name] for name in BARE_SERVERS}
        for name, bare_times in bare.items():
            print(f"  bare Bolt on {name}, {label}: p99 {_ms(bare_times)}", file=sys.stderr)
        fastest = min(bare, key=lambda name: percentile(bare[name], 0.99))
        ours = by_server["reviewdesk"]
        ratio = percentile(ours, 0.99) / percentile(bare[fastest], 0.99)
        rows.append(Row(f"click ack p99, {label} ({len(ours)} clicks)", _ms(ours),
                        f"{_ms(bare[fastest])}, bare Bolt on {fastest} (the fastest of "
                        f"{len(bare)} servers)", ratio, "≤ 1.5×", ratio <= 1.5))
    return rows


# ---- intake and import -------------------------------------------------------------------------

_WRITTEN = ("reviews", "card_batches", "cases", "case_windows", "case_events", "nudges",
            "outbox")


def _raw_insert_seconds(source: Path, target: Path, transactions: int,
                        tables: tuple[str, ...] = _WRITTEN) -> tuple[float, int]:
    """Copy every row `tables` hold in `source` into an empty database with the same schema,
    WAL and synchronous=NORMAL as the bot uses, with plain sqlite3 executemany, in
    `transactions` transactions (one per batch the bot took): the baseline for intake."""
    from storage.db import Database, migrate

    database = Database.from_url(f"sqlite:///{target}")
    migrate(database.engine)
    database.dispose()
    with sqlite3.connect(source) as reader:
        data = {}
        for table in tables:
            cursor = reader.execute(f"SELECT * FROM {table}")
            columns = [d[0] for d in cursor.description]
            data[table] = (columns, cursor.fetchall())
    writer = sqlite3.connect(target, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA synchronous=NORMAL")
    statements = {table: (f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                          f"({', '.join('?' for _ in columns)})", rows)
                  for table, (columns, rows) in data.items()}
    total = sum(len(rows) for _sql, rows in statements.values())
    started = time.perf_counter()
    for part in range(transactions):
        writer.execute("BEGIN")
        for sql, rows in statements.values():
            size = -(-len(rows) // transactions)
            chunk = rows[part * size:(part + 1) * size]
            if chunk:
                writer.executemany(sql, chunk)
        writer.execute("COMMIT")
    elapsed = time.perf_counter() - started
    writer.close()
    return elapsed, total


def bench_intake(workdir: Path, sizes: Sizes) -> list[Row]:
    items = reviews(sizes.intake_reviews, prefix="intake")
    database = workdir / "intake.db"
    with twin_process(workdir) as base_url:
        ours = run_reviewdesk(workdir, base_url, database, name="intake")
        try:
            started = time.perf_counter()
            for start in range(0, len(items), 100):
                answer = post_json(ours.port, "/intake/reviews", items[start:start + 100])
                assert answer.get("created") == len(items[start:start + 100]), answer
            elapsed = time.perf_counter() - started
        finally:
            ours.stop()
    batches = -(-len(items) // 100)
    raw_all, rows_written = _raw_insert_seconds(database, workdir / "raw-all.db", batches)
    raw_reviews, _ = _raw_insert_seconds(database, workdir / "raw-reviews.db", batches,
                                         ("reviews",))
    ours_rate = len(items) / elapsed
    rows = []
    for label, raw in ((f"every row it wrote ({rows_written})", raw_all),
                       ("the review rows alone", raw_reviews)):
        raw_rate = len(items) / raw
        rows.append(Row(f"intake, HTTP batches of 100 ({len(items)} reviews) vs a raw SQLite "
                        f"insert of {label}", f"{ours_rate:,.0f} reviews/s",
                        f"{raw_rate:,.0f} reviews/s", ours_rate / raw_rate, "≥ 0.1×",
                        ours_rate / raw_rate >= 0.1))
    return rows


def bench_import(workdir: Path, sizes: Sizes) -> list[Row]:
    source = workdir / "import.jsonl"
    with source.open("w") as out:
        for item in reviews(sizes.import_rows, prefix="import"):
            out.write(json.dumps(item) + "\n")
    database = workdir / "import.db"
    (workdir / "reviewdesk.toml").write_text(CONFIG)
    env = {"PATH": str(Path(PYTHON).parent), "DATABASE_URL": f"sqlite:///{database}",
           "SLACK_BOT_TOKEN": "xoxb-unused", "LOG_LEVEL": "WARNING", "HOME": str(workdir)}
    started = time.perf_counter()
    done = subprocess.run([str(Path(PYTHON).parent / "reviewdesk"), "import", str(source)],
                          cwd=workdir, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"reviewdesk import failed: {done.stderr[-2000:]}")
    raw, rows_written = _raw_insert_seconds(database, workdir / "raw-import.db",
                                            -(-sizes.import_rows // 100))
    goal = 60.0 if sizes.import_rows >= 100_000 else None
    return [Row(f"`reviewdesk import` of {sizes.import_rows:,} rows (a process, start to end) vs "
                f"a raw SQLite insert of the {rows_written:,} rows it wrote",
                f"{elapsed:.1f} s", f"{raw:.2f} s", elapsed / raw,
                "< 60 s" if goal else "(< 60 s at 100,000)",
                elapsed < goal if goal else None)]


# ---- memory, nudge scan and card latency at scale ----------------------------------------------


def _stored(workdir: Path, count: int) -> Path:
    pristine = workdir / f"stored-{count}.db"
    if not pristine.exists():
        build_stored_cases(pristine, count)
    return pristine


def _copy(pristine: Path, target: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{target}{suffix}").exists():
            Path(f"{target}{suffix}").unlink()
    shutil.copyfile(pristine, target)
    return target


def _memory_of_ours(workdir: Path, base_url: str, stored: Path, cards_count: int
                    ) -> tuple[float, dict]:
    """The peak memory of `reviewdesk run` on a copy of `stored` once it has taken
    `cards_count` reviews (one a request), posted their cards and taken a click on each."""
    from bot.blocks.ids import ActionId

    slack = slack_client(base_url)
    database = _copy(stored, workdir / "memory.db")
    ours = run_reviewdesk(workdir, base_url, database, name=f"memory-{stored.stem}")
    try:
        case_ids: set[int] = set()
        for n in range(cards_count):
            answer = post_json(ours.port, "/intake/reviews",
                               negative_reviews(1, prefix=f"mem-{stored.stem}-{n}"))
            case_ids.add(answer["items"][0]["case_id"])
        found = wait_for_cards(slack, case_ids)
        for case_id in sorted(case_ids):
            timed_click(ours.port, click_payload(found[case_id], ActionId.CLAIM))
        time.sleep(0.5)  # let the listeners finish after their acks
        return peak_rss_mb(ours.pid), found[min(case_ids)]
    finally:
        ours.stop()


def bench_memory(workdir: Path, sizes: Sizes) -> list[Row]:
    from bot.blocks.ids import ActionId

    with twin_process(workdir) as base_url:
        small, card = _memory_of_ours(workdir, base_url, _stored(workdir, sizes.small),
                                      sizes.memory_cards)
        large, _card = _memory_of_ours(workdir, base_url, _stored(workdir, sizes.large),
                                       sizes.memory_cards)
        bare = run_bare_bolt(workdir, base_url, f"cheroot-{HTTP_THREADS}")
        try:
            for _ in range(sizes.memory_cards):
                timed_click(bare.port, click_payload(card, ActionId.CLAIM))
            bare_mb = peak_rss_mb(bare.pid)
        finally:
            bare.stop()
    return [
        Row(f"peak memory after {sizes.memory_cards} cards and clicks, {sizes.small:,} "
            "stored cases", f"{small:.0f} MB", f"{bare_mb:.0f} MB (bare Bolt)", small / bare_mb,
            "≤ 2×", small / bare_mb <= 2),
        Row(f"peak memory, the same with {sizes.large:,} stored cases", f"{large:.0f} MB",
            f"{bare_mb:.0f} MB (bare Bolt)", large / bare_mb, "< 150 MB", large < 150),
    ]


def _scan_seconds(workdir: Path, stored: Path, repeats: int) -> float:
    """The scheduler's nudge job (next due, then send what is due) with 50 reminders due."""
    from app import create_app
    from bot.config import Settings, load_config
    from storage.db import Database

    (workdir / "scan.toml").write_text(CONFIG)
    config = load_config(workdir / "scan.toml")
    settings = Settings(slack_bot_token="xoxb-unused", slack_signing_secret="unused",
                        slack_api_base_url="http://127.0.0.1:9/api/", port=0)
    times = []
    for _ in range(repeats):
        database = _copy(stored, workdir / "scan.db")
        with sqlite3.connect(database) as connection:
            past = (datetime.now(UTC) - timedelta(minutes=1)).replace(tzinfo=None)
            connection.execute(
                "UPDATE nudges SET due_at = ? WHERE key = 'lapse' AND status = 'pending' "
                "AND case_id IN (SELECT case_id FROM nudges WHERE key = 'lapse' "
                "AND status = 'pending' ORDER BY case_id LIMIT 50)",
                (past.isoformat(sep=" "),))
        db = Database.from_url(f"sqlite:///{database}")
        service = create_app(settings, config, db=db)
        service.nudges.next_due()  # a first query warms the connection, as a running bot's is
        started = time.perf_counter()
        service.nudges.next_due()
        sent = service.nudges.run_due()
        service.nudges.next_due()
        times.append(time.perf_counter() - started)
        assert sent == 50, sent
        db.dispose()
    return median(times)


def bench_nudge_scan(workdir: Path, sizes: Sizes) -> list[Row]:
    small = _scan_seconds(workdir, _stored(workdir, sizes.small), sizes.scan_repeats)
    large = _scan_seconds(workdir, _stored(workdir, sizes.large), sizes.scan_repeats)
    return [Row(f"due-nudge scan with 50 due, {sizes.large:,} vs {sizes.small:,} stored cases "
                "(90 % closed)", f"{large * 1000:.1f} ms", f"{small * 1000:.1f} ms",
                large / small, "≤ 1.5×", large / small <= 1.5)]


def _card_latencies(workdir: Path, base_url: str, stored: Path, samples: int) -> list[float]:
    slack = slack_client(base_url)
    database = _copy(stored, workdir / "latency.db")
    ours = run_reviewdesk(workdir, base_url, database, name=f"latency-{stored.stem}")
    latencies = []
    try:
        for n in range(samples):
            started = time.perf_counter()
            answer = post_json(ours.port, "/intake/reviews",
                               negative_reviews(1, prefix=f"lat-{stored.stem}-{n}"))
            case_id = answer["items"][0]["case_id"]
            while True:
                page = slack.conversations_history(channel=TRIAGE, limit=5,
                                                   include_all_metadata=True)
                if any(((m.get("metadata") or {}).get("event_payload") or {}).get("case_id")
                       == case_id for m in page["messages"]):
                    break
                if time.perf_counter() - started > 30:
                    raise RuntimeError("a card never appeared")
                time.sleep(0.002)
            latencies.append(time.perf_counter() - started)
    finally:
        ours.stop()
    return latencies


def bench_latency(workdir: Path, sizes: Sizes) -> list[Row]:
    with twin_process(workdir) as base_url:
        small = median(_card_latencies(workdir, base_url, _stored(workdir, sizes.small),
                                       sizes.latency_samples))
        large = median(_card_latencies(workdir, base_url, _stored(workdir, sizes.large),
                                       sizes.latency_samples))
    return [Row(f"review → card visible, p50 of {sizes.latency_samples}, {sizes.large:,} vs "
                f"{sizes.small:,} stored cases", f"{large * 1000:.0f} ms",
                f"{small * 1000:.0f} ms", large / small, "< 1 s", large < 1.0)]


# ---- the lists people work from at scale --------------------------------------------------------


def bench_lists(workdir: Path, sizes: Sizes) -> list[Row]:
    """The Home tab's publish, /reviewdesk open, due and find (bench/lists_bench.py), p99 with
    the large number of stored cases against the small, taking turns in one process."""
    import lists_bench

    figures, _mixes = lists_bench.run(workdir, sizes.small, sizes.large, sizes.list_repeats)
    rows = []
    for figure in figures:
        label = lists_bench.LABELS.get(figure.name, figure.name)
        whole = ":" not in figure.name
        met = figure.large <= 0.3 and figure.ratio <= 1.5
        rows.append(Row(f"{label}, p99 of {sizes.list_repeats}, {sizes.large:,} vs "
                        f"{sizes.small:,} stored cases",
                        f"{figure.large * 1000:.1f} ms (p50 {figure.large_p50 * 1000:.1f})",
                        f"{figure.small * 1000:.1f} ms (p50 {figure.small_p50 * 1000:.1f})",
                        figure.ratio, "≤ 300 ms, ≤ 1.5×" if whole else "(a part of the above)",
                        met if whole else None))
    return rows


# ---- the others' quality benches --------------------------------------------------------------


def bench_quality(workdir: Path, sizes: Sizes) -> list[Row]:
    rows = []
    for script, pattern, label in (
        ("triage_bench.py", r"triage\(\) with labels and themes\s+[\d.]+ ms \(\s*([\d.]+)× VADER",
         "triage speed, a review (bench/triage_bench.py) vs VADER alone"),
        ("guard_bench.py", r"guard\s+([\d.]+) ms per draft\s+\(\s*([\d.]+)× the phrase list",
         "reply guard speed, a draft (bench/guard_bench.py) vs a phrase list"),
    ):
        done = subprocess.run([PYTHON, str(ROOT / "bench" / script)], capture_output=True,
                              text=True, cwd=ROOT)
        found = re.search(pattern, done.stdout)
        if done.returncode != 0 or not found:
            rows.append(Row(label, "did not run", "—", None, "its own (see bench/README.md)",
                            None))
            continue
        ratio = float(found.group(found.lastindex or 1))
        rows.append(Row(label, "see its output", "same run", ratio,
                        "its own (see bench/README.md)", None))
    return rows


BENCHES: dict[str, Callable[[Path, Sizes], list[Row]]] = {
    "ack": bench_ack,
    "intake": bench_intake,
    "import": bench_import,
    "memory": bench_memory,
    "scan": bench_nudge_scan,
    "latency": bench_latency,
    "lists": bench_lists,
    "quality": bench_quality,
}


def table(rows: list[Row]) -> str:
    header = ["figure", "ours", "baseline (same run)", "ratio", "goal", "met"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    return "\n".join(lines)


def write_results(rows: list[Row], facts: dict[str, str], seconds: float) -> None:
    notes = (RESULTS.read_text().split("<!-- notes -->", 1)[1]
             if RESULTS.exists() and "<!-- notes -->" in RESULTS.read_text() else "\n")
    machine_lines = "\n".join(f"- {name}: {value}" for name, value in facts.items())
    RESULTS.write_text(
        "# Benchmark results\n\n"
        f"`make bench` on {datetime.now(UTC):%Y-%m-%d} ({seconds:.0f} s). Each ratio is ours "
        "over a baseline measured in the same run on the same machine.\n\n"
        f"{machine_lines}\n\n{table(rows)}\n\n<!-- notes -->{notes}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true",
                        help="tiny sizes, no quality benches, nothing written")
    parser.add_argument("--only", help="comma-separated: " + ",".join(BENCHES))
    args = parser.parse_args(argv)
    sizes = SMOKE if args.smoke else FULL
    names = args.only.split(",") if args.only else [
        name for name in BENCHES if not (args.smoke and name == "quality")]
    started = time.perf_counter()
    load_before = ", ".join(f"{load:.2f}" for load in os.getloadavg())
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="reviewdesk-bench-") as directory:
        workdir = Path(directory)
        for name in names:
            print(f"… {name}", file=sys.stderr, flush=True)
            rows += BENCHES[name](workdir, sizes)
    elapsed = time.perf_counter() - started
    print(table(rows))
    print(f"\n({elapsed:.0f} s{', smoke sizes' if args.smoke else ''})")
    if not args.smoke and not args.only:
        facts = machine()
        facts["Load average (1, 5, 15 min) at the start"] = load_before
        write_results(rows, facts, elapsed)
        print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
