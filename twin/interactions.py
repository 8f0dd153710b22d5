"""Requests as Slack sends them to an app: signed HTTP posts and interactivity payloads.

`sign`/`post_signed` produce Slack's request signature (``v0=`` HMAC-SHA256 of
``v0:<timestamp>:<body>``).  The payload builders return the JSON Slack posts for
``block_actions`` and ``view_submission`` interactions and the form fields of a slash command;
`form_body_for_payload` wraps an interactivity payload the way Slack does
(``payload=<urlencoded JSON>``).  The ``find_button``/``button_action``/``select_action`` and
state-value helpers build the pieces of those payloads from blocks the app rendered.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from twin.methods.views import new_trigger_id
from twin.names import APP_ID, DEFAULT_CHANNELS, DEFAULT_USERS, TEAM_DOMAIN

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
VERIFICATION_TOKEN = "verification-token"
SLACK_USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"

# --------------------------------------------------------------------------------------------
# Signing and sending
# --------------------------------------------------------------------------------------------


def sign(
    signing_secret: str,
    body: str,
    timestamp: int | None = None,
    *,
    content_type: str = FORM_CONTENT_TYPE,
) -> dict[str, str]:
    """Headers Slack sends with ``body``: Content-Type, timestamp and ``v0=`` signature.

    ``timestamp`` defaults to now; pass an old one to test replay protection.
    """
    ts = int(time.time()) if timestamp is None else timestamp
    base = f"v0:{ts}:{body}".encode()
    digest = hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": f"v0={digest}",
    }


def post_signed(
    url: str,
    signing_secret: str,
    body: str,
    content_type: str,
    *,
    timestamp: int | None = None,
    signature: str | None = None,
    timeout: float = 10,
) -> tuple[int, dict[str, str], bytes]:
    """POST ``body`` to the app at ``url`` as Slack would; return (status, headers, body).

    ``signature`` replaces the computed one (to test rejection of forged requests).  HTTP
    error statuses are returned, not raised.
    """
    headers = sign(signing_secret, body, timestamp, content_type=content_type)
    headers["User-Agent"] = SLACK_USER_AGENT
    if signature is not None:
        headers["X-Slack-Signature"] = signature
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), error.read()


def form_body_for_payload(payload: dict[str, Any]) -> str:
    """The form body Slack posts for an interaction: ``payload=<urlencoded JSON>``."""
    return urlencode({"payload": json.dumps(payload)})


# --------------------------------------------------------------------------------------------
# Pieces of payloads
# --------------------------------------------------------------------------------------------


def _user(user_id: str, team_id: str) -> dict[str, str]:
    name = DEFAULT_USERS.get(user_id, user_id.lower())
    return {"id": user_id, "username": name, "name": name, "team_id": team_id}


def _channel_name(channel_id: str) -> str:
    return DEFAULT_CHANNELS.get(channel_id, channel_id.lower())


def _team(team_id: str) -> dict[str, str]:
    return {"id": team_id, "domain": TEAM_DOMAIN}


def _action_ts() -> str:
    return f"{time.time():.6f}"


def find_button(blocks: list[dict[str, Any]], action_id: str) -> tuple[dict, dict]:
    """Find the interactive element with ``action_id`` in rendered blocks.

    Looks at actions-block elements and section accessories; returns (block, element).
    Raises AssertionError listing the action_ids present when there is no such element.
    """
    present: list[str] = []
    for block in blocks:
        if block.get("type") == "actions":
            candidates = block.get("elements", [])
        elif block.get("type") == "section" and block.get("accessory"):
            candidates = [block["accessory"]]
        else:
            continue
        for element in candidates:
            if element.get("action_id") == action_id:
                return block, element
            present.append(str(element.get("action_id")))
    raise AssertionError(f"no element with action_id {action_id!r}; present: {present}")


def button_action(block: dict[str, Any], element: dict[str, Any]) -> dict[str, Any]:
    """The ``actions`` entry Slack sends when ``element`` (a button in ``block``) is clicked."""
    action: dict[str, Any] = {
        "action_id": element["action_id"],
        "block_id": block["block_id"],
        "text": element["text"],
        "type": "button",
    }
    for key in ("value", "style"):
        if key in element:
            action[key] = element[key]
    return action


def select_action(
    block_id: str, action_id: str, option_value: str, option_text: str
) -> dict[str, Any]:
    """The ``actions`` entry Slack sends when an option of a static_select is chosen."""
    return {
        "type": "static_select",
        "action_id": action_id,
        "block_id": block_id,
        "selected_option": {
            "text": {"type": "plain_text", "text": option_text, "emoji": True},
            "value": option_value,
        },
    }


def overflow_action(block: dict[str, Any], element: dict[str, Any],
                    option_value: str) -> dict[str, Any]:
    """The ``actions`` entry Slack sends when the option with ``option_value`` of an overflow
    menu (``element`` in ``block``) is chosen."""
    option = next((o for o in element.get("options") or [] if o.get("value") == option_value),
                  None)
    if option is None:
        present = [o.get("value") for o in element.get("options") or []]
        raise AssertionError(f"no option {option_value!r} in the menu; present: {present}")
    return {"type": "overflow", "action_id": element["action_id"],
            "block_id": block["block_id"], "selected_option": option}


def checkboxes_value(*values: str) -> dict[str, Any]:
    """A checkboxes element's entry in ``view.state.values`` with the options of ``values``
    ticked (none: nothing ticked)."""
    return {"type": "checkboxes",
            "selected_options": [{"text": {"type": "plain_text", "text": value},
                                  "value": value} for value in values]}


def plain_text_value(text: str) -> dict[str, Any]:
    """A plain_text_input's entry in ``view.state.values[block_id][action_id]``."""
    return {"type": "plain_text_input", "value": text}


