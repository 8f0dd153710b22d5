"""The shipped complaint model, as the bot reads it: numpy arrays, no scikit-learn at run time.

`bot.triage.train` fits the model with scikit-learn (TF-IDF word 1–2-grams and character
2–5-grams within words, VADER's scores, a logistic regression for "complaint", a ridge
regression per theme) and exports what those estimators learned into `complaint-vN.npz`
(vocabularies, idf weights, coefficients; numpy's format, loaded with allow_pickle=False so
nothing in it can run) and `complaint-vN.json` beside it (version, thresholds, theme names,
training data SHA-256, scikit-learn version, held-out scores).

Why not load the estimators themselves: importing scikit-learn (and scipy) adds ~85 MB to the
bot and ~1 s to its start; numpy and these arrays add ~28 MB and load in ~0.3 s (bench/
triage_bench.py measures it). What is re-done here
is small — scikit-learn's two built-in analyzers, sublinear TF-IDF with l2 norm, and a dot
product — and tests/test_triage_model.py checks it against scikit-learn's own predictions.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

MODEL_VERSION = 1
MODEL_DIR = Path(__file__).resolve().parent / "models"
MODEL_PATH = MODEL_DIR / f"complaint-v{MODEL_VERSION}.npz"
VADER_FEATURES = ("compound", "neg", "pos")
# scikit-learn's defaults, which the exported vectorizers must use (train.py checks)
TOKEN_PATTERN = r"(?u)\b\w\w+\b"
_WHITE_SPACES = re.compile(r"\s\s+")


def meta_path(path: Path) -> Path:
    return path.with_suffix(".json")


@dataclass(frozen=True)
class ModelReading:
    probability: float  # that the text is a complaint, 0 … 1
    themes: frozenset[str]  # the themes the model reads in it


class NgramPart:
    """One TF-IDF vectorizer's vocabulary and idf: lower-cased word n-grams, or character
    n-grams within words (scikit-learn's "char_wb"), each part of unit length."""

    def __init__(self, analyzer: str, ngrams: tuple[int, int], terms: Sequence[str], idf: Any):
        if analyzer not in ("word", "char_wb"):
            raise ValueError(f"unknown analyzer {analyzer!r}")
        self.analyzer = analyzer
        self.ngrams = ngrams
        self.index = {str(term): column for column, term in enumerate(terms)}
        self.idf = idf
        self._token = re.compile(TOKEN_PATTERN)

    def __len__(self) -> int:
        return len(self.index)

    def terms(self, text: str) -> list[str]:
        low, high = self.ngrams
        lower = text.lower()
        found: list[str] = []
        if self.analyzer == "word":
            tokens = self._token.findall(lower)
            for n in range(low, min(high, len(tokens)) + 1):
                found.extend(" ".join(tokens[at:at + n]) for at in range(len(tokens) - n + 1))
            return found
        for word in _WHITE_SPACES.sub(" ", lower).split():
            padded = f" {word} "
            for n in range(low, high + 1):
                found.extend(padded[at:at + n] for at in range(max(len(padded) - n + 1, 1)))
                if len(padded) <= n:  # a short word counts once, as scikit-learn does
                    break
        return found

    def vector(self, text: str) -> tuple[Any, Any]:
        """(columns, values): the text's sublinear TF-IDF, of unit length."""
        import numpy as np

        counts: dict[int, int] = {}
        for term in self.terms(text):
            column = self.index.get(term)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        columns = np.fromiter(counts, dtype=np.intp, count=len(counts))
        values = (1.0 + np.log(np.fromiter(counts.values(), dtype=float, count=len(counts))))
        values *= self.idf[columns]
        norm = float(np.sqrt(values @ values))
        return columns, (values / norm if norm else values)


class ShippedModel:
    """The exported model: complaint probability and themes of one text."""

    def __init__(self, arrays: Mapping[str, Any], meta: Mapping[str, Any]):
        self.meta = dict(meta)
        self.parts = [NgramPart(part["analyzer"], tuple(part["ngrams"]),
                                arrays[f"{part['name']}_terms"], arrays[f"{part['name']}_idf"])
                      for part in meta["parts"]]
        self.complaint_coef = arrays["complaint_coef"]
        self.complaint_intercept = float(arrays["complaint_intercept"])
        self.theme_coef = arrays["theme_coef"]  # themes × text features
        self.theme_intercept = arrays["theme_intercept"]
        self.theme_names = tuple(meta["theme_names"])
        self.theme_thresholds = tuple(float(value) for value in meta["theme_thresholds"])
        self.vader_features = tuple(meta.get("vader_features") or ())

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> ShippedModel:
        import numpy as np

        meta = json.loads(meta_path(path).read_text(encoding="utf-8"))
        if meta.get("format") != 1:
            raise ValueError(f"{path.name}: unknown model format {meta.get('format')!r}")
        with np.load(path, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
        return cls(arrays, meta)

    def _text_features(self, text: str) -> tuple[Any, Any]:
        import numpy as np

        offset, columns, values = 0, [], []
        for part in self.parts:
            part_columns, part_values = part.vector(text)
            columns.append(part_columns + offset)
            values.append(part_values)
            offset += len(part)
        return np.concatenate(columns), np.concatenate(values)

    def read(self, text: str, vader: Mapping[str, float]) -> ModelReading:
        import numpy as np

        columns, values = self._text_features(text)
        text_width = sum(len(part) for part in self.parts)
        score = self.complaint_intercept + float(self.complaint_coef[columns] @ values)
        score += sum(float(self.complaint_coef[text_width + at]) * vader[name]
                     for at, name in enumerate(self.vader_features))
        probability = float(1.0 / (1.0 + np.exp(-score)))
        themes: frozenset[str] = frozenset()
        if self.theme_names:
            scores = self.theme_intercept + self.theme_coef[:, columns] @ values
            themes = frozenset(name for name, value, threshold in zip(
                self.theme_names, scores, self.theme_thresholds, strict=True)
                if value >= threshold)
        return ModelReading(probability, themes)


T = TypeVar("T")


class Lazy(Generic[T]):
    """Built on first use, once, even when several threads ask at the same moment."""

    def __init__(self, build: Callable[[], T]):
        self._build = build
        self._value: T | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        value = self._value
        if value is None:
            with self._lock:
                if self._value is None:
                    self._value = self._build()
                value = self._value
        return value


def _load_vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


vader_analyzer: Lazy[Any] = Lazy(_load_vader)
shipped_model: Lazy[ShippedModel] = Lazy(ShippedModel.load)
