"""Profanity: better-profanity's word list and letter substitutions ("sh1t", "f*ck", "a$$"),
matched on whole words with dictionary look-ups (the library's own censor takes ~40 ms a
review), less the words that are ordinary in a hospital (bot.triage.lexicon.PROFANITY_ALLOWED). The
list and the substitutions are kept here (data/, with the package's licence): the package, with
no release since 2020, is not needed for them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from importlib import resources

from bot.triage import lexicon

WORD_LIST = "profanity_words.txt"  # in bot/triage/data/, better-profanity 0.7.0's, unchanged
# better-profanity 0.7.0's Profanity().CHARS_MAPPING: the letters a character may stand for.
CHARS_MAPPING: dict[str, tuple[str, ...]] = {
    "a": ("a", "@", "*", "4"),
    "i": ("i", "*", "l", "1"),
    "o": ("o", "*", "0", "@"),
    "u": ("u", "*", "v"),
    "v": ("v", "*", "u"),
    "l": ("l", "1"),
    "e": ("e", "*", "3"),
    "s": ("s", "$", "5"),
    "t": ("t", "7"),
}


class ProfanityMatcher:
    """Finds the first profane word of a text, spelled plainly, with substitutions or split
    ("f-u-c-k", "bull shit")."""

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


def load() -> ProfanityMatcher:
    listing = resources.files("bot.triage").joinpath("data", WORD_LIST)
    words = [word for word in listing.read_text(encoding="utf-8").split("\n")
             if word.strip() and word.strip().lower() not in lexicon.PROFANITY_ALLOWED]
    return ProfanityMatcher(words, CHARS_MAPPING)

