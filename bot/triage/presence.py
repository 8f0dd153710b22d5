"""Is someone at the hospital now: the writer, or someone they are with or are writing for.
Reads a review as bot.triage.presence_grammar says: shorthand written out, the text cut into
sentences and clauses, each clause's places marked, then the grammar's rules tried in turn,
and what undoes them looked for in the same clause. The patterns compile when first used.

Measured on phrasings it was not tuned on: bench/README.md (bench/onsite_bench.py).
"""

from __future__ import annotations

import re
from functools import cached_property, lru_cache

from bot.triage import presence_grammar as grammar

# --- Reading a review --------------------------------------------------------------------------

# Shorthand reviews use, written out so one grammar reads both.
_SHORTHAND_WORDS = {
    "rn": "right now", "atm": "at the moment", "ur": "your", "im": "i'm", "ive": "i've",
    "weve": "we've", "u": "you", "hr": "hour", "hrs": "hours", "min": "minutes",
    "mins": "minutes", "w/": "with ", "e.r": "er", "e.r.": "er", "e.d.": "ed", "a.m": "am",
    "a.m.": "am", "p.m": "pm", "p.m.": "pm", "its ": "it's ", "w ": "with ",
    "rite now": "right now", "emergancy": "emergency", "emergancy room": "emergency room",
    "emergeny": "emergency", "hospitel": "hospital", "hosptial": "hospital",
    "hallaway": "hallway", "waitting": "waiting", "watiing": "waiting",
}
# "sittin", "waitin", "layin": the -ing the grammar reads
_DROPPED_G = re.compile(r"\b(sittin|waitin|layin|lyin|standin|hangin)\b")
_SHORTHAND = re.compile(
    r"\b(?P<owner>mom|dad|mum|grandma|grandpa|son|wife|husband|daughter|baby|sister|brother)s "
    r"(?=been|in|at|on|still)"
    r"|\b(?:rn|atm|ur|im|ive|weve|u|hrs?|mins?|rite now|emergancy|emergeny|hospitel|hosptial"
    r"|hallaway|waitting|watiing)\b|\bw/|\bw (?=my |our |a |the |her |his )"
    r"|\be\.r\.?(?=\W|$)|\be\.d\.(?=\s|$)"
    r"|\b[ap]\.m\.?(?=\W|$)|\bits (?=been|now|\d|almost|nearly|past|already)"
    r"|(?:(?<=\bwe)|(?<=\byou)|(?<=\bthey)) r\b"
)
_SENTENCE_END = re.compile(
    r"(?<!\bdr)(?<!\bmr)(?<!\bmrs)(?<!\bms)(?<!\bst)[.!?]+(?=\s|$)|\n+")
# A clause ends at punctuation or before a conjunction, which starts the next one ("after 6
# hours in the waiting room" keeps its "after"); not inside "labor and delivery", "and counting".
_CLAUSE_BREAK = re.compile(
    r"\s*(?:[,;()]|:(?!\d\d))\s*|\s+[-–—]+\s+|(?<!labor)(?<!labour)(?<!\bin)\s+(?=and\b)"
    r"(?!and (?:counting|still counting|a half|delivery))|\s+(?=(?:but|so|because|though"
    r"|although|however|while|when|whenever|until|after|if|unless|then|whereas|or|cause|cuz)\b)"
    r"(?!so (?:far|much|many|long|very|bad|badly|rude|slow|sick|scared|cold|hungry|tired|little"
    r"|few|late|busy|full|dirty|loud)\b)"
)
# A clause giving a reason or a time ("because they told me", "when they took him") may be in
# the past while the sentence's presence is not.
_ASIDE = re.compile(r"^(?:because|cause|cuz|since|as|so|when|after|until|while)\b")


