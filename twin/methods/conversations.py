"""conversations.*: channels (set up, joined, opened as DMs) and their history and threads, with
Slack's 2025 limits for apps outside the Marketplace when the twin applies them."""

from __future__ import annotations

from typing import Any

from twin.methods.base import MethodBase, is_top_level
from twin.protocol import ApiError, paginate, ts_range

NON_MARKETPLACE_PER_MINUTE = 1
NON_MARKETPLACE_MAX_LIMIT = 15
LIMITED_METHODS = frozenset({"conversations.history", "conversations.replies"})


class ConversationMethods(MethodBase):
    """Channel set-up and conversations.history, .replies, .info, .join, .open."""

    def add_channel(
        self, channel_id: str, name: str, *, is_member: bool = True, is_private: bool = False
    ) -> dict[str, Any]:
        """Create (or replace) a channel; return its record."""
        channel = {"id": channel_id, "name": name, "is_member": is_member, "is_private": is_private}
        with self._lock:
            self.channels[channel_id] = channel
            self._messages.setdefault(channel_id, [])
        return channel

    def _channel_info(self, channel: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": channel["id"],
            "name": channel["name"],
            "name_normalized": channel["name"],
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_private": channel["is_private"],
            "is_member": channel["is_member"],
            "is_archived": False,
            "is_general": False,
            "context_team_id": self.team_id,
            "created": 1_700_000_000,
        }

    def _conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        channel_id = self._member_channel(params.get("channel"))["id"]
        in_range = ts_range(params)

        newest_first = [
            m for m in reversed(self._messages[channel_id]) if is_top_level(m) and in_range(m)
        ]
        page, next_cursor = paginate(newest_first, params, self._history_max_limit())
        return {
            "ok": True,
            "messages": [self._rendered(m, params) for m in page],
            "has_more": bool(next_cursor),
            "pin_count": 0,
            "response_metadata": {"next_cursor": next_cursor},
        }

    def _conversations_replies(self, params: dict[str, Any]) -> dict[str, Any]:
        channel_id = self._member_channel(params.get("channel"))["id"]
        message = self._find_message(channel_id, params.get("ts"))
        if message is None:
            raise ApiError("thread_not_found")
        parent_ts = message.get("thread_ts", message["ts"])
        in_range = ts_range(params)
        # The parent comes first, then the replies within oldest/latest, oldest first.
        thread = [
            m
            for m in self._messages[channel_id]
            if m["ts"] == parent_ts or (m.get("thread_ts") == parent_ts and in_range(m))
        ]
        page, next_cursor = paginate(thread, params, self._history_max_limit())
        return {
            "ok": True,
            "messages": [self._rendered(m, params) for m in page],
            "has_more": bool(next_cursor),
            "response_metadata": {"next_cursor": next_cursor},
        }

    def _history_max_limit(self) -> int | None:
        return NON_MARKETPLACE_MAX_LIMIT if self.non_marketplace_limits else None

    def _conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": self._channel_info(self._channel(params.get("channel")))}

    def _conversations_join(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params.get("channel"))
        if channel["is_private"]:
            raise ApiError("method_not_supported_for_channel_type")
        answer: dict[str, Any] = {"ok": True}
        if channel["is_member"]:
            answer["warning"] = "already_in_channel"
        channel["is_member"] = True
        answer["channel"] = self._channel_info(channel)
        return answer

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        """A direct message with one user: the same D… channel every time."""
        user = str(params.get("users") or "").split(",")[0].strip()
        if user not in self.users:
            raise ApiError("user_not_found")
        channel_id = f"D{user}"
        if channel_id not in self.channels:
            self.add_channel(channel_id, user, is_member=True, is_private=True)
        return {"ok": True, "channel": {"id": channel_id}}