def static_select_value(value: str | None, text: str | None = None) -> dict[str, Any]:
    """A static_select's entry in ``view.state.values``; ``value=None`` means nothing chosen."""
    selected = None
    if value is not None:
        selected = {"text": {"type": "plain_text", "text": text or value}, "value": value}
    return {"type": "static_select", "selected_option": selected}


# --------------------------------------------------------------------------------------------
# Whole payloads
# --------------------------------------------------------------------------------------------


def block_actions_payload(
    *,
    user_id: str,
    action: dict[str, Any],
    channel_id: str | None,
    message: dict[str, Any] | None,
    container_type: str = "message",
    view: dict[str, Any] | None = None,
    trigger_id: str | None = None,
    team_id: str = "T0001",
    api_app_id: str = APP_ID,
    response_url: str = "https://hooks.slack.com/actions/T0001/1/x",
    state_values: dict[str, Any] | None = None,
    is_ephemeral: bool = False,
) -> dict[str, Any]:
    """The ``block_actions`` payload for ``action`` performed by ``user_id``.

    ``container_type="message"``: ``message`` is the message as stored by the fake (with
    ``ts``) in ``channel_id``; for an ephemeral message pass the fake's ephemeral record and
    ``is_ephemeral=True`` (Slack then sends no ``message``).  ``container_type="view"``:
    ``view`` is the modal the action happened in; ``state_values`` become its
    ``state.values``.  A trigger_id for ``user_id`` is minted when none is given.
    """
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, team_id),
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or new_trigger_id(user_id),
        "team": _team(team_id),
        "enterprise": None,
        "is_enterprise_install": False,
    }
    if container_type == "view":
        if view is None:
            raise ValueError("a view container needs the view")
        payload["container"] = {"type": "view", "view_id": view["id"]}
        payload["view"] = {**view, "state": {"values": state_values or {}}}
    elif container_type == "message":
        if message is None or channel_id is None:
            raise ValueError("a message container needs the message and channel_id")
        container = {
            "type": "message",
            "message_ts": message["message_ts"] if is_ephemeral else message["ts"],
            "channel_id": channel_id,
            "is_ephemeral": is_ephemeral,
        }
        if message.get("thread_ts"):
            container["thread_ts"] = message["thread_ts"]
        payload["container"] = container
        payload["channel"] = {"id": channel_id, "name": _channel_name(channel_id)}
        if not is_ephemeral:
            payload["message"] = message
        payload["state"] = {"values": state_values or {}}
        payload["response_url"] = response_url
    else:
        raise ValueError(f"unknown container type {container_type!r}")
    payload["actions"] = [{**action, "action_ts": _action_ts()}]
    return payload


