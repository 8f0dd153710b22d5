"""Training the complaint model on the NHS feedback in data/: `make train-triage`, or
`python -m bot.triage.train [OUT]`. Deterministic: the same data gives the same model.

The candidates the bench compares (bench/triage_bench.py) are in candidates.py, `SHIPPED`
naming the one that wins there; the band arithmetic is in bands.py. Thresholds come from the
training data alone, from predictions on text the fitted model had not seen: for a candidate
that weighs organisations equally, fitted on two organisations or more, each organisation's
predictions by a model fitted on the others (leave one organisation out, pooled, each
organisation weighing the same), so a new hospital gets thresholds chosen on a hospital the
model had not seen; else by 5-fold cross-validation:
- the complaint band starts at the lowest probability whose out-of-fold precision reaches
  COMPLAINT_PRECISION;
- the unsure band starts at the highest probability that still keeps UNSURE_RECALL of the
  complaints out of fold; under it a review is "not a complaint". For a candidate that weighs
  organisations equally, never lower than puts MAX_ASKED of the texts in it: Needs a look is
  people's time, and a new hospital gets a band that asks about one text in five at most.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bot.triage import nhs
from bot.triage.bands import (
    COMPLAINT_PRECISION,
    UNSURE_RECALL,
    band_scores,
    band_thresholds,
)
from bot.triage.candidates import (
    CANDIDATES,
    FOLDS,
    SEED,
    SHIPPED,
    Candidate,
)
from bot.triage.model import (
    MODEL_PATH,
    MODEL_VERSION,
    TOKEN_PATTERN,
    VADER_FEATURES,
    ShippedModel,
    meta_path,
)

MAX_ASKED = 0.20  # at most this share of texts under Needs a look (by_organisation candidates)
MIN_THEME_EXAMPLES = 50  # fewer, and a theme is left to its keywords


def with_vader(text_features: Any, vader: Sequence[Mapping[str, float]],
               names: Sequence[str] = VADER_FEATURES) -> Any:
    """The text features with VADER's scores as extra columns."""
    import numpy as np
    from scipy import sparse

    scores = np.array([[score[name] for name in names] for score in vader])
    return sparse.hstack([text_features, sparse.csr_matrix(scores)], format="csr")


