"""One prepared call made to Slack: what needs Slack's answer first is filled in (the DM
channel opened, the card's link), then the call is made, a file by the current upload. The
delivery loop (bot.delivery.loop) decides what goes and records what came of it."""

from __future__ import annotations

import base64
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackRequestError

from bot.delivery.calls import Call, Target
from bot.outbox.kinds import UPLOAD


class Sender:
    def __init__(self, client: WebClient):
        self.client = client

    def resolve(self, call: Call) -> Call:
        """Fill in what needs Slack's answer first: the DM channel, the card's link."""
        kwargs = dict(call.kwargs)
        target = call.target
        if call.dm_user:
            opened = self.client.conversations_open(users=call.dm_user)
            kwargs["channel"] = opened["channel"]["id"]
            target = Target(kwargs["channel"])
        if call.permalink_of:
            channel, ts = call.permalink_of
            link = self.client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
            kwargs["text"] = kwargs["text"].replace("{permalink}", link)
        for placeholder, channel, ts in call.permalinks:
            link = self.client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
            kwargs["text"] = kwargs["text"].replace(placeholder, link)
        return Call(call.method, kwargs, target, file_name=call.file_name)

    def send(self, call: Call) -> dict[str, Any]:
        if call.method == UPLOAD:
            return self._upload(call.kwargs)
        return self.client.api_call(call.method, json=call.kwargs).data  # type: ignore[return-value]

    def _upload(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """The current file upload (files.upload is retired): slack_sdk's files_upload_v2 asks
        for an upload URL, sends the bytes there and completes the upload into the channel."""
        options = dict(kwargs)
        content = base64.b64decode(options.pop("content"))
        try:
            response = self.client.files_upload_v2(file=content, **options)
        except SlackRequestError as error:  # the upload URL answered other than 200
            raise OSError(f"file upload failed: {error}") from error
        return {**response.data, "channel": options["channel"]}  # type: ignore[dict-item]