class _Rx:
    """A pattern compiled when first used, not at import: the grammar's patterns take Python's
    re some 65 ms of CPU to compile, which a command that never triages should not pay; a
    service compiles them as it starts (warm_up, called by reviewdesk/app.py)."""

    __slots__ = ("_compiled", "pattern")

    def __init__(self, pattern: str):
        self.pattern = pattern
        self._compiled: re.Pattern[str] | None = None
        _ALL.append(self)

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern)
        return self._compiled

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        return self.compiled.search(text, pos)

    def match(self, text: str, pos: int = 0) -> re.Match[str] | None:
        return self.compiled.match(text, pos)

    def sub(self, replacement, text: str) -> str:
        return self.compiled.sub(replacement, text)

    def finditer(self, text: str):
        return self.compiled.finditer(text)


_ALL: list[_Rx] = []


def warm_up() -> None:
    """Compile every pattern now rather than on the first review."""
    for pattern in _ALL:
        pattern.compiled  # noqa: B018


def _words(pattern: str) -> _Rx:
    return _Rx(rf"(?:{pattern})")


_PATTERNS = {
    name: _words(pattern) for name, pattern in (
        ("subject", grammar.SUBJECT_PRESENCE), ("posture", grammar.FRAGMENT_POSTURE),
        ("waiting", grammar.FRAGMENT_WAITING), ("place", grammar.FRAGMENT_PLACE),
        ("day", grammar.FRAGMENT_DAY), ("perfect", grammar.PERFECT), ("still", grammar.STILL),
        ("writing", grammar.WRITING_FROM), ("kept", grammar.KEPT), ("scene", grammar.SCENE),
        ("relative", grammar.PLACE_I_AM_IN), ("appeal", grammar.APPEAL),
        ("neglect", grammar.NEGLECT), ("asked", grammar.ASKED), ("noted", grammar.NOTED),
    )
}
_BARE_PLACE = _words(grammar.FRAGMENT_BARE_PLACE)
_RUNNING = _words(grammar.RUNNING_SPAN)
_COUNTING_NOW = _words(grammar.COUNTING)
_ANCHOR = _words(grammar.PRESENT_ANCHOR)
_WITH = _words(grammar.WITH_SOMEONE)
_LOCATIVE_SCAN = _Rx(rf"(?<![\w']){grammar.LOCATIVE}")
_ARRIVED_RE = _words(grammar.ARRIVED)
_NOW_CLOCK_RE = _words(grammar.NOW_CLOCK)
_REMOTE_RE = _words(grammar.REMOTE)
_AT_A_TIME_RE = _words(grammar.AT_A_TIME)
_SPAN_HINT = re.compile(r"\b(?:hours?|h|minutes?|days?|nights?)\b")
# A word every rule needs one of; most clauses of most reviews have none, and are not read on.
_HINT = _Rx(
    rf"\b(?:{grammar.PLACE_NOUN}|{grammar.POSTURE_NOUN}|here|still|been|waiting|admitted|patient|hours?"
    rf"|minutes?|h|writing|typing|posting|texting|with|there|office|floor|center|centre|\d+)\b")
_POSTURE_WITH_RE = _words(grammar.POSTURE_WITH)
_GENERIC_PLACE = _words(
    r"\b(?:in|at) an? (?:\w+ )?(?:er|ed|emergency(?: room| department)?|hospital|clinic"
    r"|urgent care|waiting room|icu|hallway|hall)\b(?! bed)")
_PATIENT_OF_RE = _words(grammar.PATIENT_OF)
_WAITING_HERE = _words(rf"\bwaiting {grammar.ONSITE_WAIT}")
# Rules whose "waiting" may be for a call, a bill or results rather than for care here.
_WAITS = frozenset({"subject", "waiting", "perfect", "still", "running", "neglect"})
_PAST_VERB = _words(
    r"\b(?:was|were|sat|spent|waited|had|did|went|came|stayed|lay|laid|got|took|gave|told"
    r"|kept|left|said|felt|seemed|ended|thought|found|phoned|rang|called|didn't|wasn't"
    r"|weren't)\b")