def view_submission_payload(
    *,
    user_id: str,
    view: dict[str, Any],
    values: dict[str, Any],
    team_id: str = "T0001",
    api_app_id: str = APP_ID,
) -> dict[str, Any]:
    """The ``view_submission`` payload for ``view`` submitted with state ``values``.

    ``values`` maps block_id -> action_id -> value entry (see `plain_text_value`,
    `static_select_value`).
    """
    return {
        "type": "view_submission",
        "team": _team(team_id),
        "user": _user(user_id, team_id),
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": new_trigger_id(user_id),
        "view": {**view, "state": {"values": values}},
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def event_callback(
    event: dict[str, Any],
    *,
    team_id: str = "T0001",
    api_app_id: str = APP_ID,
    event_id: str | None = None,
) -> dict[str, Any]:
    """The JSON body Slack posts for an Events API event (``type: event_callback``); post it
    with ``content_type="application/json"``."""
    event_time = int(time.time())
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "api_app_id": api_app_id,
        "event": {"event_ts": f"{time.time():.6f}", **event},
        "type": "event_callback",
        "event_id": event_id or f"Ev{secrets.token_hex(5).upper()}",
        "event_time": event_time,
        "authorizations": [{"enterprise_id": None, "team_id": team_id, "user_id": "UBOT",
                            "is_bot": True, "is_enterprise_install": False}],
        "is_ext_shared_channel": False,
    }


def app_home_opened_event(user_id: str, *, tab: str = "home",
                          view: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``app_home_opened`` event: ``user_id`` opened the app's Home (or Messages) tab.
    ``view`` is the Home view last published for them, as Slack includes it once there is one."""
    event: dict[str, Any] = {"type": "app_home_opened", "user": user_id,
                             "channel": f"D{user_id}", "tab": tab}
    if view is not None:
        event["view"] = view
    return event


_SPECIAL_MENTIONS = ("here", "channel", "everyone")
_NAME_END = re.compile(r"[^\w.\-]|$")  # what may follow a typed @name or #channel
_TYPED_LINK = re.compile(r"(?:https?://|mailto:)[^\s<>]+")


def _entities(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_command_text(
    text: str,
    *,
    users: Iterable[dict[str, Any]] = (),
    channels: Iterable[dict[str, Any]] = (),
    usergroups: Iterable[dict[str, Any]] = (),
) -> str:
    """A slash command's ``text`` as Slack sends it when the command has ``should_escape:
    true``: what the person typed with ``&``, ``<`` and ``>`` as entities, and the people,
    channels, user groups and links their client recognised as Slack's tokens: ``@sam`` (a
    user's name or real name) ``<@U…|sam>``, ``#px-north`` ``<#C…|px-north>``, ``@here``
    ``<!here>``, ``@oncall`` ``<!subteam^S…|@oncall>``, ``https://…`` ``<https://…>``
    (https://docs.slack.dev/interactivity/implementing-slash-commands, "Escaping").
    Longer names win (``@Maria Lopez`` before ``@Maria``); an unknown ``@name`` stays text."""
    at: dict[str, str] = {}
    for user in users:
        token = f"<@{user['id']}|{user['name']}>"
        for name in (user.get("real_name"), user.get("name")):
            if name:
                at.setdefault(name.casefold(), token)
    for group in usergroups:
        if not group.get("date_delete"):
            at.setdefault(group["handle"].casefold(),
                          f"<!subteam^{group['id']}|@{group['handle']}>")
    for special in _SPECIAL_MENTIONS:
        at[special] = f"<!{special}>"
    hashed = {channel["name"].casefold(): f"<#{channel['id']}|{channel['name']}>"
              for channel in channels}
    names = {"@": sorted(at, key=len, reverse=True), "#": sorted(hashed, key=len, reverse=True)}
    tokens = {"@": at, "#": hashed}
    out: list[str] = []
    position = 0
    while position < len(text):
        char = text[position]
        starts_word = position == 0 or not (text[position - 1].isalnum()
                                            or text[position - 1] in "_-.")
        if char in tokens and starts_word:
            rest = text[position + 1:].casefold()
            name = next((n for n in names[char] if rest.startswith(n)
                         and _NAME_END.match(rest, len(n))), None)
            if name is not None:
                out.append(tokens[char][name])
                position += 1 + len(name)
                continue
        if starts_word and (link := _TYPED_LINK.match(text, position)):
            out.append(f"<{_entities(link.group(0))}>")
            position = link.end()
            continue
        out.append(_entities(char))
        position += 1
    return "".join(out)


def slash_command_form(
    *,
    command: str,
    text: str,
    user_id: str,
    channel_id: str,
    trigger_id: str | None = None,
    team_id: str = "T0001",
) -> dict[str, str]:
    """The form fields Slack posts for a slash command (urlencode them for the body)."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": _channel_name(channel_id),
        "user_id": user_id,
        "user_name": _user(user_id, team_id)["name"],
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": f"https://hooks.slack.com/commands/{team_id}/1/x",
        "trigger_id": trigger_id or new_trigger_id(user_id),
    }
