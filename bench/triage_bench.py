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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.config import Config  # noqa: E402
from bot.core.reviews import CanonicalReview  # noqa: E402
from bot.triage import (  # noqa: E402
    LABELS,
    OVERRIDES,
    band_for,
    bands,
    candidates,
    flags,
    nhs,
    train,
    triage,
)
from bot.triage.model import MODEL_PATH, shipped_model, vader_analyzer  # noqa: E402
from bot.triage.themes import keyword_themes  # noqa: E402
from testing.labelled import (  # noqa: E402
    LABELLED,
    WRITTEN_ON,
    Example,
    Score,
    labelled_config,
    load_labelled,
    score,
)

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

def pr(measure: Score) -> str:
    return f"P {measure.precision:4.2f} R {measure.recall:4.2f}"


# --- Complaints ---------------------------------------------------------------------------------

LONG_WORDS = 40  # a comment this long reads like a written review; survey comments are shorter


@dataclass(frozen=True)
class Fold:
    """One held-out organisation: its rows, and each model's probabilities and bands there."""
    organisation: str
    rows: list[nhs.Feedback]
    vader: list[dict]
    models: dict  # model name -> (probabilities, complaint_at, unsure_at)


def bands_line(name: str, scores: bands.BandScores) -> str:
    return (f"  {name:<32} {scores.precision:5.2f} {scores.recall:5.2f} "
            f"{scores.recall_with_unsure:6.2f} {scores.unsure_share:6.2f} {scores.auc:6.3f} "
            f"{scores.average_precision:6.3f} {scores.best_recall_at_85:7.2f}")


BANDS_HEADER = (f"  {'':<32} {'P':>5} {'R':>5} {'reach':>6} {'asked':>6} {'AUC':>6} "
                f"{'AP':>6} {'R@P.85':>7}")


def vader_band_scores(labels: Sequence[bool], compounds: Sequence[float]) -> bands.BandScores:
    """VADER alone: a case at compound ≤ −0.05, no unsure band."""
    curve = bands.band_scores(labels, [-value for value in compounds], -VADER_THRESHOLD,
                              -VADER_THRESHOLD)
    return curve


def loo_section(rows: list[nhs.Feedback], vader: list[dict], new: str) -> tuple[list[Fold], dict]:
    """Leave one organisation out: the new candidate (bands from its training organisations'
    own leave-one-out predictions), the current model's recipe (the v6 file's rows of the
    training organisations, bands by 5-fold cross-validation; for Trust A and B exactly the
    shipped complaint-v1) and VADER alone, on each held-out organisation and their mean."""
    import numpy as np

    print("Leave one organisation out: trained on three organisations, tested on the fourth.\n"
          "P, R: the complaint band (a case); reach: complaints that are a case or under Needs "
          "a look;\nasked: share of all texts under Needs a look; R@P.85: the best recall any "
          "threshold gives at P ≥ 0.85\n")
    folds: list[Fold] = []
    fitted: dict[str, Any] = {}
    new_folds = train.leave_one_organisation_out(rows, candidates.CANDIDATES[new], themes=True,
                                                 vader=vader)
    for organisation, (model, _) in new_folds.items():
        test = [i for i, row in enumerate(rows) if row.trust == organisation]
        train_v6 = [i for i, row in enumerate(rows)
                    if row.trust != organisation and row.trust in nhs.TRUSTS]
        current = train.fit([rows[i] for i in train_v6], candidates.CANDIDATES[candidates.CURRENT],
                            themes=False, vader=[vader[i] for i in train_v6])
        texts, test_vader = [rows[i].text for i in test], [vader[i] for i in test]
        models = {}
        for name, fitted_model in ((f"new: {new}", model), ("current (v1 recipe)", current)):
            models[name] = (fitted_model.probabilities(texts, test_vader),
                            fitted_model.complaint_threshold, fitted_model.unsure_threshold)
        fold = Fold(organisation, [rows[i] for i in test], test_vader, models)
        folds.append(fold)
        fitted[organisation] = model
        labels = [row.complaint for row in fold.rows]
        trained = sorted({row.trust for row in rows} - {organisation})
        current_on = ", ".join(sorted(set(trained) & set(nhs.TRUSTS)))
        print(f"held out {organisation} ({len(test)} comments, {sum(labels)} complaints); "
              f"trained on {', '.join(trained)} (current: {current_on})")
        print(BANDS_HEADER)
        for name, (probabilities, complaint_at, unsure_at) in models.items():
            print(bands_line(f"{name} ({complaint_at:.2f}/{unsure_at:.2f})",
                             bands.band_scores(labels, probabilities, complaint_at, unsure_at)))
        print(bands_line("VADER alone (≤ −0.05)", vader_band_scores(
            labels, [score["compound"] for score in test_vader])))
        print()

    names = [*folds[0].models, "VADER alone"]
    print("Mean of the four held-out organisations")
    print(BANDS_HEADER)
    for name in names:
        per_fold = [fold_scores(fold, name) for fold in folds]
        mean = bands.BandScores(**{key: float(np.mean([getattr(s, key) for s in per_fold]))
                                   for key in bands.BandScores.__dataclass_fields__})
        print(bands_line(name, mean))
    print()

    print(f"Short survey comments (under {LONG_WORDS} words) and long ones ({LONG_WORDS} or more,"
          " written-review length), each held-out organisation; P / R / reach / asked / "
          "R@P.85")
    for name in names:
        cells = []
        for fold in folds:
            for long in (False, True):
                keep = [i for i, row in enumerate(fold.rows)
                        if (len(row.text.split()) >= LONG_WORDS) == long]
                part = fold_scores(fold, name, keep)
                cells.append(f"{part.precision:.2f}/{part.recall:.2f}/"
                             f"{part.recall_with_unsure:.2f}/{part.unsure_share:.2f}/"
                             f"{part.best_recall_at_85:.2f}")
        print(f"  {name}")
        for fold, short_cell, long_cell in zip(folds, cells[::2], cells[1::2], strict=True):
            n_long = sum(len(row.text.split()) >= LONG_WORDS for row in fold.rows)
            print(f"    {fold.organisation:<8} short {short_cell}   long (n={n_long}) {long_cell}")
        means = []
        for long in (False, True):
            parts = [fold_scores(fold, name, [i for i, row in enumerate(fold.rows)
                                              if (len(row.text.split()) >= LONG_WORDS) == long])
                     for fold in folds]
            means.append("/".join(f"{np.mean([getattr(p, key) for p in parts]):.2f}" for key in (
                "precision", "recall", "recall_with_unsure", "unsure_share",
                "best_recall_at_85")))
        print(f"    {'mean':<8} short {means[0]}   long {means[1]}")
    print()
    return folds, fitted


