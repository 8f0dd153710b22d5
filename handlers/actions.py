"""Button presses on case cards, PX cards, ephemeral offers and inside the reply modals: ack,
parse, call the desk or the reply flow."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.blocks.ids import ActionId, ModalContext, MoreChoice
from bot.core.cases import Action, Refusal
from bot.core.reply_status import Status
from bot.desk.desk import Desk
from bot.desk.holding import holder_besides, take_over_for
from bot.outbox import METADATA_EVENT
from bot.replies.flow import ReplyFlow
from bot.replies.modals import (
    escalate_modal,
    hide_modal,
    ignore_modal,
    outcome_modal,
    resolve_modal,
    respond_modal,
)
from bot.replies.templates import Audience
from bot.replies.values import PostView
from handlers import payloads
from handlers.deps import Deps
from handlers.errors import listen, tell
from handlers.payloads import Malformed
from handlers.reply_modal import show_post

logger = logging.getLogger("reviewdesk.handlers")

# The card's buttons that open a modal, and the action each leads to (Resolve, on the PX card:
# its outcome is asked for).
MODAL_ACTIONS = {
    ActionId.RESPOND: Action.RESPOND,
    ActionId.ESCALATE: Action.ESCALATE,
    ActionId.HIDE: Action.HIDE,
    ActionId.IGNORE: Action.IGNORE,
    ActionId.PX_RESOLVE: Action.RESOLVE,
}
# What "Take over and continue" may go on with: a modal above, or Mark contacted.
CONTINUABLE = frozenset({*MODAL_ACTIONS.values(), Action.PX_CONTACTED})
RESPONSE_URL_TIMEOUT = 5  # seconds; a click's answer to Slack went long before


# ---- the card's buttons and menu -----------------------------------------------------------


def case_click(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient, *,
               perform: Callable[..., Any]) -> None:
    """Claim, Release, Take over, the PX buttons, Reopen: one Desk method (`perform`, unbound)
    with the case and the person who clicked."""
    ack()
    click = payloads.click(body)
    perform(deps.desk, click.case_id, click.user_id, request_key=click.request_key)


def open_action_modal(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient, *,
                      action: Action) -> None:
    ack()
    open_modal(deps, action, payloads.click(body), client)


def open_modal(deps: Deps, action: Action, click: payloads.Click, client: WebClient) -> None:
    """Respond, Escalate, Hide, Ignore or Resolve: refuse now what the submission would refuse
    (roles, the case's state, someone else holding it), else open the action's modal."""
    desk, flow = deps.desk, deps.flow
    facts = desk.check_allowed(click.case_id, action, click.user_id)
    context = ModalContext(click.case_id, click.channel_id)
    if action is Action.RESOLVE:
        view = resolve_modal(context_value=context, current=facts.outcome)
    elif action is Action.RESPOND:
        view = respond_modal(flow.form(click.case_id), context_value=context,
                             organization=deps.organization, viewer=click.user_id)
    elif action is Action.ESCALATE:
        form = desk.escalation_form(click.case_id)
        view = escalate_modal(context_value=context, sites=list(desk.config.sites),
                              site_id=form.site_id, urgency=form.urgency,
                              px_site_name=form.px_site_name, px_due_at=form.px_due_at,
                              urgent_reasons=form.urgent_reasons)
    elif action is Action.HIDE:
        view = hide_modal(context_value=context,
                          suggested=desk.triage_of(click.case_id).suggested_hide_reason,
                          on_source=flow.hide_choice(click.case_id))
    else:
        view = ignore_modal(context_value=context,
                            suggested=desk.triage_of(click.case_id).suggested_ignore_reason)
    client.views_open(trigger_id=click.trigger_id, view=view)


def take_over_and_continue(deps: Deps, ack: Ack, body: dict[str, Any],
                           client: WebClient) -> None:
    """The offer beside "someone else holds this case" (or its PX follow-up): take it over
    (the thread says so), then go on with what the person pressed: its modal, opened with this
    click's trigger, or Mark contacted; then let the offer go."""
    ack()
    click = payloads.click(body)
    action = _wanted(body)
    if holder_besides(deps.desk, click.case_id, click.user_id, action) is not None:
        try:
            take_over_for(deps.desk, click.case_id, click.user_id, action,
                          request_key=click.request_key)
        except Refusal as refused:
            if refused.reason != "already_yours":  # a double click's twin took it over
                raise
    if action is Action.PX_CONTACTED:
        deps.desk.px_contacted(click.case_id, click.user_id,
                               request_key=f"{click.request_key}:continue")
    else:
        open_modal(deps, action, click, client)
    dismiss(body)


def cancel_offer(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    ack()
    payloads.click(body)  # a click naming no case is refused like any other
    dismiss(body)


def more(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    """The card's overflow menu: the private follow-up, Log outcome, or On site now."""
    ack()
    choice, case_id = _more_choice(body)
    click = payloads.click(body, case_id=case_id)
    context = ModalContext(case_id, click.channel_id)
    if choice is MoreChoice.ON_SITE:
        deps.desk.mark_on_site(case_id, click.user_id, request_key=click.request_key)
        return
    if choice is MoreChoice.PRIVATE:
        view = respond_modal(deps.flow.form(case_id, audience=Audience.PRIVATE),
                             context_value=context, organization=deps.organization,
                             viewer=click.user_id)
    else:
        deps.desk.check_allowed(case_id, Action.OUTCOME, click.user_id)
        view = outcome_modal(context_value=context, current=None)
    client.views_open(trigger_id=click.trigger_id, view=view)


# ---- inside the reply's result modal ------------------------------------------------------


def in_result_modal(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient, *,
                    perform: Callable[..., PostView], network: bool) -> None:
    """Try again, Check again, Mark as posted (`perform`, a ReplyFlow method, unbound): the
    modal says what is under way (for a call to the source), then what came of it."""
    ack()
    flow = deps.flow
    view = body["view"]
    context = payloads.modal_context(view)
    post_id = _post_of(body, context, flow)
    user_id = body["user"]["id"]
    if network:
        busy = dataclasses.replace(flow.view(post_id), status=Status.POSTING)
        show_post(client, view["id"], busy, context, view_hash=view.get("hash"),
                  checking=perform is ReplyFlow.check_again)
        view_hash = None  # our own update changed it
    else:
        view_hash = view.get("hash")
    show_post(client, view["id"], perform(flow, post_id, user_id), context, view_hash=view_hash)


def edit_reply(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    """Back from a failed or rejected post to the Respond form, with its words."""
    ack()
    view = body["view"]
    context = payloads.modal_context(view)
    post = deps.flow.view(_post_of(body, context, deps.flow))
    form = deps.flow.form(post.case_id, text=post.text, template=post.template)
    client.views_update(
        view_id=view["id"], hash=view.get("hash"),
        view=respond_modal(form, context_value=ModalContext(post.case_id, context.channel_id),
                           organization=deps.organization),
    )


# ---- nudges and the rest ------------------------------------------------------------------


def snooze(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    ack()
    click, window_kind = payloads.nudge_click(body)
    deps.desk.snooze(click.case_id, click.user_id, window_kind=window_kind,
                     request_key=click.request_key)


def on_it(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    ack()
    click, window_kind = payloads.nudge_click(body)
    deps.desk.on_it(click.case_id, click.user_id, window_kind=window_kind,
                    request_key=click.request_key)


def show(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    ack()
    tell(client, body, deps.cards.expanded(payloads.click(body).case_id))


def open_review(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    ack()  # a link button: Slack opens the URL; the click only needs acknowledging


def dismiss(body: dict[str, Any]) -> None:
    """Take away the message clicked (an ephemeral offer) through the click's response_url,
    as Slack allows (chat.delete cannot reach an ephemeral). Failing only leaves it shown."""
    url = body.get("response_url")
    if not isinstance(url, str) or not url:
        return
    try:
        answer = WebhookClient(url, timeout=RESPONSE_URL_TIMEOUT).send_dict(
            {"delete_original": True})
    except OSError as error:
        logger.info("the offer could not be taken away (%s)", type(error).__name__)
        return
    if answer.status_code != 200:
        logger.info("the offer could not be taken away (HTTP %s)", answer.status_code)


def _wanted(body: dict[str, Any]) -> Action:
    """What the person pressed before being offered to take the case over, from the offer's
    button ("<case id>:<action>")."""
    value = (body.get("actions") or [{}])[0].get("value")
    _, _, wanted = value.partition(":") if isinstance(value, str) else ("", "", "")
    if wanted not in {str(action) for action in CONTINUABLE}:
        raise Malformed("the button names no action to continue with")
    return Action(wanted)


def _more_choice(body: dict[str, Any]) -> tuple[MoreChoice, int]:
    """An overflow option's value: "<choice>:<case id>", for the case of the card clicked."""
    try:
        value = body["actions"][0]["selected_option"]["value"]
        choice, _, rest = value.partition(":")
        chosen = MoreChoice(choice)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        raise Malformed("the menu names no choice") from None
    case_id = payloads.case_of_value(rest)
    about = payloads.message_case(body, METADATA_EVENT)
    if case_id is None or (about is not None and about != case_id):
        raise Malformed("the menu names no case of its card")
    return chosen, case_id


def _post_of(body: dict[str, Any], context: ModalContext, flow: ReplyFlow) -> int:
    """The reply a button inside a reply modal names: one of the modal's own case."""
    value = (body.get("actions") or [{}])[0].get("value")
    if not (isinstance(value, str) and value.isdigit() and len(value) <= 15):
        raise Malformed("the button names no reply")
    if flow.view(int(value)).case_id != context.case_id:
        raise Malformed("the button names a reply of another case")
    return int(value)


# ---- registration: every button this module answers, in the order Bolt tries them ---------

LISTENERS: list[tuple[str, Callable[..., None]]] = [
    (ActionId.CLAIM, partial(case_click, perform=Desk.claim)),
    (ActionId.RELEASE, partial(case_click, perform=Desk.release)),
    (ActionId.TAKE_OVER, partial(case_click, perform=Desk.take_over)),
    (ActionId.PX_CLAIM, partial(case_click, perform=Desk.px_claim)),
    (ActionId.PX_TAKE_OVER, partial(case_click, perform=Desk.px_take_over)),
    (ActionId.PX_CONTACTED, partial(case_click, perform=Desk.px_contacted)),
    (ActionId.REOPEN, partial(case_click, perform=Desk.reopen)),
    *((action_id, partial(open_action_modal, action=action))
      for action_id, action in MODAL_ACTIONS.items()),
    (ActionId.TAKE_OVER_AND_CONTINUE, take_over_and_continue),
    (ActionId.OFFER_CANCEL, cancel_offer),
    (ActionId.CASE_MORE, more),
    (ActionId.REPLY_RETRY, partial(in_result_modal, perform=ReplyFlow.retry, network=True)),
    (ActionId.REPLY_CHECK, partial(in_result_modal, perform=ReplyFlow.check_again,
                                   network=True)),
    (ActionId.REPLY_MARK_POSTED, partial(in_result_modal, perform=ReplyFlow.mark_posted,
                                         network=False)),
    (ActionId.REPLY_EDIT, edit_reply),
    (ActionId.NUDGE_SNOOZE, snooze),
    (ActionId.NUDGE_ON_IT, on_it),
    (ActionId.SHOW, show),
    (ActionId.OPEN_REVIEW, open_review),
]


def register(app: App, deps: Deps) -> None:
    for action_id, listener in LISTENERS:
        listen(app.action(action_id))(partial(listener, deps))
