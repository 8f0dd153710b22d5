"""The reply flow's values, shared by the flow and the modals: the Respond form, and a reply on
its way as a modal shows it (a reply's status is bot/core/reply_status.py's, the cards tell it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.core.reply_status import Status
from bot.replies.guard import Finding
from bot.replies.targets import Posting
from bot.replies.templates import Audience, ReplyTemplate

# Slack documents no limit for a response_action "errors" message; it shows under the text
# box, so it is kept to what a person reads there.
ERROR_TEXT_MAX = 1000


def explain(findings: Sequence[Finding], limit: int = ERROR_TEXT_MAX) -> str:
    """Findings as lines: “words”, “other words”: what is wrong with them. Try: “the sentence
    reworded” (when the rules reword it)."""
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule_id, []).append(finding)
    lines = []
    for found in by_rule.values():
        quotes = ", ".join(dict.fromkeys(f"\u201c{f.quote}\u201d" for f in found if f.quote))
        text = f"{quotes}: {found[0].explain}" if quotes else found[0].explain
        suggestions = " or ".join(dict.fromkeys(f"\u201c{f.suggestion}\u201d"
                                                for f in found if f.suggestion))
        lines.append(f"{text} Try: {suggestions}" if suggestions else text)
    text = "\n".join(lines)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


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