def fold_scores(fold: Fold, name: str, keep: Sequence[int] | None = None) -> bands.BandScores:
    keep = range(len(fold.rows)) if keep is None else keep
    labels = [fold.rows[i].complaint for i in keep]
    if name == "VADER alone":
        return vader_band_scores(labels, [fold.vader[i]["compound"] for i in keep])
    probabilities, complaint_at, unsure_at = fold.models[name]
    return bands.band_scores(labels, [probabilities[i] for i in keep], complaint_at, unsure_at)


def tradeoff_section(folds: list[Fold], name: str, max_asked: float | None) -> None:
    """The pooled out-of-organisation predictions (each organisation weighing the same): the
    bands a new hospital gets from them, and what other choices would give."""
    import numpy as np

    labels = np.array([row.complaint for fold in folds for row in fold.rows])
    probabilities = np.concatenate([fold.models[name][0] for fold in folds])
    weights = np.concatenate([np.full(len(fold.rows), 1.0 / len(fold.rows)) for fold in folds])
    complaint_at, unsure_at = bands.band_thresholds(labels, probabilities, weights,
                                                    max_asked=max_asked)
    asked = "" if max_asked is None else f", asking about {max_asked:.0%} at most"
    print(f"Pooled out-of-organisation predictions of {name} (each organisation weighing the "
          f"same): the bands they give (P ≥ {bands.COMPLAINT_PRECISION}, reach ≥ "
          f"{bands.UNSURE_RECALL}{asked}): complaint ≥ {complaint_at}, unsure ≥ {unsure_at}")
    print("  Trade-off: unsure threshold → reach (complaints a case or asked about) and share "
          "asked, mean over organisations")
    for target in (0.85, 0.88, 0.90, 0.92, 0.94, 0.95, 0.96, 0.97, 0.98):
        cut = _cut_for_reach(labels, probabilities, weights, target)
        cells = []
        for fold in folds:
            fold_labels = np.array([row.complaint for row in fold.rows])
            p = fold.models[name][0]
            seen = p >= min(cut, complaint_at)
            cells.append(((fold_labels & seen).sum() / fold_labels.sum(),
                          (seen & (p < complaint_at)).mean()))
        per_org = "  ".join(f"{fold.organisation} {r:.2f}/{a:.2f}"
                            for fold, (r, a) in zip(folds, cells, strict=True))
        print(f"    reach {target:.2f}: unsure ≥ {cut:.4f}: mean reach "
              f"{np.mean([r for r, _ in cells]):.3f}, asked {np.mean([a for _, a in cells]):.3f}"
              f"   ({per_org})")
    print("  Trade-off: complaint threshold → precision and recall of the case band, mean over "
          "organisations")
    for target in (0.75, 0.80, 0.85, 0.90, 0.95):
        cut = _cut_for_precision(labels, probabilities, weights, target)
        cells = []
        for fold in folds:
            fold_labels = np.array([row.complaint for row in fold.rows])
            flagged = fold.models[name][0] >= cut
            cells.append(((fold_labels & flagged).sum() / max(flagged.sum(), 1),
                          (fold_labels & flagged).sum() / fold_labels.sum()))
        parts = []
        for long in (False, True):
            split = []
            for fold in folds:
                keep = np.array([(len(row.text.split()) >= LONG_WORDS) == long
                                 for row in fold.rows])
                fold_labels = np.array([row.complaint for row in fold.rows])[keep]
                flagged = fold.models[name][0][keep] >= cut
                split.append(((fold_labels & flagged).sum() / max(flagged.sum(), 1),
                              (fold_labels & flagged).sum() / max(fold_labels.sum(), 1)))
            parts.append(f"{np.mean([p for p, _ in split]):.2f}/"
                         f"{np.mean([r for _, r in split]):.2f}")
        print(f"    pooled P {target:.2f}: complaint ≥ {cut:.4f}: mean P "
              f"{np.mean([p for p, _ in cells]):.3f} R {np.mean([r for _, r in cells]):.3f}"
              f"   (short P/R {parts[0]}, long {parts[1]})")
    print()


