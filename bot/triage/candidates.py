"""The complaint model's candidate recipes (features and classifier) that training fits and
bench/triage_bench.py compares; `SHIPPED` names the one that wins there."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.triage.model import VADER_FEATURES

SEED = 0
FOLDS = 5
ORGANISATIONS_EQUAL = "tfidf+vader LR, orgs equal"
@dataclass(frozen=True)
class Candidate:
    name: str
    description: str
    vader: bool
    features: Callable[[], Any]
    classifier: Callable[[], Any]
    # each organisation (and, in it, complaints and the rest) weighs the same in the fit, and
    # the bands come from leave-one-organisation-out predictions (see the module's doc)
    by_organisation: bool = False

    @property
    def score_names(self) -> tuple[str, ...]:
        """The VADER scores it reads beside the text's n-grams."""
        return VADER_FEATURES if self.vader else ()


def _logistic() -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=3.0, class_weight="balanced", max_iter=3000)


def _logistic_weighted() -> Any:
    """Balanced by sample weights (organisation_weights) rather than by class."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=3.0, max_iter=3000)


def _calibrated_svm() -> Any:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.svm import LinearSVC

    return CalibratedClassifierCV(LinearSVC(C=0.3, class_weight="balanced", random_state=SEED),
                                  method="sigmoid", cv=FOLDS)


def tfidf_ngrams() -> Any:
    """Word 1–2-grams and character 2–5-grams within words, seen in two texts or more,
    sublinear TF-IDF, each part of unit length."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion([
        ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2,
                                  sublinear_tf=True)),
    ])


CANDIDATES: dict[str, Candidate] = {
    candidate.name: candidate for candidate in (
        Candidate("tfidf+vader LR", "TF-IDF word+char n-grams and VADER's scores, logistic "
                  "regression", True, tfidf_ngrams, _logistic),
        Candidate("tfidf LR", "the same without VADER", False, tfidf_ngrams, _logistic),
        Candidate("tfidf+vader SVM", "TF-IDF n-grams and VADER, linear SVM calibrated "
                  "(sigmoid, 5 folds)", True, tfidf_ngrams, _calibrated_svm),
        Candidate(ORGANISATIONS_EQUAL, "tfidf+vader LR, each organisation and class weighing "
                  "the same, bands from leave-one-organisation-out predictions", True,
                  tfidf_ngrams, _logistic_weighted, by_organisation=True),
    )
}
SHIPPED = "tfidf+vader LR"
CURRENT = "tfidf+vader LR"  # the recipe of complaint-v1, trained on the v6 file alone
