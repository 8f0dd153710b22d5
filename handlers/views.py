"""Modal submissions (Respond and the steps after it, the private follow-up, Log outcome,
Escalate, Hide, Ignore) and the template pickers inside Respond and the private follow-up."""

from __future__ import annotations

import dataclasses
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.ephemeral import hide_on_source_failed
from bot.blocks.modals import (
    HIDE_THERE,
    POST_ANYWAY,
    ready_modal,
    reply_block_id,
    reply_result_modal,
    respond_modal,
)
from bot.case_inputs import (
    InvalidInput,
    validate_escalation,
    validate_note,
    validate_reason,
    validate_reply,
)
from bot.cases import HIDE_REASONS, IGNORE_REASONS
from bot.desk import Desk
from bot.ids import ActionId, BlockId, CallbackId, InputId, ModalContext
from bot.outcomes import parse_outcome
from bot.replies import Audience
from bot.reply_flow import ReplyFlow, judge
from bot.reply_values import Status
from bot.text import line
from handlers import payloads
from handlers.actions import show_post
from handlers.errors import listen, tell


def register(app: App, desk: Desk, flow: ReplyFlow) -> None:
    organization = desk.config.organization

    def template_picker(audience: Audience):
        def change_template(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
            """A template picked inside the modal: the box shows its draft (the warnings, if
            any were shown, go: the new words are checked when submitted)."""
            ack()
            view = body["view"]
            context = ModalContext.load(view["private_metadata"])
            template = body["actions"][0]["selected_option"]["value"]
            form = flow.form(context.case_id, audience=audience, template=template)
            client.views_update(
                view_id=view["id"],
                hash=view.get("hash"),
                view=respond_modal(form, context_value=dataclasses.replace(context, warned=()),
                                   organization=organization),
            )

        change_template.__name__ = f"change_{audience}_template"
        return change_template

    listen(app.action(ActionId.REPLY_TEMPLATE))(template_picker(Audience.PUBLIC))
    listen(app.action(ActionId.PRIVATE_TEMPLATE))(template_picker(Audience.PRIVATE))

    @listen(app.view(CallbackId.RESPOND))
    def submit_reply(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """The guard reads the reply: blocks go back to the text box, warnings are shown once
        with Post anyway; then the reply is posted (after this ack: the source can take
        seconds) or handed over to copy."""
        form = payloads.submission(body)
        context = form.context
        block_id = form.block_starting(f"{BlockId.REPLY}:") or reply_block_id(None)
        try:
            text = validate_reply(form.text(block_id, InputId.REPLY))
        except InvalidInput as error:
            ack(response_action="errors", errors={block_id: error.message})
            return
        template = _template_of(block_id)
        verdict = judge(flow.check(context.case_id, text), warned=context.warned,
                        ticked=_ticked(form, BlockId.POST_ANYWAY, InputId.POST_ANYWAY,
                                       POST_ANYWAY))
        if verdict.blocked:
            ack(response_action="errors", errors={block_id: verdict.error_text()})
            return
        refused = flow.source_problem(context.case_id, text)
        if refused:
            ack(response_action="errors", errors={block_id: refused})
            return
        if verdict.tick_needed:
            ack(response_action="errors",
                errors={BlockId.POST_ANYWAY: str(line("tick_post_anyway"))})
            return
        if not verdict.proceed:
            reply = flow.form(context.case_id, template=template, text=text)
            ack(response_action="update",
                view=respond_modal(reply, organization=organization,
                                   context_value=dataclasses.replace(context,
                                                                     warned=verdict.warned),
                                   warnings=verdict.result.warnings))
            return
        post = flow.begin(context.case_id, form.user_id, text=text, template=template,
                          overridden=verdict.overridden)
        shown = dataclasses.replace(context, post_id=post.post_id, warned=())
        if post.status is Status.READY:
            ack(response_action="update", view=ready_modal(post, context_value=shown))
            return
        ack(response_action="update", view=reply_result_modal(post, context_value=shown))
        show_post(client, form.view_id, flow.send(post.post_id, form.user_id), shown)

    @listen(app.view(CallbackId.PRIVATE))
    def submit_private(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """A private message: held to the rules that hold in private too, then handed over
        to copy and send."""
        form = payloads.submission(body)
        context = form.context
        block_id = form.block_starting(f"{BlockId.PRIVATE}:") or reply_block_id(
            None, Audience.PRIVATE)
        try:
            text = validate_reply(form.text(block_id, InputId.PRIVATE))
        except InvalidInput as error:
            ack(response_action="errors", errors={block_id: error.message})
            return
        verdict = judge(flow.check(context.case_id, text, audience=Audience.PRIVATE))
        if verdict.blocked:
            ack(response_action="errors", errors={block_id: verdict.error_text()})
            return
        post = flow.begin(context.case_id, form.user_id, text=text,
                          template=_template_of(block_id), audience=Audience.PRIVATE)
        ack(response_action="update",
            view=ready_modal(post, context_value=dataclasses.replace(context,
                                                                    post_id=post.post_id)))

    def mark_done(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """Mark as posted (a public reply posted by hand) or Mark as sent (a private one)."""
        form = payloads.submission(body)
        if form.context.post_id is None:
            raise InvalidInput("post", "This window no longer knows its reply; open it again.")
        flow.mark_posted(form.context.post_id, form.user_id)
        ack()

    listen(app.view(CallbackId.REPLY_READY))(mark_done)
    listen(app.view(CallbackId.PRIVATE_READY))(mark_done)

    @listen(app.view(CallbackId.OUTCOME))
    def submit_outcome(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        form = payloads.submission(body)
        outcome = form.selected(BlockId.OUTCOME, InputId.OUTCOME)
        note = form.text(BlockId.NOTE, InputId.NOTE)
        try:
            parse_outcome(outcome)
        except ValueError:
            ack(response_action="errors",
                errors={BlockId.OUTCOME: str(line("choose_outcome"))})
            return
        try:
            validate_note(note)
        except InvalidInput as error:
            ack(response_action="errors", errors={BlockId.NOTE: error.message})
            return
        ack()
        desk.log_outcome(form.context.case_id, form.user_id, outcome=outcome, note=note,
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

    def reason_submission(reasons: dict[str, str], perform, *, hides: bool = False):
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
            if hides and _ticked(form, BlockId.HIDE_ON_SOURCE, InputId.HIDE_ON_SOURCE,
                                 HIDE_THERE):
                # After the ack: the case collapses here whatever the source says.
                result = flow.hide_on_source(form.context.case_id, form.user_id)
                if not result.hidden:
                    tell(client, body, hide_on_source_failed(result.source_name,
                                                             result.reason))

        return listener

    listen(app.view(CallbackId.HIDE))(reason_submission(HIDE_REASONS, desk.hide, hides=True))
    listen(app.view(CallbackId.IGNORE))(reason_submission(IGNORE_REASONS, desk.ignore))


def _template_of(block_id: str) -> str | None:
    name = block_id.split(":", 1)[1] if ":" in block_id else "custom"
    return None if name == "custom" else name


def _ticked(form: payloads.Submission, block_id: str, action_id: str, value: str) -> bool:
    element = (form.values.get(block_id) or {}).get(action_id) or {}
    return any(option.get("value") == value for option in element.get("selected_options") or [])


def _block_for(field: str) -> str:
    return {
        "site": BlockId.SITE,
        "urgency": BlockId.URGENCY,
        "note": BlockId.NOTE,
        "reason": BlockId.REASON,
    }[field]
