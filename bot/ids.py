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
    LOOK_MAKE_CASE = "look_make_case"
    LOOK_NOT_COMPLAINT = "look_not_complaint"


class CallbackId(StrEnum):
    RESPOND = "respond_modal"
    ESCALATE = "escalate_modal"
    HIDE = "hide_modal"
    IGNORE = "ignore_modal"


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


class InputId(StrEnum):
    """action_ids of the inputs inside modals (their values arrive in view.state)."""

    REPLY = "reply_input"
    SITE = "site_select"
    URGENCY = "urgency_select"
    NOTE = "note_input"
    REASON = "reason_select"


@dataclass(frozen=True)
class ModalContext:
    """What a modal carries in private_metadata: which case, and where the click came from."""

    case_id: int
    channel_id: str | None = None

    def dump(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def load(cls, raw: str) -> ModalContext:
        data = json.loads(raw or "{}")
        return cls(case_id=int(data["case_id"]), channel_id=data.get("channel_id"))
