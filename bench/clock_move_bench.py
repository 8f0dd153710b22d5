"""How long the local workspace's "+1 day" takes with the page open, next to the same move with
no page, measured in the same run on the same machine.

Each run starts two sample desks (the local workspace's first start: the sample reviews through
the real intake routes, the clock at the tests' fixed moment) and moves each clock forward a
day, twice: the first day brings every case's reminders and missed windows, the second an
hourly repeat reminder for every missed case (a thread line and a card update each, about
1,300 Slack calls for the sample desk's 27 cases). One desk has the page open on the triage
channel as a person would (Chromium, the button clicked until it is enabled again), the other
is moved through the same endpoint with no page. Which goes first alternates between runs.

    .venv/bin/python bench/clock_move_bench.py [--runs 2]

Needs Debian's chromium (/usr/bin/chromium) and the dev dependencies.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from bot.clock import ManualClock  # noqa: E402
from bot.config import Settings, load_config  # noqa: E402
from local import EXAMPLE_CONFIG, start_local  # noqa: E402
from testing.workspace import START  # noqa: E402

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
TRIAGE, MARIA = "C0000TRIAGE", "U0MARIA"
DAYS = 2


def _desk(folder: str, name: str):
    return start_local(Settings(port=0, intake_token="bench"), load_config(EXAMPLE_CONFIG),
                       database_url=f"sqlite:///{folder}/{name}.db", port=0,
                       clock_base=ManualClock(START), samples=True, outbox_poll_interval=0.1)


def _without_page(running) -> list[float]:
    took = []
    for _ in range(DAYS):
        request = urllib.request.Request(
            f"{running.url}workspace/api/clock", data=json.dumps({"step": "1d"}).encode(),
            method="POST", headers={"Content-Type": "application/json"})
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=600) as answer:
            answer.read()
        took.append(time.perf_counter() - started)
    return took


def _with_page(browser, running) -> list[float]:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{running.url}#/{MARIA}/{TRIAGE}")
    page.wait_for_function("document.body.dataset.ready === '1'")
    took = []
    for _ in range(DAYS):
        button = page.get_by_role("button", name="+1 day")
        started = time.perf_counter()
        button.click()
        expect(button).to_be_enabled(timeout=600_000)
        took.append(time.perf_counter() - started)
    page.close()
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    with_page: list[list[float]] = []
    without: list[list[float]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=CHROMIUM_ARGS)
        for run in range(args.runs):
            order = ("page", "bare") if run % 2 == 0 else ("bare", "page")
            for which in order:
                with tempfile.TemporaryDirectory() as folder:
                    running = _desk(folder, which)
                    try:
                        if which == "page":
                            with_page.append(_with_page(browser, running))
                        else:
                            without.append(_without_page(running))
                    finally:
                        running.stop()
                print(f"run {run + 1}, {which}: " + ", ".join(
                    f"day {day + 1} {took:.1f} s" for day, took in
                    enumerate((with_page if which == "page" else without)[-1])), flush=True)
        browser.close()
    for day in range(DAYS):
        page_s = statistics.median(times[day] for times in with_page)
        bare_s = statistics.median(times[day] for times in without)
        print(f"+1 day, day {day + 1}: with the page {page_s:.1f} s, with no page {bare_s:.1f} s"
              f" (medians of {args.runs}); ratio page / no page {page_s / bare_s:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
