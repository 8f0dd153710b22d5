"""Turns Slack payloads (and intake bodies) into the small typed values the listeners pass to
bot/; anything that cannot be read raises `Malformed`, whose message names what is wrong
(never a value from the payload)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.ids import ModalContext

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


# ---- the envelope: what Slack's payloads are made of, for every request ----------------------
# Bolt and our listeners read these fields as Slack shapes them; a signed payload shaped
# otherwise is refused (400, naming the field) before anything reads it.


class _Shape(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class _Named(_Shape):  # team, enterprise, channel, user (id and the team it belongs to)
    id: str | None = None
    team_id: str | None = None
    enterprise_id: str | None = None


class _Authorization(_Shape):
    team_id: str | None = None
    enterprise_id: str | None = None
    user_id: str | None = None
    is_enterprise_install: bool | str | None = None


class _Container(_Shape):
    type: str | None = None
    channel_id: str | None = None
    message_ts: str | None = None
    view_id: str | None = None
    is_ephemeral: bool | None = None


class _State(_Shape):
    values: dict[str, dict[str, dict[str, Any]]] | None = None


class _View(_Shape):
    id: str | None = None
    type: str | None = None
    callback_id: str | None = None
    private_metadata: str | None = None
    hash: str | None = None
    team_id: str | None = None
    app_installed_team_id: str | None = None
    state: _State | None = None


class _Option(_Shape):
    value: str | None = None


class _Action(_Shape):
    action_id: str
    block_id: str | None = None
    value: str | None = None
    action_ts: str | None = None
    type: str | None = None
    selected_option: _Option | None = None


class _Metadata(_Shape):
    event_type: str | None = None
    event_payload: dict[str, Any] | None = None


class _Message(_Shape):
    ts: str | None = None
    thread_ts: str | None = None
    metadata: _Metadata | None = None


class _Event(_Shape):
    type: str


class _Envelope(_Shape):
    type: str | None = None
    token: str | None = None
    api_app_id: str | None = None
    trigger_id: str | None = None
    response_url: str | None = None
    team_id: str | None = None
    enterprise_id: str | None = None
    user_id: str | None = None
    channel_id: str | None = None
    is_enterprise_install: bool | str | None = None
    team: str | _Named | None = None
    enterprise: str | _Named | None = None
    user: str | _Named | None = None
    channel: str | _Named | None = None
    authorizations: list[_Authorization] | None = None
    container: _Container | None = None
    view: _View | None = None
    actions: list[_Action] | None = None
    message: _Message | None = None
    event: _Event | None = None
    action_id: str | None = None
    block_id: str | None = None
    value: str | None = None
    challenge: str | None = None


# What each kind of payload we answer must carry, beyond the common shapes.
_REQUIRED: dict[str, tuple[str, ...]] = {
    "block_actions": ("user.id", "actions"),
    "view_submission": ("user.id", "view.id", "view.callback_id"),
    "view_closed": ("user.id", "view.id", "view.callback_id"),
    "block_suggestion": ("user.id", "action_id"),
    "event_callback": ("event",),
    "url_verification": ("challenge",),
}


def _present(body: dict[str, Any], path: str) -> bool:
    node: Any = body
    for part in path.split("."):
        if not isinstance(node, dict) or node.get(part) in (None, "", []):
            return False
        node = node[part]
    return True


def envelope_problem(body: Any) -> str | None:
    """Why a payload (its JSON, or a slash command's form) is not shaped as Slack shapes it,
    naming the field; None when it is."""
    if not isinstance(body, dict):
        return "the payload is not a JSON object"
    if "command" in body:  # a slash command: a form, every value a string
        missing = [name for name in ("command", "user_id", "channel_id", "team_id")
                   if not body.get(name)]
        return f"the command carries no {missing[0]}" if missing else None
    try:
        _Envelope.model_validate(body)
    except ValidationError as error:
        # pydantic names the member of a union it tried ("str", "_Named"); keep the path.
        where = ".".join(str(part) for part in error.errors()[0]["loc"]
                         if str(part) not in {"str", "bool"} and not str(part).startswith("_")
                         and "[" not in str(part))
        return f"the payload's {where or 'shape'} is not what Slack sends"
    missing = [path for path in _REQUIRED.get(body.get("type") or "", ())
               if not _present(body, path)]
    if missing:
        return f"a {body['type']} payload needs {missing[0]}"
    return None


def slack_body(text: str, content_type: str | None) -> dict[str, Any]:
    """A request body as Bolt will read it (JSON, a form with a JSON `payload`, or a plain
    form), refusing what Bolt could not read with Malformed."""
    if not text:
        raise Malformed("the body is empty")
    if content_type == "application/json" or text.startswith("{"):
        body = parse_json(text)
    elif "payload" in text:
        form = dict(parse_qsl(text, keep_blank_values=True))
        if "payload" not in form:
            raise Malformed("the form carries no payload")
        body = parse_json(form["payload"])
    else:
        body = dict(parse_qsl(text, keep_blank_values=True))
    if not isinstance(body, dict):
        raise Malformed("the payload is not a JSON object")
    return body
