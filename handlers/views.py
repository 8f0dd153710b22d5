"""Modal submissions (Respond and the steps after it, the private follow-up, Log outcome,
Escalate, Hide, Ignore) and the template pickers inside Respond and the private follow-up."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import partial
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.ephemeral import hide_on_source_failed
from bot.blocks.ids import ActionId, BlockId, CallbackId, InputId, ModalContext
from bot.core.case_inputs import InvalidInput, validate_note, validate_reason, validate_reply
from bot.core.cases import HIDE_REASONS, IGNORE_REASONS, Action, Refusal
from bot.core.outcomes import parse_outcome
from bot.core.reply_status import Status
from bot.desk.desk import Desk
from bot.desk.holding import Holder, holder_on_record, make_way
from bot.replies.flow import judge
from bot.replies.modals import (
    HIDE_THERE,
    POST_ANYWAY,
    escalate_modal,
    hide_modal,
    ignore_modal,
    ready_modal,
    reply_block_id,
    reply_result_modal,
    resolve_modal,
    respond_modal,
)
from bot.replies.templates import Audience
from bot.text import line
from handlers import payloads
from handlers.deps import Deps
from handlers.errors import listen, tell
from handlers.reply_modal import show_post


def held_elsewhere(deps: Deps, ack: Ack, form: payloads.Submission, action: Action,
                   again: Callable[[ModalContext, Holder], dict[str, Any]]) -> bool:
    """Someone other than the person came to hold the case while the modal was open, and the
    modal has not said so yet: say so in it (`again`: the same modal with what they entered,
    naming the holder), do nothing else, and return True. Submitting again takes the case
    over from that holder (`make_way`)."""
    holder = holder_on_record(deps.desk, form.context.case_id, form.user_id, action)
    if holder is None or holder.user_id == form.context.taking_from:
        return False
    context = dataclasses.replace(form.context, taking_from=holder.user_id)
    ack(response_action="update", view=again(context, holder))
    return True


def way_made(deps: Deps, form: payloads.Submission, body: dict[str, Any],
             action: Action) -> None:
    """Take the case over right before acting when the person agreed to (`make_way`)."""
    make_way(deps.desk, form.context.case_id, form.user_id, action,
             taking_from=form.context.taking_from, request_key=request_key(body))


def change_template(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient, *,
                    audience: Audience) -> None:
    """A template picked inside the modal: the box shows its draft (the warnings, if any were
    shown, go: the new words are checked when submitted)."""
    ack()
    view = body["view"]
    context = ModalContext.load(view["private_metadata"])
    template = body["actions"][0]["selected_option"]["value"]
    form = deps.flow.form(context.case_id, audience=audience, template=template)
    client.views_update(
        view_id=view["id"],
        hash=view.get("hash"),
        view=respond_modal(form, context_value=dataclasses.replace(context, warned=()),
                           organization=deps.organization),
    )


def submit_reply(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    """The guard reads the reply: blocks go back to the text box, warnings are shown once with
    Post anyway; then the reply is posted (after this ack: the source can take seconds) or
    handed over to copy."""
    flow, organization = deps.flow, deps.organization
    form = payloads.submission(body)
    context = form.context
    block_id = form.block_starting(f"{BlockId.REPLY}:") or reply_block_id(None)
    template = _template_of(block_id)

    def again(context: ModalContext, holder: Holder) -> dict[str, Any]:
        typed = form.text(block_id, InputId.REPLY)
        # The guard reads the words again when they are submitted again.
        return respond_modal(flow.form(context.case_id, template=template, text=typed),
                             context_value=dataclasses.replace(context, warned=()),
                             organization=organization, held=holder)

    if held_elsewhere(deps, ack, form, Action.RESPOND, again):
        return
    try:
        text = validate_reply(form.text(block_id, InputId.REPLY))
    except InvalidInput as error:
        ack(response_action="errors", errors={block_id: error.message})
        return
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
    try:
        way_made(deps, form, body, Action.RESPOND)  # a take-over agreed to: begin needs it
        post = flow.begin(context.case_id, form.user_id, text=text, template=template,
                          overridden=verdict.overridden)
    except Refusal as refused:  # someone came to hold the case a moment ago
        holder = Holder.of(refused)
        if holder is None:
            raise
        ack(response_action="update",
            view=again(dataclasses.replace(context, taking_from=holder.user_id), holder))
        return
    shown = dataclasses.replace(context, post_id=post.post_id, warned=())
    ready = post.status is Status.READY
    ack(response_action="update", view=ready_modal(post, context_value=shown) if ready
        else reply_result_modal(post, context_value=shown))
    if not ready:
        show_post(client, form.view_id, flow.send(post.post_id, form.user_id), shown)


def submit_private(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    """A private message: held to the rules that hold in private too, then handed over to copy
    and send."""
    form = payloads.submission(body)
    context = form.context
    block_id = form.block_starting(f"{BlockId.PRIVATE}:") or reply_block_id(
        None, Audience.PRIVATE)
    try:
        text = validate_reply(form.text(block_id, InputId.PRIVATE))
    except InvalidInput as error:
        ack(response_action="errors", errors={block_id: error.message})
        return
    verdict = judge(deps.flow.check(context.case_id, text, audience=Audience.PRIVATE))
    if verdict.blocked:
        ack(response_action="errors", errors={block_id: verdict.error_text()})
        return
    post = deps.flow.begin(context.case_id, form.user_id, text=text,
                           template=_template_of(block_id), audience=Audience.PRIVATE)
    ack(response_action="update",
        view=ready_modal(post, context_value=dataclasses.replace(context,
                                                                post_id=post.post_id)))


def mark_done(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    """Mark as posted (a public reply posted by hand) or Mark as sent (a private one)."""
    form = payloads.submission(body)
    if form.context.post_id is None:
        raise InvalidInput("post", "This window no longer knows its reply; open it again.")
    deps.flow.mark_posted(form.context.post_id, form.user_id)
    ack()


def _outcome_refused(ack: Ack, outcome: str | None, note: str | None) -> bool:
    """Log outcome's and Resolve's check: no outcome chosen, or too long a note, is answered
    on its input (True); else nothing is acked yet (False)."""
    try:
        parse_outcome(outcome)
    except ValueError:
        ack(response_action="errors", errors={BlockId.OUTCOME: str(line("choose_outcome"))})
        return True
    try:
        validate_note(note)
    except InvalidInput as error:
        ack(response_action="errors", errors={BlockId.NOTE: error.message})
        return True
    return False


def submit_outcome(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    form = payloads.submission(body)
    outcome = form.selected(BlockId.OUTCOME, InputId.OUTCOME)
    note = form.text(BlockId.NOTE, InputId.NOTE)
    if _outcome_refused(ack, outcome, note):
        return
    ack()
    deps.desk.log_outcome(form.context.case_id, form.user_id, outcome=outcome, note=note,
                          request_key=form.request_key)


def submit_resolve(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    """Resolve a PX follow-up with what came of it: an outcome must be chosen."""
    form = payloads.submission(body)
    outcome = form.selected(BlockId.OUTCOME, InputId.OUTCOME)
    note = form.text(BlockId.NOTE, InputId.NOTE)
    if held_elsewhere(deps, ack, form, Action.RESOLVE, lambda context, holder: resolve_modal(
            context_value=context, current=outcome, note=note, held=holder)):
        return
    if _outcome_refused(ack, outcome, note):
        return
    ack()
    way_made(deps, form, body, Action.RESOLVE)
    deps.desk.resolve(form.context.case_id, form.user_id, outcome=outcome, note=note,
                      request_key=form.request_key)


def submit_escalation(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    desk = deps.desk
    form = payloads.submission(body)
    site_id = form.selected(BlockId.SITE, InputId.SITE)
    urgency = form.selected(BlockId.URGENCY, InputId.URGENCY)
    note = form.text(BlockId.NOTE, InputId.NOTE)
    if held_elsewhere(deps, ack, form, Action.ESCALATE, lambda context, holder: escalate_modal(
            context_value=context, sites=list(desk.config.sites), site_id=site_id,
            urgency=urgency, note=note, held=holder)):
        return
    try:
        desk.check_escalation(form.context.case_id, site_id, urgency, note)
    except InvalidInput as error:
        ack(response_action="errors", errors={_block_for(error.field): error.message})
        return
    ack()
    way_made(deps, form, body, Action.ESCALATE)
    desk.escalate(form.context.case_id, form.user_id, site_id=site_id, urgency=urgency,
                  note=note, request_key=form.request_key)


def submit_reason(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient, *,
                  action: Action, reasons: dict[str, str],
                  perform: Callable[..., None]) -> None:
    """Hide or Ignore with a reason (`perform`: the Desk method, unbound); a hide may also be
    asked of the review's source."""
    hides = action is Action.HIDE
    form = payloads.submission(body)
    reason = form.selected(BlockId.REASON, InputId.REASON)
    note = form.text(BlockId.NOTE, InputId.NOTE)
    hide_there = _ticked(form, BlockId.HIDE_ON_SOURCE, InputId.HIDE_ON_SOURCE, HIDE_THERE)

    def again(context: ModalContext, holder: Holder) -> dict[str, Any]:
        if hides:
            return hide_modal(context_value=context, suggested=reason,
                              on_source=deps.flow.hide_choice(context.case_id),
                              hide_there=hide_there, note=note, held=holder)
        return ignore_modal(context_value=context, suggested=reason, note=note, held=holder)

    if held_elsewhere(deps, ack, form, action, again):
        return
    try:
        validate_reason(reason, reasons)
        validate_note(note)
    except InvalidInput as error:
        ack(response_action="errors", errors={_block_for(error.field): error.message})
        return
    ack()
    way_made(deps, form, body, action)
    perform(deps.desk, form.context.case_id, form.user_id, reason=reason, note=note,
            request_key=form.request_key)
    if hides and hide_there:
        # After the ack: the case collapses here whatever the source says.
        result = deps.flow.hide_on_source(form.context.case_id, form.user_id)
        if not result.hidden:
            tell(client, body, hide_on_source_failed(result.source_name, result.reason))