class FittedModel:
    """A candidate fitted with scikit-learn, with its thresholds; export() ships it."""

    def __init__(self, *, candidate: Candidate, features: Any, complaint: Any, themes: Any,
                 theme_names: Sequence[str], theme_thresholds: Sequence[float],
                 complaint_threshold: float, unsure_threshold: float):
        self.candidate = candidate
        self.features = features
        self.complaint = complaint
        self.themes = themes
        self.theme_names = tuple(theme_names)
        self.theme_thresholds = tuple(theme_thresholds)
        self.complaint_threshold = complaint_threshold
        self.unsure_threshold = unsure_threshold

    def probabilities(self, texts: Sequence[str],
                      vader: Sequence[Mapping[str, float]] | None = None) -> Any:
        features = self.features.transform(list(texts))
        if self.candidate.vader:
            features = with_vader(features, vader if vader is not None else vader_scores(texts),
                                  self.candidate.score_names)
        return self.complaint.predict_proba(features)[:, 1]

    def theme_scores(self, texts: Sequence[str]) -> Any:
        """(texts × theme_names) scores; a theme applies at or over its threshold."""
        return self.themes.predict(self.features.transform(list(texts)))

    def export(self, path: Path, meta: Mapping[str, Any]) -> ShippedModel:
        """Write what bot.triage.model reads: the arrays to `path` (.npz), the rest to .json."""
        import numpy as np
        from sklearn.linear_model import LogisticRegression

        if not isinstance(self.complaint, LogisticRegression):
            raise ValueError(f"only a logistic regression exports, not {self.candidate.name}")
        arrays: dict[str, Any] = {}
        parts = []
        for name, vectorizer in self.features.transformer_list:
            _check_exportable(vectorizer)
            terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
            arrays[f"{name}_terms"] = np.array(terms, dtype=str)
            arrays[f"{name}_idf"] = np.asarray(vectorizer.idf_, dtype=float)
            parts.append({"name": name, "analyzer": vectorizer.analyzer,
                          "ngrams": list(vectorizer.ngram_range)})
        arrays["complaint_coef"] = np.asarray(self.complaint.coef_[0], dtype=float)
        arrays["complaint_intercept"] = np.asarray(self.complaint.intercept_[0], dtype=float)
        width = sum(len(terms) for key, terms in arrays.items() if key.endswith("_terms"))
        if self.themes is not None:
            arrays["theme_coef"] = np.asarray(self.themes.coef_, dtype=float)
            arrays["theme_intercept"] = np.asarray(self.themes.intercept_, dtype=float)
        else:
            arrays["theme_coef"] = np.zeros((0, width))
            arrays["theme_intercept"] = np.zeros(0)
        full_meta = {
            **meta, "format": 1, "candidate": self.candidate.name, "parts": parts,
            "vader_features": list(self.candidate.score_names),
            "complaint_threshold": self.complaint_threshold,
            "unsure_threshold": self.unsure_threshold,
            "theme_names": list(self.theme_names),
            "theme_thresholds": list(self.theme_thresholds),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            np.savez_compressed(handle, **arrays)
        meta_path(path).write_text(json.dumps(full_meta, indent=2, sort_keys=True,
                                              ensure_ascii=False) + "\n", encoding="utf-8")
        return ShippedModel(arrays, full_meta)


def _check_exportable(vectorizer: Any) -> None:
    """bot.triage.model re-does these settings only."""
    expected = {"lowercase": True, "strip_accents": None, "preprocessor": None,
                "tokenizer": None, "stop_words": None, "token_pattern": TOKEN_PATTERN,
                "binary": False, "norm": "l2", "use_idf": True, "sublinear_tf": True}
    actual = {name: getattr(vectorizer, name) for name in expected}
    if actual != expected or vectorizer.analyzer not in ("word", "char_wb"):
        raise ValueError(f"a vectorizer bot.triage.model cannot read: {actual}")


def vader_scores(texts: Sequence[str]) -> list[dict[str, float]]:
    from bot.triage.model import vader_analyzer

    analyzer = vader_analyzer.get()
    return [analyzer.polarity_scores(text) for text in texts]


def organisation_weights(rows: Sequence[nhs.Feedback]) -> Any:
    """Each organisation weighs the same, and within it complaints and the rest weigh the same
    (a new hospital's share of complaints is unknown); the mean weight is 1."""
    import numpy as np

    counts: dict[tuple[str, bool], int] = {}
    for row in rows:
        counts[row.trust, row.complaint] = counts.get((row.trust, row.complaint), 0) + 1
    weights = np.array([1.0 / counts[row.trust, row.complaint] for row in rows])
    return weights * (len(rows) / weights.sum())


def per_organisation(rows: Sequence[nhs.Feedback]) -> Any:
    """Weights that make each organisation count the same in a pooled score."""
    import numpy as np

    counts: dict[str, int] = {}
    for row in rows:
        counts[row.trust] = counts.get(row.trust, 0) + 1
    return np.array([1.0 / counts[row.trust] for row in rows])


def fit(rows: Sequence[nhs.Feedback], candidate: Candidate, *, themes: bool = True,
        thresholds: bool = True, vader: Sequence[Mapping[str, float]] | None = None,
        out_of_organisation: Any = None) -> FittedModel:
    """A model fitted on `rows`, its thresholds (in .meta) from predictions on text it had not
    seen (the module's doc). `out_of_organisation`: those predictions, when the caller has
    them already (leave_one_organisation_out's)."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    texts = [row.text for row in rows]
    labels = np.array([row.complaint for row in rows])
    vader = vader or (vader_scores(texts) if candidate.vader else None)
    features = candidate.features()
    matrix = features.fit_transform(texts)
    scored = with_vader(matrix, vader, candidate.score_names) if candidate.vader else matrix
    weighted = candidate.by_organisation
    fit_params = {"sample_weight": organisation_weights(rows)} if weighted else {}
    complaint = candidate.classifier().fit(scored, labels, **fit_params)
    complaint_at, unsure_at = 0.5, 0.5
    organisations = sorted({row.trust for row in rows})
    if thresholds and weighted and len(organisations) >= 2:
        if out_of_organisation is None:
            out_of_organisation = np.zeros(len(rows))
            for held_out, (model, _rows) in leave_one_organisation_out(
                    rows, candidate, vader=vader, thresholds=False).items():
                at = [i for i, row in enumerate(rows) if row.trust == held_out]
                out_of_organisation[at] = model.probabilities(
                    [rows[i].text for i in at], [vader[i] for i in at] if vader else None)
        complaint_at, unsure_at = band_thresholds(labels, out_of_organisation,
                                                  per_organisation(rows), max_asked=MAX_ASKED)
    elif thresholds:
        folds = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED)
        out_of_fold = cross_val_predict(candidate.classifier(), scored, labels, cv=folds,
                                        method="predict_proba", params=fit_params)[:, 1]
        complaint_at, unsure_at = band_thresholds(labels, out_of_fold)

    theme_model, theme_names, theme_thresholds = (None, [], [])
    if themes:
        theme_model, theme_names, theme_thresholds = _fit_themes(rows, matrix)
    return FittedModel(
        candidate=candidate, features=features, complaint=complaint, themes=theme_model,
        theme_names=theme_names, theme_thresholds=theme_thresholds,
        complaint_threshold=complaint_at, unsure_threshold=unsure_at,
    )


def _fit_themes(rows: Sequence[nhs.Feedback], matrix: Any) -> tuple[Any, list[str], list[float]]:
    """One ridge regression per theme with enough examples; each theme's threshold the one
    with the best out-of-fold F1. Only rows whose themes were labelled count."""
    import numpy as np
    from sklearn.metrics import precision_recall_curve
    from sklearn.model_selection import KFold, cross_val_predict

    themed = [i for i, row in enumerate(rows) if row.themed]
    rows, matrix = [rows[i] for i in themed], matrix[themed]
    names = [theme for theme in nhs.THEME_COLUMNS
             if sum(theme in row.themes for row in rows) >= MIN_THEME_EXAMPLES]
    if not names:
        return None, [], []
    targets = np.array([[theme in row.themes for theme in names] for row in rows], dtype=float)
    model = _ridge().fit(matrix, targets)
    folds = KFold(FOLDS, shuffle=True, random_state=SEED)
    out_of_fold = cross_val_predict(_ridge(), matrix, targets, cv=folds)
    thresholds = []
    for column in range(len(names)):
        precision, recall, cuts = precision_recall_curve(targets[:, column],
                                                         out_of_fold[:, column])
        f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
        thresholds.append(round(float(cuts[int(np.argmax(f1[:-1]))]), 6))
    return model, names, thresholds


def _ridge() -> Any:
    from sklearn.linear_model import Ridge

    return Ridge(alpha=1.0, solver="sag", random_state=SEED)


def leave_one_organisation_out(rows: Sequence[nhs.Feedback], candidate: Candidate, *,
                               themes: bool = False, thresholds: bool = True,
                               vader: Sequence[Mapping[str, float]] | None = None
                               ) -> dict[str, tuple[FittedModel, list[nhs.Feedback]]]:
    """Per organisation: a model fitted on the others (its bands from their own leave-one-out
    predictions, when `thresholds`), and that organisation's rows."""
    folds = {}
    for held_out in sorted({row.trust for row in rows}, key=_organisation_order):
        keep = [i for i, row in enumerate(rows) if row.trust != held_out]
        model = fit([rows[i] for i in keep], candidate, themes=themes, thresholds=thresholds,
                    vader=[vader[i] for i in keep] if vader else None)
        folds[held_out] = (model, [row for row in rows if row.trust == held_out])
    return folds


def _organisation_order(name: str) -> tuple[int, str]:
    order = nhs.ORGANISATIONS
    return (order.index(name) if name in order else len(order), name)


def cross_trust(rows: Sequence[nhs.Feedback], candidate: Candidate, *, themes: bool = False
                ) -> dict[str, tuple[FittedModel, list[nhs.Feedback]]]:
    """"NEAS→NHFT" and "NHFT→NEAS": a model fitted on one trust, and the other trust's rows."""
    splits = {}
    for train_on, test_on in (nhs.TRUSTS, nhs.TRUSTS[::-1]):
        model = fit([row for row in rows if row.trust == train_on], candidate, themes=themes)
        splits[f"{train_on}→{test_on}"] = (model, [row for row in rows if row.trust == test_on])
    return splits


# --- The shipped model --------------------------------------------------------------------------


@dataclass
class TrainReport:
    path: str
    rows: int
    complaints: int
    dropped_question_dependent: int
    complaint_threshold: float
    unsure_threshold: float
    themes: list[str]
    data_files: list[dict[str, Any]]
    sklearn_version: str
    held_out: dict[str, dict[str, float]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = [f"wrote {self.path}: {self.rows} comments ({self.complaints} complaints), "
               f"{self.dropped_question_dependent} question-dependent answers left out",
               "trained on " + ", ".join(f"{entry['file']} (SHA-256 {entry['sha256'][:12]}…)"
                                         for entry in self.data_files),
               f"bands: complaint at ≥ {self.complaint_threshold}, unsure at ≥ "
               f"{self.unsure_threshold}; model themes: {', '.join(self.themes)}"]
        out.append("the [triage] defaults in bot/config/schema.py and reviewdesk.example.toml must "
                   "carry these thresholds (tests/test_triage_model.py checks)")
        for split, scores in self.held_out.items():
            out.append(f"held out {split}: complaint band P {scores['precision']:.2f} "
                       f"R {scores['recall']:.2f}, with unsure R "
                       f"{scores['recall_with_unsure']:.2f}, asked "
                       f"{scores['unsure_share']:.2f}, AUC {scores['auc']:.3f}")
        return out


def shipped_data(candidate: Candidate) -> tuple[Path, ...]:
    """The files a candidate trains on: every organisation's for one that weighs them
    equally (the NHS files and the hospitals' own decisions in data/), the v6 file alone for
    the v1 recipe."""
    return nhs.data_files() if candidate.by_organisation else (nhs.NHS_FEEDBACK,)


def train(out_path: Path = MODEL_PATH, data_paths: Sequence[Path] | None = None,
          candidate_name: str = SHIPPED) -> TrainReport:
    """Fit a candidate (the shipped one unless named) on the NHS feedback and write it to
    `out_path` (+ .json), with its held-out scores: leave one organisation out (or, for the v1
    recipe, one trust trained and the other tested)."""
    try:
        import sklearn
    except ImportError as error:  # the bot itself runs without it
        raise RuntimeError("training the triage model needs scikit-learn: "
                           "pip install 'reviewdesk[train]'") from error
    import numpy as np

    candidate = CANDIDATES[candidate_name]
    paths = tuple(data_paths or shipped_data(candidate))
    rows = nhs.load_all(paths)
    vader = vader_scores([row.text for row in rows]) if candidate.vader else None
    held_out = {}
    pooled = None
    if candidate.by_organisation:
        pooled = np.zeros(len(rows))
        for organisation, (model, test_rows) in leave_one_organisation_out(
                rows, candidate, vader=vader).items():
            at = [i for i, row in enumerate(rows) if row.trust == organisation]
            pooled[at] = model.probabilities([row.text for row in test_rows],
                                             [vader[i] for i in at] if vader else None)
            scores = band_scores([row.complaint for row in test_rows], pooled[at],
                                 model.complaint_threshold, model.unsure_threshold)
            held_out[organisation] = {key: round(value, 4)
                                      for key, value in asdict(scores).items()}
        thresholds_from = ("leave-one-organisation-out predictions, pooled with each "
                           f"organisation weighing the same (Needs a look asking about "
                           f"{MAX_ASKED:.0%} of texts at most)")
    else:
        for split, (model, test_rows) in cross_trust(rows, candidate).items():
            probabilities = model.probabilities([row.text for row in test_rows])
            scores = band_scores([row.complaint for row in test_rows], probabilities,
                                 model.complaint_threshold, model.unsure_threshold)
            held_out[split] = {key: round(value, 4) for key, value in asdict(scores).items()}
        thresholds_from = f"{FOLDS}-fold cross-validation on the training rows"

    model = fit(rows, candidate, vader=vader, out_of_organisation=pooled)
    data_files = [{"file": path.name, "sha256": nhs.sha256(path),
                   "rows": sum(1 for _ in nhs.load(path))} for path in paths]
    report = TrainReport(
        path=str(out_path), rows=len(rows), complaints=sum(row.complaint for row in rows),
        dropped_question_dependent=sum(len(nhs.read_all(path)) for path in paths) - len(rows),
        complaint_threshold=model.complaint_threshold,
        unsure_threshold=model.unsure_threshold, themes=list(model.theme_names),
        data_files=data_files, sklearn_version=sklearn.__version__, held_out=held_out,
    )
    model.export(out_path, {
        "version": MODEL_VERSION, "data_files": data_files,
        "organisations": sorted({row.trust for row in rows}, key=_organisation_order),
        "sklearn_version": report.sklearn_version, "python_version": platform.python_version(),
        "rows": report.rows, "complaints": report.complaints,
        "dropped_question_dependent": report.dropped_question_dependent,
        "held_out": held_out,
        "thresholds_from": f"{thresholds_from}: complaint at precision ≥ "
                           f"{COMPLAINT_PRECISION}, unsure at recall ≥ {UNSURE_RECALL}",
    })
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the triage complaint model.")
    parser.add_argument("out", nargs="?", type=Path, default=MODEL_PATH)
    parser.add_argument("--candidate", choices=list(CANDIDATES), default=SHIPPED)
    args = parser.parse_args(argv)
    for line in train(args.out, candidate_name=args.candidate).lines():
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
