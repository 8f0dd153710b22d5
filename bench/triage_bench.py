"""How well bot.triage does on the labelled reviews, next to VADER alone, and how fast.

Run: .venv/bin/python bench/triage_bench.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.config import Config, parse_config  # noqa: E402
from bot.reviews import CanonicalReview  # noqa: E402
from bot.triage import LABELS, triage  # noqa: E402

LABELLED = ROOT / "tests" / "data" / "labelled_reviews.jsonl"
# Reviews carry their date; the labelled texts were written as if posted on this day.
WRITTEN_ON = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
STAFF_NAMES = ["Okafor", "Lindqvist", "Marisol Vega"]


def labelled_config() -> Config:
    """The desk rules the labels were written against: default thresholds, Yelp at 3★."""
    return parse_config({
        "slack": {"triage_channel": "C0TRIAGE"},
        "sites": [{"id": "north", "name": "North campus", "px_channel": "C0PXNORTH"}],
        "triage": {
            "negative_max_rating_by_source": {"yelp": 3},
            "staff_names": STAFF_NAMES,
        },
    })


@dataclass(frozen=True)
class Example:
    review: CanonicalReview
    negative: bool
    labels: frozenset[str]
    themes: frozenset[str]
    split: str  # "tuning", or "holdout-N": written later and measured before any tuning on it


def load_labelled(path: Path = LABELLED) -> list[Example]:
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        review = CanonicalReview(
            source=row.get("source", "google"),
            external_id=f"labelled-{number}",
            text=row["text"],
            rating=row.get("rating"),
            recommendation=row.get("recommendation"),
            created_at=row.get("created_at", WRITTEN_ON),
        )
        examples.append(Example(review, bool(row["negative"]), frozenset(row.get("labels", ())),
                                frozenset(row.get("themes", ())), row.get("split", "tuning")))
    return examples


@dataclass(frozen=True)
class Score:
    support: int  # how many examples truly have it
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.support if self.support else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def score(truth: Iterable[bool], predicted: Iterable[bool]) -> Score:
    pairs = list(zip(truth, predicted, strict=True))
    return Score(
        support=sum(1 for real, _ in pairs if real),
        true_positives=sum(1 for real, guess in pairs if real and guess),
        false_positives=sum(1 for real, guess in pairs if guess and not real),
        false_negatives=sum(1 for real, guess in pairs if real and not guess),
    )


def vader_negative(review: CanonicalReview, config: Config, compound: Callable[[str], float]
                   ) -> bool:
    """The baseline: the same rating and recommendation rules, then VADER alone on the text."""
    rules = config.triage
    if review.rating is not None:
        return review.rating <= rules.max_rating_for(review.source)
    if review.recommendation is not None:
        return review.recommendation == "negative"
    if not rules.post_unrated or not review.text.strip():
        return False
    return compound(review.text) <= rules.sentiment_threshold


def evaluate(examples: list[Example], config: Config) -> dict[str, tuple[Score, Score | None]]:
    """Measure -> (ours, baseline or None) for negative, each label and each theme."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()

    def compound(text: str) -> float:
        return analyzer.polarity_scores(text)["compound"]

    results = [triage(example.review, config) for example in examples]
    baseline = [vader_negative(example.review, config, compound) for example in examples]
    unrated = [index for index, example in enumerate(examples)
               if example.review.rating is None and example.review.recommendation is None]
    table: dict[str, tuple[Score, Score | None]] = {
        "negative": (
            score((e.negative for e in examples), (r.negative for r in results)),
            score((e.negative for e in examples), baseline),
        ),
        "negative, unrated text": (
            score((examples[i].negative for i in unrated), (results[i].negative for i in unrated)),
            score((examples[i].negative for i in unrated), (baseline[i] for i in unrated)),
        ),
    }
    for split in sorted({example.split for example in examples}, key=lambda s: (s != "tuning", s)):
        rows = [index for index in unrated if examples[index].split == split]
        table[f"negative, unrated, {split}"] = (
            score((examples[i].negative for i in rows), (results[i].negative for i in rows)),
            score((examples[i].negative for i in rows), (baseline[i] for i in rows)),
        )
    for label in LABELS:
        table[label] = (score((label in e.labels for e in examples),
                              (label in r.labels for r in results)), None)
    themes = sorted({theme for example in examples for theme in example.themes})
    theme_scores = []
    for theme in themes:
        theme_scores.append(score((theme in e.themes for e in examples),
                                  (theme in r.themes for r in results)))
        table[f"theme {theme}"] = (theme_scores[-1], None)
    table["themes, all"] = (Score(
        support=sum(s.support for s in theme_scores),
        true_positives=sum(s.true_positives for s in theme_scores),
        false_positives=sum(s.false_positives for s in theme_scores),
        false_negatives=sum(s.false_negatives for s in theme_scores),
    ), None)
    return table


