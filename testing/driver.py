"""Drives the running app the way Slack and review sources do, and reads what users would see."""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from typing import Any
from urllib.error import HTTPError

from sqlalchemy import func, select

from app import ReviewDesk
from bot.blocks.ids import ActionId, BlockId, CallbackId, InputId, MoreChoice
from storage.models import (
    CardBatch,
    Case,
    CaseEvent,
    CaseWindow,
    Nudge,
    OutboxMessage,
    Review,
    RotationMember,
)
from twin.interactions import (
    block_actions_payload,
    button_action,
    find_button,
    form_body_for_payload,
    overflow_action,
    plain_text_value,
    post_signed,
    view_submission_payload,
)
from twin.queries import WAIT
from twin.rules import view_submission_response_errors
from twin.webapi import SlackTwin

# What a request can write: a refused one must leave every count as it was.
WRITTEN_TABLES = (Review, Case, CaseEvent, CaseWindow, Nudge, OutboxMessage, CardBatch,
                  RotationMember)


def review(**overrides: Any) -> dict[str, Any]:
    """A canonical review (one star, North campus) with fields to override."""
    data = {
        "source": "google",
        "external_id": "g-1001",
        "site": "north",
        "author": "Dana K.",
        "rating": 1,
        "text": "Waited five hours in the ER with my father and nobody told us anything. "
        "The front desk was rude when we asked.",
        "url": "https://maps.example/review/g-1001",
        "created_at": "2026-11-24T14:03:00Z",
    }
    data.update(overrides)
    return data


def block_text(message: dict[str, Any]) -> str:
    """All the visible text of a message's blocks, in order, one piece per line."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in {"mrkdwn", "plain_text"} and "text" in node:
                out.append(node["text"])
                return
            for key in ("text", "elements", "fields", "accessory", "element", "label"):
                if key in node:
                    walk(node[key])
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(message.get("blocks") or [])
    return "\n".join(out)


def table_blocks(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The message's table blocks, which Slack takes only in its attachments."""
    assert not [b for b in message.get("blocks") or [] if b.get("type") == "table"]
    return [block for attachment in message.get("attachments") or []
            for block in attachment.get("blocks") or [] if block.get("type") == "table"]


def action_ids(message: dict[str, Any]) -> list[str]:
    return [
        element.get("action_id")
        for block in message.get("blocks") or []
        if block.get("type") == "actions"
        for element in block["elements"]
    ]


def settle(bot: ReviewDesk, timeout: float = WAIT) -> None:
    """Wait until `bot` is idle (see `ReviewDesk.idle`)."""
    deadline = time.monotonic() + timeout
    while not bot.idle():
        if time.monotonic() > deadline:
            raise AssertionError(f"the bot did not settle within {timeout}s")
        time.sleep(0.01)


