"""The /reviewdesk slash command."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.lists import help_message, open_cases_message
from bot.desk import Desk
from bot.oncall.command import OnCall
from handlers.errors import listen, tell


def register(app: App, desk: Desk, oncall: OnCall) -> None:
    @listen(app.command("/reviewdesk"))
    def reviewdesk(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        words = (body.get("text") or "").split()
        if words[:1] == ["open"]:
            tell(client, body, open_cases_message(desk.open_cases()))
        elif words[:1] == ["oncall"]:
            tell(client, body, oncall.command(body.get("text") or "", body["user_id"]))
        else:
            tell(client, body, help_message())
