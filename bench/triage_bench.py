"""How well triage finds complaints and themes on text its model never saw, how fast, how big.

Run: .venv/bin/python bench/triage_bench.py [--misses]   (a few minutes on one core)

- NHS patient feedback (data/, bot.triage.nhs): each candidate is trained on one trust and
  tested on the other, both ways, with its band thresholds taken from the training trust
  alone; and 5-fold across both trusts (the kind of split NHS England's DistilBERT anchor
  reports: negative P 0.79 / R 0.68).
- tests/data/labelled_reviews.jsonl, US-style reviews written here: out of domain for a model
  trained on all the NHS feedback. The label patterns and theme keywords were tuned on it, so
  their figures there are in-sample (bench/README.md has their first looks).
- VADER alone, at the old default threshold (compound ≤ −0.05), in the same run.
"""

from __future__ import annotations

import argparse
import json
import pickle
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.config import Config, parse_config  # noqa: E402
from bot.reviews import CanonicalReview  # noqa: E402
from bot.triage import LABELS, OVERRIDES, band_for, flags, nhs, train, triage  # noqa: E402
from bot.triage.model import shipped_model, vader_analyzer  # noqa: E402
from bot.triage.themes import keyword_themes  # noqa: E402

LABELLED = ROOT / "tests" / "data" / "labelled_reviews.jsonl"
WRITTEN_ON = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)  # the labelled texts' date
STAFF_NAMES = ["Okafor", "Lindqvist", "Marisol Vega"]
VADER_THRESHOLD = -0.05
# What each addition to the model does (bot.triage.OVERRIDES is the one shipped).
OVERRIDE_VARIANTS = {
    "model alone": {},
    "+ troll": {"troll": "complaint"},
    "+ troll, urgent": {"troll": "complaint", "urgent": "complaint"},
    "+ troll, urgent, risk (shipped)": dict(OVERRIDES),
    "… but risk → unsure": {**OVERRIDES, "risk": "unsure"},
    "… and profanity → unsure": {**OVERRIDES, "profanity": "unsure"},
}

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


def pr(measure: Score) -> str:
    return f"P {measure.precision:4.2f} R {measure.recall:4.2f}"


# --- Complaints --------------------------------------------------------------------------------


def bands_line(name: str, scores: train.BandScores) -> str:
    return (f"  {name:<28} {scores.precision:5.2f} {scores.recall:5.2f} "
            f"{scores.recall_with_unsure:7.2f} {scores.unsure_share:7.2f} {scores.auc:6.3f} "
            f"{scores.average_precision:6.3f} {scores.best_recall_at_85:7.2f}")


BANDS_HEADER = (f"  {'':<28} {'P':>5} {'R':>5} {'R+uns.':>7} {'unsure':>7} {'AUC':>6} "
                f"{'AP':>6} {'R@P.85':>7}")


def vader_scores_line(name: str, labels: Sequence[bool], compounds: Sequence[float]) -> str:
    negatives = [value <= VADER_THRESHOLD for value in compounds]
    measure = score(labels, negatives)
    curve = train.band_scores(labels, [-value for value in compounds], 2.0, 2.0)
    return (f"  {name:<28} {measure.precision:5.2f} {measure.recall:5.2f} {'—':>7} {'—':>7} "
            f"{curve.auc:6.3f} {curve.average_precision:6.3f} {curve.best_recall_at_85:7.2f}")


