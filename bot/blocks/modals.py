"""The modals behind Respond, Escalate, Hide and Ignore."""

from __future__ import annotations

from typing import Any

from bot.blocks.kit import context, input_block, modal, section, static_select, text_input
from bot.cases import HIDE_REASONS, IGNORE_REASONS, MAX_NOTE_CHARS, MAX_REPLY_CHARS, URGENCIES
from bot.config import Site
from bot.ids import ActionId, BlockId, CallbackId, InputId, ModalContext
from bot.replies import ReplyTemplate
from bot.text import quote

RULES_REMINDER = (
    ":shield: Never confirm or deny that the reviewer is a patient, never discuss care or give "
    "medical advice, and move the conversation offline."
)


def reply_block_id(template_name: str | None) -> str:
    """A new block_id per template: Slack keeps typed text for an unchanged block_id, so a
    changed draft needs a changed id to replace what the box shows."""
    return f"{BlockId.REPLY}:{template_name or 'custom'}"


def respond_modal(
    *,
    context_value: ModalContext,
    review_text: str,
    templates: list[ReplyTemplate],
    selected: str | None,
    draft: str,
    editing: bool,
) -> dict[str, Any]:
    picker = static_select(
        ActionId.REPLY_TEMPLATE,
        [(t.title, t.name) for t in templates],
        placeholder="Start from a template",
        initial_value=selected,
    )
    blocks = [
        section(quote(review_text, 600) if review_text.strip() else "_No review text._"),
        context(RULES_REMINDER),
        section("*Template*", block_id=BlockId.TEMPLATE, accessory=picker),
        input_block(
            reply_block_id(selected),
            "Public reply",
            text_input(InputId.REPLY, initial_value=draft, max_length=MAX_REPLY_CHARS),
            hint="Recording the reply meets the first-response window. "
            "Edit it freely before you submit.",
        ),
    ]
    return modal(
        callback_id=CallbackId.RESPOND,
        title="Edit reply" if editing else "Respond to review",
        submit="Record reply",
        blocks=blocks,
        private_metadata=context_value.dump(),
    )


def escalate_modal(
    *, context_value: ModalContext, sites: list[Site], site_id: str | None
) -> dict[str, Any]:
    return modal(
        callback_id=CallbackId.ESCALATE,
        title="Escalate to PX",
        submit="Escalate",
        private_metadata=context_value.dump(),
        blocks=[
            context("Patient Experience gets a card in the site's PX channel and a follow-up "
                    "window starts."),
            input_block(
                BlockId.SITE,
                "Site",
                static_select(
                    InputId.SITE,
                    [(site.name, site.id) for site in sites],
                    placeholder="Which site?",
                    initial_value=site_id,
                ),
            ),
            input_block(
                BlockId.URGENCY,
                "Urgency",
                static_select(
                    InputId.URGENCY,
                    [(label, value) for value, label in URGENCIES.items()],
                    placeholder="How soon?",
                    initial_value="routine",
                ),
            ),
            input_block(
                BlockId.NOTE,
                "Note for Patient Experience",
                text_input(InputId.NOTE, max_length=MAX_NOTE_CHARS,
                           placeholder="What PX should know before reaching out"),
                optional=True,
            ),
        ],
    )


def _reason_modal(
    *,
    callback_id: str,
    title: str,
    submit: str,
    explanation: str,
    reasons: dict[str, str],
    context_value: ModalContext,
    suggested: str | None,
) -> dict[str, Any]:
    return modal(
        callback_id=callback_id,
        title=title,
        submit=submit,
        private_metadata=context_value.dump(),
        blocks=[
            context(explanation),
            input_block(
                BlockId.REASON,
                "Reason",
                static_select(
                    InputId.REASON,
                    [(label, value) for value, label in reasons.items()],
                    placeholder="Choose a reason",
                    initial_value=suggested,
                ),
            ),
            input_block(
                BlockId.NOTE,
                "Note",
                text_input(InputId.NOTE, max_length=MAX_NOTE_CHARS),
                optional=True,
            ),
        ],
    )


def hide_modal(*, context_value: ModalContext, suggested: str | None = None) -> dict[str, Any]:
    return _reason_modal(
        callback_id=CallbackId.HIDE,
        title="Hide review",
        submit="Hide",
        explanation="The card collapses to one line and its window stops. "
        "Hide the post on the site as well.",
        reasons=HIDE_REASONS,
        context_value=context_value,
        suggested=suggested,
    )


def ignore_modal(*, context_value: ModalContext, suggested: str | None = None) -> dict[str, Any]:
    return _reason_modal(
        callback_id=CallbackId.IGNORE,
        title="Ignore review",
        submit="Ignore",
        explanation="The card collapses to one line and its window stops. "
        "Anyone can reopen it.",
        reasons=IGNORE_REASONS,
        context_value=context_value,
        suggested=suggested,
    )
