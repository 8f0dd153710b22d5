"""Every action_id, callback_id and block_id the bot renders and listens for, in one place."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from enum import StrEnum


class ActionId(StrEnum):
    CLAIM = "case_claim"
    RELEASE = "case_release"
    TAKE_OVER = "case_take_over"
    RESPOND = "case_respond"
    ESCALATE = "case_escalate"
    HIDE = "case_hide"
    IGNORE = "case_ignore"
    REOPEN = "case_reopen"
    SHOW = "case_show"
    OPEN_REVIEW = "case_open_review"
    PX_CLAIM = "px_claim"
    PX_TAKE_OVER = "px_take_over"
    PX_CONTACTED = "px_contacted"
    PX_RESOLVE = "px_resolve"
    REPLY_TEMPLATE = "reply_template"
    NUDGE_SNOOZE = "nudge_snooze"
    NUDGE_ON_IT = "nudge_on_it"
    CASE_MORE = "case_more"  # the overflow menu on the case and PX cards (MoreChoice values)
    PRIVATE_TEMPLATE = "private_template"
    REPLY_RETRY = "reply_retry"  # buttons in the reply's result modal
    REPLY_EDIT = "reply_edit"
    REPLY_MARK_POSTED = "reply_mark_posted"
    REPLY_CHECK = "reply_check"
    LOOK_MAKE_CASE = "look_make_case"
    LOOK_NOT_COMPLAINT = "look_not_complaint"
    # The offer beside "someone else holds this case": value "<case id>:<action wanted>"
    TAKE_OVER_AND_CONTINUE = "case_take_over_continue"
    OFFER_CANCEL = "case_offer_cancel"


class CallbackId(StrEnum):
    RESPOND = "respond_modal"
    ESCALATE = "escalate_modal"
    HIDE = "hide_modal"
    IGNORE = "ignore_modal"
    REPLY_READY = "reply_ready_modal"  # copy-ready text and Mark as posted
    REPLY_RESULT = "reply_result_modal"  # Posting…, then what the source answered
    PRIVATE = "private_modal"
    PRIVATE_READY = "private_ready_modal"
    OUTCOME = "outcome_modal"
    RESOLVE = "resolve_modal"  # Resolve a PX follow-up, with its outcome


class BlockId(StrEnum):
    CASE_ACTIONS = "case_actions"
    PX_ACTIONS = "px_actions"
    TEMPLATE = "reply_template"
    REPLY = "reply_text"  # suffixed with the template name so a new draft replaces the old text
    SITE = "px_site"
    URGENCY = "px_urgency"
    NOTE = "note"
    REASON = "reason"
    NUDGE = "nudge"
    POST_ANYWAY = "post_anyway"
    HIDE_ON_SOURCE = "hide_on_source"
    OUTCOME = "outcome"
    PRIVATE = "private_text"  # suffixed with the template name, like REPLY
    PRIVATE_TEMPLATE = "private_template"
    REPLY_RESULT = "reply_result_actions"


class InputId(StrEnum):
    """action_ids of the inputs inside modals (their values arrive in view.state)."""

    REPLY = "reply_input"
    SITE = "site_select"
    URGENCY = "urgency_select"
    NOTE = "note_input"
    REASON = "reason_select"
    POST_ANYWAY = "post_anyway_check"
    HIDE_ON_SOURCE = "hide_on_source_check"
    OUTCOME = "outcome_select"
    PRIVATE = "private_input"


class MoreChoice(StrEnum):
    """The options of a card's overflow menu; an option's value is "<choice>:<case id>"."""

    PRIVATE = "private"
    OUTCOME = "outcome"
    ON_SITE = "on_site"  # a person says the reviewer is on site now


@dataclass(frozen=True)
class ModalContext:
    """What a modal carries in private_metadata: which case, where the click came from, the
    reply on its way (its words stay in the database: private_metadata carries ids only), the
    guard warnings the person was shown and who held the case when this modal told the person
    so (submitting again takes it over from them)."""

    case_id: int
    channel_id: str | None = None
    post_id: int | None = None
    warned: tuple[str, ...] = ()  # rule ids
    taking_from: str | None = None  # a user id

    def dump(self) -> str:
        data = {key: list(value) if isinstance(value, tuple) else value
                for key, value in asdict(self).items() if value not in (None, ())}
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def load(cls, raw: str) -> ModalContext:
        data = json.loads(raw or "{}")
        post_id = data.get("post_id")
        return cls(case_id=int(data["case_id"]), channel_id=data.get("channel_id"),
                   post_id=int(post_id) if post_id is not None else None,
                   warned=tuple(str(rule) for rule in data.get("warned") or ()),
                   taking_from=data.get("taking_from"))
