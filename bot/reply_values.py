"""The reply flow's values, shared by the flow, the cards and the modals: a reply's status,
the Respond form, and a reply on its way as a modal shows it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.guard import Finding
from bot.replies import Audience, ReplyTemplate
from bot.reply_targets import Posting

# Slack documents no limit for a response_action "errors" message; it shows under the text
# box, so it is kept to what a person reads there.
ERROR_TEXT_MAX = 1000


def explain(findings: Sequence[Finding], limit: int = ERROR_TEXT_MAX) -> str:
    """Findings as lines: “words”, “other words”: what is wrong with them."""
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule_id, []).append(finding)
    lines = []
    for found in by_rule.values():
        quotes = ", ".join(dict.fromkeys(f"\u201c{f.quote}\u201d" for f in found if f.quote))
        lines.append(f"{quotes}: {found[0].explain}" if quotes else found[0].explain)
    text = "\n".join(lines)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


class Status(StrEnum):
    READY = "ready"  # passed the guard; a person copies it to the source, then marks it
    POSTING = "posting"  # reviewdesk is sending it now
    POSTED = "posted"  # live on the source
    PENDING = "pending"  # accepted, held for the source's moderation
    REJECTED = "rejected"  # the source refused the words
    FAILED = "failed"  # not posted
    UNKNOWN = "unknown"  # sent, no answer, and the source could not say whether it landed
    MARKED = "marked"  # a person posted it by hand and said so
    SENT = "sent"  # a private message a person sent by hand
    SUPERSEDED = "superseded"  # failed or rejected, and a later reply got there


LANDED = frozenset({Status.POSTED, Status.PENDING, Status.MARKED})
UNSETTLED = frozenset({Status.POSTING, Status.UNKNOWN})
# What the card tells about the latest public reply (a draft waiting to be copied, or a post
# under way, shows nothing).
SHOWN_ON_CARD = frozenset({Status.POSTED, Status.PENDING, Status.REJECTED, Status.FAILED,
                           Status.UNKNOWN, Status.MARKED})

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