# Rules whose presence a past verb in its own clause undoes: "neighbour still on floor as I
# thought it best not to lift her"
_TENSELESS = frozenset({"still"})
_ELSEWHERE_RE = _words(rf"\b{grammar.ELSEWHERE}\b")
_JUST = re.compile(r"\bjust \w+")
# Said anywhere in the clause, these put its place somewhere else: "the urgent care across town"
_ELSEWHERE_IN_CLAUSE = _words(
    r"\b(?:across (?:town|the street)|down the (?:street|road)|elsewhere|(?:another|a different"
    r"|a better|the other) (?:hospital|er|emergency room|urgent care|clinic))\b")
_COMPANION_RE = _words(rf"\b{grammar.OWNER} (?:[\w'-]+ ){{0,3}}?{grammar.COMPANION}\b")
_PRONOUN_SUBJECT = re.compile(rf"^{grammar.PRONOUN}\b")
_STAFF = _words(grammar.STAFF_SPEAKER)
_UNDOING = {
    "past": _words(grammar.PAST_TIME), "hypothetical": _words(grammar.HYPOTHETICAL),
    "future": _words(grammar.FUTURE), "habit": _words(grammar.HABIT),
    "ended": _words(grammar.ENDED),
    "hearsay": _words(grammar.HEARSAY),
}
_LONG_AT_INSTITUTION = _words(
    r"\b(?:here|hospital|clinic|medical center|health center|this place)\b.*\b(?:(?:for )?"
    r"(?:\w+ )?(?:years|months)|since (?:(?:19|20)\d\d|i was))")


_HAS_LASTED = _Rx(
    rf"{grammar.SHORT_SPAN}|{grammar.STAY_SPAN}|{grammar.ALL_SPAN}|{grammar.SINCE_RECENT}"
    rf"|\band counting\b|\bstill (?:here|waiting|sitting|no (?:doctor|nurse|bed|room|one))\b"
    rf"|\b(?:it's|it is) (?:now )?{grammar.CLOCK}")


def has_lasted(sentence: str) -> bool:
    """Whether the sentence that puts someone on site says they have been there a while ("since
    last night", "6 hours and counting", "still here"): a wait, whatever else it is about."""
    return bool(_HAS_LASTED.search(normalise(sentence)))


def normalise(lower: str) -> str:
    """Lower-cased text with shorthand written out ("im in the er rn" → "i'm in the er right
    now")."""
    return _DROPPED_G.sub(r"\1g", _SHORTHAND.sub(_written_out, lower))


def _written_out(match: re.Match[str]) -> str:
    said = match.group()
    if match.group("owner"):
        return f"{match.group('owner')}'s "
    return " are" if said == " r" else _SHORTHAND_WORDS[said]


def sentences(text: str) -> list[str]:
    """The text's sentences, each with single spaces between its words."""
    return [" ".join(part.split()) for part in _SENTENCE_END.split(text) if part and
            not part.isspace()]


# A clause of more words is read in overlapping windows of this many: what the rules look for
# is said in a few words, and a long unpunctuated rant costs linear time, not quadratic.
_WINDOW = 40


# A clause that is only who ("my father") or an age ("aged 84") is joined to the next one: "my
# father, aged 84, is at present lying on a trolley" says its subject across the commas.
_ONLY_WHO = _Rx(rf"^(?:{grammar.SUBJECT_NOUN}|(?:aged?|age) \d+|\d+ (?:years? old|yo))$")


def clauses(sentence: str) -> list[str]:
    found: list[str] = []
    parts = _CLAUSE_BREAK.split(sentence)
    for at in range(len(parts) - 1):
        if parts[at] and _ONLY_WHO.match(parts[at].strip()) and parts[at + 1]:
            parts[at + 1] = f"{parts[at].strip()} {parts[at + 1].strip()}"
            parts[at] = ""
    for part in parts:
        words = part.split() if part else []
        if len(words) <= _WINDOW:
            found += [" ".join(words)] if words else []
            continue
        step = _WINDOW * 3 // 4
        found += [" ".join(words[at:at + _WINDOW])
                  for at in range(0, len(words) - _WINDOW + step, step)]
    return found


