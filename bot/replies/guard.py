"""The reply guard: reads a drafted public reply beside its review and says what the reply must
not say (blocks) and what to think twice about (warnings), each with the words that matched.

A pure, fast function of the draft, the review and the rules. The rules are data that a
compliance team can read and extend: bot/replies/guard_rules.toml, plus the file [guard]
rules_file in reviewdesk.toml names (read by `bot.replies.guard_rules`). This module only knows
how to apply a rule of each kind.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.replies import language
from bot.replies.guard_rules import GuardRules, Kind, Rule, Severity, load_rules


@dataclass(frozen=True)
class Finding:
    rule_id: str
    severity: Severity
    quote: str  # the reply's own words that matched; "" for a rule about the whole reply
    span: tuple[int, int] | None  # character offsets of `quote` in the draft
    explain: str  # the rule's one-line explanation
    # the sentence the words are in, reworded by the rules' `rewrite` pairs (None: no rewording)
    suggestion: str | None = None

    @property
    def message(self) -> str:
        """What a person reads: the quoted words, then what is wrong with them (and a rewording,
        when the rules have one)."""
        text = f"\u201c{self.quote}\u201d: {self.explain}" if self.quote else self.explain
        return f"{text} Try: \u201c{self.suggestion}\u201d" if self.suggestion else text


@dataclass(frozen=True)
class GuardResult:
    findings: tuple[Finding, ...] = ()

    @property
    def blocks(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.BLOCK)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.WARN)

    @property
    def blocked(self) -> bool:
        return any(f.severity is Severity.BLOCK for f in self.findings)

    @property
    def rule_ids(self) -> frozenset[str]:
        return frozenset(f.rule_id for f in self.findings)

    def summary(self, severity: Severity | None = Severity.BLOCK, limit: int = 2000) -> str:
        """The findings of one severity (None: all) as lines for a modal's error text, cut to
        `limit` characters."""
        lines = [f.message for f in self.findings if severity is None or f.severity is severity]
        text = "\n".join(lines)
        return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"



# ---- checking ------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[.!?]+(?=\s)|\n")
_ABBREVIATION = re.compile(r"\b(?:Dr|Mr|Mrs|Ms|Mx|St|No|vs|Prof|Jr|Sr|Rm|e\.g|i\.e)\.$")
# Curly quotes read as straight ones, and Spanish vowels with or without their accents (people
# type "medico" as often as "médico"), one character for one so that offsets stay the draft's.
_TYPOGRAPHIC = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
                              **dict(zip("áéíóúüÁÉÍÓÚÜ", "aeiouuAEIOUU", strict=True))})


def _sentence_starts(text: str) -> list[int]:
    starts = [0]
    for match in _SENTENCE_END.finditer(text):
        if match.group() != "\n" and _ABBREVIATION.search(text[: match.end()]):
            continue
        starts.append(match.end())
    return starts


def _sentence_at(text: str, starts: list[int], position: int) -> str:
    index = bisect_right(starts, position) - 1
    end = starts[index + 1] if index + 1 < len(starts) else len(text)
    return text[starts[index]:end]


class _Review:
    """What the review said, for `unless_in_review` and names."""

    def __init__(self, text: str, author: str | None, rules: GuardRules):
        self.text = text.translate(_TYPOGRAPHIC).casefold()
        # read as the draft is (accents off): "Hola María" greets the author "María G."
        self.author_words = {w.casefold() for w in re.findall(
            r"[\w'-]+", (author or "").translate(_TYPOGRAPHIC))}
        self.rules = rules

    def said(self, key: str, *, name: bool) -> bool:
        key = key.strip().casefold()
        candidates = {key} | self.rules.equivalents.get(key, frozenset())
        if key.endswith("s"):
            candidates.add(key[:-1])
        if name and " " in key:
            candidates |= {word for word in key.split() if len(word) > 2}
        return any(re.search(rf"\b{re.escape(c)}(?:s|es|'s)?\b", self.text) for c in candidates)

    def is_not_a_name(self, key: str) -> bool:
        words = key.strip().casefold().split()
        return (not words or key.strip().casefold() in self.rules.not_names
                or all(w in self.rules.not_names or w in self.rules.allowed_names
                       or w in self.author_words for w in words))


def check_reply(draft: str, *, review_text: str, review_author: str | None = None,
                labels: Sequence[str] = (), earlier_public_replies: int = 0,
                rules: GuardRules | None = None) -> GuardResult:
    """The guard's findings on `draft`, a public reply to the review `review_text` written by
    `review_author` (their public name), on a case with triage `labels`, in a thread that
    already has `earlier_public_replies` public replies. Blocks first, then warnings, each in
    the order their words appear. Words inside words one rule has explained are not explained
    again by a rule later in the file."""
    rules = rules or load_rules()
    text = draft.translate(_TYPOGRAPHIC)
    review = _Review(review_text or "", review_author, rules)
    starts: list[int] | None = None
    findings: list[Finding] = []
    for rule in rules.rules:
        if rule.kind is Kind.MATCH:
            if rule.needs_reader and starts is None:
                starts = _sentence_starts(text)
            claimed = [f.span for f in findings if f.span]
            findings.extend(f for f in _matches(rule, text, draft, review, rules, starts)
                            if not any(start <= f.span[0] and f.span[1] <= end
                                       for start, end in claimed))
        elif rule.kind is Kind.ABSENT:
            if text.strip() and not any(p.search(text) for p in rule.patterns):
                findings.append(Finding(rule.id, rule.severity, "", None, rule.explain))
        elif rule.kind is Kind.LENGTH:
            length, review_length = len(draft.strip()), len((review_text or "").strip())
            if length > max(rule.min_chars, rule.max_ratio * review_length):
                findings.append(Finding(rule.id, rule.severity, "", None, rule.explain))
        elif rule.kind is Kind.LABEL:
            if rule.labels & set(labels):
                findings.append(Finding(rule.id, rule.severity, "", None, rule.explain))
        elif rule.kind is Kind.REPEAT and earlier_public_replies >= rule.at_least:
            findings.append(Finding(rule.id, rule.severity, "", None, rule.explain))
        elif rule.kind is Kind.LANGUAGE:
            reading = language.read(draft)
            others = reading.other_codes(rule.languages)
            if text.strip() and others:
                name = language.NAMES.get(others[0], "another language")
                findings.append(Finding(rule.id, rule.severity, "", None,
                                        rule.explain.replace("{language}", name)))
    findings = _with_suggestions(findings, text, draft, rules)
    findings.sort(key=lambda f: (f.severity is not Severity.BLOCK,
                                 f.span[0] if f.span else len(draft)))
    return GuardResult(tuple(findings))


def _with_suggestions(findings: list[Finding], text: str, draft: str,
                      rules: GuardRules) -> list[Finding]:
    """Each finding of a rule that rewords, with its sentence reworded by every rule's
    `rewrite` pairs (so a sentence with two slips gets one rewording that mends both)."""
    rewording = {rule.id for rule in rules.rules if rule.rewrite}
    if not any(f.rule_id in rewording and f.span for f in findings):
        return findings
    starts = _sentence_starts(text)
    pairs = [pair for rule in rules.rules for pair in rule.rewrite]
    out = []
    for finding in findings:
        if finding.rule_id in rewording and finding.span:
            index = bisect_right(starts, finding.span[0]) - 1
            end = starts[index + 1] if index + 1 < len(starts) else len(text)
            sentence = _reword(text[starts[index]:end], draft[starts[index]:end], pairs)
            if sentence is not None:
                finding = replace(finding, suggestion=sentence)
        out.append(finding)
    return out


def _reword(folded: str, original: str,
            pairs: Sequence[tuple[re.Pattern[str], str]]) -> str | None:
    """`original` with each pair's pattern (found in `folded`, its reading) replaced; None when
    nothing changed."""
    changed = False
    for pattern, replacement in pairs:
        pieces, last = [], 0
        for match in pattern.finditer(folded):
            pieces += [original[last:match.start()], _words(replacement, match, original)]
            last = match.end()
        if pieces:
            changed = True
            original = "".join(pieces) + original[last:]
            folded = original.translate(_TYPOGRAPHIC)
    if not changed:
        return None
    reworded = re.sub(r"[ \t]{2,}", " ", original)
    reworded = re.sub(r"\s+([.,!?;:])", r"\1", reworded)
    reworded = re.sub(r"([,;:])(?=[,;:.!?])", "", reworded).strip().lstrip(",;: ")
    return reworded[:1].upper() + reworded[1:]


_GROUP_REF = re.compile(r"\\g<(\w+)>")


def _words(replacement: str, match: re.Match[str], original: str) -> str:
    """The replacement, its \\g<name> parts as the person wrote them (accents, capitals)."""
    def part(ref: re.Match[str]) -> str:
        start, end = match.span(ref[1])
        return original[start:end] if start >= 0 else ""

    return _GROUP_REF.sub(part, replacement)


def reword(draft: str, rules: GuardRules | None = None) -> str:
    """The whole draft with every rule's `rewrite` pairs applied, sentence by sentence (what a
    person gets when they take the guard's suggestions)."""
    rules = rules or load_rules()
    pairs = [pair for rule in rules.rules for pair in rule.rewrite]
    text = draft.translate(_TYPOGRAPHIC)
    starts = _sentence_starts(text)
    pieces = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(text)
        original = draft[start:end]
        reworded = _reword(text[start:end], original, pairs)
        if reworded is None:
            pieces.append(original)
        else:  # keep the whitespace around the sentence as the person typed it
            lead = original[:len(original) - len(original.lstrip())]
            trail = original[len(original.rstrip()):]
            pieces.append(f"{lead}{reworded}{trail}")
    return "".join(pieces)


def _matches(rule: Rule, text: str, draft: str, review: _Review, rules: GuardRules,
             starts: list[int] | None) -> list[Finding]:
    allowed = [m.span() for p in rule.allow for m in p.finditer(text)]
    taken: list[tuple[int, int]] = []
    out: list[Finding] = []
    for pattern in rule.patterns:
        for match in pattern.finditer(text):
            start, end = match.span()
            if start == end or any(a <= start and end <= b for a, b in allowed):
                continue
            if any(start < b and a < end for a, b in taken):
                continue
            key = match.group("key") if "key" in pattern.groupindex and match.group("key") \
                else match.group()
            key = key.removesuffix("'s")
            if rule.needs_reader and starts is not None and not any(
                    p.search(_sentence_at(text, starts, start)) for p in rules.reader):
                continue
            if rule.names and review.is_not_a_name(key):
                continue
            if rule.unless_in_review and review.said(key, name=rule.names):
                continue
            taken.append((start, end))
            out.append(Finding(rule.id, rule.severity, draft[start:end].strip(), (start, end),
                               rule.explain))
    return out
