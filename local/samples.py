"""The sample reviews, sent on the first start through the real intake paths as sources would
send them (canonical JSON, Google's, Facebook's and Podium's JSON, a CSV export), dated as if
they had just been written: every date in them moves by one amount, so that the newest is
written a few minutes before the desk's clock and the others as long before it as in the files
(someone "in your ER right now" is on site now only in a review written within a day of
arriving: [triage] on_site_within)."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel import func, select

from bot.intake.importer import import_items, parse_mapping, read_items
from bot.shipped import shipped
from local.demo_config import SAMPLE_FACEBOOK_PAGE
from storage.db import Database
from storage.models import Review

if TYPE_CHECKING:
    from reviewdesk.app import ReviewDesk

logger = logging.getLogger("reviewdesk.local")

SAMPLES = shipped("samples")
CSV_MAP = ("external_id=Review ID,source=Platform,site=Location Name,author=Reviewer,"
           "rating=Stars,text=Review Text,url=Review URL,created_at=Review Date")


def _post_json(url: str, token: str, body: Any) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


NEWEST_WRITTEN = timedelta(minutes=5)  # before the clock, the newest sample
_MOMENT = re.compile(r"^(\d{4}-\d\d-\d\d)([T ])(\d\d:\d\d)(:\d\d)?(\.\d+)?(.*)$")


def _moments(value: Any) -> Iterator[datetime]:
    """Every date and time written in a JSON value (strings like 2026-11-22T19:02:11.331Z)."""
    if isinstance(value, dict):
        for item in value.values():
            yield from _moments(item)
    elif isinstance(value, list):
        for item in value:
            yield from _moments(item)
    elif isinstance(value, str) and _MOMENT.match(value):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return
        yield moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _moved(value: Any, by: timedelta) -> Any:
    """`value` with every date and time in it moved by `by`, each written as it was (its
    separator, precision and zone kept, so each source's parser reads it as before)."""
    if isinstance(value, dict):
        return {key: _moved(item, by) for key, item in value.items()}
    if isinstance(value, list):
        return [_moved(item, by) for item in value]
    found = _MOMENT.match(value) if isinstance(value, str) else None
    if not found:
        return value
    day, separator, minutes, seconds, fraction, zone = found.groups()
    try:
        wall = datetime.fromisoformat(f"{day}T{minutes}{seconds or ''}{fraction or ''}") + by
    except ValueError:
        return value
    written = wall.strftime("%Y-%m-%d") + separator + wall.strftime("%H:%M")
    if seconds:
        written += wall.strftime(":%S")
    if fraction:
        written += "." + wall.strftime("%f")[:len(fraction) - 1]
    return written + zone


def load_samples(service: ReviewDesk, base_url: str, token: str,
                 samples: Path = SAMPLES) -> list[str]:
    """Send the sample reviews through the real intake paths, as sources would: canonical
    JSON, Google's, Facebook's and Podium's own JSON over HTTP, and a CSV export through
    `reviewdesk import`'s reader. Returns what was loaded, in words."""
    def lines(name: str) -> list[Any]:
        text = (samples / name).read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def document(name: str) -> Any:
        return json.loads((samples / name).read_text(encoding="utf-8"))

    posts: list[tuple[str, str, Any]] = [
        ("canonical JSON", "/intake/reviews", lines("canonical_reviews.jsonl")),
        ("Google", "/intake/google", document("google_reviews_page1.json")),
        ("Google", "/intake/google", document("google_reviews_page2.json")),
        ("Facebook", "/intake/facebook", document("facebook_feed.json")),
        # A ratings answer names no page; the poller says which page it asked.
        ("Facebook", "/intake/facebook",
         {**document("facebook_ratings.json"), "page_id": SAMPLE_FACEBOOK_PAGE}),
        ("Podium", "/intake/podium", document("podium_review.json")),
        ("canonical JSON", "/intake/reviews", lines("workspace/extra_reviews.jsonl")),
        ("Google", "/intake/google", document("workspace/google_burst.json")),
    ]
    export = read_items(samples / "reviews_export.csv", parse_mapping(CSV_MAP))
    newest = max(moment for body in [*(body for _l, _p, body in posts), export.items]
                 for moment in _moments(body))
    by = service.clock.now() - NEWEST_WRITTEN - newest
    posts = [(label, path, _moved(body, by)) for label, path, body in posts]
    export = dataclasses.replace(export, items=_moved(export.items, by))
    counts: dict[str, int] = {}
    for label, path, body in posts:
        status, answer = _post_json(base_url + path, token, body)
        if status not in (200, 422):
            logger.warning("sample %s to %s: HTTP %s (%s)", label, path, status,
                           answer.get("error"))
            continue
        counts[label] = counts.get(label, 0) + int(answer.get("stored", 0))
    report = import_items(service.desk, export, progress=False)
    counts["a CSV import"] = report.created + report.updated
    return [f"{label} ({count})" for label, count in counts.items()]


def has_reviews(db: Database) -> bool:
    with db.session() as session:
        return bool(session.exec(select(func.count()).select_from(Review)).one())