def on_site_now(lower: str, sites: tuple[str, ...] = ()) -> str | None:
    """The sentence saying the reviewer, or someone they are with, is at the hospital now.
    `sites`: the desk's site names and aliases ("North campus", "Mercy West"), places too."""
    found = reading(lower, sites)
    return found[1] if found else None


def reading(lower: str, sites: tuple[str, ...] = ()) -> tuple[str, str] | None:
    """(the cue, its sentence) when the text says someone is on site now; the cue names the
    grammar's rule that fired ("subject", "still", …) for the bench."""
    text = normalise(lower)
    if _STAFF.search(text):
        return None
    companions = bool(_COMPANION_RE.search(text))
    said = sentences(text)
    names = _site_names(sites)
    read = sentences(names.sub("campus", text)) if sites and names.search(text) else said
    if len(read) != len(said):  # a site's name with a full stop in it: quote what was read
        said = read
    for at, sentence in enumerate(read):
        facts = _Sentence(sentence)
        parts = clauses(sentence) if _HINT.search(sentence) else []
        for number, clause in enumerate(parts):
            following = parts[number + 1] if number + 1 < len(parts) else ""
            cue = _clause_cue(clause, following, facts, companions)
            if cue:
                return cue, said[at]
        if _NOW_CLOCK_RE.search(sentence) and not _undone(sentence) and (any(
                _ARRIVED_RE.search(earlier) or _AT_A_TIME_RE.search(earlier)
                for earlier in read[max(0, at - 3):at]) or _ARRIVED_RE.search(sentence)):
            return "arrived", said[at]
    return None


@lru_cache(maxsize=32)
def _site_names(sites: tuple[str, ...]) -> re.Pattern[str]:
    """The sites' names, read as "campus": "at the Mercy West lobby" is "at the campus lobby"."""
    names = sorted({" ".join(normalise(name.lower()).split()) for name in sites if name.strip()},
                   key=len, reverse=True)
    if not names:
        return re.compile(r"(?!)")
    return re.compile(r"(?<![\w'])(?:" + "|".join(re.escape(name) for name in names)
                      + r")(?![\w'])")


# Rules said without a subject ("Sitting in an ER for 10 hours should not be normal") are
# generic when the place is "an ER", "a hospital", and a past story's opening ("Sitting in the
# ER with my son, the nurse was rude") when the sentence goes on in the past with no "now".
_FRAGMENTS = frozenset({"posture", "waiting", "place", "day"})
_NOW = re.compile(r"\b(?:right now|now|currently|as we speak|still|so far|and counting"
                  r"|at (?:this|the) (?:very )?moment|as i (?:type|write))\b")


class _Sentence:
    """What the rules ask of a clause's whole sentence, each worked out once."""

    def __init__(self, text: str):
        self.text = text

    @cached_property
    def past_story(self) -> bool:
        told = " ".join(part for part in clauses(self.text) if not _ASIDE.match(part))
        return bool(_PAST_VERB.search(_JUST.sub("", told))) and not _NOW.search(self.text)

    @cached_property
    def remote(self) -> bool:
        return bool(_REMOTE_RE.search(self.text))

    @cached_property
    def names_a_place(self) -> bool:
        return bool(_LOCATIVE_SCAN.search(self.text)) and not _elsewhere(self.text)


def _clause_cue(clause: str, following: str, sentence: _Sentence, companions: bool
                ) -> str | None:
    """Which rule finds someone on site now in this clause (`following`: the next clause of
    its sentence, where "…, still counting" may be)."""
    if not _HINT.search(clause):
        return None
    cue = _first_cue(clause, _Marked(clause), following, sentence, companions)
    return None if cue is None or _undone(clause) else cue


