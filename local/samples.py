"""The sample reviews, sent on the first start through the real intake paths as sources would
send them (canonical JSON, Google's, Facebook's and Podium's JSON, a CSV export)."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel import func, select

from bot.importer import import_items, parse_mapping, read_items
from local.demo_config import SAMPLE_FACEBOOK_PAGE
from storage.db import Database
from storage.models import Review

if TYPE_CHECKING:
    from app import ReviewDesk

logger = logging.getLogger("reviewdesk.local")

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
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
    counts: dict[str, int] = {}
    for label, path, body in posts:
        status, answer = _post_json(base_url + path, token, body)
        if status not in (200, 422):
            logger.warning("sample %s to %s: HTTP %s (%s)", label, path, status,
                           answer.get("error"))
            continue
        counts[label] = counts.get(label, 0) + int(answer.get("stored", 0))
    report = import_items(service.desk, read_items(samples / "reviews_export.csv",
                                                   parse_mapping(CSV_MAP)), progress=False)
    counts["a CSV import"] = report.created + report.updated
    return [f"{label} ({count})" for label, count in counts.items()]


def has_reviews(db: Database) -> bool:
    with db.session() as session:
        return bool(session.exec(select(func.count()).select_from(Review)).one())