def _cut_for_reach(labels: Any, probabilities: Any, weights: Any, target: float) -> float:
    from sklearn.metrics import precision_recall_curve

    _, recall, cuts = precision_recall_curve(labels, probabilities, sample_weight=weights)
    import numpy as np

    kept = np.flatnonzero(recall[:-1] >= target)
    return float(cuts[kept[-1]]) if len(kept) else 0.0


def _cut_for_precision(labels: Any, probabilities: Any, weights: Any, target: float) -> float:
    import numpy as np
    from sklearn.metrics import precision_recall_curve

    precision, _, cuts = precision_recall_curve(labels, probabilities, sample_weight=weights)
    precise = np.flatnonzero(precision[:-1] >= target)
    return float(cuts[precise[0]]) if len(precise) else 1.0


def labelled_section(rows: list[nhs.Feedback], vader: list[dict], examples: list[Example],
                     new: str, config: Config) -> dict:
    """Written reviews, out of domain: each model trained on everything it trains on, its
    bands as it would ship them, the labels' overrides as triage() applies them."""
    unrated = [example for example in examples if example.unrated]
    truth = [example.negative for example in unrated]
    texts = [example.review.text for example in unrated]
    labels = [triage(example.review, config).labels for example in unrated]
    text_vader = train.vader_scores(texts)
    v6 = [i for i, row in enumerate(rows) if row.trust in nhs.TRUSTS]
    models = {
        "current (v1 recipe)": train.fit([rows[i] for i in v6],
                                         candidates.CANDIDATES[candidates.CURRENT],
                                         themes=False, vader=[vader[i] for i in v6]),
        f"new: {new}": train.fit(rows, candidates.CANDIDATES[new], themes=False, vader=vader),
    }
    print(f"Written reviews, out of domain: {LABELLED.relative_to(ROOT)}, {len(unrated)} unrated "
          f"({sum(truth)} complaints; never trained or tuned on); model alone, then with the "
          "labels' overrides (shipped)")
    print(BANDS_HEADER)
    for name, model in models.items():
        probabilities = model.probabilities(texts, text_vader)
        print(bands_line(f"{name} ({model.complaint_threshold:.2f}/"
                         f"{model.unsure_threshold:.2f})",
                         bands.band_scores(truth, probabilities, model.complaint_threshold,
                                           model.unsure_threshold)))
        given = [band_for(p, found, model.complaint_threshold, model.unsure_threshold)
                 for p, found in zip(probabilities, labels, strict=True)]
        case = score(truth, [band == "complaint" for band in given])
        seen = score(truth, [band != "not" for band in given])
        asked = sum(band == "unsure" for band in given) / len(given)
        print(f"  {'  + overrides':<32} {case.precision:5.2f} {case.recall:5.2f} "
              f"{seen.recall:6.2f} {asked:6.2f}")
    print(bands_line("VADER alone (≤ −0.05)", vader_band_scores(
        truth, [value["compound"] for value in text_vader])))
    print()
    return models