class _Marked:
    """A clause with each place in it replaced by a mark ("zzplace0", "zzhere1"), and the
    words each mark stands for."""

    def __init__(self, clause: str):
        self.places: list[str] = []
        self.text = _LOCATIVE_SCAN.sub(self._mark, clause)

    def _mark(self, place: re.Match[str]) -> str:
        self.places.append(place.group())
        kind = "here" if place.group() == "here" else "place"
        return f"zz{kind}{len(self.places) - 1}"

    def said(self, text: str) -> str:
        """`text` (a part of the marked clause) in the words of the review."""
        return _MARK.sub(lambda mark: self.places[int(mark.group(1))], text)


_MARK = re.compile(r"zz(?:place|here)(\d+)")
# Rules read in the review's own words, their places written out
_ON_WORDS = frozenset({"appeal"})


def _first_cue(clause: str, marked: _Marked, following: str, sentence: _Sentence,
               companions: bool) -> str | None:
    for name, pattern in _PATTERNS.items():
        read = clause if name in _ON_WORDS else marked.text
        match = pattern.search(read)
        if match is None:
            continue
        said = match.group() if name in _ON_WORDS else marked.said(match.group())
        subject = match.groupdict().get("subject") or ""
        if _PRONOUN_SUBJECT.match(subject) and not companions:
            continue
        theirs = _THEIRS.search(subject)
        if theirs and theirs.group("whose") not in _FAMILY:
            continue
        if _somewhere_else(said, read[match.end():]) or \
                _LONG_AT_INSTITUTION.search(clause) or _ELSEWHERE_IN_CLAUSE.search(clause):
            continue
        if name in _FRAGMENTS and (_GENERIC_PLACE.search(said) or sentence.past_story):
            continue
        if name in _WAITS and _REMOTE_RE.search(clause):
            continue
        if name in _TENSELESS and _PAST_VERB.search(clause):
            continue
        if _PATIENT_OF_RE.search(said) and not _ANCHOR.search(clause):
            continue
        return name
    bare = _BARE_PLACE.search(marked.text)
    if bare:
        place = marked.said(bare.group())
        if not _elsewhere(place) and not _GENERIC_PLACE.search(place) and (
                _ANCHOR.search(clause) or _WITH.search(clause) or _RUNNING.search(clause)
                or _WAITING_HERE.search(clause)) and not sentence.past_story:
            return "place"
    if _SPAN_HINT.search(clause) and _RUNNING.search(f"{clause} {following}") and not \
            sentence.remote and (marked.places or _COUNTING_NOW.search(clause)):
        return "running"
    with_someone = _POSTURE_WITH_RE.search(clause)
    if with_someone and sentence.names_a_place:
        subject = with_someone.group("subject")
        if not _PRONOUN_SUBJECT.match(subject) or companions:
            return "posture_with"
    return None


def _somewhere_else(said: str, after: str) -> bool:
    """Whether the place a rule found is not ours; "my bed on the oncology floor" is."""
    if not _elsewhere(said):
        return False
    return not (_OWN_BED.search(said) and _MARK.match(after.lstrip()))


_OWN_BED = re.compile(r"\b(?:my|our|his|her|their) (?:own )?(?:bed|room)$")
# "my coworker's husband", "my neighbor's son": someone else's family
_THEIRS = re.compile(r"\b(?:my|our) (?:\w+ )?(?P<whose>\w+)'s ")
_FAMILY = frozenset({
    "mom", "mother", "mum", "dad", "father", "husband", "wife", "son", "daughter", "sister",
    "brother", "grandma", "grandmother", "grandpa", "grandfather", "partner", "aunt", "uncle",
    "parents", "baby", "child", "kid", "boyfriend", "girlfriend", "fiance", "fiancee"})


def _elsewhere(phrase: str) -> bool:
    return bool(_ELSEWHERE_RE.search(phrase))


def _undone(clause: str) -> str | None:
    for name, pattern in _UNDOING.items():
        found = pattern.search(clause)
        if found and name == "past":
            since = clause.find("since ")
            if 0 <= since < found.start() and not any(
                    later.start() < since for later in pattern.finditer(clause)):
                continue  # "since she arrived by ambulance last night"
        if found:
            return name
    return None
