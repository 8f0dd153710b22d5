"""The buttons of the day's "Needs a look" message: Make a case, Not a complaint."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.desk import Desk
from bot.ids import ActionId
from handlers.errors import listen


def register(app: App, desk: Desk) -> None:
    @listen(app.action(ActionId.LOOK_MAKE_CASE))
    def make_case(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        desk.looks.make_case(_review_id(body), body["user"]["id"])

    @listen(app.action(ActionId.LOOK_NOT_COMPLAINT))
    def not_a_complaint(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        desk.looks.not_a_complaint(_review_id(body), body["user"]["id"])


def _review_id(body: dict[str, Any]) -> int:
    return int(body["actions"][0]["value"])
