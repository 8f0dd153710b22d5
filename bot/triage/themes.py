"""Keyword themes: bot.lexicon.THEMES, extended (or, by name, replaced) by the config's
[triage.themes]. Words meet at their Snowball stem, so "waited", "waiting" and "waits" all
match "wait"; a keyword starting with "-" is an exclusion ("charge nurse" is not billing).
The complaint model adds the themes it learned from the NHS framework (bot.triage.model).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

import snowballstemmer

from bot import lexicon

ThemeKey = tuple[tuple[str, tuple[str, ...]], ...]
# (first stem) -> [(stems, theme)], for keywords and for exclusions
_Index = dict[str, list[tuple[tuple[str, ...], str]]]

_TOKEN = re.compile(r"[a-z0-9]+")
_stemmer = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


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
            stems = tuple(stem(word) for word in _TOKEN.findall(phrase.lower()))
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
    stems = [stem(word) for word in _TOKEN.findall(lower)]
    excluded: set[tuple[str, int]] = set()
    for at, first in enumerate(stems):
        for phrase, theme in exclusions.get(first, ()):
            if tuple(stems[at:at + len(phrase)]) == phrase:
                excluded.update((theme, index) for index in range(at, at + len(phrase)))
    found: set[str] = set()
    for at, first in enumerate(stems):
        for phrase, theme in keywords.get(first, ()):
            if theme in found or tuple(stems[at:at + len(phrase)]) != phrase:
                continue
            if not any((theme, index) in excluded for index in range(at, at + len(phrase))):
                found.add(theme)
    return frozenset(found)
