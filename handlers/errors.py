"""One error handler for every listener: a refusal becomes a private explanation, anything
unexpected a logged reference and a private apology, never a stack trace or silence."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.ephemeral import internal_error, refusal
from bot.blocks.kit import Rendered
from bot.cases import Refusal
from bot.ids import ModalContext

logger = logging.getLogger("reviewdesk.handlers")


def _where(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """The channel and user to answer privately."""
    user = (body.get("user") or {}).get("id") or body.get("user_id")
    channel = (body.get("channel") or {}).get("id") or body.get("channel_id")
    if channel is None:
        channel = (body.get("container") or {}).get("channel_id")
    if channel is None and body.get("view"):
        try:
            channel = ModalContext.load(body["view"].get("private_metadata", "")).channel_id
        except (ValueError, KeyError):
            channel = None
    return channel, user


def tell(client: WebClient, body: dict[str, Any], rendered: Rendered) -> None:
    """Answer the person who clicked, visible only to them."""
    channel, user = _where(body)
    if not (channel and user):
        logger.warning("no channel to answer user %s privately", user)
        return
    try:
        client.chat_postEphemeral(
            channel=channel, user=user, text=rendered.text, blocks=rendered.blocks
        )
    except SlackApiError as error:
        logger.warning("ephemeral to %s in %s failed: %s", user, channel,
                       error.response.get("error"))


def answer_failure(error: Exception, body: dict[str, Any], client: WebClient) -> None:
    if isinstance(error, Refusal):
        logger.info("%s for user %s", error, _where(body)[1])
        tell(client, body, refusal(error))
        return
    reference = uuid.uuid4().hex[:10]
    logger.error("listener failed (ref %s, type %s)", reference, body.get("type"),
                 exc_info=error)
    tell(client, body, internal_error(reference))


Listener = Callable[[Ack, dict[str, Any], WebClient], None]


def guard(listener: Listener) -> Listener:
    """Answer a listener's failure here rather than let it reach Bolt: when a listener raises
    after ack(), Bolt can drop the acknowledgement it already had, and Slack then shows the
    user an error for a click that worked."""

    def guarded(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        try:
            listener(ack, body, client)
        except Exception as error:  # every failure gets a private answer, never silence
            if ack.response is None:
                ack()
            answer_failure(error, body, client)

    guarded.__name__ = listener.__name__
    return guarded


def listen(registration: Callable[[Listener], Any]) -> Callable[[Listener], Listener]:
    """`@listen(app.action(ActionId.CLAIM))`: register a guarded listener."""

    def decorate(listener: Listener) -> Listener:
        registration(guard(listener))
        return listener

    return decorate


def register(app: App) -> None:
    """For failures outside our listeners (middleware)."""
    app.error(answer_failure)