def _unrated(text: str) -> CanonicalReview:
    return CanonicalReview(source="google", external_id="bench", text=text, created_at=WRITTEN_ON)


# --- Themes and labels -------------------------------------------------------------------------


def themes_section(folds: list[Fold], fitted: dict) -> None:
    """Per theme on each held-out organisation: the new candidate's model, the keywords, and
    both (what triage() shows). Phase 1 gives each comment one theme: precision reads low."""
    import numpy as np

    names = [*nhs.THEME_COLUMNS, "billing"]
    print("Themes on the held-out organisation, per theme: model / keywords / both (shipped: both)"
          ", P/R; n = texts with the theme;\nthe model learns a theme from 50 examples or more")
    table: dict[str, dict[str, list]] = {}
    for fold in folds:
        model = fitted[fold.organisation]
        texts = [row.text for row in fold.rows]
        scores = model.theme_scores(texts)
        read = [frozenset(name for name, value, cut in zip(
            model.theme_names, scores[at], model.theme_thresholds, strict=True) if value >= cut)
            for at in range(len(texts))]
        keywords = [keyword_themes(flags.normalise(text)) for text in texts]
        print(f"  held out {fold.organisation}")
        for name in names:
            real = [name in row.themes for row in fold.rows]
            if not any(real):
                continue
            by_model = [name in found for found in read]
            by_keywords = [name in found for found in keywords]
            both = [a or b for a, b in zip(by_model, by_keywords, strict=True)]
            cells = [score(real, by_model) if name in model.theme_names else None,
                     score(real, by_keywords), score(real, both)]
            table.setdefault(name, {}).setdefault("cells", []).append(cells)
            model_cell = pr(cells[0]) if cells[0] else f"{'—':^13}"
            print(f"    {name:<20} n={sum(real):4d}   model {model_cell}   "
                  f"keywords {pr(cells[1])}   both {pr(cells[2])}")
    print("  mean over the held-out organisations that have the theme (P/R)")
    for name, entry in table.items():
        out = []
        for column in range(3):
            got = [cells[column] for cells in entry["cells"] if cells[column] is not None]
            out.append(f"{np.mean([c.precision for c in got]):.2f}/"
                       f"{np.mean([c.recall for c in got]):.2f}" if got else "—")
        print(f"    {name:<20} ({len(entry['cells'])} orgs)   model {out[0]}   keywords {out[1]}"
              f"   both {out[2]}")
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


def speed_section(rows: list[nhs.Feedback], fitted: dict, config: Config) -> None:
    from sklearn import config_context

    texts = [row.text for row in rows[::5]]
    analyzer = vader_analyzer.get()
    vader_alone = per_review(analyzer.polarity_scores, texts)
    shipped = shipped_model.get()
    print(f"Speed and size, one text at a time ({len(texts)} NHS comments, mean "
          f"{sum(map(len, texts)) / len(texts):.0f} characters); VADER alone "
          f"{vader_alone * 1e3:.3f} ms a text")
    for name, model in fitted.items():
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
          f"{loaded['mb']:.1f} MB (numpy, the model, VADER's lexicon, the profanity list); "
          f"model file {MODEL_PATH.stat().st_size / 1e6:.1f} MB ({MODEL_PATH.name})")
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
    parser.add_argument("--new", default=candidates.ORGANISATIONS_EQUAL,
                        help="the candidate measured against the current model")
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args(argv)

    rows = nhs.load_all()
    examples = load_labelled()
    config = labelled_config()
    meta = shipped_model.get().meta
    counts = ", ".join(f"{organisation} {sum(r.trust == organisation for r in rows)} "
                       f"({sum(r.trust == organisation and r.complaint for r in rows)})"
                       for organisation in nhs.ORGANISATIONS)
    print(f"NHS feedback, four organisations: {len(rows)} labelled comments (complaints): "
          f"{counts}; question-dependent answers left out. Shipped: {MODEL_PATH.name}, "
          f"{meta['candidate']}, complaint ≥ {meta['complaint_threshold']}, unsure ≥ "
          f"{meta['unsure_threshold']}\n")
    vader = train.vader_scores([row.text for row in rows])
    folds, fitted = loo_section(rows, vader, args.new)
    tradeoff_section(folds, f"new: {args.new}", train.MAX_ASKED)
    tradeoff_section(folds, "current (v1 recipe)", None)
    models = labelled_section(rows, vader, examples, args.new, config)
    themes_section(folds, fitted)
    labels_section(examples, config)
    if not args.skip_speed:
        speed_section(rows, models, config)
    if args.misses:
        _print_misses(examples, config)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
