"""The reply guard's rules: bot/replies/guard_rules.toml (and the file [guard] rules_file names)
read, checked and compiled into `GuardRules`, with a plain sentence for every problem in the
files. `bot.replies.guard.check_reply` applies them."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
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
    LANGUAGE = "language"  # the reply (or a paragraph of it) is in a language the guard can't read


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
    # (pattern, replacement) pairs that reword what the rule found; the finding's suggestion is
    # its sentence with them applied
    rewrite: tuple[tuple[re.Pattern[str], str], ...] = ()
    languages: frozenset[str] = frozenset()  # kind "language": the languages the guard reads


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
    "at_least", "disabled", "rewrite", "languages",
}
_TOP_KEYS = {"version", "equivalents", "reader", "vocab", "rule"}
_VOCAB_REF = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_NEVER = "(?!x)x"
_GROUP_REF = re.compile(r"\\g<(\w+)>")


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
        rewrite = _rewrites(raw.get("rewrite"), where, problems, expand)
        languages = frozenset(_strings(raw.get("languages"), where, problems))
        if kind is Kind.LANGUAGE and not languages:
            problems.append(f"{where} needs languages: the languages the guard reads, "
                            "e.g. [\"en\", \"es\"].")
        rules.append(Rule(
            id=rule_id, severity=severity, kind=kind, explain=explain.strip(),
            patterns=tuple(found), allow=tuple(allow),
            needs_reader=bool(raw.get("needs_reader", False)),
            unless_in_review=bool(raw.get("unless_in_review", False)),
            names=bool(raw.get("names", False)),
            labels=frozenset(_strings(raw.get("labels"), where, problems)),
            rewrite=rewrite, languages=languages,
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


def _rewrites(value: Any, where: str, problems: list[str],
              expand: Callable[[str, str], str]) -> tuple[tuple[re.Pattern[str], str], ...]:
    """A rule's `rewrite`: pairs of [pattern, the words to put in its place], the pattern
    compiled any case; the words may bring back a named part of the match (\\g<noun>)."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)
            for pair in value):
        problems.append(f"{where}: rewrite must be a list of [pattern, replacement] pairs.")
        return ()
    out = []
    for pattern, replacement in value:
        try:
            compiled = re.compile(expand(pattern, where), re.IGNORECASE)
        except re.error as error:
            problems.append(f"{where}: the rewrite pattern {pattern!r} is not a valid regular "
                            f"expression ({error.msg}).")
            continue
        missing = set(_GROUP_REF.findall(replacement)) - set(compiled.groupindex)
        if missing or re.search(r"\\(?!g<)", replacement):
            problems.append(f"{where}: the rewrite {replacement!r} may only bring back named "
                            f"parts of its pattern, as \\g<name>"
                            + (f" (the pattern has no {', '.join(sorted(missing))})."
                               if missing else "."))
            continue
        out.append((compiled, replacement))
    return tuple(out)


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
