"""Button presses on case cards, PX cards, ephemeral offers and inside the reply modals: ack,
parse, call the desk or the reply flow."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.modals import (
    escalate_modal,
    hide_modal,
    ignore_modal,
    outcome_modal,
    reply_result_modal,
    respond_modal,
)
from bot.cases import Action
from bot.desk import Desk
from bot.ids import ActionId, ModalContext, MoreChoice
from bot.replies import Audience
from bot.reply_flow import ReplyFlow
from bot.reply_values import PostView, Status
from bot.slack_out import METADATA_EVENT
from handlers import payloads
from handlers.errors import listen, tell
from handlers.payloads import Malformed

logger = logging.getLogger("reviewdesk.handlers")


def register(app: App, desk: Desk, flow: ReplyFlow) -> None:
    simple = {
        ActionId.CLAIM: desk.claim,
        ActionId.RELEASE: desk.release,
        ActionId.TAKE_OVER: desk.take_over,
        ActionId.PX_CLAIM: desk.px_claim,
        ActionId.PX_TAKE_OVER: desk.px_take_over,
        ActionId.PX_CONTACTED: desk.px_contacted,
        ActionId.PX_RESOLVE: desk.resolve,
        ActionId.REOPEN: desk.reopen,
    }
    for action_id, perform in simple.items():
        listen(app.action(action_id))(_simple_listener(perform))

    organization = desk.config.organization

    @listen(app.action(ActionId.RESPOND))
    def open_respond(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        click = payloads.click(body)
        client.views_open(
            trigger_id=click.trigger_id,
            view=respond_modal(flow.form(click.case_id),
                               context_value=ModalContext(click.case_id, click.channel_id),
                               organization=organization),
        )

    @listen(app.action(ActionId.CASE_MORE))
    def more(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """The card's overflow menu: the private follow-up, or Log outcome."""
        ack()
        choice, case_id = _more_choice(body)
        click = payloads.click(body, case_id=case_id)
        context = ModalContext(case_id, click.channel_id)
        if choice is MoreChoice.PRIVATE:
            view = respond_modal(flow.form(case_id, audience=Audience.PRIVATE),
                                 context_value=context, organization=organization)
        else:
            desk.check_allowed(case_id, Action.OUTCOME, click.user_id)
            view = outcome_modal(context_value=context, current=None)
        client.views_open(trigger_id=click.trigger_id, view=view)

    @listen(app.action(ActionId.ESCALATE))
    def open_escalate(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        click = payloads.click(body)
        facts = desk.check_allowed(click.case_id, Action.ESCALATE, click.user_id)
        client.views_open(
            trigger_id=click.trigger_id,
            view=escalate_modal(
                context_value=ModalContext(click.case_id, click.channel_id),
                sites=list(desk.config.sites),
                site_id=facts.site_id,
            ),
        )

    def reason_modal(action: Action, build, suggestion: str, options=lambda case_id: {}):
        """Hide and Ignore: a modal asking why, with the reason triage suggests chosen."""

        def open_modal(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
            ack()
            click = payloads.click(body)
            desk.check_allowed(click.case_id, action, click.user_id)
            suggested = getattr(desk.triage_of(click.case_id), suggestion)
            client.views_open(
                trigger_id=click.trigger_id,
                view=build(context_value=ModalContext(click.case_id, click.channel_id),
                           suggested=suggested, **options(click.case_id)),
            )

        return open_modal

    listen(app.action(ActionId.HIDE))(
        reason_modal(Action.HIDE, hide_modal, "suggested_hide_reason",
                     lambda case_id: {"on_source": flow.hide_choice(case_id)}))
    listen(app.action(ActionId.IGNORE))(
        reason_modal(Action.IGNORE, ignore_modal, "suggested_ignore_reason"))

    # ---- inside the reply's result modal --------------------------------------------------

    def in_result_modal(perform, *, network: bool):
        """Try again, Check again, Mark as posted: the modal says what is under way (for a
        call to the source), then what came of it."""

        def listener(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
            ack()
            view = body["view"]
            context = payloads.modal_context(view)
            post_id = _post_of(body, context, flow)
            user_id = body["user"]["id"]
            if network:
                busy = dataclasses.replace(flow.view(post_id), status=Status.POSTING)
                show_post(client, view["id"], busy, context, view_hash=view.get("hash"),
                          checking=perform == flow.check_again)
                view_hash = None  # our own update changed it
            else:
                view_hash = view.get("hash")
            show_post(client, view["id"], perform(post_id, user_id), context,
                      view_hash=view_hash)

        listener.__name__ = f"on_{perform.__name__}"
        return listener

    listen(app.action(ActionId.REPLY_RETRY))(in_result_modal(flow.retry, network=True))
    listen(app.action(ActionId.REPLY_CHECK))(in_result_modal(flow.check_again, network=True))
    listen(app.action(ActionId.REPLY_MARK_POSTED))(
        in_result_modal(flow.mark_posted, network=False))

    @listen(app.action(ActionId.REPLY_EDIT))
    def edit_reply(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """Back from a failed or rejected post to the Respond form, with its words."""
        ack()
        view = body["view"]
        context = payloads.modal_context(view)
        post = flow.view(_post_of(body, context, flow))
        form = flow.form(post.case_id, text=post.text, template=post.template)
        client.views_update(
            view_id=view["id"], hash=view.get("hash"),
            view=respond_modal(form, context_value=ModalContext(post.case_id,
                                                                context.channel_id),
                               organization=organization),
        )

    # ---- nudges and the rest --------------------------------------------------------------

    @listen(app.action(ActionId.NUDGE_SNOOZE))
    def snooze(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        click, window_kind = payloads.nudge_click(body)
        desk.snooze(click.case_id, click.user_id, window_kind=window_kind,
                    request_key=click.request_key)

    @listen(app.action(ActionId.NUDGE_ON_IT))
    def on_it(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        click, window_kind = payloads.nudge_click(body)
        desk.on_it(click.case_id, click.user_id, window_kind=window_kind,
                   request_key=click.request_key)

    @listen(app.action(ActionId.SHOW))
    def show(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        tell(client, body, desk.expanded(payloads.click(body).case_id))

    @listen(app.action(ActionId.OPEN_REVIEW))
    def open_review(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()  # a link button: Slack opens the URL; the click only needs acknowledging


def show_post(client: WebClient, view_id: str, post: PostView, context: ModalContext, *,
              view_hash: str | None = None, checking: bool = False) -> None:
    """Show a reply's state in its modal (views.update). The person may have closed the modal
    meanwhile: the card and its thread tell the same, so a refusal here is only logged."""
    shown = dataclasses.replace(context, post_id=post.post_id, warned=())
    try:
        client.views_update(view_id=view_id, hash=view_hash,
                            view=reply_result_modal(post, context_value=shown,
                                                    checking=checking))
    except SlackApiError as error:
        logger.info("reply %s: the modal could not be updated (%s)", post.post_id,
                    error.response.get("error"))


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


def _simple_listener(perform):
    def listener(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        click = payloads.click(body)
        perform(click.case_id, click.user_id, request_key=click.request_key)

    listener.__name__ = f"on_{perform.__name__}"
    return listener
