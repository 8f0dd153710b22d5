"""What a case is and which actions fit which state: pure rules, no database and no Slack."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class Status(StrEnum):
    OPEN = "open"
    DONE = "done"  # answered in public with no PX follow-up open: the work has ended
    HIDDEN = "hidden"
    IGNORED = "ignored"
    RESOLVED = "resolved"


CLOSED = frozenset({Status.DONE, Status.HIDDEN, Status.IGNORED, Status.RESOLVED})
# A case that comes back when its reviewer writes again (an edit still negative, or a new review
# on the same source and site); a hidden or ignored one does not (trolls write again too).
COMES_BACK = frozenset({Status.DONE, Status.RESOLVED})

SYSTEM = "system"  # the actor of what the bot does by itself (opening a case, an edit)


class Action(StrEnum):
    OPENED = "opened"
    CLAIM = "claimed"
    RELEASE = "released"
    TAKE_OVER = "taken_over"
    RESPOND = "responded"
    ESCALATE = "escalated"
    PX_CLAIM = "px_claimed"
    PX_TAKE_OVER = "px_taken_over"
    PX_CONTACTED = "px_contacted"
    RESOLVE = "resolved"
    HIDE = "hidden"
    IGNORE = "ignored"
    REOPEN = "reopened"
    REVIEW_EDITED = "review_edited"
    WROTE_AGAIN = "wrote_again"  # the reviewer of a done case wrote a new review
    DONE = "done"  # the case's work ended (answered in public, no PX follow-up open)
    MARK_ON_SITE = "marked_on_site"  # a person says the reviewer is on site now
    SNOOZE = "snoozed"
    # The reply flow (bot/replies/flow.py): the guard's warnings a person chose to post past, what
    # the source answered, hiding on the source, and what came of the offer to talk.
    GUARD_OVERRIDE = "guard_overridden"
    REPLY_FAILED = "reply_failed"
    REPLY_REJECTED = "reply_rejected"
    REPLY_UNKNOWN = "reply_unknown"
    REPLY_PUBLISHED = "reply_published"
    HIDDEN_ON_SOURCE = "hidden_on_source"
    HIDE_ON_SOURCE_FAILED = "hide_on_source_failed"
    PRIVATE_SENT = "private_sent"
    OUTCOME = "outcome_logged"


# What may still be done to a done case (answered in public).
DONE_ALLOWS = frozenset({Action.RESPOND, Action.ESCALATE})

# What may be done to a case whatever its state: a reviewer may write in, or edit the review,
# after the case was resolved or hidden.
ANY_STATUS = frozenset({Action.PRIVATE_SENT, Action.OUTCOME})

# What only the person holding a claimed case does: anyone else is told who holds it and
# offered to take it over first, so nobody answers or closes a case another person is working.
HOLDER_ONLY = frozenset({Action.RESPOND, Action.ESCALATE, Action.HIDE, Action.IGNORE})

# The same for a PX follow-up: only whoever claimed it for PX marks it contacted or resolves it;
# anyone else (with PX's role) is told who holds it and offered to take it over first.
PX_HOLDER_ONLY = frozenset({Action.PX_CONTACTED, Action.RESOLVE})


class WindowKind(StrEnum):
    FIRST_RESPONSE = "first_response"
    URGENT = "urgent"  # instead of first_response, for on-site or risk cases
    PX_FOLLOWUP = "px_followup"


RESPONSE_WINDOWS = (WindowKind.FIRST_RESPONSE, WindowKind.URGENT)


HIDE_REASONS: dict[str, str] = {
    "profanity": "profanity or harassment",
    "names_clinician": "names a clinician",
    "spam": "spam",
    "health_info": "discloses health information",
    "off_topic": "off-topic",
}

IGNORE_REASONS: dict[str, str] = {
    "troll": "troll",
    "already_handled": "already handled",
    "duplicate": "duplicate",
    "not_about_us": "not about us",
    "past_experience": "past experience",
}

URGENCIES: dict[str, str] = {
    "routine": "Routine",
    "soon": "Soon — within a day",
    "urgent": "Urgent — today",
}

MAX_REPLY_CHARS = 4000  # Google caps an owner reply at 4,096 characters; keep a margin.
MAX_NOTE_CHARS = 2000


class CaseFacts(Protocol):
    """The parts of a case the rules read (storage.models.Case has them)."""

    id: int | None
    status: str
    claimant_id: str | None
    claimed_at: datetime | None
    escalated_by: str | None
    px_site: str | None
    px_claimant_id: str | None
    px_claimed_at: datetime | None
    px_contacted_by: str | None
    closed_by: str | None
    closed_reason: str | None


class LookDecision(StrEnum):
    """What a person decided about an unsure review listed under "Needs a look"."""

    MADE_CASE = "case"
    NOT_COMPLAINT = "not_complaint"


class Offer(StrEnum):
    """A way out offered next to a refusal."""

    TAKE_OVER = "take_over"
    PX_TAKE_OVER = "px_take_over"
    REOPEN = "reopen"
    TAKE_OVER_AND_CONTINUE = "take_over_and_continue"  # then open what the person pressed


@dataclass
class Refusal(Exception):
    """An action that does not fit the case's state; `reason` names the rule, the wording
    comes from templates, and `offer` is a button shown beside it."""

    reason: str
    case_id: int | None
    facts: dict
    offer: Offer | None = None

    def __str__(self) -> str:
        return f"refused: {self.reason} (case {self.case_id})"


def closed_reason_label(status: str, reason: str | None) -> str | None:
    if reason is None:
        return None
    labels = HIDE_REASONS if status == Status.HIDDEN else IGNORE_REASONS
    return labels.get(reason, reason)


def closed_for(status: str, action: Action) -> bool:
    """Whether a case in `status` is closed to `action`: every closed case is, but an answered
    (done) case may still have its reply edited, or go to PX (which opens it again)."""
    return status in CLOSED and not (status == Status.DONE and action in DONE_ALLOWS)


def check(case: CaseFacts, action: Action, actor: str) -> None:
    """Raise Refusal when `actor` may not take `action` on `case` now."""
    facts = {
        "claimant": case.claimant_id,
        "claimed_at": case.claimed_at,
        "escalated_by": case.escalated_by,
        "px_site": case.px_site,
        "px_claimant": case.px_claimant_id,
        "px_claimed_at": case.px_claimed_at,
        "px_contacted_by": case.px_contacted_by,
        "status": case.status,
        "closed_by": case.closed_by,
        "closed_reason": closed_reason_label(case.status, case.closed_reason),
    }

    def refuse(reason: str, offer: Offer | None = None) -> Refusal:
        return Refusal(reason, case.id, facts, offer)

    if action == Action.REOPEN:
        if case.status not in CLOSED:
            raise refuse("already_open")
        return
    if action in ANY_STATUS:
        return
    if closed_for(case.status, action):
        raise refuse("closed", Offer.REOPEN)

    match action:
        case Action.CLAIM:
            if case.claimant_id == actor:
                raise refuse("already_yours")
            if case.claimant_id is not None:
                raise refuse("already_claimed", Offer.TAKE_OVER)
        case Action.TAKE_OVER:
            if case.claimant_id == actor:
                raise refuse("already_yours")
        case Action.RELEASE:
            if case.claimant_id is None:
                raise refuse("not_claimed")
            if case.claimant_id != actor:
                raise refuse("claimed_by_other", Offer.TAKE_OVER)
        case Action.ESCALATE:
            # Escalating again changes the urgency (and so the deadline) while PX has not yet
            # been in touch; after that, PX logs an outcome or resolves.
            if case.px_contacted_by is not None:
                raise refuse("already_contacted")
        case Action.PX_CLAIM | Action.PX_TAKE_OVER | Action.PX_CONTACTED | Action.RESOLVE:
            if case.escalated_by is None:
                raise refuse("not_escalated")
            if action == Action.PX_CLAIM and case.px_claimant_id == actor:
                raise refuse("already_yours")
            if action == Action.PX_CLAIM and case.px_claimant_id is not None:
                raise refuse("px_already_claimed", Offer.PX_TAKE_OVER)
            if action == Action.PX_TAKE_OVER and case.px_claimant_id == actor:
                raise refuse("already_yours")
            if action == Action.PX_CONTACTED and case.px_contacted_by is not None:
                raise refuse("already_contacted")
        case _:
            pass
    if action in HOLDER_ONLY and case.claimant_id not in (None, actor):
        raise Refusal("held_by_other", case.id, {**facts, "action": str(action)},
                      Offer.TAKE_OVER_AND_CONTINUE)
    if action in PX_HOLDER_ONLY and case.px_claimant_id not in (None, actor):
        raise Refusal("px_held_by_other", case.id, {**facts, "action": str(action)},
                      Offer.TAKE_OVER_AND_CONTINUE)
