"""The /reviewdesk slash command: acknowledge at once (Slack's 3-second limit), then answer
privately with what bot/commands.py makes of the words."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.commands import Commands, home_link
from handlers.errors import listen, tell


def register(app: App, commands: Commands) -> None:
    @listen(app.command("/reviewdesk"))
    def reviewdesk(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        answer = commands.answer(body.get("text") or "", body["user_id"],
                                 home_url=home_link(body.get("api_app_id"), body.get("team_id")))
        tell(client, body, answer)