def time_per_review(examples: list[Example], config: Config, repeat: int) -> tuple[float, float]:
    """Seconds per review for triage and for VADER alone, each warmed up first."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    reviews = [example.review for example in examples]
    texts = [review.text for review in reviews]
    for review in reviews:
        triage(review, config)
        analyzer.polarity_scores(review.text)

    started = time.perf_counter()
    for _ in range(repeat):
        for review in reviews:
            triage(review, config)
    ours = (time.perf_counter() - started) / (repeat * len(reviews))

    started = time.perf_counter()
    for _ in range(repeat):
        for text in texts:
            analyzer.polarity_scores(text)
    baseline = (time.perf_counter() - started) / (repeat * len(reviews))
    return ours, baseline


def _cells(measure: Score | None) -> str:
    if measure is None:
        return f"{'—':>6} {'—':>6} {'—':>6}"
    return f"{measure.precision:6.2f} {measure.recall:6.2f} {measure.f1:6.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="timing passes over the set")
    parser.add_argument("--misses", action="store_true", help="list the examples we get wrong")
    args = parser.parse_args(argv)

    examples = load_labelled()
    config = labelled_config()
    table = evaluate(examples, config)

    print(f"{len(examples)} labelled reviews ({sum(e.negative for e in examples)} negative) "
          f"from {LABELLED.relative_to(ROOT)}\n")
    width = max(len(name) for name in table)
    print(f"{'':{width}} {'n':>4}   {'ours':^20}   {'VADER alone':^20}")
    print(f"{'':{width}} {'':>4}   {'P':>6} {'R':>6} {'F1':>6}   {'P':>6} {'R':>6} {'F1':>6}")
    for name, (ours, baseline) in table.items():
        print(f"{name:{width}} {ours.support:4d}   {_cells(ours)}   {_cells(baseline)}")

    print("\n(holdout splits were measured once before the lexicon was tuned on them; those "
          "first-look\n numbers are in bench/README.md — the rows above are in-sample now)")
    ours, baseline = table["negative"]
    text_ours, text_baseline = table["negative, unrated text"]
    print(f"\nnegative recall, ours / VADER alone: {ours.recall / baseline.recall:.2f} "
          f"(unrated text only: {text_ours.recall / text_baseline.recall:.2f})")

    ours_seconds, baseline_seconds = time_per_review(examples, config, args.repeat)
    print(f"speed over {args.repeat} passes: triage {ours_seconds * 1e6:.0f} µs a review, "
          f"VADER alone {baseline_seconds * 1e6:.0f} µs; ours / VADER alone "
          f"{ours_seconds / baseline_seconds:.1f}× the time")

    if args.misses:
        _print_misses(examples, config)
    return 0


def _print_misses(examples: list[Example], config: Config) -> None:
    print("\nwhere triage and the labels disagree:")
    for example in examples:
        result = triage(example.review, config)
        wrong = []
        if result.negative != example.negative:
            wrong.append(f"negative={result.negative}")
        for label in LABELS:
            if (label in result.labels) != (label in example.labels):
                wrong.append(("+" if label in result.labels else "-") + label)
        for theme in sorted(set(result.themes) ^ example.themes):
            wrong.append(("+" if theme in result.themes else "-") + theme)
        if wrong:
            print(f"  {' '.join(wrong)}: {example.review.text[:90]}")
            print(f"      sentiment {result.sentiment}, reasons {result.reasons}")


if __name__ == "__main__":
    raise SystemExit(main())
