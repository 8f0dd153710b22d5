"""How fast `/reviewdesk find` is with many stored cases: the bot's work for one search (read the
words, query the index, build the lines with their snippets, render the answer's blocks) with
100,000 stored cases against the same with 1,000, in the same run on the same machine. Issue
17's goal: p99 <= 300 ms and a ratio <= 1.5.

    .venv/bin/python bench/search_bench.py [--small 1000] [--large 100000] [--rounds 30]
        [--postgres postgresql://postgres@127.0.0.1:5432/test]

The databases are bench/support.build_stored_cases' (90 % closed; eight review texts in turn),
with the reviews that say "waited" themed wait_time as triage would. Each round runs every
search below once on each database, in a shuffled order, the two sizes taking turns (so both
see the same load on a shared machine); times are per search. With --postgres the same rows
are copied into a private schema there and measured too.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import time
import tomllib
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.support import CONFIG, build_stored_cases, percentile  # noqa: E402
from bot.blocks.lists import find_message  # noqa: E402
from bot.commands import LIST_LIMIT  # noqa: E402
from bot.config import parse_config  # noqa: E402
from bot.core.case_lists import CaseLists  # noqa: E402
from storage.db import Database, migrate  # noqa: E402

# What people look for: a theme and its words, a word in 3 of 8 reviews, one in 1 of 8, three
# words together, a reviewer's name (one case), and a word no review holds.
SEARCHES = ("wait time", "nobody", "parking", "billing office collections", "okafor",
            "stored 424", "xyzzy")
THEMED = json.dumps({"negative": True, "labels": [], "themes": ["wait_time"]})


def build(path: Path, count: int) -> None:
    build_stored_cases(path, count)
    with sqlite3.connect(path) as connection:  # the texts saying "Waited …" (n % 8 == 0)
        connection.execute("UPDATE reviews SET triage = ? WHERE id % 8 = 0", (THEMED,))
        connection.execute("ANALYZE")


def copy_to_postgres(source: Path, url: str) -> tuple[str, str]:
    """The SQLite database's reviews and cases in a new schema on `url`: (its URL, schema)."""
    import psycopg
    from sqlalchemy.engine import make_url

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    scoped_url = scoped.render_as_string(hide_password=False)
    database = Database.from_url(scoped_url)
    migrate(database.engine)
    database.dispose()
    reader = sqlite3.connect(source)
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f'SET search_path = "{schema}"')
        for table, columns in (
                ("reviews", "id, source, external_id, site, author, rating, text, created_at, "
                            "received_at, updated_at, triage"),
                ("cases", "id, review_id, status, site, version, closed_by, closed_at, "
                          "card_channel, card_ts, created_at, updated_at")):
            rows = reader.execute(f"SELECT {columns} FROM {table}")
            with connection.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        connection.execute("ANALYZE")
    reader.close()
    return scoped_url, schema


def drop_schema(url: str, schema: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


Timings = tuple[list[float], dict[str, tuple[int, float]]]


def measure(urls: list[str], rounds: int) -> list[Timings]:
    """For each database: seconds per search over `rounds` rounds, and per search (cases
    found, p99 seconds). The databases take turns search by search, in a shuffled order, so
    both see the same load on a shared machine."""
    databases = [Database.from_url(url) for url in urls]
    config = parse_config(tomllib.loads(CONFIG))
    lists = [CaseLists(database, config) for database in databases]
    order = list(SEARCHES)
    shuffle = random.Random(17)
    times = [{words: [] for words in SEARCHES} for _ in urls]
    totals: list[dict[str, int]] = [{} for _ in urls]
    for round_number in range(rounds + 1):
        shuffle.shuffle(order)
        for words in order:
            turns = list(range(len(urls)))
            shuffle.shuffle(turns)
            for which in turns:
                started = time.perf_counter()
                found = lists[which].find(words, LIST_LIMIT)
                find_message(found, words=words)
                elapsed = time.perf_counter() - started
                totals[which][words] = found.total
                if round_number:  # the first round warms the caches and is not counted
                    times[which][words].append(elapsed)
    for database in databases:
        database.dispose()
    return [([t for values in per_search.values() for t in values],
             {words: (totals[which][words], percentile(values, 0.99))
              for words, values in per_search.items()})
            for which, per_search in enumerate(times)]


def report(label: str, small: Timings, large: Timings, sizes: tuple[int, int]) -> None:
    print(f"\n{label}: `find`, p99 of each search ({len(small[0]) // len(SEARCHES)} runs each)")
    print(f"| search | found at {sizes[0]:,} | p99 | found at {sizes[1]:,} | p99 |")
    print("|---|---|---|---|---|")
    for words in SEARCHES:
        (few, few_p99), (many, many_p99) = small[1][words], large[1][words]
        print(f"| {words} | {few:,} | {few_p99 * 1000:.1f} ms | {many:,} | "
              f"{many_p99 * 1000:.1f} ms |")
    small_p99, large_p99 = percentile(small[0], 0.99), percentile(large[0], 0.99)
    small_p50, large_p50 = percentile(small[0], 0.5), percentile(large[0], 0.5)
    print(f"every search: p99 {small_p99 * 1000:.1f} ms (p50 {small_p50 * 1000:.1f}) at "
          f"{sizes[0]:,} stored cases, {large_p99 * 1000:.1f} ms (p50 {large_p50 * 1000:.1f}) "
          f"at {sizes[1]:,}; ratio {large_p99 / small_p99:.2f}x "
          f"(p50 {large_p50 / small_p50:.2f}x; goal: p99 <= 300 ms, ratio <= 1.5x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--postgres", help="also measure on this PostgreSQL server")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="search-bench-") as workdir:
        paths = {size: Path(workdir) / f"stored-{size}.db" for size in (args.small, args.large)}
        for size, path in paths.items():
            started = time.perf_counter()
            build(path, size)
            print(f"built {size:,} stored cases in {time.perf_counter() - started:.1f} s")
        results = measure([f"sqlite:///{paths[size]}" for size in (args.small, args.large)],
                          args.rounds)
        report("SQLite", results[0], results[1], (args.small, args.large))
        if args.postgres:
            copies = [copy_to_postgres(paths[size], args.postgres)
                      for size in (args.small, args.large)]
            try:
                results = measure([url for url, _schema in copies], args.rounds)
                report("PostgreSQL", results[0], results[1], (args.small, args.large))
            finally:
                for _url, schema in copies:
                    drop_schema(args.postgres, schema)


if __name__ == "__main__":
    main()
