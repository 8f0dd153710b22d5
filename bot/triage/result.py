"""What triage says about a review, as stored in reviews.triage and shown on its card."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

LABELS = ("urgent", "risk", "clinician", "profanity", "troll", "past_experience")
# complaint: opens a case; unsure: listed under "Needs a look"; not: neither
BANDS = ("complaint", "unsure", "not")

_HARASSMENT = "harassment"  # bot.triage.flags.HARASSMENT: how a harassing troll's reason starts


@dataclass(frozen=True)
class TriageResult:
    negative: bool  # opens a case
    sentiment: float | None = None  # VADER compound of the text; None for empty text
    labels: tuple[str, ...] = ()  # a subset of LABELS, in LABELS order
    themes: tuple[str, ...] = ()  # sorted theme names
    # label -> short human reason; also "negative" -> why it opens a case, "unsure" -> why not
    reasons: dict[str, str] = field(default_factory=dict)
    # one of BANDS; when not given, "complaint" for a negative result and "not" otherwise
    band: str | None = None
    probability: float | None = None  # the complaint model's, for any text; None for none

    def __post_init__(self) -> None:
        band = self.band if self.band in BANDS else None
        if self.negative:
            band = "complaint"
        elif band is None or band == "complaint":
            band = "not"
        object.__setattr__(self, "band", band)

    @property
    def needs_a_look(self) -> bool:
        """Perhaps a complaint: no case, but a person should decide."""
        return self.band == "unsure"

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe; stored in reviews.triage."""
        return {
            "negative": self.negative,
            "sentiment": self.sentiment,
            "labels": list(self.labels),
            "themes": list(self.themes),
            "reasons": dict(self.reasons),
            "band": self.band,
            "probability": self.probability,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TriageResult:
        """Reads what as_dict wrote; tolerates rows stored before a field existed ({} included):
        a row from before the unsure band is "complaint" when negative, else "not"."""
        sentiment = data.get("sentiment")
        probability = data.get("probability")
        stored_labels = set(data.get("labels") or ())
        band = data.get("band")
        return cls(
            negative=bool(data.get("negative", False)),
            sentiment=None if sentiment is None else float(sentiment),
            labels=tuple(label for label in LABELS if label in stored_labels),
            themes=tuple(sorted({str(theme) for theme in data.get("themes") or ()})),
            reasons={str(key): str(value) for key, value in (data.get("reasons") or {}).items()},
            band=band if band in BANDS else None,
            probability=None if probability is None else float(probability),
        )

    @property
    def needs_a_person(self) -> bool:
        """Someone on site now, or a risk (safety, legal, the press): the card suggests
        neither hiding nor ignoring it, whatever else the review holds."""
        return "urgent" in self.labels or "risk" in self.labels

    @property
    def suggested_hide_reason(self) -> str | None:
        """A bot.core.cases.HIDE_REASONS key the card can suggest, or None."""
        if self.needs_a_person:
            return None
        if "clinician" in self.labels:
            return "names_clinician"
        if "profanity" in self.labels or (
            "troll" in self.labels and self.reasons.get("troll", "").startswith(_HARASSMENT)
        ):
            return "profanity"
        return None

    @property
    def suggested_ignore_reason(self) -> str | None:
        """A bot.core.cases.IGNORE_REASONS key the card can suggest, or None."""
        if self.needs_a_person:
            return None
        if "troll" in self.labels:
            return "troll"
        if "past_experience" in self.labels:
            return "past_experience"
        return None
