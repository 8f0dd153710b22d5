"""One error handler for every listener: a refusal becomes a private explanation, anything
unexpected a logged reference and a private apology, never a stack trace or silence."""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.ephemeral import internal_error, refusal, request_refused
from bot.blocks.ids import ModalContext
from bot.core.cases import Refusal
from bot.outbox import Rendered
from handlers.payloads import Malformed

logger = logging.getLogger("reviewdesk.handlers")


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _where(body: Any) -> tuple[str | None, str | None]:
    """The channel and user to answer privately (None for what the payload does not say)."""
    if not isinstance(body, dict):
        return None, None
    user = body.get("user")
    user = _text(user.get("id") if isinstance(user, dict) else None) or _text(body.get("user_id"))
    channel = body.get("channel")
    channel = (_text(channel.get("id") if isinstance(channel, dict) else None)
               or _text(body.get("channel_id")))
    container = body.get("container")
    if channel is None and isinstance(container, dict):
        channel = _text(container.get("channel_id"))
    view = body.get("view")
    if channel is None and isinstance(view, dict):
        try:
            channel = _text(ModalContext.load(view.get("private_metadata") or "").channel_id)
        except (ValueError, KeyError, TypeError, RecursionError):
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
            channel=channel, user=user, **rendered.kwargs()
        )
    except SlackApiError as error:
        logger.warning("ephemeral to %s in %s failed: %s", user, channel,
                       error.response.get("error"))
    except OSError as error:  # Slack unreachable: the click is answered by its ack alone
        logger.warning("ephemeral to %s in %s failed: %s", user, channel, type(error).__name__)


def answer_failure(error: Exception, body: dict[str, Any], client: WebClient) -> None:
    if isinstance(error, Refusal):
        logger.info("%s for user %s", error, _where(body)[1])
        tell(client, body, refusal(error))
        return
    if isinstance(error, Malformed):
        # Slack signed it, so it is Slack's (or a forger's with our secret): no stack trace.
        logger.warning("unreadable %s payload from user %s: %s",
                       body.get("type") if isinstance(body, dict) else "?", _where(body)[1],
                       error)
        tell(client, body, request_refused("malformed"))
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

    guarded.__name__ = _name(listener)
    return guarded


def _name(listener: Callable[..., Any]) -> str:
    """A listener's function name, also when its dependencies are bound (functools.partial)."""
    while isinstance(listener, functools.partial):
        listener = listener.func
    return listener.__name__


def listen(registration: Callable[[Listener], Any]) -> Callable[[Listener], Listener]:
    """`@listen(app.action(ActionId.CLAIM))`: register a guarded listener."""

    def decorate(listener: Listener) -> Listener:
        registration(guard(listener))
        return listener

    return decorate


def register(app: App) -> None:
    """For failures outside our listeners (middleware)."""

    def outside_listeners(error: Exception, body: dict[str, Any], client: WebClient,
                          context: dict[str, Any]) -> None:
        # Only a request that got past verification and authorization may make the bot
        # speak; before that it may be anyone's.
        if context.get("authorize_result") is None:
            logger.warning("request failed before it was authorized (%s)",
                           type(error).__name__)
            return
        answer_failure(error, body, client)

    app.error(outside_listeners)
