"""The modals behind Respond, Escalate, Hide and Ignore."""

from __future__ import annotations

from typing import Any

from bot.blocks.kit import context, input_block, modal, section, static_select, text_input
from bot.cases import HIDE_REASONS, IGNORE_REASONS, MAX_NOTE_CHARS, MAX_REPLY_CHARS, URGENCIES
from bot.config import Site
from bot.ids import ActionId, BlockId, CallbackId, InputId, ModalContext
from bot.replies import ReplyTemplate
from bot.text import line, quote, word


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
        placeholder=word("template_placeholder"),
        initial_value=selected,
    )
    blocks = [
        section(quote(review_text, 600) if review_text.strip() else str(line("no_review_text"))),
        context(str(line("rules_reminder"))),
        section(str(line("template_heading")), block_id=BlockId.TEMPLATE, accessory=picker),
        input_block(
            reply_block_id(selected),
            word("public_reply"),
            text_input(InputId.REPLY, initial_value=draft, max_length=MAX_REPLY_CHARS),
            hint=word("public_reply_hint"),
        ),
    ]
    return modal(
        callback_id=CallbackId.RESPOND,
        title=word("edit_reply_title" if editing else "respond_title"),
        submit=word("record_reply"),
        blocks=blocks,
        private_metadata=context_value.dump(),
    )


def escalate_modal(
    *, context_value: ModalContext, sites: list[Site], site_id: str | None
) -> dict[str, Any]:
    return modal(
        callback_id=CallbackId.ESCALATE,
        title=word("escalate_title"),
        submit=word("escalate_submit"),
        private_metadata=context_value.dump(),
        blocks=[
            context(str(line("escalate_explanation"))),
            input_block(
                BlockId.SITE,
                word("site"),
                static_select(
                    InputId.SITE,
                    [(site.name, site.id) for site in sites],
                    placeholder=word("site_placeholder"),
                    initial_value=site_id,
                ),
            ),
            input_block(
                BlockId.URGENCY,
                word("urgency"),
                static_select(
                    InputId.URGENCY,
                    [(label, value) for value, label in URGENCIES.items()],
                    placeholder=word("urgency_placeholder"),
                    initial_value="routine",
                ),
            ),
            input_block(
                BlockId.NOTE,
                word("px_note"),
                text_input(InputId.NOTE, max_length=MAX_NOTE_CHARS,
                           placeholder=word("px_note_placeholder")),
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
                word("reason"),
                static_select(
                    InputId.REASON,
                    [(label, value) for value, label in reasons.items()],
                    placeholder=word("reason_placeholder"),
                    initial_value=suggested,
                ),
            ),
            input_block(
                BlockId.NOTE,
                word("note"),
                text_input(InputId.NOTE, max_length=MAX_NOTE_CHARS),
                optional=True,
            ),
        ],
    )


def hide_modal(*, context_value: ModalContext, suggested: str | None = None) -> dict[str, Any]:
    return _reason_modal(
        callback_id=CallbackId.HIDE,
        title=word("hide_title"),
        submit=word("hide"),
        explanation=str(line("hide_explanation")),
        reasons=HIDE_REASONS,
        context_value=context_value,
        suggested=suggested,
    )


def ignore_modal(*, context_value: ModalContext, suggested: str | None = None) -> dict[str, Any]:
    return _reason_modal(
        callback_id=CallbackId.IGNORE,
        title=word("ignore_title"),
        submit=word("ignore"),
        explanation=str(line("ignore_explanation")),
        reasons=IGNORE_REASONS,
        context_value=context_value,
        suggested=suggested,
    )
