"""Events and clicks of the app's Home tab: `app_home_opened` publishes the person's Home; its
buttons claim, release, take over or mark contacted (through the desk, like the cards'), make a
review waiting for a look a case or not (like the day's "Needs a look" message), turn a list's
page, or (links) only need acknowledging. A refusal is shown at the top of the Home."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.home import (
    HOME_CLAIM,
    HOME_LINK,
    HOME_MAKE_CASE,
    HOME_NOT_COMPLAINT,
    HOME_PAGE,
    HOME_PX_CONTACTED,
    HOME_RELEASE,
    HOME_TAKE_OVER,
)
from bot.cases import Refusal
from bot.desk import Desk
from bot.home import Home
from bot.text import line
from handlers import payloads
from handlers.errors import listen

logger = logging.getLogger("reviewdesk.handlers")


def _prefix(name: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(name)}:")


def register(app: App, desk: Desk, home: Home) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any]) -> None:
        # Slack sends this for the Messages tab too; only the Home tab is ours to draw.
        if event.get("tab", "home") == "home" and event.get("user"):
            home.opened(event["user"])

    simple = {HOME_CLAIM: desk.claim, HOME_RELEASE: desk.release,
              HOME_TAKE_OVER: desk.take_over, HOME_PX_CONTACTED: desk.px_contacted}
    for prefix, perform in simple.items():
        listen(app.action(_prefix(prefix)))(_home_listener(home, perform))
    looks = {HOME_MAKE_CASE: desk.looks.make_case, HOME_NOT_COMPLAINT: desk.looks.not_a_complaint}
    for prefix, decide in looks.items():
        listen(app.action(_prefix(prefix)))(_home_listener(home, decide, by_review=True))

    @listen(app.action(_prefix(HOME_PAGE)))
    def turn_page(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        _prefix_name, section, page = body["actions"][0]["action_id"].split(":", 2)
        home.turn_page(body["user"]["id"], section, int(page))

    @listen(app.action(_prefix(HOME_LINK)))
    def open_link(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()  # a link button: Slack opens the address


def _home_listener(home: Home, perform, *, by_review: bool = False):
    """A Home button that changes a case (its value a case id) or decides on a review waiting
    for a look (`by_review`: its value a review id); the clicker's Home is published at once."""

    def listener(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        click = payloads.click(body)
        try:
            if by_review:
                perform(click.case_id, click.user_id)
            else:
                perform(click.case_id, click.user_id, request_key=click.request_key)
        except Refusal as refused:
            # No channel to answer in from the Home tab: say it at the top of the Home.
            logger.info("%s for user %s (Home tab)", refused, click.user_id)
            home.tell(click.user_id, str(line("refusal", reason=refused.reason,
                                              facts=refused.facts)))
            return
        home.publish(click.user_id)

    listener.__name__ = f"home_{perform.__name__}"
    return listener
