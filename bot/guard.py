"""The reply guard: reads a drafted public reply beside its review and says what the reply must
not say (blocks) and what to think twice about (warnings), each with the words that matched.

A pure, fast function of the draft, the review and the rules. The rules are data that a
compliance team can read and extend: bot/guard_rules.toml, plus the file [guard] rules_file in
reviewdesk.toml names. This module only knows how to apply a rule of each kind.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.config import Config, ConfigError

SHIPPED_RULES = Path(__file__).resolve().parent / "guard_rules.toml"


class Severity(StrEnum):
    BLOCK = "block"  # the reply cannot be recorded or posted until it is reworded
    WARN = "warn"  # the person may post anyway; their choice is recorded


class Kind(StrEnum):
    MATCH = "match"  # words or patterns in the reply
    ABSENT = "absent"  # none of the words or patterns is in the reply
    LENGTH = "length"  # the reply is much longer than the review
    LABEL = "label"  # the case carries a triage label
    REPEAT = "repeat"  # the thread already has a public reply


@dataclass(frozen=True)
class Finding:
    rule_id: str
    severity: Severity
    quote: str  # the reply's own words that matched; "" for a rule about the whole reply
    span: tuple[int, int] | None  # character offsets of `quote` in the draft
    explain: str  # the rule's one-line explanation

    @property
    def message(self) -> str:
        """What a person reads: the quoted words, then what is wrong with them."""
        return f"\u201c{self.quote}\u201d: {self.explain}" if self.quote else self.explain


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


# ---- rules ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    kind: Kind
    explain: str
    patterns: tuple[re.Pattern[str], ...] = ()
    allow: tuple[re.Pattern[str], ...] = ()
    needs_reader: bool = False
    unless_in_review: bool = False
    names: bool = False
    labels: frozenset[str] = frozenset()
    max_ratio: float = 4.0
    min_chars: int = 600
    at_least: int = 1


@dataclass(frozen=True)
class GuardRules:
    rules: tuple[Rule, ...]
    reader: tuple[re.Pattern[str], ...]
    not_names: frozenset[str] = frozenset()  # casefolded
    allowed_names: frozenset[str] = frozenset()  # casefolded words of the organisation and sites
    equivalents: Mapping[str, frozenset[str]] = field(default_factory=dict)
    sources: tuple[str, ...] = ()

    def rule(self, rule_id: str) -> Rule | None:
        return next((rule for rule in self.rules if rule.id == rule_id), None)


_RULE_KEYS = {
    "id", "severity", "kind", "explain", "phrases", "patterns", "cased_patterns", "allow",
    "needs_reader", "unless_in_review", "names", "labels", "max_ratio", "min_chars",
    "at_least", "disabled",
}
_TOP_KEYS = {"version", "equivalents", "reader", "vocab", "rule"}
_VOCAB_REF = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_NEVER = "(?!x)x"


def _vocab_entry(entry: str) -> str:
    """A vocabulary entry as a regex: the words as written (any spacing), plurals too."""
    words = r"\s+".join(re.escape(word) for word in entry.split())
    return words + ("(?:s|es)?" if entry[-1:].isalpha() else "")


def _vocab_regex(entries: Sequence[str]) -> str:
    if not entries:
        return _NEVER
    ordered = sorted({e.strip() for e in entries if e.strip()}, key=len, reverse=True)
    return "(?:" + "|".join(_vocab_entry(entry) for entry in ordered) + ")"


def _phrase_regex(phrase: str) -> str:
    words = r"\s+".join(re.escape(word) for word in phrase.split())
    start = r"\b" if phrase[:1].isalnum() else ""
    end = r"\b" if phrase[-1:].isalnum() else ""
    return f"{start}{words}{end}"


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """`extra` over `base`: rules replace by id (or are disabled), vocab lists extend,
    equivalents add, [reader] replaces."""
    merged = dict(base)
    vocab = {name: list(words) for name, words in base.get("vocab", {}).items()}
    for name, words in extra.get("vocab", {}).items():
        vocab[name] = [*vocab.get(name, []), *(words if isinstance(words, list) else [words])]
    merged["vocab"] = vocab
    merged["equivalents"] = [*base.get("equivalents", []), *extra.get("equivalents", [])]
    if "reader" in extra:
        merged["reader"] = extra["reader"]
    rules = {rule.get("id"): rule for rule in base.get("rule", [])}
    for rule in extra.get("rule", []):
        rules[rule.get("id")] = rule
    merged["rule"] = [rule for rule in rules.values() if not rule.get("disabled")]
    return merged


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"The guard's rules file {path} cannot be read "
                          f"({error.strerror or type(error).__name__}).") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"The guard's rules file {path} is not valid TOML: {error}.") from None


def _strings(value: Any, where: str, problems: list[str]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        problems.append(f"{where} must be a list of texts in quotes.")
        return []
    return value


def _compile(data: dict[str, Any], *, staff_names: Iterable[str], allowed_names: Iterable[str],
             sources: tuple[str, ...]) -> GuardRules:
    problems: list[str] = []
    for key in sorted(set(data) - _TOP_KEYS):
        problems.append(f"guard rules: {key!r} is not a setting the guard knows; check its "
                        "spelling.")
    vocab: dict[str, list[str]] = {}
    for name, words in (data.get("vocab") or {}).items():
        vocab[name] = _strings(words, f"guard rules: [vocab] {name}", problems)
    vocab["staff_names"] = [*vocab.get("staff_names", []), *staff_names]
    vocab_regex = {name: _vocab_regex(words) for name, words in vocab.items()}

    def expand(pattern: str, where: str) -> str:
        def replace(match: re.Match[str]) -> str:
            name = match[1]
            if name not in vocab_regex:
                problems.append(f"{where} uses {{{name}}}, which is not a list under [vocab].")
                return _NEVER
            return vocab_regex[name]
        return _VOCAB_REF.sub(replace, pattern)

    def compiled(patterns: list[str], where: str, flags: int) -> list[re.Pattern[str]]:
        out = []
        for pattern in patterns:
            try:
                out.append(re.compile(expand(pattern, where), flags))
            except re.error as error:
                problems.append(f"{where}: the pattern {pattern!r} is not a valid regular "
                                f"expression ({error.msg}).")
        return out

    reader = compiled(_strings(_table(data, "reader").get("patterns"), "guard rules: [reader]",
                               problems), "guard rules: [reader]", re.IGNORECASE)
    rules: list[Rule] = []
    seen: set[str] = set()
    for number, raw in enumerate(data.get("rule") or [], start=1):
        rule_id = raw.get("id") if isinstance(raw, dict) else None
        where = f"guard rule {rule_id!r}" if rule_id else f"guard rule {number}"
        if not isinstance(raw, dict) or not isinstance(rule_id, str) or not rule_id.strip():
            problems.append(f"{where} needs an id.")
            continue
        if rule_id in seen:
            problems.append(f"{where} is defined twice in one file.")
        seen.add(rule_id)
        for key in sorted(set(raw) - _RULE_KEYS):
            problems.append(f"{where}: {key!r} is not a rule setting; check its spelling.")
        try:
            severity = Severity(raw.get("severity"))
        except ValueError:
            problems.append(f"{where}: severity must be \"block\" or \"warn\", not "
                            f"{raw.get('severity')!r}.")
            continue
        try:
            kind = Kind(raw.get("kind", "match"))
        except ValueError:
            problems.append(f"{where}: kind must be one of {', '.join(k.value for k in Kind)}, "
                            f"not {raw.get('kind')!r}.")
            continue
        explain = raw.get("explain")
        if not isinstance(explain, str) or not explain.strip():
            problems.append(f"{where} needs an explain: one sentence shown to the person.")
            continue
        phrases = sorted(_strings(raw.get("phrases"), where, problems), key=len, reverse=True)
        # One alternation for all of a rule's phrases: a single pass over the draft.
        patterns = ["(?:" + "|".join(map(_phrase_regex, phrases)) + ")"] if phrases else []
        patterns += _strings(raw.get("patterns"), where, problems)
        found = compiled(patterns, where, re.IGNORECASE)
        found += compiled(_strings(raw.get("cased_patterns"), where, problems), where, 0)
        allow = compiled(_strings(raw.get("allow"), where, problems), where, re.IGNORECASE)
        if kind in (Kind.MATCH, Kind.ABSENT) and not found:
            problems.append(f"{where} has no phrases or patterns.")
        numbers: dict[str, Any] = {}
        for key, kind_of, default in (("max_ratio", float, 4.0), ("min_chars", int, 600),
                                      ("at_least", int, 1)):
            value = raw.get(key, default)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                problems.append(f"{where}: {key} must be a number of zero or more.")
                value = default
            numbers[key] = kind_of(value)
        rules.append(Rule(
            id=rule_id, severity=severity, kind=kind, explain=explain.strip(),
            patterns=tuple(found), allow=tuple(allow),
            needs_reader=bool(raw.get("needs_reader", False)),
            unless_in_review=bool(raw.get("unless_in_review", False)),
            names=bool(raw.get("names", False)),
            labels=frozenset(_strings(raw.get("labels"), where, problems)),
            **numbers,
        ))
    equivalents: dict[str, frozenset[str]] = {}
    for group in data.get("equivalents") or []:
        words = frozenset(w.casefold() for w in _strings(group, "guard rules: equivalents",
                                                         problems))
        for word in words:
            equivalents[word] = equivalents.get(word, frozenset()) | words
    if problems:
        raise ConfigError(problems)
    allowed = {word.casefold() for name in allowed_names for word in re.findall(r"[\w'-]+", name)}
    return GuardRules(
        rules=tuple(rules), reader=tuple(reader),
        not_names=frozenset(w.casefold() for w in vocab.get("not_names", [])),
        allowed_names=frozenset(allowed), equivalents=equivalents, sources=sources,
    )


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


@lru_cache(maxsize=16)
def load_rules(rules_file: str | None = None, *, staff_names: tuple[str, ...] = (),
               allowed_names: tuple[str, ...] = ()) -> GuardRules:
    """The shipped rules, extended by `rules_file` when given; `staff_names` are always treated
    as staff, and words of `allowed_names` (the organisation's and sites' names) never as names.
    Read once per process for the same arguments (restart to pick up an edited file; `reviewdesk
    check-config` always reads it fresh). Raises ConfigError naming every problem in the
    files."""
    data = _read(SHIPPED_RULES)
    sources = [str(SHIPPED_RULES)]
    if rules_file:
        data = _merge(data, _read(Path(rules_file)))
        sources.append(str(rules_file))
    return _compile(data, staff_names=staff_names, allowed_names=allowed_names,
                    sources=tuple(sources))


def rules_for(config: Config) -> GuardRules:
    """The rules for this desk: [guard] rules_file, [triage] staff_names, and the names of the
    organisation and its sites."""
    names = [config.organization, *(s.name for s in config.sites),
             *(alias for s in config.sites for alias in s.aliases)]
    return load_rules(config.guard.rules_file, staff_names=tuple(config.triage.staff_names),
                      allowed_names=tuple(names))


# ---- checking ------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[.!?]+(?=\s)|\n")
_ABBREVIATION = re.compile(r"\b(?:Dr|Mr|Mrs|Ms|Mx|St|No|vs|Prof|Jr|Sr|Rm|e\.g|i\.e)\.$")
_TYPOGRAPHIC = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


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
        self.author_words = {w.casefold() for w in re.findall(r"[\w'-]+", author or "")}
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
    findings.sort(key=lambda f: (f.severity is not Severity.BLOCK,
                                 f.span[0] if f.span else len(draft)))
    return GuardResult(tuple(findings))


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