def complaint_section(rows: list[nhs.Feedback], vader: list[dict], examples: list[Example],
                      candidates: Sequence[str]) -> dict:
    """Per candidate: held-out band scores; returns the fitted models the later sections use."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    labels = np.array([row.complaint for row in rows])
    by_trust = {trust: [i for i, row in enumerate(rows) if row.trust == trust]
                for trust in nhs.TRUSTS}
    unrated = [example for example in examples if example.unrated]
    unrated_truth = [example.negative for example in unrated]
    unrated_texts = [example.review.text for example in unrated]
    unrated_vader = train.vader_scores(unrated_texts)
    fitted: dict[str, dict] = {}
    print("Complaints: the complaint band's P and R; R+uns.: complaints in the complaint or unsure"
          " band;\nunsure: share of all texts in the unsure band; R@P.85: best recall any "
          "threshold gives at P ≥ 0.85\n")
    for train_on, test_on in (nhs.TRUSTS, nhs.TRUSTS[::-1]):
        test = by_trust[test_on]
        print(f"NHS {train_on}→{test_on}: trained on {len(by_trust[train_on])} comments, tested "
              f"on {len(test)} ({int(labels[test].sum())} complaints)")
        print(BANDS_HEADER)
        for name in candidates:
            model = train.fit([rows[i] for i in by_trust[train_on]], train.CANDIDATES[name],
                              themes=name == train.SHIPPED,
                              vader=[vader[i] for i in by_trust[train_on]])
            fitted.setdefault(name, {})[f"{train_on}→{test_on}"] = model
            probabilities = model.probabilities([rows[i].text for i in test],
                                                [vader[i] for i in test])
            print(bands_line(name, train.band_scores(labels[test], probabilities,
                                                     model.complaint_threshold,
                                                     model.unsure_threshold)))
        print(vader_scores_line("VADER alone", labels[test],
                                [vader[i]["compound"] for i in test]))
        print()

    shipped = shipped_model.get()
    print(f"NHS, 5-fold across both trusts ({len(rows)} comments, {int(labels.sum())} "
          f"complaints; bands at the shipped thresholds, which came from the same data)")
    print(BANDS_HEADER)
    folds = StratifiedKFold(train.FOLDS, shuffle=True, random_state=train.SEED)
    for name in candidates:
        out_of_fold = np.zeros(len(rows))
        for train_index, test_index in folds.split(np.zeros(len(rows)), labels):
            model = train.fit([rows[i] for i in train_index], train.CANDIDATES[name],
                              themes=False, thresholds=False,
                              vader=[vader[i] for i in train_index])
            out_of_fold[test_index] = model.probabilities([rows[i].text for i in test_index],
                                                          [vader[i] for i in test_index])
        print(bands_line(name, train.band_scores(labels, out_of_fold,
                                                 shipped.meta["complaint_threshold"],
                                                 shipped.meta["unsure_threshold"])))
    print(vader_scores_line("VADER alone", labels, [score["compound"] for score in vader]))
    print()

    print(f"Out of domain: {LABELLED.relative_to(ROOT)}, {len(unrated)} unrated reviews "
          f"({sum(unrated_truth)} complaints); trained on all the NHS feedback")
    print(BANDS_HEADER)
    for name in candidates:
        model = train.fit(rows, train.CANDIDATES[name], themes=False, vader=vader)
        fitted[name]["all"] = model
        probabilities = model.probabilities(unrated_texts, unrated_vader)
        print(bands_line(name, train.band_scores(unrated_truth, probabilities,
                                                 model.complaint_threshold,
                                                 model.unsure_threshold)))
    print(vader_scores_line("VADER alone", unrated_truth,
                            [score["compound"] for score in unrated_vader]))
    print()
    return fitted


# --- What each addition earns ------------------------------------------------------------------


def additions_section(rows: list[nhs.Feedback], vader: list[dict], examples: list[Example],
                      fitted: dict, config: Config) -> None:
    print("Additions to the shipped candidate (labels from the patterns; complaint band P / R, "
          "R+uns.)")
    nhs_labels = [triage(_unrated(row.text), config).labels for row in rows]
    unrated = [example for example in examples if example.unrated]
    shipped = shipped_model.get()
    labelled_results = [triage(example.review, config) for example in unrated]
    columns = []
    for split, model in fitted[train.SHIPPED].items():
        if split == "all":
            continue
        test_on = split.split("→")[1]
        test = [i for i, row in enumerate(rows) if row.trust == test_on]
        probabilities = model.probabilities([rows[i].text for i in test], [vader[i] for i in test])
        columns.append((f"NHS {split}", [rows[i].complaint for i in test], probabilities,
                        [nhs_labels[i] for i in test], model.complaint_threshold,
                        model.unsure_threshold))
    columns.append(("labelled, out of domain", [example.negative for example in unrated],
                    [result.probability for result in labelled_results],
                    [result.labels for result in labelled_results],
                    shipped.meta["complaint_threshold"], shipped.meta["unsure_threshold"]))
    print(f"  {'':<32}" + "".join(f" {title:>26}" for title, *_ in columns))
    for variant, overrides in OVERRIDE_VARIANTS.items():
        cells = []
        for _, truth, probabilities, labels, complaint_at, unsure_at in columns:
            bands = [band_for(p, found, complaint_at, unsure_at, overrides=overrides)
                     for p, found in zip(probabilities, labels, strict=True)]
            case = score(truth, [band == "complaint" for band in bands])
            seen = score(truth, [band != "not" for band in bands])
            cells.append(f"{pr(case)} {seen.recall:4.2f}")
        print(f"  {variant:<32}" + "".join(f" {cell:>26}" for cell in cells))
    print()


def _unrated(text: str) -> CanonicalReview:
    return CanonicalReview(source="google", external_id="bench", text=text, created_at=WRITTEN_ON)


# --- Themes and labels -------------------------------------------------------------------------


def themes_section(rows: list[nhs.Feedback], examples: list[Example], fitted: dict) -> None:
    names = [*nhs.THEME_COLUMNS, "billing"]
    keywords = [keyword_themes(flags.normalise(row.text)) for row in rows]
    splits = []
    for split, model in fitted[train.SHIPPED].items():
        if split == "all":
            continue
        test = [i for i, row in enumerate(rows) if row.trust == split.split("→")[1]]
        scores = model.theme_scores([rows[i].text for i in test])
        read = [frozenset(name for name, value, cut in zip(
            model.theme_names, scores[at], model.theme_thresholds, strict=True) if value >= cut)
            for at in range(len(test))]
        splits.append((f"NHS {split}", [rows[i].themes for i in test], read,
                       [keywords[i] for i in test], model.theme_names))
    shipped = shipped_model.get()
    analyzer = vader_analyzer.get()
    read = [shipped.read(e.review.text, analyzer.polarity_scores(e.review.text)).themes
            for e in examples]
    splits.append(("labelled (keywords in-sample)", [e.themes for e in examples], read,
                   [keyword_themes(flags.normalise(e.review.text)) for e in examples],
                   shipped.theme_names))
    print("Themes, per theme: model / keywords / both (shipped: both); n = texts with the theme;"
          "\nthe model learns a theme from 50 examples or more in its training data")
    for title, truth, model_themes, keyword_found, learned in splits:
        print(f"  {title}")
        for name in names:
            real = [name in found for found in truth]
            if not any(real):
                continue
            by_model = [name in found for found in model_themes]
            by_keywords = [name in found for found in keyword_found]
            both = [a or b for a, b in zip(by_model, by_keywords, strict=True)]
            by_model_cell = pr(score(real, by_model)) if name in learned else f"{'—':^13}"
            print(f"    {name:<20} n={sum(real):4d}   model {by_model_cell}   "
                  f"keywords {pr(score(real, by_keywords))}   both {pr(score(real, both))}")
    print()


def labels_section(examples: list[Example], config: Config) -> None:
    results = [triage(example.review, config) for example in examples]
    print("Labels on the labelled set (patterns tuned on it: in-sample; first looks in the README)")
    for label in LABELS:
        measure = score((label in e.labels for e in examples), (label in r.labels for r in results))
        print(f"  {label:<16} n={measure.support:3d}  {pr(measure)}")
    print()


# --- Speed, memory, load -----------------------------------------------------------------------


def per_review(function, texts: Sequence[str], repeat: int = 3) -> float:
    for text in texts[:20]:
        function(text)
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for text in texts:
            function(text)
        best = min(best, (time.perf_counter() - started) / len(texts))
    return best


def size_mb(*objects: object) -> float:
    """What the objects take in memory: what building a copy of them allocates."""
    stored = pickle.dumps(objects)
    tracemalloc.start()
    copied = pickle.loads(stored)
    size = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del copied
    return size / 1e6


_LOAD_PROBE = """
import json, sys, time
def rss():
    return int(next(l for l in open('/proc/self/status') if l.startswith('VmRSS')).split()[1])
