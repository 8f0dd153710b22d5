"""Turns Slack payloads into the small typed values the listeners pass to bot/."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.ids import ModalContext


@dataclass(frozen=True)
class Click:
    """A button press on a card, a PX card or an ephemeral offer."""

    case_id: int
    user_id: str
    channel_id: str | None
    trigger_id: str | None
    request_key: str


def nudge_click(body: dict[str, Any]) -> tuple[Click, str]:
    """A nudge's button: its value is "<case id>:<window kind>"."""
    case_id, _, window_kind = body["actions"][0]["value"].partition(":")
    return click(body, case_id=int(case_id)), window_kind


def click(body: dict[str, Any], *, case_id: int | None = None) -> Click:
    action = body["actions"][0]
    container = body.get("container") or {}
    channel_id = (body.get("channel") or {}).get("id") or container.get("channel_id")
    user_id = body["user"]["id"]
    return Click(
        case_id=case_id if case_id is not None else int(action["value"]),
        user_id=user_id,
        channel_id=channel_id,
        trigger_id=body.get("trigger_id"),
        request_key=f"{action['action_id']}:{user_id}:{action.get('action_ts', '')}",
    )


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
    view = body["view"]
    return Submission(
        context=ModalContext.load(view.get("private_metadata", "")),
        user_id=body["user"]["id"],
        view_id=view["id"],
        values=(view.get("state") or {}).get("values") or {},
    )
