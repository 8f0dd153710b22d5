"""`/metrics` for Prometheus: one registry per bot process (so tests can run many bots side by
side). The database's figures (the outbox, cases, missed windows, failing feeds) are read at
each scrape and are the same from every copy of the bot; the counters (Slack's 429s, the time
to acknowledge a click) are this process's since it started."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from slack_sdk.http_retry.handler import RetryHandler

from bot.clock import Clock
from storage import metrics as figures
from storage.db import Database

logger = logging.getLogger("reviewdesk")

_METHOD = re.compile(r"/api/([A-Za-z0-9_.]+)")
# Slack wants a click acknowledged within 3 s; the buckets are finest below that.
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)


class _DatabaseFigures:
    def __init__(self, db: Database, clock: Clock):
        self.db = db
        self.clock = clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("reviewdesk_database_up",
                               "1 when the database answered this scrape, else 0")
        try:
            now = self.clock.now()
            with self.db.session() as session:
                outbox = figures.outbox_by_status(session)
                oldest = figures.oldest_pending_outbox(session)
                cases = figures.cases_by_status(session)
                missed = figures.missed_open_windows(session, now=now)
                feeds = figures.feed_failures(session)
        except Exception as error:  # a scrape must answer, whatever broke
            logger.warning("metrics: the database did not answer (%s)", type(error).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        depth = GaugeMetricFamily("reviewdesk_outbox_messages",
                                  "Messages in the outbox by status (pending: waiting for "
                                  "Slack; failed: Slack rejected them)", labels=["status"])
        for status in ("pending", "failed"):
            depth.add_metric([status], outbox.get(status, 0))
        yield depth
        age = (now - oldest).total_seconds() if oldest is not None else 0.0
        yield GaugeMetricFamily("reviewdesk_outbox_oldest_pending_seconds",
                                "Age of the oldest message waiting for Slack (0 when none waits)",
                                value=max(age, 0.0))
        by_status = GaugeMetricFamily("reviewdesk_cases", "Cases by status",
                                      labels=["status"])
        for status in ("open", "done", "hidden", "ignored"):
            by_status.add_metric([status], cases.get(status, 0))
        yield by_status
        lapsed = GaugeMetricFamily("reviewdesk_windows_missed",
                                   "Windows past their deadline, neither met nor stopped, by kind",
                                   labels=["kind"])
        for kind, count in sorted(missed.items()):
            lapsed.add_metric([kind], count)
        yield lapsed
        failing = GaugeMetricFamily("reviewdesk_poll_failures_in_a_row",
                                    "Failed polls in a row of each polled feed (0 once one "
                                    "succeeds)", labels=["source", "feed"])
        for key, failures in sorted(feeds.items()):
            failing.add_metric([key.split(":", 1)[0], key], failures)
        yield failing


class _CountRateLimits(RetryHandler):
    """Counts Slack's 429s on a Web API client, by method; never asks for a retry itself (the
    client's other handlers, or the outbox, decide that)."""

    def __init__(self, counter: Counter):
        super().__init__(max_retry_count=0)
        self.counter = counter

    def can_retry(self, *, state: Any, request: Any, response: Any = None,
                  error: Any = None) -> bool:
        if response is not None and response.status_code == 429:
            found = _METHOD.search(request.url or "")
            self.counter.labels(method=found.group(1) if found else "unknown").inc()
        return False


class Metrics:
    """The registry /metrics serves, and the hooks that feed its counters."""

    CONTENT_TYPE = CONTENT_TYPE_LATEST

    def __init__(self, db: Database, clock: Clock):
        self.registry = CollectorRegistry()  # never collects at registration
        self.registry.register(_DatabaseFigures(db, clock))
        self.rate_limited = Counter("reviewdesk_slack_rate_limited",
                                    "Slack Web API calls answered 429 (rate limited), by method",
                                    labelnames=["method"], registry=self.registry)
        self.click_ack = Histogram("reviewdesk_click_ack_seconds",
                                   "Time from a click's request (block_actions on "
                                   "/slack/events) to its acknowledgement being sent",
                                   buckets=ACK_BUCKETS, registry=self.registry)

    def rate_limit_counter(self) -> RetryHandler:
        """A retry handler to put first in a WebClient's retry_handlers."""
        return _CountRateLimits(self.rate_limited)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
