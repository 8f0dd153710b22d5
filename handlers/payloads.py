"""Turns Slack payloads (and intake bodies) into the small typed values the listeners pass to
bot/; anything that cannot be read raises `Malformed`, whose message names what is wrong
(never a value from the payload). Whether a payload is shaped as Slack shapes it at all is
handlers/envelope.py's."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from bot.blocks.ids import ModalContext

# Deeper than any payload Slack or a review source sends; deeper JSON is refused before anything
# walks it (Python's own recursion stops near 1,000 levels, with a RecursionError).
MAX_DEPTH = 32


class Malformed(ValueError):
    """A body or payload that cannot be read as what it claims to be."""


def parse_json(raw: str | bytes) -> Any:
    """JSON text as Python values; Malformed when it is not JSON, or nested deeper than
    MAX_DEPTH."""
    try:
        value = json.loads(raw)
    except RecursionError:
        raise Malformed(f"the JSON is nested deeper than {MAX_DEPTH} levels") from None
    except ValueError:  # bad JSON, bad UTF-8, digits past int's limit
        raise Malformed("the body is not JSON") from None
    if _depth(value) > MAX_DEPTH:
        raise Malformed(f"the JSON is nested deeper than {MAX_DEPTH} levels")
    return value


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in `value` (without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


@dataclass(frozen=True)
class Click:
    """A button press on a card, a PX card or an ephemeral offer."""

    case_id: int
    user_id: str
    channel_id: str | None
    trigger_id: str | None
    request_key: str


# The largest case id a button may name (ids are database integers; a bigger number is a
# forgery or a typo, and would overflow the database's integer before it could be refused).
MAX_CASE_ID = 2**53
_CASE_VALUE = re.compile(r"^([1-9][0-9]{0,15})(?::(.*))?$", re.DOTALL)


def case_of_value(value: Any) -> int | None:
    """The case a button's value names ("<case id>" or "<case id>:<more>"), else None."""
    match = _CASE_VALUE.match(value) if isinstance(value, str) else None
    if match is None or int(match.group(1)) > MAX_CASE_ID:
        return None
    return int(match.group(1))


def nudge_click(body: dict[str, Any]) -> tuple[Click, str]:
    """A nudge's button: its value is "<case id>:<window kind>"."""
    found = click(body)
    _, _, window_kind = body["actions"][0]["value"].partition(":")
    if not window_kind:
        raise Malformed("the reminder's button names no window")
    return found, window_kind


def click(body: dict[str, Any], *, case_id: int | None = None) -> Click:
    try:
        action = body["actions"][0]
        user_id = body["user"]["id"]
        action_id = action["action_id"]
    except (KeyError, IndexError, TypeError):
        raise Malformed("the click names no user or button") from None
    if case_id is None:
        case_id = case_of_value(action.get("value"))
        if case_id is None:
            raise Malformed("the button names no case")
    return Click(
        case_id=case_id,
        user_id=user_id,
        channel_id=channel_of(body),
        trigger_id=body.get("trigger_id"),
        request_key=f"{action_id}:{user_id}:{action.get('action_ts', '')}",
    )


def channel_of(body: dict[str, Any]) -> str | None:
    """The channel a click or command came from (None from a modal or App Home)."""
    channel = body.get("channel")
    if isinstance(channel, dict) and isinstance(channel.get("id"), str):
        return channel["id"]
    container = body.get("container")
    if isinstance(container, dict) and isinstance(container.get("channel_id"), str):
        return container["channel_id"]
    channel_id = body.get("channel_id")
    return channel_id if isinstance(channel_id, str) else None


def message_case(body: dict[str, Any], event_type: str) -> int | None:
    """The case a clicked message is about, from the metadata the bot put on it
    (`metadata.event_payload.case_id`); None when the message carries none of ours."""
    message = body.get("message")
    metadata = message.get("metadata") if isinstance(message, dict) else None
    if not isinstance(metadata, dict) or metadata.get("event_type") != event_type:
        return None
    payload = metadata.get("event_payload")
    case_id = payload.get("case_id") if isinstance(payload, dict) else None
    if isinstance(case_id, int) and not isinstance(case_id, bool) and case_id > 0:
        return case_id
    return None


def modal_context(view: dict[str, Any]) -> ModalContext:
    """The case and channel a modal of ours carries in its private_metadata."""
    try:
        context = ModalContext.load(view.get("private_metadata") or "")
    except (ValueError, KeyError, TypeError, RecursionError):
        raise Malformed("the form names no case") from None
    if not 0 < context.case_id <= MAX_CASE_ID or not (
            context.channel_id is None or isinstance(context.channel_id, str)):
        raise Malformed("the form names no case")
    if not (context.taking_from is None or isinstance(context.taking_from, str)):
        raise Malformed("the form names no holder of its case")
    return context


@dataclass(frozen=True)
class Submission:
    """A submitted modal: the case it is about and the values of its inputs."""

    context: ModalContext
    user_id: str
    view_id: str
    values: dict[str, dict[str, Any]]

    @property
    def request_key(self) -> str:
        return f"view:{self.view_id}"

    def text(self, block_id: str, action_id: str) -> str | None:
        return ((self.values.get(block_id) or {}).get(action_id) or {}).get("value")

    def selected(self, block_id: str, action_id: str) -> str | None:
        element = (self.values.get(block_id) or {}).get(action_id) or {}
        return (element.get("selected_option") or {}).get("value")

    def block_starting(self, prefix: str) -> str | None:
        return next((block for block in self.values if block.startswith(prefix)), None)


def submission(body: dict[str, Any]) -> Submission:
    try:
        view = body["view"]
        user_id = body["user"]["id"]
        view_id = view["id"]
        values = (view.get("state") or {}).get("values") or {}
    except (KeyError, TypeError, AttributeError):
        raise Malformed("the form names no user or view") from None
    return Submission(context=modal_context(view), user_id=user_id, view_id=view_id,
                      values=values)