def request_key(body: dict[str, Any]) -> str:
    """A key for what one submission of a modal does besides its action: the view keeps its
    id when it is updated and submitted again, its hash changes."""
    return f"{payloads.submission(body).request_key}:{body['view'].get('hash') or ''}"


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


# ---- registration: the template pickers (buttons) and the modals' submissions -------------

ACTIONS: list[tuple[str, Callable[..., None]]] = [
    (ActionId.REPLY_TEMPLATE, partial(change_template, audience=Audience.PUBLIC)),
    (ActionId.PRIVATE_TEMPLATE, partial(change_template, audience=Audience.PRIVATE)),
]
SUBMISSIONS: list[tuple[str, Callable[..., None]]] = [
    (CallbackId.RESPOND, submit_reply),
    (CallbackId.PRIVATE, submit_private),
    (CallbackId.REPLY_READY, mark_done),
    (CallbackId.PRIVATE_READY, mark_done),
    (CallbackId.OUTCOME, submit_outcome),
    (CallbackId.RESOLVE, submit_resolve),
    (CallbackId.ESCALATE, submit_escalation),
    (CallbackId.HIDE, partial(submit_reason, action=Action.HIDE, reasons=HIDE_REASONS,
                              perform=Desk.hide)),
    (CallbackId.IGNORE, partial(submit_reason, action=Action.IGNORE, reasons=IGNORE_REASONS,
                                perform=Desk.ignore)),
]


def register(app: App, deps: Deps) -> None:
    for action_id, listener in ACTIONS:
        listen(app.action(action_id))(partial(listener, deps))
    for callback_id, listener in SUBMISSIONS:
        listen(app.view(callback_id))(partial(listener, deps))