import bot.config, vaderSentiment.vaderSentiment  # in the bot before triage runs
before, started = rss(), time.perf_counter()
from bot.triage import warm_up
warm_up()
print(json.dumps({"seconds": time.perf_counter() - started, "mb": (rss() - before) / 1024}))
"""


def speed_section(rows: list[nhs.Feedback], fitted: dict, candidates: Sequence[str],
                  config: Config) -> None:
    from sklearn import config_context

    texts = [row.text for row in rows[::5]]
    analyzer = vader_analyzer.get()
    vader_alone = per_review(analyzer.polarity_scores, texts)
    shipped = shipped_model.get()
    print(f"Speed and size, one text at a time ({len(texts)} NHS comments, mean "
          f"{sum(map(len, texts)) / len(texts):.0f} characters); VADER alone "
          f"{vader_alone * 1e3:.3f} ms a text")
    for name in candidates:
        model = fitted[name]["all"]
        with config_context(assume_finite=True, skip_parameter_validation=True):
            seconds = per_review(lambda text, m=model: m.probabilities(
                [text], [analyzer.polarity_scores(text)]), texts)
        print(f"  {name:<28} scikit-learn: {seconds * 1e3:6.3f} ms ({seconds / vader_alone:4.1f}×"
              f" VADER alone), estimators {size_mb(model.features, model.complaint):5.1f} MB")
    exported = per_review(lambda text: shipped.read(text, analyzer.polarity_scores(text)), texts)
    print(f"  {'shipped model, as the bot reads it':<40} {exported * 1e3:6.3f} ms "
          f"({exported / vader_alone:4.1f}× VADER alone, VADER included)")
    full = per_review(lambda text: triage(_unrated(text), config), texts)
    print(f"  {'triage() with labels and themes':<40} {full * 1e3:6.3f} ms "
          f"({full / vader_alone:4.1f}× VADER alone)")
    probe = subprocess.run([sys.executable, "-c", _LOAD_PROBE], capture_output=True, text=True,
                           cwd=ROOT, check=True)
    loaded = json.loads(probe.stdout)
    print(f"  start-up (a new process): warm_up() {loaded['seconds']:.2f} s, adds "
          f"{loaded['mb']:.1f} MB (numpy, the model, VADER's lexicon, the profanity list)")
    print()


def _print_misses(examples: list[Example], config: Config) -> None:
    print("where triage and the labelled set disagree:")
    for example in examples:
        result = triage(example.review, config)
        wrong = []
        if result.negative != example.negative:
            wrong.append(f"band={result.band}")
        wrong += [("+" if label in result.labels else "-") + label for label in LABELS
                  if (label in result.labels) != (label in example.labels)]
        wrong += [("+" if theme in result.themes else "-") + theme
                  for theme in sorted(set(result.themes) ^ example.themes)]
        if wrong:
            print(f"  {' '.join(wrong)}: {example.review.text[:90]}")
            print(f"      p={result.probability}, reasons {result.reasons}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list the labelled set's misses")
    parser.add_argument("--candidates", nargs="*", default=list(train.CANDIDATES),
                        help="which candidates to train and compare")
    args = parser.parse_args(argv)

    rows = nhs.load()
    every = nhs.read_all()
    examples = load_labelled()
    config = labelled_config()
    meta = shipped_model.get().meta
    print(f"NHS feedback: {len(rows)} labelled comments ({sum(r.complaint for r in rows)} "
          f"complaints); {len(every) - len(rows)} question-dependent answers left out "
          f"({sum(r.complaint for r in every) - sum(r.complaint for r in rows)} of them "
          f"complaints). Shipped: {meta['candidate']}, complaint ≥ "
          f"{meta['complaint_threshold']}, unsure ≥ {meta['unsure_threshold']}\n")
    vader = train.vader_scores([row.text for row in rows])
    fitted = complaint_section(rows, vader, examples, args.candidates)
    if train.SHIPPED in args.candidates:
        additions_section(rows, vader, examples, fitted, config)
        themes_section(rows, examples, fitted)
    labels_section(examples, config)
    speed_section(rows, fitted, args.candidates, config)
    if args.misses:
        _print_misses(examples, config)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
