"""The envelope: what Slack's payloads are made of, for every request. Bolt and our listeners
read these fields as Slack shapes them; a signed payload shaped otherwise is refused (400,
naming the field) before anything reads it: `slack_body` reads a request's body as Bolt will,
`envelope_problem` says what in it is not Slack's shape."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import parse_qsl

from pydantic import Field, ValidationError

from bot.blocks.ids import CallbackId
from bot.intake.shapes import Shape, first_problem
from handlers.payloads import Malformed, parse_json

# An id or a short name: Slack's are short; an empty or a 10,000-character one is not Slack's.
_Id = Annotated[str, Field(min_length=1, max_length=255)]


class _Named(Shape):  # team, enterprise, channel, user (id and the team it belongs to)
    id: str | None = None
    team_id: str | None = None
    enterprise_id: str | None = None
    name: str | None = None
    username: str | None = None
    domain: str | None = None


class _Authorization(Shape):
    team_id: str | None = None
    enterprise_id: str | None = None
    user_id: str | None = None
    is_bot: bool | None = None
    is_enterprise_install: bool | None = None


class _Container(Shape):
    type: str | None = None
    channel_id: str | None = None
    message_ts: str | None = None
    thread_ts: str | None = None
    view_id: str | None = None
    is_ephemeral: bool | None = None


class _Text(Shape):  # a text object: a button's label, a modal's title
    type: str | None = None
    text: str | None = None
    emoji: bool | None = None
    verbatim: bool | None = None


class _Option(Shape):
    value: str | None = None
    text: _Text | None = None


class _InputValue(Shape):  # one input's entry in a view's state.values
    type: str | None = None
    value: str | None = None
    selected_option: _Option | None = None
    selected_options: list[_Option] | None = None
    selected_date: str | None = None
    selected_time: str | None = None
    selected_user: str | None = None
    selected_users: list[str] | None = None
    selected_channel: str | None = None
    selected_conversation: str | None = None


class _State(Shape):
    values: dict[str, dict[str, _InputValue]] | None = None


class _View(Shape):
    id: str | None = None
    type: str | None = None
    callback_id: str | None = None
    private_metadata: str | None = None
    external_id: str | None = None
    hash: str | None = None
    team_id: str | None = None
    app_id: str | None = None
    bot_id: str | None = None
    app_installed_team_id: str | None = None
    root_view_id: str | None = None
    previous_view_id: str | None = None
    title: _Text | None = None
    submit: _Text | None = None
    close: _Text | None = None
    clear_on_close: bool | None = None
    notify_on_close: bool | None = None
    blocks: list[dict[str, Any]] | None = None
    state: _State | None = None


class _Action(Shape):
    action_id: str
    block_id: str | None = None
    value: str | None = None
    action_ts: str | None = None
    type: str | None = None
    style: str | None = None
    text: _Text | None = None
    selected_option: _Option | None = None
    selected_options: list[_Option] | None = None


class _OurPayload(Shape):  # what the bot puts in its messages' metadata (bot/delivery/calls.py)
    key: str | None = None
    case_id: int | None = None


class _OurModal(Shape):  # what the bot puts in its modals' private_metadata (ModalContext)
    case_id: int | None = None
    channel_id: str | None = None
    post_id: int | None = None
    warned: list[str] | None = None
    taking_from: str | None = None


class _Metadata(Shape):
    event_type: str | None = None
    event_payload: dict[str, Any] | None = None


class _Message(Shape):
    type: str | None = None
    ts: str | None = None
    thread_ts: str | None = None
    user: str | None = None
    bot_id: str | None = None
    app_id: str | None = None
    team: str | None = None
    text: str | None = None
    blocks: list[dict[str, Any]] | None = None
    attachments: list[dict[str, Any]] | None = None
    metadata: _Metadata | None = None


class _Event(Shape):
    type: str
    event_ts: str | None = None


class _HomeOpened(_Event):  # the one event the app subscribes to (manifest.yml)
    user: _Id
    channel: str | None = None
    tab: str | None = None
    view: _View | None = None


class _Envelope(Shape):
    type: str | None = None
    token: str | None = None
    api_app_id: str | None = None
    trigger_id: str | None = None
    response_url: str | None = None
    team_id: str | None = None
    enterprise_id: str | None = None
    user_id: str | None = None
    channel_id: str | None = None
    event_id: str | None = None
    event_time: int | None = None
    is_enterprise_install: bool | None = None
    is_ext_shared_channel: bool | None = None
    is_cleared: bool | None = None
    team: _Id | _Named | None = None
    enterprise: _Id | _Named | None = None
    user: _Id | _Named | None = None
    channel: _Id | _Named | None = None
    authorizations: list[_Authorization] | None = None
    container: _Container | None = None
    view: _View | None = None
    actions: list[_Action] | None = None
    message: _Message | None = None
    state: _State | None = None
    response_urls: list[dict[str, Any]] | None = None
    event: _Event | None = None
    action_id: str | None = None
    block_id: str | None = None
    value: str | None = None
    challenge: str | None = None


# What each kind of payload we answer must carry, beyond the common shapes.
_REQUIRED: dict[str, tuple[str, ...]] = {
    "block_actions": ("user.id", "actions"),
    "view_submission": ("user.id", "view.id", "view.type", "view.callback_id"),
    "view_closed": ("user.id", "view.id", "view.type", "view.callback_id"),
    "block_suggestion": ("user.id", "action_id"),
    "event_callback": ("event",),
    "url_verification": ("challenge",),
}
# The fields of an event the app handles, by its type.
_EVENTS: dict[str, type[_Event]] = {"app_home_opened": _HomeOpened}
_OUR_CALLBACKS = frozenset(CallbackId)
_COMMAND_FIELDS = ("command", "user_id", "channel_id", "team_id")


def _present(body: dict[str, Any], path: str) -> bool:
    node: Any = body
    for part in path.split("."):
        if not isinstance(node, dict) or node.get(part) in (None, "", []):
            return False
        node = node[part]
    return True


def _shape_problem(model: type[Shape], value: dict[str, Any], prefix: str = "") -> str | None:
    try:
        model.model_validate(value)
    except ValidationError as error:
        where, wanted = first_problem(error, value, prefix)
        return f"the payload's {where or 'shape'} {wanted}"
    return None


def envelope_problem(body: Any) -> str | None:
    """Why a payload (its JSON, or a slash command's form) is not shaped as Slack shapes it,
    naming the field; None when it is."""
    if not isinstance(body, dict):
        return "the payload is not a JSON object"
    if "command" in body:  # a slash command: a form, every value a string
        for name, value in body.items():
            if not isinstance(value, str):
                return f"the command's {name} must be a string"
        missing = [name for name in _COMMAND_FIELDS if not body.get(name)]
        if missing:
            return f"the command carries no {missing[0]}"
        too_long = [name for name in _COMMAND_FIELDS if len(body[name]) > 255]
        return f"the command's {too_long[0]} is longer than 255 characters" if too_long else None
    problem = _shape_problem(_Envelope, body)
    if problem is not None:
        return problem
    message = body.get("message") or {}
    metadata = message.get("metadata") or {}
    if metadata.get("event_payload") is not None:
        problem = _shape_problem(_OurPayload, metadata["event_payload"],
                                 "message.metadata.event_payload")
        if problem is not None:
            return problem
    view = body.get("view") or {}
    if view.get("callback_id") in _OUR_CALLBACKS and view.get("private_metadata"):
        try:
            context = json.loads(view["private_metadata"])
        except (ValueError, RecursionError):
            return "the payload's view.private_metadata is not the JSON this app wrote"
        if not isinstance(context, dict):
            return "the payload's view.private_metadata is not the JSON this app wrote"
        problem = _shape_problem(_OurModal, context, "view.private_metadata")
        if problem is not None:
            return problem
    event = body.get("event")
    if isinstance(event, dict) and event.get("type") in _EVENTS:
        problem = _shape_problem(_EVENTS[event["type"]], event, "event")
        if problem is not None:
            return problem
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
