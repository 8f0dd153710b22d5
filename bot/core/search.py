"""What `/reviewdesk find` looks for: the words a person typed, made safe (only letters and
digits reach the search index, common words dropped), and the triage themes and labels those
words name ("wait time", "on site", "risk"); and a snippet's matching words, for bolding."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.triage import lexicon
from bot.triage.themes import stem
from storage.search import MARK_END, MARK_START

MAX_WORDS = 16  # distinct words searched; a longer question adds nothing but time

_WORD = re.compile(r"[^\W_]+")  # letters and digits, as both databases split words

# PostgreSQL's English stop words (tsearch_data/english.stop). Its index leaves them out, so
# they are dropped on both databases: the same question finds the same cases on either.
STOP_WORDS = frozenset({
    "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours",
    "yourself", "yourselves", "he", "him", "his", "himself", "she", "her", "hers", "herself",
    "it", "its", "itself", "they", "them", "their", "theirs", "themselves", "what", "which",
    "who", "whom", "this", "that", "these", "those", "am", "is", "are", "was", "were", "be",
    "been", "being", "have", "has", "had", "having", "do", "does", "did", "doing", "a", "an",
    "the", "and", "but", "if", "or", "because", "as", "until", "while", "of", "at", "by",
    "for", "with", "about", "against", "between", "into", "through", "during", "before",
    "after", "above", "below", "to", "from", "up", "down", "in", "out", "on", "off", "over",
    "under", "again", "further", "then", "once", "here", "there", "when", "where", "why",
    "how", "all", "any", "both", "each", "few", "more", "most", "other", "some", "such", "no",
    "nor", "not", "only", "own", "same", "so", "than", "too", "very", "s", "t", "can", "will",
    "just", "don", "should", "now"
})

# What people call each triage label (as the card shows it: "On site now", "Names a clinician").
# A theme is called by its name, spaced: "wait time", "staff courtesy".
LABEL_NAMES: dict[str, tuple[str, ...]] = {
    "urgent": ("urgent", "on site", "on site now"),
    "risk": ("risk", "medical risk", "legal risk"),
    "clinician": ("clinician", "names a clinician", "named clinician"),
    "profanity": ("profanity", "profane", "swearing"),
    "troll": ("troll", "trolling"),
    "past_experience": ("past experience", "old visit"),
}


def words_of(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _stems(text: str) -> tuple[str, ...]:
    return tuple(stem(word) for word in words_of(text))


@dataclass(frozen=True)
class SearchQuery:
    words: tuple[str, ...]  # every one must be in the review's text or reviewer
    tags: tuple[str, ...]  # or any of these among its themes and labels

    @property
    def searchable(self) -> bool:
        return bool(self.words or self.tags)


def parse_query(text: str, themes: Iterable[str] = ()) -> SearchQuery:
    """`text` as typed: its words (stop words and anything but letters and digits dropped, at
    most MAX_WORDS), and the themes (`themes` and the built-in ones) and labels it names as a
    whole ("wait times" names wait_time; "on site" names urgent)."""
    typed = words_of(text)
    words = tuple(dict.fromkeys(word for word in typed if word not in STOP_WORDS))[:MAX_WORDS]
    asked = tuple(stem(word) for word in typed)
    names: dict[str, tuple[str, ...]] = {
        theme: (theme,) for theme in (*lexicon.THEMES, *themes)}
    names.update(LABEL_NAMES)
    tags = tuple(tag for tag, called in names.items()
                 if asked and any(_stems(name) == asked for name in called))
    return SearchQuery(words, tags)


def snippet_parts(snippet: str) -> tuple[tuple[str, bool], ...]:
    """A marked snippet as (text, matched) parts, its white space (line breaks too) single
    spaces, so that it reads as one line."""
    parts: list[tuple[str, bool]] = []
    flat = " ".join(snippet.split())
    for piece in re.split(f"({MARK_START}[^{MARK_END}]*{MARK_END})", flat):
        if piece.startswith(MARK_START):
            parts.append((piece[1:-1], True))
        elif piece := piece.replace(MARK_START, "").replace(MARK_END, ""):
            parts.append((piece, False))
    return tuple(parts)
