"""The reply flow's values, shared by the flow and the modals: the Respond form, and a reply on
its way as a modal shows it (a reply's status is bot/core/reply_status.py's, the cards tell it)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.core.reply_status import Status
from bot.replies.guard import Finding
from bot.replies.targets import Posting
from bot.replies.templates import Audience, ReplyTemplate
from bot.text import plain_line

# Slack documents no length limit for a response_action "errors" message (nor does the twin,
# twin/rules: check_view_submission_response); it shows under the text box, so it is kept to
# what a person reads there. Every reason is shown whole within it: see `explain`.
ERROR_TEXT_MAX = 1000


def explain(findings: Sequence[Finding], limit: int = ERROR_TEXT_MAX) -> str:
    """Findings as lines, one a rule: “words”, “other words”: what is wrong with them. Try:
    “the sentence reworded” (when the rules reword it). When they do not all fit in `limit`
    characters, every rule still gets a line: the first clause of its explanation, with the
    quoted words, and then the whole explanation, as far as the room allows, in order; past
    what even the first clauses fit, the first reasons and "and N more:" with the other rules'
    names. Nothing is cut mid-word."""
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule_id, []).append(finding)
    groups = list(by_rule.values())
    full = [_line(found, found[0].explain, suggest=True) for found in groups]
    text = "\n".join(full)
    if len(text) <= limit:
        return text
    quoted = [_line(found, _first_clause(found[0].explain)) for found in groups]
    bare = [_first_clause(found[0].explain) for found in groups]
    heading = plain_line("guard_reasons_heading", count=len(groups))

    def size(lines: Sequence[str]) -> int:
        return len(heading) + sum(1 + len(line) for line in lines)

    if size(bare) <= limit:
        lines = list(bare)
        # every line gets its quoted words before any gets its whole explanation back
        for better in (quoted, full):
            for index in range(len(lines)):
                if size([*lines[:index], better[index], *lines[index + 1:]]) <= limit:
                    lines[index] = better[index]
        return "\n".join([heading, *lines])
    names = [rule_id.replace("_", " ") for rule_id in by_rule]
    shown: list[str] = []
    for index, line in enumerate(bare):
        more = plain_line("guard_more_reasons", count=len(names) - index - 1,
                          names=", ".join(names[index + 1:])) if index + 1 < len(names) else ""
        if size([*shown, line, *([more] if more else [])]) > limit:
            break
        shown.append(line)
    rest = names[len(shown):]
    more = plain_line("guard_more_reasons", count=len(rest), names=", ".join(rest))
    return _cut_at_word("\n".join([heading, *shown, more]), limit)


def _line(found: Sequence[Finding], reason: str, *, suggest: bool = False) -> str:
    quotes = ", ".join(dict.fromkeys(f"\u201c{f.quote}\u201d" for f in found if f.quote))
    text = f"{quotes}: {reason}" if quotes else reason
    suggestions = " or ".join(dict.fromkeys(f"\u201c{f.suggestion}\u201d"
                                            for f in found if f.suggestion)) if suggest else ""
    return f"{text} Try: {suggestions}" if suggestions else text


_CLAUSE_END = re.compile(r"[;.](?=\s|$)")


def _first_clause(explanation: str) -> str:
    """A rule's explanation up to its first full stop or semicolon ("This reads as medical
    advice."), the reason in fewest words."""
    match = _CLAUSE_END.search(explanation)
    return (explanation[:match.start()] if match else explanation).rstrip() + "."


def _cut_at_word(text: str, limit: int) -> str:
    """Only for a limit too small for even the rules' names: cut before a word, never in one."""
    if len(text) <= limit:
        return text
    return text[:limit - 1].rsplit(None, 1)[0].rstrip(",;:") + "\u2026"


@dataclass(frozen=True)
class Unposted:
    """Words someone left without posting (Next pressed, then the copy step cancelled; or a
    post the source refused), which Respond opens with: whose, and when last worked on."""

    actor: str
    at: datetime
    status: Status


@dataclass(frozen=True)
class ReplyForm:
    """What the Respond (or private follow-up) modal shows."""

    case_id: int
    audience: Audience
    review_text: str
    templates: tuple[ReplyTemplate, ...]  # public: the one that fits the case first
    selected: str | None
    draft: str
    editing: bool  # the case already has a public reply: this one replaces or adds to it
    posting: Posting
    unsettled: bool = False  # an earlier post's outcome is unknown: it is looked up first
    # the draft is words someone left unposted, not a template: the modal says whose and when
    unposted: Unposted | None = None


@dataclass(frozen=True)
class PostView:
    """A reply on its way, as the modal shows it."""

    post_id: int
    case_id: int
    audience: Audience
    status: Status
    posting: Posting
    text: str
    template: str | None = None
    reason: str | None = None
    retryable: bool = False
    # Another post of the case, not this one, is what the modal must show (an earlier post
    # whose outcome had to be settled first).
    instead_of: int | None = None


@dataclass(frozen=True)
class HideOnSource:
    """What hiding the review on its source did."""

    source_name: str
    hidden: bool
    reason: str | None = None
