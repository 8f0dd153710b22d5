"""What every Web API method of the twin stands on: the workspace's state (set up by
`twin.webapi.SlackTwin`) and the look-ups, checks and stamps the methods share."""

from __future__ import annotations

import copy
import itertools
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from twin import rules
from twin.protocol import ApiError, Call, TwinServer, truthy


def is_top_level(message: dict[str, Any]) -> bool:
    return message.get("thread_ts", message["ts"]) == message["ts"]


def stamp_block_ids(blocks: Any) -> None:
    """Give blocks without a block_id a random one, as Slack does when it stores them."""
    if isinstance(blocks, list):
        for block in blocks:
            if isinstance(block, dict):
                block.setdefault("block_id", secrets.token_urlsafe(3))


class MethodBase:
    """The state the method mixins (`twin.methods.*`) read and change, all guarded by
    ``_lock`` (held while a method runs), and the pieces they share."""

    bot_user_id: str
    team_id: str
    expire_trigger_ids: bool
    non_marketplace_limits: bool
    clock: Callable[[], float]
    calls: list[Call]
    channels: dict[str, dict[str, Any]]
    users: dict[str, dict[str, Any]]
    usergroups: dict[str, dict[str, Any]]
    _messages: dict[str, list[dict[str, Any]]]  # channel id -> messages and replies, oldest first
    _ephemerals: list[dict[str, Any]]
    _views: dict[str, dict[str, Any]]
    _home_views: dict[str, dict[str, Any]]
    _files: dict[str, dict[str, Any]]
    _file_counter: itertools.count[int]
    _view_counter: itertools.count[int]
    _used_trigger_ids: set[str]
    _lock: threading.RLock
    _current_call: Call | None
    _other_problems: list[tuple[str, list[str]]]
    _last_ts_micros: int
    _server: TwinServer | None
    _methods: dict[str, Callable[[dict[str, Any]], dict[str, Any]]]

    def _next_ts(self) -> str:
        """Now by the twin's clock, unique and increasing (as Slack's are in a channel)."""
        now_micros = int(self.clock() * 1_000_000)
        self._last_ts_micros = max(now_micros, self._last_ts_micros + 100)
        seconds, micros = divmod(self._last_ts_micros, 1_000_000)
        return f"{seconds}.{micros:06d}"

    def _next_hash(self) -> str:
        return f"{int(time.time())}.{secrets.token_hex(4)}"

    def _channel(self, channel_ref: Any) -> dict[str, Any]:
        """Find a channel by id, or by name (with or without '#') as Slack also allows."""
        channel = self.channels.get(channel_ref)
        if channel is None and isinstance(channel_ref, str):
            name = channel_ref.removeprefix("#")
            channel = next((c for c in self.channels.values() if c["name"] == name), None)
        if channel is None:
            raise ApiError("channel_not_found")
        return channel

    def _member_channel(self, channel_ref: Any) -> dict[str, Any]:
        channel = self._channel(channel_ref)
        if not channel["is_member"]:
            raise ApiError("not_in_channel")
        return channel

    def _find_message(self, channel_id: str, ts: Any) -> dict[str, Any] | None:
        return next((m for m in self._messages.get(channel_id, []) if m["ts"] == ts), None)

    def _record(self, problems: list[str]) -> None:
        """Note problems (rejections by Slack's rules, render problems) on the current call."""
        if problems and self._current_call is not None:
            self._current_call.problems.extend(problems)

    def _check_content(self, params: dict[str, Any]) -> dict[str, Any]:
        """Apply Slack's message rules (`twin.rules.check_message`): raise the rejection Slack
        answers with, or return the ``response_metadata`` an accepted call carries (the
        ``message_truncated`` warning).  Either way the problems are recorded on the call."""
        outcome = rules.check_message(params)
        self._record(outcome.problems())
        if outcome.error:
            raise ApiError.rejected(outcome)
        if not outcome.warnings:
            return {}
        return {
            "response_metadata": {
                "warnings": outcome.warnings,
                "messages": [
                    "[WARN] Your message was truncated but still posted. The `text` field "
                    "accepts up to 40,000 characters."
                ],
            }
        }

    @staticmethod
    def _content(params: dict[str, Any]) -> dict[str, Any]:
        """The stored copies of a request's text (truncated as Slack truncates it), blocks,
        attachments and metadata."""
        text = params.get("text") or ""
        limit = rules.RULES["message.text_truncated"].limit
        content: dict[str, Any] = {"text": text[:limit] if isinstance(text, str) else text}
        for key in ("blocks", "attachments", "metadata"):
            if params.get(key) is not None:
                content[key] = copy.deepcopy(params[key])
        stamp_block_ids(content.get("blocks"))
        return content

    @staticmethod
    def _rendered(message: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        """A message as a read method returns it: metadata only with include_all_metadata."""
        rendered = copy.deepcopy(message)
        if not truthy(params.get("include_all_metadata")):
            rendered.pop("metadata", None)
        return rendered
