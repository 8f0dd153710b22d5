"""How well "someone is on site now" is found, on phrasings the detector was and was not tuned on,
next to the keyword detector it replaced (bench/onsite_keywords.py), measured in the same run.

Run: .venv/bin/python bench/onsite_bench.py [--misses] [--nhs] [--grammar-at COMMIT]
                                            [--spanish] [--spanish-at COMMIT]
(--grammar-at measures bot/triage/presence.py as it was at a commit: each holdout's first look;
--spanish measures only the Spanish grammar, bot/triage/presence_es.py, --spanish-at as it was
at a commit.)

- tests/data/on_site.jsonl: short reviews labelled on site now or not, each with a kind
  (waiting_room, inpatient, past_visit, hypothetical, news, …) and a split: "tuning" was written
  first and the grammar (bot/triage/presence.py) tuned on it; each "holdout-N" was written and
  committed after the grammar was frozen and measured once before any change (its first look,
  in bench/README.md); TUNED_ON names those the grammar was tuned on afterwards.
- tests/data/labelled_reviews.jsonl: the triage set's "urgent" label (the old detector was
  tuned on it).
- NHS patient feedback (data/): no on-site labels; how often each detector fires on 5,323
  comments about care already given (--nhs lists them to judge by hand).
- tests/data/on_site_es.jsonl: the same in Spanish, for bot/triage/presence_es.py, next to what
  read Spanish before it (the English grammar) and a keyword baseline measured in the same run
  (a word for "now" or "still" and a place in one sentence); TUNED_FROM_ES says which splits it
  was tuned on.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
import types
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import bot.triage as triage_package  # noqa: E402
from bench import onsite_keywords  # noqa: E402
from bot.config import parse_config  # noqa: E402
from bot.triage import flags, nhs, presence, presence_es  # noqa: E402
from testing.labelled import (  # noqa: E402
    ON_SITE_ES,
    SITES,
    Phrasing,
    en_sitio_ahora,
    load_labelled,
    load_phrasings,
    on_site_now,
    score,
)

# The commit whose grammar was first tuned on each split: each holdout was measured once at the
# commit before (its first look, bench/README.md) and tuned on from this one.
TUNED_FROM = {"tuning": "44407b4", "holdout-1": "8921342", "holdout-2": "72476dd",
              "holdout-3": "f6f3256"}


def tuned_on(commit: str = "HEAD", tuned_from: dict[str, str] | None = None) -> frozenset[str]:
    """The splits the grammar at `commit` was tuned on (all of `tuned_from`, TUNED_FROM by
    default, without git)."""
    tuned_from = TUNED_FROM if tuned_from is None else tuned_from
    def contains(tuned: str) -> bool:
        try:
            return subprocess.run(["git", "merge-base", "--is-ancestor", tuned, commit], cwd=ROOT,
                                  capture_output=True).returncode == 0
        except OSError:
            return True
    return frozenset(split for split, tuned in tuned_from.items() if contains(tuned))


TUNED_ON: frozenset[str] = frozenset(TUNED_FROM)
# The same for the Spanish grammar: the commit whose grammar was first tuned on each split.
TUNED_FROM_ES = {"tuning": "17b483c", "holdout-1": "27b0437", "holdout-2": "ddde816"}


def shipped(text: str) -> bool:
    return on_site_now(text, GRAMMAR)


GRAMMAR: types.ModuleType = presence


def grammar_at(commit: str, path: str = "bot/triage/presence.py") -> types.ModuleType:
    """bot/triage/presence.py (or `path`) as it was at `commit`. It imports nothing of ours but,
    from the commit that moved its grammar out, bot/triage/presence_grammar.py: that is read as
    it was at `commit` too, so the reader and its grammar are of one commit."""
    def source_at(name: str) -> str:
        return subprocess.run(["git", "show", f"{commit}:{name}"], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout

    source = source_at(path)
    module = types.ModuleType(f"presence_at_{commit}")
    if "presence_grammar" not in source:
        exec(compile(source, f"presence.py@{commit}", "exec"), module.__dict__)
        return module
    grammar = types.ModuleType(f"presence_grammar_at_{commit}")
    exec(compile(source_at(GRAMMAR_PATH), f"presence_grammar.py@{commit}", "exec"),
         grammar.__dict__)
    with mock.patch.dict(sys.modules, {"bot.triage.presence_grammar": grammar}), \
            mock.patch.object(triage_package, "presence_grammar", grammar):
        exec(compile(source, f"presence.py@{commit}", "exec"), module.__dict__)
    return module


GRAMMAR_PATH = "bot/triage/presence_grammar.py"


def keywords(text: str) -> bool:
    return onsite_keywords.on_site_now(text) is not None


DETECTORS: dict[str, Callable[[str], bool]] = {
    "grammar (shipped)": shipped, "keywords (before)": keywords}


def line(name: str, truth: Sequence[bool], guesses: Sequence[bool]) -> str:
    measure = score(truth, guesses)
    false_positives = measure.flagged - measure.true_positives
    f1 = (2 * measure.precision * measure.recall / (measure.precision + measure.recall)
          if measure.precision + measure.recall else 0.0)
    return (f"  {name:<20} P {measure.precision:4.2f}  R {measure.recall:4.2f}  F1 {f1:4.2f}"
            f"   TP {measure.true_positives:3d}  FP {false_positives:3d}  "
            f"FN {measure.support - measure.true_positives:3d}")


def splits_section(phrasings: list[Phrasing]) -> None:
    for split in sorted({p.split for p in phrasings}, key=lambda s: (s != "tuning", s)):
        rows = [p for p in phrasings if p.split == split]
        print(f"{split}: {len(rows)} phrasings, {sum(p.on_site for p in rows)} on site now"
              f"{'  (tuned on: in-sample)' if split in TUNED_ON else '  (never tuned on)'}")
        truth = [p.on_site for p in rows]
        for name, detector in DETECTORS.items():
            print(line(name, truth, [detector(p.text) for p in rows]))
        print()
    held_out = [p for p in phrasings if p.split not in TUNED_ON]
    if not held_out:
        return
    print(f"the splits never tuned on ({len(held_out)}), by kind: found / of")
    counts: dict[str, Counter] = {name: Counter() for name in DETECTORS}
    kinds = Counter((p.kind, p.on_site) for p in held_out)
    for phrasing in held_out:
        for name, detector in DETECTORS.items():
            counts[name][(phrasing.kind, phrasing.on_site)] += detector(phrasing.text)
    print(f"  {'kind':<24} {'on site?':<9}" + "".join(f" {name:>20}" for name in DETECTORS))
    for (kind, on_site), total in sorted(kinds.items(), key=lambda item: (not item[0][1],
                                                                          item[0][0])):
        cells = "".join(f" {counts[name][(kind, on_site)]:>15d} / {total:<2d}"
                        for name in DETECTORS)
        print(f"  {kind:<24} {'yes' if on_site else 'no':<9}{cells}")
    print()


def labelled_section() -> None:
    examples = load_labelled()
    truth = ["urgent" in example.labels for example in examples]
    print(f"tests/data/labelled_reviews.jsonl, the urgent label ({len(examples)} reviews, "
          f"{sum(truth)} on site; the keywords were tuned on it)")
    for name, detector in DETECTORS.items():
        print(line(name, truth, [detector(example.review.text) for example in examples]))
    print()


def nhs_section(show: bool) -> None:
    rows = nhs.load()
    print(f"NHS feedback ({len(rows)} comments about care given; no on-site labels): fired on")
    for name, detector in DETECTORS.items():
        fired = [row.text for row in rows if detector(row.text)]
        print(f"  {name:<20} {len(fired):4d}")
        if show:
            for text in fired:
                print(f"      {text[:140]!r}")
    print()


def per_text(function: Callable[[str], object], texts: Sequence[str], repeat: int = 3) -> float:
    for text in texts[:20]:
        function(text)
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for text in texts:
            function(text)
        best = min(best, (time.perf_counter() - started) / len(texts))
    return best


def speed_section(phrasings: list[Phrasing]) -> None:
    texts = [row.text for row in nhs.load()[::5]] + [p.text for p in phrasings]
    print(f"speed, one text at a time ({len(texts)} texts: every 5th NHS comment and the "
          f"phrasings; mean {sum(map(len, texts)) / len(texts):.0f} characters)")
    baseline = per_text(keywords, texts)
    for name, detector in DETECTORS.items():
        seconds = baseline if detector is keywords else per_text(detector, texts)
        print(f"  {name:<20} {seconds * 1e3:6.3f} ms a text ({seconds / baseline:4.1f}× the "
              f"keywords)")
    rant = " ".join(["my mother was on a gurney and the staff there ignore everyone"] * 50)
    started = time.perf_counter()
    shipped(rant)
    print(f"  a {len(rant):,}-character rant with no full stop: "
          f"{(time.perf_counter() - started) * 1e3:.1f} ms")
    print()


def misses(phrasings: list[Phrasing]) -> None:
    print("where the grammar and the labels disagree (cue: the rule that fired)")
    for phrasing in phrasings:
        found = GRAMMAR.reading(flags.normalise(phrasing.text), SITES)
        if (found is not None) != phrasing.on_site:
            what = "missed" if phrasing.on_site else f"false, by {found[0]}" if found else ""
            print(f"  {phrasing.split:<10} {phrasing.kind:<14} {what:<18} {phrasing.text[:100]}")
    print()


# --- Spanish ------------------------------------------------------------------------------------

SPANISH: types.ModuleType = presence_es
TUNED_ON_ES: frozenset[str] = frozenset(TUNED_FROM_ES)
_ES_NOW = re.compile(r"\b(?:ahora|ahorita|en este momento|todavia|aun|sigo|seguimos|llevo"
                     r"|llevamos|estoy|estamos)\b")
_ES_PLACE = re.compile(r"\b(?:urgencias|emergencias?|sala de espera|pasillo|camilla|triaje"
                       r"|cuarto|habitacion|uci|hospital|clinica|aqui)\b")


def spanish(text: str) -> bool:
    return en_sitio_ahora(text, SPANISH)


def spanish_keywords(text: str) -> bool:
    """The baseline: a word for now, still or "I am" and a place in one sentence."""
    folded = presence_es.fold(text.lower())
    return any(_ES_NOW.search(part) and _ES_PLACE.search(part)
               for part in re.split(r"[.!?\n]+", folded))


def english_grammar(text: str) -> bool:
    return presence.on_site_now(flags.normalise(text), SITES) is not None


SPANISH_DETECTORS: dict[str, Callable[[str], bool]] = {
    "grammar (shipped)": spanish, "keywords (es)": spanish_keywords,
    "English grammar": english_grammar}


def spanish_section(show_misses: bool) -> None:
    rows = load_phrasings(ON_SITE_ES)
    print(f"Spanish: {ON_SITE_ES.name}")
    for split in sorted({p.split for p in rows}, key=lambda s: (s != "tuning", s)):
        chosen = [p for p in rows if p.split == split]
        print(f"{split}: {len(chosen)} phrasings, {sum(p.on_site for p in chosen)} on site now"
              f"{'  (tuned on: in-sample)' if split in TUNED_ON_ES else '  (never tuned on)'}")
        truth = [p.on_site for p in chosen]
        for name, detector in SPANISH_DETECTORS.items():
            print(line(name, truth, [detector(p.text) for p in chosen]))
        print()
    english = load_phrasings()
    fired = [p.text for p in english if spanish(p.text)]
    print(f"the Spanish grammar on the {len(english)} English phrasings: fires on {len(fired)}")
    texts = [row.text for row in nhs.load()]
    fired_nhs = [text for text in texts if spanish(text)]
    print(f"the Spanish grammar on {len(texts):,} NHS comments: fires on {len(fired_nhs)}")
    spanish_texts = [p.text for p in rows]
    print(f"speed, one text at a time: Spanish phrasings "
          f"{per_text(spanish, spanish_texts) * 1e3:.3f} ms, NHS comments (English) "
          f"{per_text(spanish, texts[::5]) * 1e3:.3f} ms")
    from bot.triage import triage
    from testing.workspace import config_data
    config = parse_config(config_data())
    reviews = [types.SimpleNamespace(source="facebook", rating=None, text=text,
                                     recommendation=None) for text in spanish_texts]
    triage(reviews[0], config)
    print(f"  triage() a Spanish review: {per_review(triage, reviews, config) * 1e3:.3f} ms "
          "of CPU")
    if show_misses:
        print("where the Spanish grammar and the labels disagree (cue: the rule that fired)")
        for phrasing in rows:
            found = SPANISH.reading(phrasing.text.lower(), SITES)
            if (found is not None) != phrasing.on_site:
                what = "missed" if phrasing.on_site else f"false, by {found[0]}" if found else ""
                print(f"  {phrasing.split:<10} {phrasing.kind:<14} {what:<18} "
                      f"{phrasing.text[:100]}")
    print()


def per_review(function, reviews, config, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        for review in reviews:
            function(review, config)
        best = min(best, (time.process_time() - started) / len(reviews))
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list every phrasing we get wrong")
    parser.add_argument("--nhs", action="store_true", help="list the NHS comments each fires on")
    parser.add_argument("--grammar-at", metavar="COMMIT",
                        help="measure the grammar as it was at this commit")
    parser.add_argument("--spanish", action="store_true",
                        help="only the Spanish grammar (bot/triage/presence_es.py)")
    parser.add_argument("--spanish-at", metavar="COMMIT",
                        help="measure the Spanish grammar as it was at this commit")
    args = parser.parse_args(argv)
    global SPANISH, TUNED_ON_ES
    TUNED_ON_ES = tuned_on(args.spanish_at or "HEAD", TUNED_FROM_ES)
    if args.spanish_at:
        SPANISH = grammar_at(args.spanish_at, "bot/triage/presence_es.py")
        print(f"the Spanish grammar as it was at {args.spanish_at}\n")
    if args.spanish or args.spanish_at:
        spanish_section(args.misses)
        return 0
    global GRAMMAR, TUNED_ON
    TUNED_ON = tuned_on(args.grammar_at or "HEAD")
    if args.grammar_at:
        GRAMMAR = grammar_at(args.grammar_at)
        print(f"the grammar as it was at {args.grammar_at}\n")
    phrasings = load_phrasings()
    splits_section(phrasings)
    labelled_section()
    nhs_section(args.nhs)
    speed_section(phrasings)
    if args.misses:
        misses(phrasings)
    spanish_section(args.misses)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
