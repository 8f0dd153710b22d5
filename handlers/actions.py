"""Button presses on case cards, PX cards and ephemeral offers: ack, parse, call the desk."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import replies
from bot.blocks.modals import escalate_modal, hide_modal, ignore_modal, respond_modal
from bot.cases import Action
from bot.desk import Desk
from bot.ids import ActionId, ModalContext
from bot.replies import available
from handlers import payloads
from handlers.errors import listen, tell


def register(app: App, desk: Desk) -> None:
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

    @listen(app.action(ActionId.RESPOND))
    def open_respond(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        click = payloads.click(body)
        context = desk.reply_context(click.case_id)
        template = (context.template or replies.suggest(context.triage.themes)
                    or desk.config.replies.default_template)
        draft = context.existing_reply or desk.draft(
            template, author=context.author, site_id=context.site_id
        )
        client.views_open(
            trigger_id=click.trigger_id,
            view=respond_modal(
                context_value=ModalContext(click.case_id, click.channel_id),
                review_text=context.review_text,
                templates=available(),
                selected=template,
                draft=draft,
                editing=context.existing_reply is not None,
            ),
        )

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

    def reason_modal(action: Action, build, suggestion: str):
        """Hide and Ignore: a modal asking why, with the reason triage suggests chosen."""

        def open_modal(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
            ack()
            click = payloads.click(body)
            desk.check_allowed(click.case_id, action, click.user_id)
            suggested = getattr(desk.triage_of(click.case_id), suggestion)
            client.views_open(
                trigger_id=click.trigger_id,
                view=build(context_value=ModalContext(click.case_id, click.channel_id),
                           suggested=suggested),
            )

        return open_modal

    listen(app.action(ActionId.HIDE))(
        reason_modal(Action.HIDE, hide_modal, "suggested_hide_reason"))
    listen(app.action(ActionId.IGNORE))(
        reason_modal(Action.IGNORE, ignore_modal, "suggested_ignore_reason"))

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


def _simple_listener(perform):
    def listener(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        click = payloads.click(body)
        perform(click.case_id, click.user_id, request_key=click.request_key)

    listener.__name__ = f"on_{perform.__name__}"
    return listener