class Driver:
    def __init__(self, bot: ReviewDesk, slack: SlackTwin, *, signing_secret: str,
                 intake_token: str):
        self.bot = bot
        self.slack = slack
        self.signing_secret = signing_secret
        self.intake_token = intake_token
        self.base = f"http://127.0.0.1:{bot.port}"

    # ---- review sources ---------------------------------------------------------------

    def post_reviews(self, body: Any, *, token: str | None = "default",
                     raw: bytes | None = None) -> tuple[int, dict[str, Any]]:
        data = raw if raw is not None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.base}/intake/reviews", data=data, method="POST")
        request.add_header("Content-Type", "application/json")
        if token:
            bearer = self.intake_token if token == "default" else token
            request.add_header("Authorization", f"Bearer {bearer}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"{}")
        except HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def get(self, path: str) -> tuple[int, dict[str, Any]]:
        try:
            with urllib.request.urlopen(f"{self.base}{path}", timeout=10) as response:
                return response.status, json.loads(response.read())
        except HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def new_case(self, **overrides: Any) -> int:
        status, body = self.post_reviews(review(**overrides))
        assert status == 200, body
        case_id = body["items"][0]["case_id"]
        assert case_id is not None, body
        return case_id

    # ---- what Slack shows ---------------------------------------------------------------

    def _find(self, channel: str, case_id: int) -> dict[str, Any] | None:
        for message in self.slack.messages(channel):
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("case_id") == case_id:
                return message
        return None

    def card(self, case_id: int, channel: str, predicate=None, timeout: float = WAIT) -> dict:
        """The case's card in `channel`, once it exists (and satisfies `predicate`)."""
        def ready():
            message = self._find(channel, case_id)
            if message and (predicate is None or predicate(message)):
                return message
            return None

        return self.slack.wait_for(ready, timeout=timeout)

    def card_showing(self, case_id: int, channel: str, text: str, timeout: float = WAIT) -> dict:
        return self.card(case_id, channel, lambda m: text in block_text(m), timeout)

    def thread(self, channel: str, card: dict[str, Any]) -> list[str]:
        return [reply["text"] for reply in self.slack.thread(channel, card["ts"])]

    def thread_with(self, channel: str, card: dict[str, Any], text: str,
                    timeout: float = WAIT) -> list[str]:
        return self.slack.wait_for(
            lambda: (lines := self.thread(channel, card)) and any(text in t for t in lines)
            and lines,
            timeout=timeout,
        )

    def ephemeral_for(self, user: str, text: str, timeout: float = WAIT) -> dict[str, Any]:
        def found():
            for item in self.slack.ephemerals_for(user):
                if text in (item.get("text") or "") + block_text(item):
                    return item
            return None

        return self.slack.wait_for(found, timeout=timeout)

    # ---- what people do ------------------------------------------------------------------

    def _post_interaction(self, payload: dict[str, Any], **signing: Any) -> tuple[int, bytes]:
        status, _headers, body = post_signed(
            f"{self.base}/slack/events", self.signing_secret, form_body_for_payload(payload),
            "application/x-www-form-urlencoded", **signing,
        )
        return status, body

    def click(self, user: str, message: dict[str, Any], action_id: str, channel: str,
              **signing: Any) -> int:
        block, element = find_button(message["blocks"], action_id)
        ephemeral = "ts" not in message
        payload = block_actions_payload(
            user_id=user, action=button_action(block, element), channel_id=channel,
            message=message, is_ephemeral=ephemeral,
            response_url=self.slack.response_url(user=user, channel=channel, message=message,
                                                 ephemeral=ephemeral),
        )
        status, _ = self._post_interaction(payload, **signing)
        return status

    def open_view(self, user: str, message: dict[str, Any], action_id: str, channel: str,
                  callback_id: str) -> dict[str, Any]:
        """Click a button that opens a modal, and return the modal Slack shows."""
        before = len(self.slack.opened_views())
        assert self.click(user, message, action_id, channel) == 200
        views = self.slack.wait_for(
            lambda: (found := self.slack.opened_views()[before:]) and found
        )
        view = views[-1]
        assert view["callback_id"] == callback_id, view["callback_id"]
        return view

    def submit(self, user: str, view: dict[str, Any], values: dict[str, Any]
               ) -> tuple[int, dict[str, Any]]:
        """Submit ``view`` with ``values``; return the bot's ack.  An ack Slack would refuse
        (``response_action`` errors not keyed by input blocks, a bad update/push view) is
        recorded on the twin, which fails the test unless it is marked ``slack_rejects``;
        an ``update`` replaces the twin's modal, as Slack's does."""
        seen = self.slack.view(view["id"])["hash"] if view.get("id") else None
        status, body = self._post_interaction(
            view_submission_payload(user_id=user, view=view, values=values)
        )
        answer = json.loads(body) if body.strip() else {}
        if status == 200:
            self.slack.record_problems(
                "view_submission", view_submission_response_errors(view, answer)
            )
            if view.get("id"):
                self.slack.answer_submission(view["id"], answer, seen_hash=seen)
        return status, answer

    def choose(self, user: str, message: dict[str, Any], action_id: str, value: str,
               channel: str) -> int:
        """Pick the option `value` of the overflow menu `action_id` on a message."""
        block, element = find_button(message["blocks"], action_id)
        ephemeral = "ts" not in message
        payload = block_actions_payload(
            user_id=user, action=overflow_action(block, element, value), channel_id=channel,
            message=message, is_ephemeral=ephemeral,
            response_url=self.slack.response_url(user=user, channel=channel, message=message,
                                                 ephemeral=ephemeral),
        )
        status, _ = self._post_interaction(payload)
        return status

    def open_from_menu(self, user: str, message: dict[str, Any], value: str, channel: str,
                       callback_id: str, action_id: str = "case_more") -> dict[str, Any]:
        """Pick an overflow option that opens a modal, and return the modal Slack shows."""
        before = len(self.slack.opened_views())
        assert self.choose(user, message, action_id, value, channel) == 200
        views = self.slack.wait_for(
            lambda: (found := self.slack.opened_views()[before:]) and found
        )
        view = views[-1]
        assert view["callback_id"] == callback_id, view["callback_id"]
        return view

    def click_in_view(self, user: str, view: dict[str, Any], action_id: str,
                      values: dict[str, Any] | None = None) -> int:
        """Press a button (or pick a select's option, given as `values`) inside a modal."""
        block, element = find_button(view["blocks"], action_id)
        payload = block_actions_payload(
            user_id=user, action=button_action(block, element), channel_id=None,
            message=None, container_type="view", view=view, state_values=values,
        )
        status, _ = self._post_interaction(payload)
        return status

    def reply_by_hand(self, user: str, case_id: int, text: str, channel: str, *,
                      done: bool = True) -> dict[str, Any]:
        """Respond with `text` (posting to the source off: copied by hand), then Mark as
        posted; returns the card once it shows the reply (and, with `done`, that the case is
        done: an on-site or risk case is not until someone logs reaching the reviewer)."""
        card = self.card(case_id, channel)
        view = self.open_view(user, card, ActionId.RESPOND, channel, CallbackId.RESPOND)
        block = next(b for b in view["blocks"] if b["block_id"].startswith(BlockId.REPLY))
        status, body = self.submit(user, view, {block["block_id"]: {
            InputId.REPLY: plain_text_value(text)}})
        assert status == 200 and body.get("response_action") == "update", body
        status, body = self.submit(user, self.slack.view(view["id"]), {})  # Mark as posted
        assert status == 200, body
        if not done:
            return self.card_showing(case_id, channel, "Answered in public; it is done once")
        return self.card_showing(case_id, channel, "*Done*: answered in public")

    def log_outcome(self, user: str, case_id: int, outcome: str, channel: str) -> None:
        """⋯ → Log outcome on the case's card in `channel` (the triage or the PX card), and
        pick `outcome` (bot.core.outcomes.Outcome's value)."""
        from twin.interactions import static_select_value

        card = self.card(case_id, channel)
        view = self.open_from_menu(user, card, f"{MoreChoice.OUTCOME}:{case_id}", channel,
                                   CallbackId.OUTCOME)
        status, body = self.submit(user, view, {
            BlockId.OUTCOME: {InputId.OUTCOME: static_select_value(outcome)}})
        assert status == 200 and not body.get("errors"), body

    def resolve(self, user: str, case_id: int, outcome: str, channel: str, *,
                message: dict[str, Any] | None = None) -> None:
        """Resolve on the case's PX card in `channel` (or on `message`, an offer to take it
        over: Take over and continue), and pick `outcome` (bot.core.outcomes.Outcome's value)."""
        from twin.interactions import static_select_value

        if message is None:
            view = self.open_view(user, self.card(case_id, channel), ActionId.PX_RESOLVE,
                                  channel, CallbackId.RESOLVE)
        else:
            view = self.open_view(user, message, ActionId.TAKE_OVER_AND_CONTINUE, channel,
                                  CallbackId.RESOLVE)
        status, body = self.submit(user, view, {
            BlockId.OUTCOME: {InputId.OUTCOME: static_select_value(outcome)}})
        assert status == 200 and not body.get("errors"), body

    def command(self, user: str, text: str, channel: str) -> int:
        from twin.interactions import slash_command_form

        body = urllib.parse.urlencode(
            slash_command_form(command="/reviewdesk", text=text, user_id=user,
                               channel_id=channel)
        )
        status, _headers, _body = post_signed(
            f"{self.base}/slack/events", self.signing_secret, body,
            "application/x-www-form-urlencoded",
        )
        return status

    def row_counts(self) -> tuple[int, ...]:
        """How many rows each of WRITTEN_TABLES holds, in that order."""
        with self.bot.db.session() as session:
            return tuple(session.scalar(select(func.count()).select_from(table))
                         for table in WRITTEN_TABLES)

    def settle(self, timeout: float = WAIT) -> None:
        """Wait until the bot is idle: no request or listener under way, nothing the outbox
        could send and no nudge due by the injected clock. After this, anything still missing
        is not coming until time moves."""
        settle(self.bot, timeout=timeout)

    # ---- what was recorded ---------------------------------------------------------------

    def events(self, case_id: int) -> list[tuple[str, str]]:
        return [(event.action, event.actor) for event in self.bot.desk.history(case_id)]
