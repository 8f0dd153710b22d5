"""How long a person waits for Slack's view_submission ack when Respond posts to Google, next
to the Escalate submission's ack measured in the same run (a database write and no network
call), while the fake Google holds every reply for `--hold` seconds: the post happens after the
ack, so the ratio should stay near 1 whatever the hold.

Run: .venv/bin/python bench/reply_ack_bench.py [--rounds N] [--hold SECONDS]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from bot.blocks.ids import ActionId, BlockId, CallbackId, InputId  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.config import parse_config  # noqa: E402
from bot.intake.sources.google import GoogleClient  # noqa: E402
from bot.replies.targets import ReplyClients  # noqa: E402
from storage.db import Database, migrate  # noqa: E402
from testing.driver import Driver  # noqa: E402
from testing.fakes.google_api import SAMPLE_LOCATION, FakeGoogle  # noqa: E402
from testing.workspace import (  # noqa: E402
    INTAKE_TOKEN,
    MARIA,
    SIGNING_SECRET,
    TRIAGE,
    config_data,
    make_settings,
    populate,
)
from twin.interactions import plain_text_value, static_select_value  # noqa: E402
from twin.webapi import SlackTwin  # noqa: E402

REPLY = ("Thank you for sharing this, Dana. We are sorry for the experience you describe. "
         "Please call our Patient Experience team at 555-0101 so we can talk privately.")


def timed_submit(driver: Driver, view: dict, values: dict) -> float:
    started = time.perf_counter()
    status, _body = driver.submit(MARIA, view, values)
    elapsed = time.perf_counter() - started
    assert status == 200
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--hold", type=float, default=2.0,
                        help="seconds the fake Google holds each reply before answering")
    args = parser.parse_args()

    with SlackTwin(bot_token="xoxb-test-token") as slack, FakeGoogle() as google, \
            tempfile.TemporaryDirectory() as folder:
        populate(slack)
        google.seed_samples()
        config = parse_config(config_data(sources={"google": {
            "post_replies": True, "base_url": google.api_url,
            "locations": [{"name": SAMPLE_LOCATION, "site": "north"}]}}))
        url = f"sqlite:///{folder}/bench.db"
        db = Database.from_url(url)
        migrate(db.engine)
        clients = ReplyClients(google=GoogleClient.from_env(google.env(),
                                                            base_url=google.api_url),
                               timeout=(5.0, args.hold + 5.0))
        service = create_app(make_settings(slack), config, db=db, clock=ManualClock(),
                             outbox_poll_interval=0.1, reply_clients=clients)
        service.start(host="127.0.0.1", port=0)
        driver = Driver(service, slack, signing_secret=SIGNING_SECRET,
                        intake_token=INTAKE_TOKEN)
        escalate_acks, respond_acks, posted_after = [], [], []
        try:
            for number in range(args.rounds):
                case_id = driver.new_case(external_id=f"bench-{number}")
                card = driver.card(case_id, TRIAGE)
                view = driver.open_view(MARIA, card, ActionId.ESCALATE, TRIAGE,
                                        CallbackId.ESCALATE)
                escalate_acks.append(timed_submit(driver, view, {
                    BlockId.SITE: {InputId.SITE: static_select_value("north")},
                    BlockId.URGENCY: {InputId.URGENCY: static_select_value("routine")}}))
                driver.settle()

                google.add_review(SAMPLE_LOCATION, {
                    "name": f"{SAMPLE_LOCATION}/reviews/bench-{number}",
                    "reviewId": f"bench-{number}", "starRating": "ONE", "comment": "Slow.",
                    "createTime": "2026-11-22T10:00:00Z", "updateTime": "2026-11-22T10:00:00Z"})
                google.hang("reply", handle_first=True)
                releaser = threading.Timer(args.hold, google.release)
                releaser.start()
                view = driver.open_view(MARIA, card, ActionId.RESPOND, TRIAGE,
                                        CallbackId.RESPOND)
                block = next(b["block_id"] for b in view["blocks"]
                             if b.get("block_id", "").startswith(f"{BlockId.REPLY}:"))
                started = time.perf_counter()
                respond_acks.append(timed_submit(driver, view, {
                    block: {InputId.REPLY: plain_text_value(REPLY)}}))
                slack.wait_for(lambda view_id=view["id"]: "Posted on Google"
                               in str(slack.view(view_id)["blocks"]), timeout=args.hold + 10)
                posted_after.append(time.perf_counter() - started)
                releaser.join()
                driver.settle(timeout=args.hold + 10)
        finally:
            service.stop()

    def ms(values: list[float]) -> str:
        return f"median {statistics.median(values) * 1000:.0f} ms, max {max(values) * 1000:.0f} ms"

    print(f"=== view_submission ack ({args.rounds} rounds, Google holds each reply "
          f"{args.hold:.1f} s) ===")
    print(f"Escalate (baseline, no network): {ms(escalate_acks)}")
    print(f"Respond, posting to Google:      {ms(respond_acks)}")
    ratio = statistics.median(respond_acks) / statistics.median(escalate_acks)
    print(f"ratio of medians: {ratio:.2f}")
    print(f"the result in the modal after:   {ms(posted_after)}")


if __name__ == "__main__":
    main()
