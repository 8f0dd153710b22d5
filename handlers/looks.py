"""The buttons of the day's "Needs a look" message: Make a case, Not a complaint."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.ids import ActionId
from bot.desk.desk import Desk
from handlers.errors import listen


def make_case(desk: Desk, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    ack()
    desk.looks.make_case(_review_id(body), body["user"]["id"])


def not_a_complaint(desk: Desk, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    ack()
    desk.looks.not_a_complaint(_review_id(body), body["user"]["id"])


def _review_id(body: dict[str, Any]) -> int:
    return int(body["actions"][0]["value"])


# ---- registration: the message's two buttons ------------------------------------------------

LISTENERS: list[tuple[str, Callable[..., None]]] = [
    (ActionId.LOOK_MAKE_CASE, make_case),
    (ActionId.LOOK_NOT_COMPLAINT, not_a_complaint),
]


def register(app: App, desk: Desk) -> None:
    for action_id, listener in LISTENERS:
        listen(app.action(action_id))(partial(listener, desk))
