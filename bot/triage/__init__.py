"""Which reviews become cases, and what their cards flag: a pure, fast function of the review and
the config (no network, no database, no clock), so reports and backfills can run it again.

Negative: the rating decides when there is one, then a Facebook recommendation; unrated text is
judged by its VADER compound score minus the weight of the complaint phrases it contains
(bot.lexicon), so polite complaints ("nobody ever called us back") count too. Labels and themes
are read from the text whatever the rating.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from importlib import resources
from typing import Any, Generic, Protocol, TypeVar

from bot import lexicon
from bot.config import Config

LABELS = ("urgent", "risk", "clinician", "profanity", "troll", "past_experience")

# Why a troll was flagged; harassment is hidden, bait only ignored.
_HARASSMENT = "harassment"
_BAIT = "bait"


class ReviewLike(Protocol):
    """CanonicalReview or the stored Review row; `created_at`, when present, dates old visits."""

    source: str
    rating: int | None
    text: str
    recommendation: str | None


@dataclass(frozen=True)
class TriageResult:
    negative: bool
    sentiment: float | None = None  # VADER compound of the text; None for empty text
    labels: tuple[str, ...] = ()  # a subset of LABELS, in LABELS order
    themes: tuple[str, ...] = ()  # sorted theme names
    # label -> short human reason; also "negative" -> why, when it is negative
    reasons: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe; stored in reviews.triage."""
        return {
            "negative": self.negative,
            "sentiment": self.sentiment,
            "labels": list(self.labels),
            "themes": list(self.themes),
            "reasons": dict(self.reasons),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TriageResult:
        """Reads what as_dict wrote; tolerates rows stored before a field existed ({} included)."""
        sentiment = data.get("sentiment")
        stored_labels = set(data.get("labels") or ())
        return cls(
            negative=bool(data.get("negative", False)),
            sentiment=None if sentiment is None else float(sentiment),
            labels=tuple(label for label in LABELS if label in stored_labels),
            themes=tuple(sorted({str(theme) for theme in data.get("themes") or ()})),
            reasons={str(key): str(value) for key, value in (data.get("reasons") or {}).items()},
        )

    @property
    def suggested_hide_reason(self) -> str | None:
        """A bot.cases.HIDE_REASONS key the card can suggest, or None."""
        if "clinician" in self.labels:
            return "names_clinician"
        if "profanity" in self.labels or (
            "troll" in self.labels and self.reasons.get("troll", "").startswith(_HARASSMENT)
        ):
            return "profanity"
        return None

    @property
    def suggested_ignore_reason(self) -> str | None:
        """A bot.cases.IGNORE_REASONS key the card can suggest, or None."""
        if "troll" in self.labels:
            return "troll"
        if "past_experience" in self.labels:
            return "past_experience"
        return None


def triage(review: ReviewLike, config: Config) -> TriageResult:
    rules = config.triage
    text = review.text or ""
    reasons: dict[str, str] = {}
    if not text.strip():
        negative = _negative_by_rating(review, rules.max_rating_for(review.source), reasons)
        return TriageResult(negative=bool(negative), reasons=reasons)

    reading = _read(text, rules.sentiment_threshold, tuple(rules.staff_names),
                    _theme_key(rules.themes), _year_of(getattr(review, "created_at", None)))
    reasons.update(reading.reasons)

    negative = _negative_by_rating(review, rules.max_rating_for(review.source), reasons)
    if negative is None:
        negative = False
        if rules.post_unrated:
            if "troll" in reading.labels:
                negative = True
                reasons["negative"] = "a troll post: it needs a card to be hidden or ignored"
            elif reading.score <= rules.sentiment_threshold:
                negative = True
                reasons["negative"] = reading.explain_score(rules.sentiment_threshold)
    return TriageResult(
        negative=negative,
        sentiment=reading.sentiment,
        labels=reading.labels,
        themes=reading.themes,
        reasons=reasons,
    )


def _negative_by_rating(review: ReviewLike, max_rating: int, reasons: dict[str, str]
                        ) -> bool | None:
    """The rating's verdict, then the recommendation's; None when the text must decide."""
    if review.rating is not None:
        if review.rating <= max_rating:
            reasons["negative"] = f"rated {review.rating}★ (at or under {max_rating}★)"
            return True
        return False
    if review.recommendation == "negative":
        reasons["negative"] = "does not recommend"
        return True
    if review.recommendation == "positive":
        return False
    return None


# --- Reading the text ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Hit:
    phrase: str  # as written in the review
    weight: float
    topic: str


@dataclass(frozen=True)
class _Reading:
    sentiment: float
    complaints: tuple[_Hit, ...]
    praise: tuple[_Hit, ...]
    score: float  # VADER's compound, minus the complaint phrases, plus the praise
    labels: tuple[str, ...]
    themes: tuple[str, ...]
    reasons: dict[str, str]

    def explain_score(self, threshold: float) -> str:
        parts = [f"sentiment {self.sentiment:+.2f}"]
        if self.complaints:
            quoted = ", ".join(_quote(hit.phrase) for hit in self.complaints[:3])
            more = f" and {len(self.complaints) - 3} more" if len(self.complaints) > 3 else ""
            parts.append(f"complaint language {quoted}{more}")
        if self.praise:
            parts.append("praise " + ", ".join(_quote(hit.phrase) for hit in self.praise[:2]))
        return f"{'; '.join(parts)}: score {self.score:+.2f} (at or under {threshold:+.2f})"


def _read(text: str, threshold: float, staff_names: tuple[str, ...],
          theme_key: tuple[tuple[str, tuple[str, ...]], ...], year: int | None) -> _Reading:
    lower = _normalise(text)
    sentiment = _analyzer.get().polarity_scores(text)["compound"]
    words = _word_starts(lower)
    breaks = _clause_starts(lower)
    complaints = list(_complaints(lower, words, breaks))
    reasons: dict[str, str] = {}
    found: set[str] = set()

    presence = _on_site_now(lower)
    if presence:
        found.add("urgent")
        reasons["urgent"] = f"on site now: {_quote(_snippet(presence))}"
        complaints.append(_Hit("on site now", lexicon.URGENT_WEIGHT, "urgent"))
    risk = _first_unnegated(_phrases.get().risk, lower, words, breaks)
    if risk:
        found.add("risk")
        reasons["risk"] = f"mentions {_quote(_snippet(risk, 40))}"
        complaints.append(_Hit(risk, lexicon.RISK_WEIGHT, "risk"))
    names = _clinicians(text, staff_names)
    if names:
        found.add("clinician")
        reasons["clinician"] = "names " + _join(names)
    swear = _profanity.get().find(lower)
    if swear:
        found.add("profanity")
        reasons["profanity"] = f"profanity ({_quote(_masked(swear))})"
        complaints.append(_Hit(_masked(swear), lexicon.PROFANITY_WEIGHT, "profanity"))
    old_visit = _long_ago(lower, year)
    if old_visit:
        found.add("past_experience")
        reasons["past_experience"] = f"an old visit: {_quote(old_visit)}"

    praise = tuple(_praise(lower, words))
    score = (sentiment - sum(hit.weight for hit in complaints)
             + sum(hit.weight for hit in praise))
    # A troll is harassment or bait with nothing concrete to follow up. "lol" reads as
    # positive to VADER, so bait is hostile unless the post has something good to say.
    if not any(hit.topic not in _NOT_CONCRETE for hit in complaints):
        hostile = score <= max(threshold, _NEUTRAL) or any(
            hit.topic == "general" for hit in complaints)
        troll = _troll(text, lower, hostile=hostile, swear=swear)
        if troll:
            found.add("troll")
            reasons["troll"] = troll

    themes = set(_themes(lower, theme_key))
    themes.update(hit.topic for hit in complaints if hit.topic in _theme_names(theme_key))
    return _Reading(
        sentiment=sentiment,
        complaints=tuple(complaints),
        praise=praise,
        score=score,
        labels=tuple(label for label in LABELS if label in found),
        themes=tuple(sorted(themes)),
        reasons=reasons,
    )


_NOT_CONCRETE = frozenset({"general", "profanity"})
_NEUTRAL = 0.05  # VADER's own neutral band is -0.05 … 0.05


def _normalise(text: str) -> str:
    """Lower case, with curly apostrophes straightened so "didn’t" reads as "didn't"."""
    return text.translate(_QUOTES).lower()


_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "“": '"', "”": '"'})


