"""The labelled data in tests/data/ and how a detector is scored on it: the tests check their
floors with these, the benchmarks (bench/triage_bench.py, bench/onsite_bench.py) print them.

- labelled_reviews.jsonl: US-style reviews labelled negative or not, with labels and themes,
  read against the desk rules they were written for (`labelled_config`).
- on_site.jsonl and on_site_es.jsonl: short reviews labelled "someone is on site now" or not,
  each with a kind and a split, read against the tests' sites (`SITES`)."""

from __future__ import annotations

import json
import types
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Config, parse_config
from bot.core.reviews import CanonicalReview
from bot.triage import flags, presence, presence_es

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
LABELLED = DATA / "labelled_reviews.jsonl"
ON_SITE = DATA / "on_site.jsonl"
ON_SITE_ES = DATA / "on_site_es.jsonl"

WRITTEN_ON = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)  # the labelled texts' date
STAFF_NAMES = ["Okafor", "Lindqvist", "Marisol Vega"]
# The desk the on-site examples were written against (testing/workspace.py's sites).
SITES = ("North campus", "North Campus", "South clinic")


def labelled_config() -> Config:
    """The desk rules the labels were written against: default thresholds, Yelp at 3★."""
    return parse_config({
        "slack": {"triage_channel": "C0TRIAGE"},
        "sites": [{"id": "north", "name": "North campus", "px_channel": "C0PXNORTH"}],
        "triage": {"negative_max_rating_by_source": {"yelp": 3}, "staff_names": STAFF_NAMES},
    })


@dataclass(frozen=True)
class Example:
    review: CanonicalReview
    negative: bool
    labels: frozenset[str]
    themes: frozenset[str]
    split: str

    @property
    def unrated(self) -> bool:
        return self.review.rating is None and self.review.recommendation is None


def load_labelled(path: Path = LABELLED) -> list[Example]:
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        review = CanonicalReview(
            source=row.get("source", "google"), external_id=f"labelled-{number}",
            text=row["text"], rating=row.get("rating"),
            recommendation=row.get("recommendation"), created_at=row.get("created_at", WRITTEN_ON),
        )
        examples.append(Example(review, bool(row["negative"]), frozenset(row.get("labels", ())),
                                frozenset(row.get("themes", ())), row.get("split", "tuning")))
    return examples


@dataclass(frozen=True)
class Score:
    support: int
    true_positives: int
    flagged: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.flagged if self.flagged else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.support if self.support else 1.0


def score(truth: Iterable[bool], predicted: Iterable[bool]) -> Score:
    pairs = list(zip(truth, predicted, strict=True))
    return Score(sum(real for real, _ in pairs), sum(real and guess for real, guess in pairs),
                 sum(guess for _, guess in pairs))


@dataclass(frozen=True)
class Phrasing:
    text: str
    on_site: bool
    kind: str
    split: str


def load_phrasings(path: Path = ON_SITE) -> list[Phrasing]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    return [Phrasing(row["text"], bool(row["on_site"]), row["kind"], row["split"])
            for row in rows]


def on_site_now(text: str, grammar: types.ModuleType = presence) -> bool:
    """The English grammar (the shipped one unless `grammar` is another version of it) finds
    someone on site now in `text`."""
    return grammar.on_site_now(flags.normalise(text), SITES) is not None


def en_sitio_ahora(text: str, grammar: types.ModuleType = presence_es) -> bool:
    """The same for the Spanish grammar."""
    return grammar.reading(text.lower(), SITES) is not None
