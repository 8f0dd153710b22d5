"""An interaction's response_url: what Slack does with a POST to the address it put in a
``block_actions`` payload (https://api.slack.com/interactivity/handling#message_responses).

The twin hands out one address per click (`response_url`), remembering the message clicked.
A POST to it with JSON may:

- ``delete_original: true`` — delete that message, an ephemeral one too (chat.delete cannot
  reach an ephemeral: this is the only way an app can take one away);
- ``replace_original: true`` — replace the message's text and blocks;
- otherwise post a new message: ephemeral to the person who clicked, or ``response_type:
  in_channel`` in the channel, in ``thread_ts`` when given.

Content goes through the same rules as chat.postMessage. An address works up to five times
within 30 minutes of the click (by the twin's clock); past that it answers 404 ``used_url`` or
``expired_url``. Slack does not document its answers' shapes; the twin answers JSON in the Web
API's shape (``{"ok": true}``, or ``ok: false`` with an error and a 4xx status)."""

from __future__ import annotations

import secrets
from typing import Any

from twin.methods.base import MethodBase, is_top_level
from twin.protocol import Answer, ApiError, truthy

RESPONSE_PATH = "/actions/"
RESPONSE_METHOD = "response_url"  # the name its calls are recorded under (`calls_to`)
RESPONSE_USES = 5
RESPONSE_TTL_SECONDS = 30 * 60


class ResponseUrlMethods(MethodBase):
    """Minting response URLs for clicks and answering POSTs to them."""

    _response_urls: dict[str, dict[str, Any]]

    def response_url(self, *, user: str, channel: str | None, message: dict[str, Any] | None,
                     ephemeral: bool = False) -> str:
        """A fresh response_url for a click by `user` on `message` in `channel` (an ephemeral
        one as `chat.postEphemeral` stored it, with ``message_ts``)."""
        if self._server is None:
            raise RuntimeError("the twin is not running; call start() first")
        token = secrets.token_hex(12)
        with self._lock:
            self._response_urls[token] = {
                "user": user,
                "channel": channel,
                "ts": (message or {}).get("message_ts" if ephemeral else "ts"),
                "ephemeral": ephemeral,
                "issued": self.clock(),
                "uses": 0,
            }
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}{RESPONSE_PATH}{self.team_id}/{token}"

    def _answer_response_url(self, path: str, params: dict[str, Any]) -> Answer:
        """A POST to a response_url (called under the lock, with the call being recorded)."""
        token = path.rsplit("/", 1)[-1]
        record = self._response_urls.get(token)
        if record is None or self.clock() - record["issued"] > RESPONSE_TTL_SECONDS:
            return Answer(404, {"ok": False, "error": "expired_url"})
        if record["uses"] >= RESPONSE_USES:
            return Answer(404, {"ok": False, "error": "used_url"})
        record["uses"] += 1
        try:
            if truthy(params.get("delete_original")):
                self._delete_original(record)
            elif truthy(params.get("replace_original")):
                self._replace_original(record, params)
            else:
                self._respond_anew(record, params)
        except ApiError as error:
            return Answer(404 if error.body["error"] == "message_not_found" else 400,
                          error.body)
        self._changed_for_workspace()
        return Answer(200, {"ok": True})

    def _original(self, record: dict[str, Any]) -> dict[str, Any]:
        if record["ephemeral"]:
            found = next((e for e in self._ephemerals if e["user"] == record["user"]
                          and e["message_ts"] == record["ts"]), None)
        else:
            found = self._find_message(record["channel"], record["ts"])
        if found is None:
            raise ApiError("message_not_found")
        return found

    def _delete_original(self, record: dict[str, Any]) -> None:
        original = self._original(record)
        if record["ephemeral"]:
            self._ephemerals.remove(original)
            return
        self._messages[record["channel"]].remove(original)
        if not is_top_level(original):
            parent = self._find_message(record["channel"], original["thread_ts"])
            if parent is not None:
                parent["reply_count"] -= 1

    def _replace_original(self, record: dict[str, Any], params: dict[str, Any]) -> None:
        original = self._original(record)
        self._check_content(params)
        content = self._content(params)
        if record["ephemeral"]:
            original.update(text=content["text"], blocks=content.get("blocks"),
                            attachments=content.get("attachments"))
        else:
            original.update(content)
            original["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}

    def _respond_anew(self, record: dict[str, Any], params: dict[str, Any]) -> None:
        if record["channel"] is None:
            raise ApiError("channel_not_found")
        message = {key: params[key] for key in ("text", "blocks", "attachments", "thread_ts")
                   if params.get(key) is not None}
        # Through the method table, so the local workspace's page hears of it too.
        if params.get("response_type") == "in_channel":
            self._methods["chat.postMessage"]({"channel": record["channel"], **message})
        else:
            self._methods["chat.postEphemeral"]({"channel": record["channel"],
                                                 "user": record["user"], **message})

    def _changed_for_workspace(self) -> None:
        """Tell the local workspace's page (when one watches) that what it shows changed."""
        if getattr(self, "_feed", None) is not None:
            self.touch()
