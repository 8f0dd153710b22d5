"""What a card flags, read from a review's text with patterns (bot.triage.lexicon): someone on site
now (the grammar in bot.triage.presence), risk language, a named clinician, an old visit, a
troll; and the wording of the reasons.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from datetime import datetime
from functools import lru_cache

from bot.triage import lexicon, presence, presence_es

# Why a troll was flagged; harassment is hidden, bait only ignored.
HARASSMENT = "harassment"
BAIT = "bait"


def normalise(text: str) -> str:
    """Lower case, with curly apostrophes straightened so "didn’t" reads as "didn't"."""
    return text.translate(_QUOTES).lower()


_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "“": '"', "”": '"'})


def _words(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """A pattern matched as whole words."""
    return re.compile(rf"(?<![\w'])(?:{pattern})(?![\w])", flags)


# --- Risk, unless negated ----------------------------------------------------------------------

_RISK = _words("|".join(f"(?:{pattern})" for pattern in lexicon.RISK))
_CLAUSE_BREAK = re.compile(lexicon.CLAUSE_BREAK)
_WORD = re.compile(r"[a-z']+")


def first_risk(lower: str) -> str | None:
    """The first risk phrase no word shortly before it negates ("no infection" is not risk)."""
    clause_starts: list[int] | None = None
    for match in _RISK.finditer(lower):
        if clause_starts is None:
            clause_starts = [0, *(found.end() for found in _CLAUSE_BREAK.finditer(lower))]
        if _negation(lower, match.start(), clause_starts) is None:
            return match.group()
    return None


def _negation(lower: str, start: int, clause_starts: list[int]) -> int | None:
    """Where the word negating the phrase at `start` begins, if a word shortly before it in its
    clause negates it ("not rude", "no one was rude"; not "never been treated so rudely")."""
    clause_start = clause_starts[bisect_right(clause_starts, start) - 1]
    before = list(_WORD.finditer(lower, clause_start, start))[-lexicon.NEGATION_WINDOW:]
    words = [match.group() for match in before]
    for index in range(len(words) - 1, -1, -1):
        word = words[index]
        if word in lexicon.NEGATORS or word.endswith("n't"):
            between = set(words[index + 1:])
            if between & lexicon.NEGATION_BLOCKERS or (
                between & lexicon.INTENSIFIER_VERBS and between & lexicon.INTENSIFIER_DEGREES
            ):
                return None
            return before[index].start()
    return None


# --- On site now -----------------------------------------------------------------------------


def on_site_now(lower: str, sites: tuple[str, ...] = ()) -> str | None:
    """The sentence saying the reviewer (or someone they are with) is at the hospital now:
    bot.triage.presence's grammar, or in Spanish bot.triage.presence_es's; `sites`, the desk's
    site names and aliases."""
    return presence.on_site_now(lower, sites) or presence_es.on_site_now(lower, sites)


def has_lasted(sentence: str) -> bool:
    """Whether the on-site sentence says they have been there a while: a wait."""
    return presence.has_lasted(sentence) or presence_es.has_lasted(sentence)


# --- An old visit ----------------------------------------------------------------------------

_LONG_AGO = _words(lexicon.LONG_AGO)
_PAST_YEAR = re.compile(lexicon.PAST_YEAR)
_RECENT = _words(lexicon.RECENT)


def year_of(created_at: object) -> int | None:
    return created_at.year if isinstance(created_at, datetime) else None


def long_ago(lower: str, written_in: int | None) -> str | None:
    if _RECENT.search(lower):
        return None
    match = _LONG_AGO.search(lower)
    if match:
        return match.group()
    if written_in is None:
        return None
    for match in _PAST_YEAR.finditer(lower):
        preposition, year = match.group(1), int(match.group(2))
        if year <= written_in - 2 or (preposition == "back in" and year < written_in):
            return match.group()
    return None


# --- Clinicians ------------------------------------------------------------------------------

_TITLED_NAME = re.compile(
    r"(?<![\w])(?P<title>(?i:dr\.|dr|doctor|nurse))(?:(?<=\.) ?|\s+)"
    r"(?P<name>[A-Za-z][A-Za-z'’-]*[A-Za-z])"
)


def clinicians(text: str, staff_names: tuple[str, ...]) -> list[str]:
    """Clinicians named in the text, as "Dr. Morrison", "Nurse Kayla" or a configured name."""
    found: dict[str, str] = {}  # surname, lower-cased -> how to show it
    for match in _TITLED_NAME.finditer(text):
        title, name = match.group("title").lower().rstrip("."), match.group("name")
        name = re.sub(r"['’]s$", "", name)
        key = normalise(name)
        if key in lexicon.NOT_A_NAME or key in lexicon.NOT_CLINICIANS:
            continue
        if title == "nurse":
            if key in lexicon.NURSE_ROLES or not _written_as_name(name):
                continue
            shown = f"Nurse {name}"
        else:
            if title == "doctor" and not _written_as_name(name):
                continue
            shown = f"Dr. {name if name[0].isupper() and not name.isupper() else name.title()}"
        found.setdefault(key, shown)
    if staff_names:
        pattern, configured = _staff_pattern(staff_names)
        for match in pattern.finditer(normalise(text)):
            name = configured[" ".join(match.group().split())]
            found.setdefault(normalise(name.split()[-1]), name)
    return list(found.values())


def _written_as_name(word: str) -> bool:
    # "Nurse Kayla" names someone; "NURSE NEVER" and "nurse was" do not.
    return word[0].isupper() and any(char.islower() for char in word)


@lru_cache(maxsize=32)
def _staff_pattern(staff_names: tuple[str, ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    """A whole-word, any-case pattern for the configured names, and each match's name as
    configured (looked up by the match, lower-cased, single-spaced)."""
    configured = {" ".join(normalise(name).split()): " ".join(name.split())
                  for name in staff_names if name.strip()}
    if not configured:
        return re.compile(r"(?!)"), configured
    names = sorted(configured, key=len, reverse=True)  # "Maria Alvarez" before "Maria"
    return _words("|".join(r"\s+".join(map(re.escape, name.split())) for name in names)), configured



# --- Trolls ------------------------------------------------------------------------------------

_INSULTS = _words(lexicon.INSULTS)
_THREATS = _words(lexicon.THREATS)
_MOCKERY = re.compile(rf"(?<![\w])(?:{lexicon.BAIT})(?![\w])")
_SPAM = re.compile(lexicon.SPAM)


def troll(text: str, lower: str, *, hostile: bool, swear: str | None, concrete: bool
          ) -> str | None:
    """Why a post is spam, or harassment or bait with nothing concrete to follow up, if it is."""
    if _SPAM.search(lower):
        return f"{BAIT}: a link or promotion, no complaint"
    if concrete:
        return None
    threat = _THREATS.search(lower)
    if threat:
        return f"{HARASSMENT}: threatens people ({quote(threat.group().strip())})"
    insult = _INSULTS.search(lower)
    if insult:
        return f"{HARASSMENT}: insults people ({quote(insult.group())}), no concrete complaint"
    if not hostile:
        return None
    mockery = _MOCKERY.search(lower)
    if mockery:
        return f"{BAIT}: mockery ({quote(mockery.group())}), no concrete complaint"
    if _shouting(text):
        return f"{BAIT}: an all-caps rant, no concrete complaint"
    if swear and len(_WORD.findall(lower)) <= lexicon.OUTBURST_MAX_WORDS:
        return f"{BAIT}: a profane outburst, no concrete complaint"
    return None


def _shouting(text: str) -> bool:
    letters = sum(map(str.isalpha, text))
    if letters < lexicon.CAPS_MIN_LETTERS:
        return False
    return sum(map(str.isupper, text)) >= lexicon.CAPS_SHARE * letters


# --- Wording for reasons -----------------------------------------------------------------------

def quote(phrase: str) -> str:
    return f"“{phrase}”"


def snippet(sentence: str, limit: int = 60) -> str:
    return sentence if len(sentence) <= limit else sentence[:limit - 1].rstrip() + "…"


def masked(word: str) -> str:
    return word[0] + "*" * (len(word) - 1)


def join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
