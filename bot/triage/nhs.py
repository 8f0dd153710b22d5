"""The NHS patient feedback that trains and measures the complaint model (data/README.md).

Each labelled comment becomes a `Feedback`: its text, the organisation it came from, whether it
is a complaint ("a comment a hospital team would want as a case": in the v6 file NHS staff
rated its sentiment 4 negative or 5 very negative; in the phase-1 file its criticality is −2 or
below) and which of our themes the NHS frameworks' theme columns give it. Unlabelled rows are
dropped, and so are the short answers whose meaning only the question gives ("Nothing." is
praise after "What could we do better?" and a complaint after "What was good?"): a review on
Facebook has no question.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.shipped import shipped

DATA_DIR = shipped("data")
NHS_FEEDBACK = DATA_DIR / "nhs_patient_feedback_v6.csv"
PHASE1_FEEDBACK = DATA_DIR / "nhs_phase1_trusts_ab.csv"
TRUSTS = ("NEAS", "NHFT")  # the v6 file's organisations
PHASE1_TRUSTS = ("Trust A", "Trust B")
ORGANISATIONS = (*TRUSTS, *PHASE1_TRUSTS)
DATA_FILES = (NHS_FEEDBACK, PHASE1_FEEDBACK)
PHASE1_CASE_AT = -2  # criticality at or under this: a case (data/README.md says why)

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

# Phase 1's subcategories (one a comment) as our themes; the rest are none of ours.
PHASE1_THEMES: dict[str, tuple[str, ...]] = {
    "wait_time": ("Time spent waiting for first appt/referral/service",
                  "Time spent waiting between appointments"),
    "staff_courtesy": ("Attitude Of Staff", "Staff: General"),
    "communication": ("Communication", "Amount/clarity of information", "Listening"),
    "appointment_access": ("Location", "Provision of services"),
    "discharge": ("Transition And Discharge", "Consistency/Continuity of care",
                  "Coordination/Integration Of Care"),
    "medication": ("Medication",),
    "cleanliness": ("Cleanliness", "Environment/ facilities", "Facilities/equipment"),
    "food": ("Food",),
    "parking": ("Parking/transport",),
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
    # v6: 1 very positive … 5 very negative; phase 1: criticality, −5 … 5; a decision: 1 a case
    sentiment: int
    themes: frozenset[str]
    complaint: bool  # a comment a hospital team would want as a case
    themed: bool = True  # its themes were labelled (a hospital's own decisions carry none)


def question_dependent(text: str) -> bool:
    """A short answer ("Nothing.", "Not much") that means nothing without its question."""
    return bool(_BARE_ANSWER.match(text)) and len(_WORD.findall(text)) <= 4


def load(path: Path = NHS_FEEDBACK) -> list[Feedback]:
    """The labelled comments, in file order, without the question-dependent answers."""
    return [row for row in read_all(path) if not question_dependent(row.text)]


def load_all(paths: Iterable[Path] = DATA_FILES) -> list[Feedback]:
    """Every file's labelled comments (load()), one file after the other."""
    return [row for path in paths for row in load(path)]


def data_files(directory: Path = DATA_DIR) -> tuple[Path, ...]:
    """What `make train-triage` trains on: the NHS files, then every hospital's own decisions
    (`reviewdesk triage export-feedback`, saved as `<directory>/<organisation>.jsonl`)."""
    return (*(directory / path.name for path in DATA_FILES),
            *sorted(directory.glob("*.jsonl")))


def read_all(path: Path = NHS_FEEDBACK) -> list[Feedback]:
    """Every labelled comment, question-dependent answers included; the v6 file's columns or
    the phase-1 file's, whichever the file has, or a hospital's own decisions (JSON lines,
    `reviewdesk triage export-feedback`: "text" and "complaint"; the file's name, without
    .jsonl, names the organisation)."""
    if path.suffix == ".jsonl":
        return list(_parse_decisions(path))
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        parse = _parse_phase1 if "criticality" in (reader.fieldnames or ()) else _parse
        return list(parse(reader))


def _parse(rows: Iterable[dict[str, str]]) -> Iterable[Feedback]:
    for row in rows:
        sentiment = (row.get("Comment sentiment") or "").strip()
        text = (row.get("FFT answer") or "").strip()
        if not sentiment or not text:
            continue
        themes = frozenset(theme for theme, columns in THEME_COLUMNS.items()
                           if any((row.get(column) or "").strip() == "1" for column in columns))
        yield Feedback(text=text, trust=row["Trust"].strip(), question=row["FFT question"].strip(),
                       sentiment=int(float(sentiment)), themes=themes,
                       complaint=int(float(sentiment)) >= 4)


_PHASE1_THEME = {subcategory: theme for theme, subcategories in PHASE1_THEMES.items()
                 for subcategory in subcategories}
_CRITICALITY = re.compile(r"^-?[0-5]$")  # −9, "-o", "cc", "NA": slips, left out


def _parse_phase1(rows: Iterable[dict[str, str]]) -> Iterable[Feedback]:
    for row in rows:
        criticality = (row.get("criticality") or "").strip()
        text = (row.get("feedback") or "").strip()
        if not _CRITICALITY.match(criticality) or not text:
            continue
        theme = _PHASE1_THEME.get((row.get("subcategory") or "").strip())
        yield Feedback(text=text, trust=row["organization"].strip(),
                       question=row["question"].strip(), sentiment=int(criticality),
                       themes=frozenset({theme} if theme else ()),
                       complaint=int(criticality) <= PHASE1_CASE_AT)


def _parse_decisions(path: Path) -> Iterable[Feedback]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        text = str(row.get("text") or "").strip()
        if not isinstance(row.get("complaint"), bool):
            raise ValueError(f"{path.name} line {number}: complaint must be true or false")
        if text:
            yield Feedback(text=text, trust=path.stem, question="",
                           sentiment=1 if row["complaint"] else 0, themes=frozenset(),
                           complaint=row["complaint"], themed=False)


def sha256(path: Path = NHS_FEEDBACK) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
