"""Turning what a person did on the page into the pieces of Slack's payloads: the element they
clicked and the action it sends, a modal's state values, and the view_closed and
app_home_opened bodies."""

from __future__ import annotations

import secrets
import time
from typing import Any

from twin.interactions import VERIFICATION_TOKEN, button_action, select_action
from twin.names import APP_ID
from twin.workspace.values import WorkspaceError


def find_element(blocks: list[dict[str, Any]], block_id: Any,
                  action_id: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    for block in blocks:
        if block.get("block_id") != block_id:
            continue
        if block.get("type") == "actions":
            candidates = block.get("elements") or []
        elif block.get("type") == "section":
            candidates = [block["accessory"]] if block.get("accessory") else []
        elif block.get("type") == "input":
            candidates = [block["element"]] if block.get("element") else []
        else:
            candidates = []
        for element in candidates:
            if element.get("action_id") == action_id:
                return block, element
    raise WorkspaceError("action_id", f"no element {action_id!r} in block {block_id!r}")


def action_for(block: dict[str, Any], element: dict[str, Any], option: Any) -> dict[str, Any]:
    kind = element.get("type")
    if kind == "button":
        return button_action(block, element)
    if kind in ("static_select", "overflow"):
        options = [o for group in element.get("option_groups") or []
                   for o in group.get("options") or []] + list(element.get("options") or [])
        chosen = next((o for o in options if o.get("value") == option), None)
        if chosen is None:
            raise WorkspaceError("option", f"{option!r} is not one of the element's options")
        if kind == "static_select":
            action = select_action(block["block_id"], element["action_id"], chosen["value"],
                                   chosen["text"]["text"])
            placeholder = element.get("placeholder")
            if placeholder:
                action["placeholder"] = placeholder
            return action
        return {"type": "overflow", "action_id": element["action_id"],
                "block_id": block["block_id"], "selected_option": chosen}
    raise WorkspaceError("action_id", f"the page cannot send a {kind} element")


def state_values(values: Any) -> dict[str, Any]:
    """``view.state.values`` from the page: block_id -> action_id -> value entry."""
    if values is None:
        return {}
    if not isinstance(values, dict) or not all(
        isinstance(inputs, dict) and all(isinstance(v, dict) for v in inputs.values())
        for inputs in values.values()
    ):
        raise WorkspaceError("values", "must map block_id -> action_id -> value")
    return values


def view_refused(problems: list[str]) -> dict[str, Any]:
    if not problems:
        return {}
    return {"error": "Slack would refuse the app's view: " + "; ".join(problems)}


def view_closed_payload(view: dict[str, Any], *, user_id: str, user_name: str,
                        team_id: str) -> dict[str, Any]:
    """The ``view_closed`` interaction Slack sends when a person closes a modal that asked
    (``notify_on_close``)."""
    return {
        "type": "view_closed",
        "team": {"id": team_id, "domain": "fake"},
        "user": {"id": user_id, "username": user_name, "name": user_name, "team_id": team_id},
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "view": view,
        "is_cleared": False,
        "is_enterprise_install": False,
        "enterprise": None,
    }


def app_home_opened_body(*, user_id: str, channel: str, tab: str, home: dict[str, Any] | None,
                         team_id: str, bot_user_id: str) -> dict[str, Any]:
    """The ``app_home_opened`` event callback Slack sends when a person opens the app's Home
    or Messages tab (the Home view goes with it when there is one)."""
    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": channel,
        "tab": tab,
        "event_ts": f"{time.time():.6f}",
    }
    if tab == "home" and home is not None:
        event["view"] = home
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "context_team_id": team_id,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": f"Ev{secrets.token_hex(5).upper()}",
        "event_time": int(time.time()),
        "authorizations": [{
            "enterprise_id": None, "team_id": team_id,
            "user_id": bot_user_id, "is_bot": True,
            "is_enterprise_install": False,
        }],
        "is_ext_shared_channel": False,
    }
