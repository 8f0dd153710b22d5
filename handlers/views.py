"""Modal submissions (Respond, Escalate, Hide, Ignore) and the template picker inside Respond."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.modals import reply_block_id, respond_modal
from bot.cases import HIDE_REASONS, IGNORE_REASONS
from bot.desk import (
    Desk,
    InvalidInput,
    validate_escalation,
    validate_note,
    validate_reason,
    validate_reply,
)
from bot.ids import ActionId, BlockId, CallbackId, InputId, ModalContext
from bot.replies import available
from handlers import payloads
from handlers.errors import listen


def register(app: App, desk: Desk) -> None:
    @listen(app.action(ActionId.REPLY_TEMPLATE))
    def change_template(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        view = body["view"]
        context = ModalContext.load(view["private_metadata"])
        template = body["actions"][0]["selected_option"]["value"]
        reply = desk.reply_context(context.case_id)
        client.views_update(
            view_id=view["id"],
            hash=view.get("hash"),
            view=respond_modal(
                context_value=context,
                review_text=reply.review_text,
                templates=available(),
                selected=template,
                draft=desk.draft(template, author=reply.author, site_id=reply.site_id),
                editing=reply.existing_reply is not None,
            ),
        )

    @listen(app.view(CallbackId.RESPOND))
    def submit_reply(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        form = payloads.submission(body)
        block_id = form.block_starting(f"{BlockId.REPLY}:") or reply_block_id(None)
        try:
            text = validate_reply(form.text(block_id, InputId.REPLY))
        except InvalidInput as error:
            ack(response_action="errors", errors={block_id: error.message})
            return
        ack()
        template = block_id.split(":", 1)[1]
        desk.record_reply(form.context.case_id, form.user_id, text=text, template=template,
                          request_key=form.request_key)

    @listen(app.view(CallbackId.ESCALATE))
    def submit_escalation(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        form = payloads.submission(body)
        site_id = form.selected(BlockId.SITE, InputId.SITE)
        urgency = form.selected(BlockId.URGENCY, InputId.URGENCY)
        note = form.text(BlockId.NOTE, InputId.NOTE)
        try:
            validate_escalation(desk.config, site_id, urgency)
            validate_note(note)
        except InvalidInput as error:
            ack(response_action="errors", errors={_block_for(error.field): error.message})
            return
        ack()
        desk.escalate(form.context.case_id, form.user_id, site_id=site_id, urgency=urgency,
                      note=note, request_key=form.request_key)

    def reason_submission(reasons: dict[str, str], perform):
        def listener(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
            form = payloads.submission(body)
            reason = form.selected(BlockId.REASON, InputId.REASON)
            note = form.text(BlockId.NOTE, InputId.NOTE)
            try:
                validate_reason(reason, reasons)
                validate_note(note)
            except InvalidInput as error:
                ack(response_action="errors", errors={_block_for(error.field): error.message})
                return
            ack()
            perform(form.context.case_id, form.user_id, reason=reason, note=note,
                    request_key=form.request_key)

        return listener

    listen(app.view(CallbackId.HIDE))(reason_submission(HIDE_REASONS, desk.hide))
    listen(app.view(CallbackId.IGNORE))(reason_submission(IGNORE_REASONS, desk.ignore))


def _block_for(field: str) -> str:
    return {
        "site": BlockId.SITE,
        "urgency": BlockId.URGENCY,
        "note": BlockId.NOTE,
        "reason": BlockId.REASON,
    }[field]
