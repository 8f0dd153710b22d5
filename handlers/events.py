"""Events and clicks of the app's Home tab: `app_home_opened` publishes the person's Home; its
buttons claim, release, take over, take a PX follow-up, mark contacted (through the desk, like
the cards'), resolve or log an outcome (the cards' modals, asking what came of it), make a
review waiting for a look a case or not (like the day's "Needs a look" message), turn a list's
page, or (links) only need acknowledging. A refusal is shown at the top of the Home."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.ids import ModalContext
from bot.core.cases import Action, Refusal
from bot.desk.desk import Desk
from bot.desk.needs_a_look import NeedsALook
from bot.home.blocks import (
    HOME_CLAIM,
    HOME_LINK,
    HOME_MAKE_CASE,
    HOME_NOT_COMPLAINT,
    HOME_OUTCOME,
    HOME_PAGE,
    HOME_PX_CLAIM,
    HOME_PX_CONTACTED,
    HOME_RELEASE,
    HOME_RESOLVE,
    HOME_TAKE_OVER,
)
from bot.home.home import Home
from bot.replies.modals import outcome_modal, resolve_modal
from bot.text import line
from handlers import payloads
from handlers.errors import listen

logger = logging.getLogger("reviewdesk.handlers")


def _prefix(name: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(name)}:")


@dataclass(frozen=True)
class HomeDeps:
    """What the Home tab's listeners work with, bound to each when the table is registered."""

    desk: Desk
    home: Home


def home_opened(deps: HomeDeps, event: dict[str, Any]) -> None:
    # Slack sends this for the Messages tab too; only the Home tab is ours to draw.
    if event.get("tab", "home") == "home" and event.get("user"):
        deps.home.opened(event["user"])


def case_click(deps: HomeDeps, ack: Ack, body: dict[str, Any], client: WebClient, *,
               perform: Callable[..., Any]) -> None:
    """A Home button that changes a case (its value a case id): one Desk method (`perform`,
    unbound) with the case and the person who clicked."""
    ack()
    click = payloads.click(body)
    _on_home(deps.home, click, lambda: perform(deps.desk, click.case_id, click.user_id,
                                               request_key=click.request_key))


def resolve(deps: HomeDeps, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    """Resolve on the Home tab: the same modal as the PX card's, asking what came of it."""
    ack()
    click = payloads.click(body)

    def open_it() -> None:
        facts = deps.desk.check_allowed(click.case_id, Action.RESOLVE, click.user_id)
        client.views_open(trigger_id=click.trigger_id, view=resolve_modal(
            context_value=ModalContext(click.case_id), current=facts.outcome))

    _on_home(deps.home, click, open_it)


def log_outcome(deps: HomeDeps, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    """Log outcome on the Home tab (a reviewer on site now to find): the card's ⋯ → Log outcome
    modal; once an outcome is logged, the reviewer counts as reached."""
    ack()
    click = payloads.click(body)

    def open_it() -> None:
        deps.desk.check_allowed(click.case_id, Action.OUTCOME, click.user_id)
        client.views_open(trigger_id=click.trigger_id, view=outcome_modal(
            context_value=ModalContext(click.case_id), current=None))

    _on_home(deps.home, click, open_it)


def look_click(deps: HomeDeps, ack: Ack, body: dict[str, Any], client: WebClient, *,
               decide: Callable[..., Any]) -> None:
    """A Home button that decides on a review waiting for a look (its value a review id): one
    NeedsALook method (`decide`, unbound) with the review and the person who clicked."""
    ack()
    click = payloads.click(body)
    _on_home(deps.home, click, lambda: decide(deps.desk.looks, click.case_id, click.user_id))


def _on_home(home: Home, click: payloads.Click, act: Callable[[], Any]) -> None:
    """Do what the button asks, then publish the clicker's Home at once; a refusal is said at
    the top of their Home."""
    try:
        act()
    except Refusal as refused:
        # No channel to answer in from the Home tab: say it at the top of the Home.
        logger.info("%s for user %s (Home tab)", refused, click.user_id)
        home.tell(click.user_id, str(line("refusal", reason=refused.reason,
                                          facts=refused.facts)))
        return
    home.publish(click.user_id)


def turn_page(deps: HomeDeps, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    ack()
    _prefix_name, section, page = body["actions"][0]["action_id"].split(":", 2)
    deps.home.turn_page(body["user"]["id"], section, int(page))


def open_link(deps: HomeDeps, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    ack()  # a link button: Slack opens the address


# ---- registration: the Home's event, then its buttons by their action ids' prefixes --------

LISTENERS: list[tuple[str, Callable[..., None]]] = [
    (HOME_CLAIM, partial(case_click, perform=Desk.claim)),
    (HOME_RELEASE, partial(case_click, perform=Desk.release)),
    (HOME_TAKE_OVER, partial(case_click, perform=Desk.take_over)),
    (HOME_PX_CONTACTED, partial(case_click, perform=Desk.px_contacted)),
    (HOME_PX_CLAIM, partial(case_click, perform=Desk.px_claim)),
    (HOME_RESOLVE, resolve),
    (HOME_OUTCOME, log_outcome),
    (HOME_MAKE_CASE, partial(look_click, decide=NeedsALook.make_case)),
    (HOME_NOT_COMPLAINT, partial(look_click, decide=NeedsALook.not_a_complaint)),
    (HOME_PAGE, turn_page),
    (HOME_LINK, open_link),
]


def register(app: App, desk: Desk, home: Home) -> None:
    deps = HomeDeps(desk, home)
    app.event("app_home_opened")(partial(home_opened, deps))
    for prefix, listener in LISTENERS:
        listen(app.action(_prefix(prefix)))(partial(listener, deps))
