"""Keyword themes: bot.triage.lexicon.THEMES, extended (or, by name, replaced) by the config's
[triage.themes]. Words meet at their Snowball stem, so "waited", "waiting" and "waits" all
match "wait"; a keyword starting with "=" matches its words as written (the stem of "helpful" is
"help", of "caring" "care": "is anyone going to help her" is not about courtesy); a keyword
starting with "-" is an exclusion ("charge nurse" is not billing).
The complaint model adds the themes it learned from the NHS framework (bot.triage.model).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from functools import lru_cache

import snowballstemmer

from bot.triage import lexicon

ThemeKey = tuple[tuple[str, tuple[str, ...]], ...]
# (first stem, or "=" and the first word) -> [(stems or words, theme)], for keywords and for
# exclusions
_Index = dict[str, list[tuple[tuple[str, ...], str]]]
_AS_WRITTEN = "="

_TOKEN = re.compile(r"[a-z0-9]+")
# A Snowball stemmer keeps the word it is working on in itself: one shared by the request
# threads gave wrong stems and IndexErrors. One per thread.
_stemmers = threading.local()


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    stemmer = getattr(_stemmers, "english", None)
    if stemmer is None:
        stemmer = _stemmers.english = snowballstemmer.stemmer("english")
    return stemmer.stemWord(word)


def theme_key(themes: Mapping[str, Iterable[str]]) -> ThemeKey:
    """The config's themes as a hashable key (for the caches below)."""
    return tuple(sorted((name, tuple(keywords)) for name, keywords in themes.items()))


@lru_cache(maxsize=32)
def _index(config_themes: ThemeKey) -> tuple[_Index, _Index, frozenset[str]]:
    merged = {**lexicon.THEMES, **dict(config_themes)}
    keywords: _Index = {}
    exclusions: _Index = {}
    for theme, phrases in merged.items():
        for phrase in phrases:
            into = exclusions if phrase.startswith("-") else keywords
            words = _TOKEN.findall(phrase.lower())
            if phrase.lstrip("-").startswith(_AS_WRITTEN) and words:
                into.setdefault(_AS_WRITTEN + words[0], []).append((tuple(words), theme))
                continue
            stems = tuple(stem(word) for word in words)
            if stems:
                into.setdefault(stems[0], []).append((stems, theme))
    replaced = frozenset(name for name, _ in config_themes if name in lexicon.THEMES)
    return keywords, exclusions, replaced


def replaced_by_config(config_themes: ThemeKey) -> frozenset[str]:
    """Built-in themes the config redefines: the model's reading of them no longer applies."""
    return _index(config_themes)[2]


def keyword_themes(lower: str, config_themes: ThemeKey = ()) -> frozenset[str]:
    """The themes whose keywords appear in lower-cased text, outside their exclusions."""
    keywords, exclusions, _ = _index(config_themes)
    words = _TOKEN.findall(lower)
    stems = [stem(word) for word in words]

    def phrases(index: _Index, at: int) -> list[tuple[tuple[str, ...], str, list[str]]]:
        """The index's phrases starting at word `at`, each with what it is compared to."""
        return [*((phrase, theme, stems) for phrase, theme in index.get(stems[at], ())),
                *((phrase, theme, words) for phrase, theme in
                  index.get(_AS_WRITTEN + words[at], ()))]

    excluded: set[tuple[str, int]] = set()
    for at in range(len(stems)):
        for phrase, theme, tokens in phrases(exclusions, at):
            if tuple(tokens[at:at + len(phrase)]) == phrase:
                excluded.update((theme, index) for index in range(at, at + len(phrase)))
    found: set[str] = set()
    for at in range(len(stems)):
        for phrase, theme, tokens in phrases(keywords, at):
            if theme in found or tuple(tokens[at:at + len(phrase)]) != phrase:
                continue
            if not any((theme, index) in excluded for index in range(at, at + len(phrase))):
                found.add(theme)
    return frozenset(found)
