"""The NHS patient feedback that trains and measures the complaint model (data/README.md).

Each labelled comment becomes a `Feedback`: its text, where it came from, whether it is a
complaint (NHS staff rated its sentiment 4 negative or 5 very negative) and which of our themes
the NHS framework's theme columns give it. Unlabelled rows are dropped, and so are the short
answers whose meaning only the question gives ("Nothing." is praise after "What could we do
better?" and a complaint after "What was good?"): a review on Facebook has no question.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
NHS_FEEDBACK = DATA_DIR / "nhs_patient_feedback_v6.csv"
TRUSTS = ("NEAS", "NHFT")

# Our themes (the names reply templates and the config use) from the NHS framework's columns.
# Billing is not in the framework (the NHS does not bill patients): keywords only.
THEME_COLUMNS: dict[str, tuple[str, ...]] = {
    "wait_time": ("Timeliness of care",),
    "staff_courtesy": ("Staff manner & personal attributes",),
    "communication": (
        "Unspecified communication",
        "Staff listening, understanding & involving patients",
        "Information directly from staff during care",
        "Information provision & guidance",
        "Being kept informed, clarity & consistency of information",
    ),
    "appointment_access": (
        "Contacting services", "Appointment arrangements", "Appointment method",
        "Service location",
    ),
    "discharge": ("Discharge", "Referals & continuity of care", "Staff continuity", "Care plans"),
    "medication": ("Supplying & understanding medication",),
    "pain_management": ("Pain management",),
    "cleanliness": (
        "Cleanliness, tidiness & infection control", "Environment & Facilities",
        "Sensory experience",
    ),
    "food": ("Food & drink provision & facilities",),
    "parking": ("Parking", "Transport to/ from services"),
}

# "Nothing", "None at all", "Not much really", "All of it": four words at most.
_BARE_ANSWER = re.compile(r"^\W*(?:nothing|none|no|nope|not|n/?a|nil|everything|all|absolutely)\b",
                          re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z']+")


@dataclass(frozen=True)
class Feedback:
    text: str
    trust: str
    question: str
    sentiment: int  # 1 very positive … 5 very negative
    themes: frozenset[str]

    @property
    def complaint(self) -> bool:
        return self.sentiment >= 4


def question_dependent(text: str) -> bool:
    """A short answer ("Nothing.", "Not much") that means nothing without its question."""
    return bool(_BARE_ANSWER.match(text)) and len(_WORD.findall(text)) <= 4


def load(path: Path = NHS_FEEDBACK) -> list[Feedback]:
    """The labelled comments, in file order, without the question-dependent answers."""
    return [row for row in read_all(path) if not question_dependent(row.text)]


def read_all(path: Path = NHS_FEEDBACK) -> list[Feedback]:
    """Every labelled comment, question-dependent answers included."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(_parse(csv.DictReader(handle)))


def _parse(rows: Iterable[dict[str, str]]) -> Iterable[Feedback]:
    for row in rows:
        sentiment = (row.get("Comment sentiment") or "").strip()
        text = (row.get("FFT answer") or "").strip()
        if not sentiment or not text:
            continue
        themes = frozenset(theme for theme, columns in THEME_COLUMNS.items()
                           if any((row.get(column) or "").strip() == "1" for column in columns))
        yield Feedback(text=text, trust=row["Trust"].strip(), question=row["FFT question"].strip(),
                       sentiment=int(float(sentiment)), themes=themes)


def sha256(path: Path = NHS_FEEDBACK) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
