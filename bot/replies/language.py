"""Which language a reply or a review is written in, as the reply guard and the reply templates
need it: English, Spanish, another language ("unknown": the guard cannot read it), or too short
to tell.

The reading is py3langid's (a maintained fork of langid.py: a naive Bayes model of byte n-grams
shipped inside the package, numpy only, offline and deterministic), asked to choose among the
languages a US hospital's readers write in rather than all 140 it knows: regional neighbours of
Spanish (Asturian, Aragonese, Extremaduran, Galician) and English (Nigerian Pidgin, Scots) would
otherwise take short Spanish and English replies away from the guard. bench/guard_bench.py
measures it on the labelled drafts and reviews, next to a stop-word baseline.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

ENGLISH = "en"
SPANISH = "es"
UNKNOWN = "unknown"  # written in a language other than the ones the desk reads
TOO_SHORT = ""  # too few letters to tell

# Fewer letters than this (about three words) and no model can tell English from Spanish
# reliably; such a text is read by every rule and never held for its language.
MIN_LETTERS = 16
# A paragraph of a longer reply is read on its own from this many letters (about a sentence):
# a greeting or a closing line ("Warm regards, the North campus team") is not.
PARAGRAPH_MIN_LETTERS = 40
# Below PARAGRAPH_MIN_LETTERS, a reading the model is less sure of than this is no reading:
# "Terrible experience." comes out Spanish at 0.24, "Rude receptionist." Latin at 0.36.
SHORT_TEXT_CONFIDENCE = 0.5

# The languages the reading chooses among: English and Spanish, and the languages most often
# spoken at home in the US after them (Census ACS), with Spanish's and English's close
# relatives that have a written standard (Portuguese, Italian, French, Catalan, Romanian, Dutch,
# German), so that text in one of them is not taken for Spanish or English.
CANDIDATES = (
    "en", "es", "zh", "tl", "vi", "ar", "fr", "ko", "ru", "ht", "de", "pt", "hi", "it", "pl",
    "ja", "fa", "ur", "gu", "bn", "el", "he", "ro", "uk", "so", "am", "sw", "yo", "ig", "ne",
    "pa", "ta", "te", "th", "km", "lo", "my", "tr", "nl", "sv", "no", "da", "fi", "cs", "hu",
    "sq", "sr", "hr", "bs", "bg", "mk", "id", "ms", "ca", "sk", "sl", "lt", "lv", "et", "ka",
    "hy", "ps", "ku", "mn", "qu", "gug", "la",
)

NAMES = {
    "en": "English", "es": "Spanish", "zh": "Chinese", "tl": "Tagalog", "vi": "Vietnamese",
    "ar": "Arabic", "fr": "French", "ko": "Korean", "ru": "Russian", "ht": "Haitian Creole",
    "de": "German", "pt": "Portuguese", "hi": "Hindi", "it": "Italian", "pl": "Polish",
    "ja": "Japanese", "fa": "Persian", "ur": "Urdu", "gu": "Gujarati", "bn": "Bengali",
    "el": "Greek", "he": "Hebrew", "ro": "Romanian", "uk": "Ukrainian", "so": "Somali",
    "am": "Amharic", "sw": "Swahili", "ca": "Catalan", "nl": "Dutch", "tr": "Turkish",
    "hy": "Armenian", "pa": "Punjabi", "ne": "Nepali", "km": "Khmer", "th": "Thai",
}

_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
# What says nothing about the language: addresses, e-mail, phone numbers and other digits.
_NOISE = re.compile(r"https?://\S+|\S+@\S+|[\d()+\-./:#]{3,}")
_PARAGRAPH = re.compile(r"\n\s*\n")
_SIGNATURE = re.compile(r"^\s*[-–—]+.*$", re.MULTILINE)  # "— The Patient Experience team"


@dataclass(frozen=True)
class Reading:
    """A text's language (ENGLISH, SPANISH, UNKNOWN or TOO_SHORT), the code the model gave
    (e.g. "vi"), and every language read in its paragraphs (a reply may answer in two)."""

    language: str
    code: str
    languages: frozenset[str]
    codes: frozenset[str] = frozenset()

    @property
    def name(self) -> str:
        """The language's English name ("Vietnamese"), or "another language"."""
        return NAMES.get(self.code, "another language")

    def other_codes(self, read: Iterable[str]) -> list[str]:
        return sorted(code for code in self.codes if code not in set(read))


_lock = threading.Lock()
_identifier = None


def _model():
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                identifier.set_languages([c for c in CANDIDATES if c in identifier.labels])
                _identifier = identifier
    return _identifier


def warm_up() -> None:
    """Load the model now (about 0.6 s) rather than on the first reply checked."""
    _model()


def _code(text: str, min_letters: int = MIN_LETTERS) -> str:
    """The model's language code for `text`, or TOO_SHORT."""
    cleaned = _NOISE.sub(" ", _SIGNATURE.sub(" ", text))
    letters = len(_LETTER.findall(cleaned))
    if letters < min_letters:
        return TOO_SHORT
    code, confidence = _model().classify(cleaned)
    if letters < PARAGRAPH_MIN_LETTERS and confidence < SHORT_TEXT_CONFIDENCE:
        return TOO_SHORT
    return code


def _language(code: str) -> str:
    return code if code in (ENGLISH, SPANISH, TOO_SHORT) else UNKNOWN


def read(text: str) -> Reading:
    """The language of `text` as a whole, and of each of its paragraphs long enough to tell."""
    whole = _code(text or "")
    codes = {whole} if whole else set()
    paragraphs = [p for p in _PARAGRAPH.split(text or "") if p.strip()]
    if len(paragraphs) > 1:
        codes |= {code for code in (_code(p, PARAGRAPH_MIN_LETTERS) for p in paragraphs)
                  if code}
    return Reading(language=_language(whole), code=whole,
                   languages=frozenset(map(_language, codes)), codes=frozenset(codes))


def language_of(text: str) -> str:
    """ENGLISH, SPANISH, UNKNOWN or TOO_SHORT for `text` as a whole."""
    return _language(_code(text or ""))
