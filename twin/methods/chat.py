"""chat.*: post, update, delete and link to messages, and ephemerals, through Slack's rules."""

from __future__ import annotations

import copy
from typing import Any

from twin.methods.base import MethodBase, is_top_level
from twin.names import APP_ID, BOT_ID, TEAM_DOMAIN
from twin.protocol import ApiError


class ChatMethods(MethodBase):
    """chat.postMessage, chat.update, chat.postEphemeral, chat.getPermalink, chat.delete."""

    def _chat_post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        channel_id = self._member_channel(params.get("channel"))["id"]
        notes = self._check_content(params)
        parent = None
        if params.get("thread_ts"):
            parent = self._find_message(channel_id, params["thread_ts"])
            if parent is None or not is_top_level(parent):
                raise ApiError("thread_not_found")
        message = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": self.team_id,
            "ts": self._next_ts(),
            **self._content(params),
        }
        if parent is not None:
            message["thread_ts"] = parent["ts"]
            parent["thread_ts"] = parent["ts"]
            parent["reply_count"] = parent.get("reply_count", 0) + 1
            parent["reply_users"] = [self.bot_user_id]
            parent["latest_reply"] = message["ts"]
        self._messages[channel_id].append(message)
        return {
            "ok": True,
            "channel": channel_id,
            "ts": message["ts"],
            "message": copy.deepcopy(message),
            **notes,
        }

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        """Replace the text (and blocks/attachments/metadata when given) of a message."""
        channel_id = self._channel(params.get("channel"))["id"]
        message = self._find_message(channel_id, params.get("ts"))
        if message is None:
            raise ApiError("message_not_found")
        notes = self._check_content(params)
        message.update(self._content(params))
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {
            "ok": True,
            "channel": channel_id,
            "ts": message["ts"],
            "text": message["text"],
            "message": copy.deepcopy(message),
            **notes,
        }

    def _chat_post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        channel_id = self._member_channel(params.get("channel"))["id"]
        notes = self._check_content(params)
        content = self._content(params)
        ephemeral = {
            "channel": channel_id,
            "user": params.get("user"),
            "text": content["text"],
            "blocks": content.get("blocks"),
            "attachments": content.get("attachments"),
            "thread_ts": params.get("thread_ts"),
            "message_ts": self._next_ts(),
        }
        self._ephemerals.append(ephemeral)
        return {"ok": True, "message_ts": ephemeral["message_ts"], **notes}

    def _chat_get_permalink(self, params: dict[str, Any]) -> dict[str, Any]:
        channel_id = self._channel(params.get("channel"))["id"]
        message = self._find_message(channel_id, params.get("message_ts"))
        if message is None:
            raise ApiError("message_not_found")
        packed_ts = message["ts"].replace(".", "")
        permalink = f"https://{TEAM_DOMAIN}.slack.com/archives/{channel_id}/p{packed_ts}"
        if not is_top_level(message):
            permalink += f"?thread_ts={message['thread_ts']}&cid={channel_id}"
        return {"ok": True, "channel": channel_id, "permalink": permalink}

    def _chat_delete(self, params: dict[str, Any]) -> dict[str, Any]:
        channel_id = self._channel(params.get("channel"))["id"]
        message = self._find_message(channel_id, params.get("ts"))
        if message is None:
            raise ApiError("message_not_found")
        self._messages[channel_id].remove(message)
        if not is_top_level(message):
            parent = self._find_message(channel_id, message["thread_ts"])
            if parent is not None:
                parent["reply_count"] -= 1
        return {"ok": True, "channel": channel_id, "ts": message["ts"]}
