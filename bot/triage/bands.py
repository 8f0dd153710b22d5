"""The complaint model's bands, as numbers: the thresholds chosen from out-of-fold
probabilities (`band_thresholds`; the rule is told in bot/triage/train.py's doc) and what a pair
of thresholds gives on labelled texts (`band_scores`). Training (train.py) and the triage bench
use both."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

COMPLAINT_PRECISION = 0.85
UNSURE_RECALL = 0.95


def band_thresholds(labels: Any, probabilities: Any, weights: Any = None, *,
                    max_asked: float | None = None) -> tuple[float, float]:
    """(complaint, unsure) thresholds from out-of-fold probabilities; see the module's doc.
    `max_asked`: the unsure band never holds more than this share of the texts, even when
    keeping UNSURE_RECALL of the complaints would need more (Needs a look is people's time)."""
    import numpy as np
    from sklearn.metrics import precision_recall_curve

    precision, recall, thresholds = precision_recall_curve(labels, probabilities,
                                                           sample_weight=weights)
    precise = np.flatnonzero(precision[:-1] >= COMPLAINT_PRECISION)
    complaint_at = float(thresholds[precise[0]]) if len(precise) else 1.0
    kept = np.flatnonzero(recall[:-1] >= UNSURE_RECALL)
    unsure_at = float(thresholds[kept[-1]]) if len(kept) else 0.0
    if max_asked is not None:
        unsure_at = max(unsure_at, _asked_at_most(probabilities, weights, complaint_at,
                                                  max_asked))
    # floor to 4 places, so a stored threshold never lets a borderline text change band
    return (float(np.floor(complaint_at * 1e4) / 1e4),
            float(np.floor(min(unsure_at, complaint_at) * 1e4) / 1e4))


def _asked_at_most(probabilities: Any, weights: Any, complaint_at: float, share: float
                   ) -> float:
    """The lowest unsure threshold that puts at most `share` of the (weighted) texts between
    it and `complaint_at`."""
    import numpy as np

    scores = np.asarray(probabilities, dtype=float)
    weight = np.ones(len(scores)) if weights is None else np.asarray(weights, dtype=float)
    below = scores < complaint_at
    order = np.argsort(-scores[below], kind="stable")
    ranked, asked = scores[below][order], np.cumsum(weight[below][order]) / weight.sum()
    # a threshold at ranked[i] asks about every text scoring at least ranked[i]
    cuts = np.unique(ranked)
    asked_at = asked[np.searchsorted(-ranked, -cuts, side="right") - 1]
    allowed = cuts[asked_at <= share]
    return float(allowed.min()) if len(allowed) else complaint_at


@dataclass(frozen=True)
class BandScores:
    n: int
    complaints: int
    precision: float  # of the complaint band
    recall: float  # of the complaint band
    recall_with_unsure: float  # complaints in the complaint or unsure band
    unsure_share: float  # of all texts, how many land in the unsure band
    auc: float
    average_precision: float
    best_recall_at_85: float  # the best recall any threshold gives at precision ≥ 0.85


def band_scores(labels: Sequence[bool], probabilities: Sequence[float], complaint_at: float,
                unsure_at: float) -> BandScores:
    import numpy as np
    from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score

    truth = np.asarray(labels, dtype=bool)
    scores = np.asarray(probabilities, dtype=float)
    flagged = scores >= complaint_at
    seen = scores >= unsure_at
    precision, recall, _ = precision_recall_curve(truth, scores)
    at_85 = recall[precision >= 0.85]
    return BandScores(
        n=len(truth), complaints=int(truth.sum()),
        precision=_ratio((truth & flagged).sum(), flagged.sum()),
        recall=_ratio((truth & flagged).sum(), truth.sum()),
        recall_with_unsure=_ratio((truth & seen).sum(), truth.sum()),
        unsure_share=_ratio((seen & ~flagged).sum(), len(truth)),
        auc=float(roc_auc_score(truth, scores)),
        average_precision=float(average_precision_score(truth, scores)),
        best_recall_at_85=float(at_85.max()) if len(at_85) else 0.0,
    )


def _ratio(part: int, whole: int) -> float:
    return float(part) / float(whole) if whole else 1.0