def _words(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """A pattern matched as whole words."""
    return re.compile(rf"(?<![\w'])(?:{pattern})(?![\w])", flags)


class _PhraseSet:
    """Many phrase patterns found in one pass over the words of a text. Each word start only
    tries the phrases that can begin with its first character: one alternation of a hundred
    phrases costs ~4× more, because the regex engine tries every branch at every word."""

    def __init__(self, patterns: Iterable[str]):
        patterns = list(patterns)
        by_char: dict[str, list[int]] = {}
        anywhere: list[int] = []
        for index, pattern in enumerate(patterns):
            chars = _first_chars(pattern)
            if chars is None:
                anywhere.append(index)
            else:
                for char in chars:
                    by_char.setdefault(char, []).append(index)

        def alternation(indexes: list[int]) -> re.Pattern[str]:
            branches = "|".join(f"(?P<p{index}>{patterns[index]})" for index in sorted(indexes))
            return re.compile(rf"(?:{branches})(?![\w])")

        self._by_char = {char: alternation(indexes + anywhere)
                         for char, indexes in by_char.items()}
        self._anywhere = alternation(anywhere) if anywhere else None

    def finditer(self, lower: str, word_starts: list[int]) -> Iterable[tuple[int, re.Match[str]]]:
        """(phrase index, match), left to right, not overlapping."""
        resume = 0
        for start in word_starts:
            if start < resume:
                continue
            pattern = self._by_char.get(lower[start], self._anywhere)
            match = pattern.match(lower, start) if pattern else None
            if match:
                resume = match.end()
                yield int(match.lastgroup[1:]), match


def _first_chars(pattern: str) -> frozenset[str] | None:
    """The characters a match of `pattern` can begin with; None when it cannot be told."""
    try:
        # the standard library's own parse of the pattern
        from re import _constants as sre
        from re import _parser

        chars, _ = _firsts(list(_parser.parse(pattern)), sre)
    except Exception:  # a Python whose regex internals differ: try the pattern everywhere
        return None
    return chars


def _firsts(items: list[Any], sre: Any) -> tuple[frozenset[str] | None, bool]:
    """(first characters, can match empty) of a parsed pattern; None: any character."""
    found: set[str] = set()
    for op, value in items:
        if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            continue  # zero width
        if op is sre.LITERAL:
            return frozenset(found | {chr(value)}), False
        if op is sre.IN:
            chars = _class_chars(value, sre)
            return (None if chars is None else frozenset(found | chars)), False
        if op is sre.SUBPATTERN:
            parts, nullable = _firsts(list(value[-1]), sre)
        elif op is sre.BRANCH:
            parts, nullable = frozenset(), False
            for branch in value[1]:
                branch_chars, branch_nullable = _firsts(list(branch), sre)
                if branch_chars is None:
                    return None, False
                parts, nullable = parts | branch_chars, nullable or branch_nullable
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            parts, nullable = _firsts(list(value[2]), sre)
            nullable = nullable or value[0] == 0
        else:
            return None, False
        if parts is None:
            return None, False
        found |= parts
        if not nullable:
            return frozenset(found), False
    return frozenset(found), True


def _class_chars(items: list[Any], sre: Any) -> set[str] | None:
    chars: set[str] = set()
    for op, value in items:
        if op is sre.LITERAL:
            chars.add(chr(value))
        elif op is sre.RANGE:
            chars.update(chr(code) for code in range(value[0], value[1] + 1))
        elif op is sre.CATEGORY and value is sre.CATEGORY_DIGIT:
            chars.update("0123456789")
        else:
            return None
    return chars


@dataclass(frozen=True)
class _Phrases:
    complaints: _PhraseSet
    expected: _PhraseSet
    praise: _PhraseSet
    risk: _PhraseSet


def _compile_phrases() -> _Phrases:
    return _Phrases(
        complaints=_PhraseSet(phrase.pattern for phrase in lexicon.COMPLAINTS),
        expected=_PhraseSet(phrase.pattern for phrase in lexicon.EXPECTED_ACTIONS),
        praise=_PhraseSet(phrase.pattern for phrase in lexicon.PRAISE),
        risk=_PhraseSet(lexicon.RISK),
    )

_CLAUSE_BREAK = re.compile(lexicon.CLAUSE_BREAK)
_WORD_START = re.compile(r"(?<![\w'])\w")
_WORD = re.compile(r"[a-z']+")


def _word_starts(lower: str) -> list[int]:
    return [match.start() for match in _WORD_START.finditer(lower)]


def _clause_starts(lower: str) -> list[int]:
    return [0, *(match.end() for match in _CLAUSE_BREAK.finditer(lower))]


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


def _complaints(lower: str, words: list[int], clause_starts: list[int]) -> Iterable[_Hit]:
    spans: list[tuple[int, int]] = []
    phrases = _phrases.get()
    for index, match in phrases.complaints.finditer(lower, words):
        if _negation(lower, match.start(), clause_starts) is None:
            phrase = lexicon.COMPLAINTS[index]
            spans.append(match.span())
            yield _Hit(match.group(), phrase.weight, phrase.topic)
    for index, match in phrases.expected.finditer(lower, words):
        negator = _negation(lower, match.start(), clause_starts)
        # "nobody answered" is one complaint, whichever list says so
        if negator is not None and not any(start < match.end() and match.start() < end
                                           for start, end in spans):
            phrase = lexicon.EXPECTED_ACTIONS[index]
            yield _Hit(lower[negator:match.end()], phrase.weight, phrase.topic)


def _praise(lower: str, words: list[int]) -> Iterable[_Hit]:
    for index, match in _phrases.get().praise.finditer(lower, words):
        phrase = lexicon.PRAISE[index]
        yield _Hit(match.group(), phrase.weight, phrase.topic)


def _first_unnegated(phrases: _PhraseSet, lower: str, words: list[int],
                     clause_starts: list[int]) -> str | None:
    for _, match in phrases.finditer(lower, words):
        if _negation(lower, match.start(), clause_starts) is None:
            return match.group()
    return None


# --- On site now -----------------------------------------------------------------------------

# A sentence ends at . ! ? or a line break, but not after "Dr." or "Mr.".
_SENTENCE_END = re.compile(r"(?<!\bdr)(?<!\bmr)(?<!\bmrs)(?<!\bms)(?<!\bst)[.!?]+(?=\s|$)|\n+")
_PRESENCE_SELF = _words("|".join(lexicon.PRESENCE_SELF))
_PRESENCE_NOW = _words(lexicon.PRESENCE_NOW)
_PRESENCE_PLACE = _words(lexicon.PRESENCE_PLACE)
_PRESENCE_PAST = _words(lexicon.PRESENCE_PAST)
_STAFF_SPEAKER = _words(lexicon.STAFF_SPEAKER)
_PRESENCE_ANY = _words("|".join([*lexicon.PRESENCE_SELF, lexicon.PRESENCE_NOW]))


def _on_site_now(lower: str) -> str | None:
    """The sentence saying the reviewer (or their family) is at the hospital now, if any."""
    if not _PRESENCE_ANY.search(lower) or _STAFF_SPEAKER.search(lower):
        return None
    for sentence in _SENTENCE_END.split(lower):
        if _PRESENCE_PAST.search(sentence):
            continue
        if _PRESENCE_SELF.search(sentence):
            return sentence.strip()
        now = _PRESENCE_NOW.search(sentence)
        # "we're here for you" is one cue, not two: the place must be said apart from the "now"
        if now and any(place.start() >= now.end() or place.end() <= now.start()
                       for place in _PRESENCE_PLACE.finditer(sentence)):
            return sentence.strip()
    return None


# --- An old visit ----------------------------------------------------------------------------

_LONG_AGO = _words(lexicon.LONG_AGO)
_PAST_YEAR = re.compile(lexicon.PAST_YEAR)
_RECENT = _words(lexicon.RECENT)


def _year_of(created_at: object) -> int | None:
    return created_at.year if isinstance(created_at, datetime) else None


def _long_ago(lower: str, written_in: int | None) -> str | None:
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


def _clinicians(text: str, staff_names: tuple[str, ...]) -> list[str]:
    """Clinicians named in the text, as "Dr. Morrison", "Nurse Kayla" or a configured name."""
    found: dict[str, str] = {}  # surname, lower-cased -> how to show it
    for match in _TITLED_NAME.finditer(text):
        title, name = match.group("title").lower().rstrip("."), match.group("name")
        name = re.sub(r"['’]s$", "", name)
        key = _normalise(name)
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
        for match in pattern.finditer(_normalise(text)):
            name = configured[" ".join(match.group().split())]
            found.setdefault(_normalise(name.split()[-1]), name)
    return list(found.values())


def _written_as_name(word: str) -> bool:
    # "Nurse Kayla" names someone; "NURSE NEVER" and "nurse was" do not.
    return word[0].isupper() and any(char.islower() for char in word)


@lru_cache(maxsize=32)
def _staff_pattern(staff_names: tuple[str, ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    """A whole-word, any-case pattern for the configured names, and each match's name as
    configured (looked up by the match, lower-cased, single-spaced)."""
    configured = {" ".join(_normalise(name).split()): " ".join(name.split())
                  for name in staff_names if name.strip()}
    if not configured:
        return re.compile(r"(?!)"), configured
    names = sorted(configured, key=len, reverse=True)  # "Maria Alvarez" before "Maria"
    return _words("|".join(r"\s+".join(map(re.escape, name.split())) for name in names)), configured


# --- Profanity and trolls --------------------------------------------------------------------

_INSULTS = _words(lexicon.INSULTS)
_THREATS = _words(lexicon.THREATS)
_MOCKERY = re.compile(rf"(?<![\w])(?:{lexicon.BAIT})(?![\w])")
_SPAM = re.compile(lexicon.SPAM)


def _troll(text: str, lower: str, *, hostile: bool, swear: str | None) -> str | None:
    """Why a post with nothing concrete to follow up is harassment or bait, if it is."""
    threat = _THREATS.search(lower)
    if threat:
        return f"{_HARASSMENT}: threatens people ({_quote(threat.group().strip())})"
    insult = _INSULTS.search(lower)
    if insult:
        return f"{_HARASSMENT}: insults people ({_quote(insult.group())}), no concrete complaint"
    if _SPAM.search(lower):
        return f"{_BAIT}: a link or promotion, no complaint"
    if not hostile:
        return None
    mockery = _MOCKERY.search(lower)
    if mockery:
        return f"{_BAIT}: mockery ({_quote(mockery.group())}), no concrete complaint"
    if _shouting(text):
        return f"{_BAIT}: an all-caps rant, no concrete complaint"
    if swear and len(_WORD.findall(lower)) <= lexicon.OUTBURST_MAX_WORDS:
        return f"{_BAIT}: a profane outburst, no concrete complaint"
    return None


def _shouting(text: str) -> bool:
    letters = sum(map(str.isalpha, text))
    if letters < lexicon.CAPS_MIN_LETTERS:
        return False
    return sum(map(str.isupper, text)) >= lexicon.CAPS_SHARE * letters


class _ProfanityMatcher:
    """better-profanity's word list and letter substitutions ("sh1t", "f*ck", "a$$"), matched
    on whole words with dictionary look-ups: the library's own censor takes ~40 ms a review."""

    _TOKEN = re.compile(r"(?:[^\W_]|[@$*])+")
    _JOINERS = frozenset("-_.!+ ")

    def __init__(self, words: Iterable[str], char_map: Mapping[str, Iterable[str]]):
        self._allowed = {char: frozenset(variants) | {char} for char, variants in char_map.items()}
        self._to_class = str.maketrans(_char_classes(char_map))
        self._by_key: dict[str, list[str]] = {}
        self._first_words: set[str] = set()
        self._max_tokens = 1
        for word in words:
            raw = word.lower().strip("".join(self._JOINERS))
            tokens = self._TOKEN.findall(raw)
            if not tokens:
                continue
            self._max_tokens = max(self._max_tokens, len(tokens))
            if len(tokens) > 1:
                self._first_words.add(self._key(tokens[0]))
                self._add("".join(tokens))
            self._add(raw)

    def _key(self, token: str) -> str:
        return token.translate(self._to_class)

    def _add(self, word: str) -> None:
        self._by_key.setdefault(self._key(word), []).append(word)

    def _is_variant(self, written: str) -> bool:
        for word in self._by_key.get(self._key(written), ()):
            if all(have == want or have in self._allowed.get(want, ())
                   for have, want in zip(written, word, strict=True)):
                return True
        return False

    def find(self, lower: str) -> str | None:
        """The first profane word in lower-cased text, as written; None if there is none."""
        keys = self._key(lower)  # one translation for the whole text; a token's key is a slice
        spans = [match.span() for match in self._TOKEN.finditer(lower)]
        for index, (start, end) in enumerate(spans):
            key = keys[start:end]
            if key in self._by_key and self._is_variant(lower[start:end]):
                return lower[start:end]
            # "f-u-c-k", "sh!t", "bull shit", "f u c k": a few tokens, one joiner between each
            joiner = lower[end:end + 1]
            if joiner and joiner in self._JOINERS and (
                joiner != " " or end - start == 1 or key in self._first_words
            ):
                joined = self._joined(lower, spans, index)
                if joined:
                    return joined
        return None

    def _joined(self, lower: str, spans: list[tuple[int, int]], first: int) -> str | None:
        start, last = spans[first]
        single_letters = last - start == 1
        parts = [lower[start:last]]
        for next_start, next_end in spans[first + 1:first + self._max_tokens]:
            gap = lower[last:next_start]
            if gap not in self._JOINERS or (gap == " " and single_letters
                                            and next_end - next_start != 1):
                break
            last = next_end
            parts.append(lower[next_start:next_end])
            if self._is_variant(lower[start:last]) or self._is_variant("".join(parts)):
                return lower[start:last]
        return None


def _char_classes(char_map: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Each substitutable character -> one representative of the letters it may stand for."""
    parent: dict[str, str] = {}

    def root(char: str) -> str:
        while parent.setdefault(char, char) != char:
            char = parent[char]
        return char

    for char, variants in char_map.items():
        for variant in variants:
            parent[root(variant)] = root(char)
    return {char: root(char) for char in parent}


def _load_profanity() -> _ProfanityMatcher:
    from better_profanity import Profanity

    listing = resources.files("better_profanity").joinpath("profanity_wordlist.txt")
    words = [word for word in listing.read_text(encoding="utf-8").split("\n")
             if word.strip() and word.strip().lower() not in lexicon.PROFANITY_ALLOWED]
    # The substitutions the library itself recognises; a one-word list keeps the load small.
    char_map = Profanity(["placeholder"]).CHARS_MAPPING
    return _ProfanityMatcher(words, char_map)


def _load_analyzer() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


T = TypeVar("T")


class _Lazy(Generic[T]):
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


# Built on first use, so importing this module stays cheap.
_analyzer: _Lazy[Any] = _Lazy(_load_analyzer)
_profanity: _Lazy[_ProfanityMatcher] = _Lazy(_load_profanity)
_phrases: _Lazy[_Phrases] = _Lazy(_compile_phrases)


# --- Themes ----------------------------------------------------------------------------------

_THEME_TOKEN = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """Just enough stemming that "waited", "waiting" and "waits" meet at "wait". Stems under
    four letters collide ("care", "caring" and "car"), so short words are matched as written."""
    stem = _strip_suffixes(word)
    return stem if len(stem) >= 4 else word


def _strip_suffixes(word: str) -> str:
    if len(word) <= 3:
        return word
    if word.endswith(("ies", "ied")) and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[:-len(suffix)]
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiousz":
        word = word[:-1]
    return word


def _theme_key(themes: Mapping[str, Iterable[str]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple(sorted((name, tuple(keywords)) for name, keywords in themes.items()))


@lru_cache(maxsize=32)
def _theme_names(config_themes: tuple[tuple[str, tuple[str, ...]], ...]) -> frozenset[str]:
    return frozenset(lexicon.THEMES) | {name for name, _ in config_themes}


# (first stem) -> [(stems, theme)] for keywords, and the same for "-" exclusions
_ThemeIndex = tuple[dict[str, list[tuple[tuple[str, ...], str]]],
                    dict[str, list[tuple[tuple[str, ...], str]]]]


@lru_cache(maxsize=32)
def _theme_index(config_themes: tuple[tuple[str, tuple[str, ...]], ...]) -> _ThemeIndex:
    # The config's themes extend the built-in taxonomy; the same name replaces one.
    merged = {**lexicon.THEMES, **dict(config_themes)}
    keywords: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    exclusions: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for theme, phrases in merged.items():
        for phrase in phrases:
            into = exclusions if phrase.startswith("-") else keywords
            stems = tuple(_stem(word) for word in _THEME_TOKEN.findall(phrase.lower()))
            if stems:
                into.setdefault(stems[0], []).append((stems, theme))
    return keywords, exclusions


def _themes(lower: str, config_themes: tuple[tuple[str, tuple[str, ...]], ...]
            ) -> tuple[str, ...]:
    keywords, exclusions = _theme_index(config_themes)
    stems = [_stem(word) for word in _THEME_TOKEN.findall(lower)]
    excluded: set[tuple[str, int]] = set()
    for index, stem in enumerate(stems):
        for phrase, theme in exclusions.get(stem, ()):
            if tuple(stems[index:index + len(phrase)]) == phrase:
                excluded.update((theme, at) for at in range(index, index + len(phrase)))
    found: set[str] = set()
    for index, stem in enumerate(stems):
        for phrase, theme in keywords.get(stem, ()):
            if theme in found or tuple(stems[index:index + len(phrase)]) != phrase:
                continue
            if not any((theme, at) in excluded for at in range(index, index + len(phrase))):
                found.add(theme)
    return tuple(sorted(found))


# --- Wording for reasons ---------------------------------------------------------------------


def _quote(phrase: str) -> str:
    return f"“{phrase}”"


def _snippet(sentence: str, limit: int = 60) -> str:
    return sentence if len(sentence) <= limit else sentence[:limit - 1].rstrip() + "…"


def _masked(word: str) -> str:
    return word[0] + "*" * (len(word) - 1)


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
