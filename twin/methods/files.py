"""files.*: the external upload flow (an upload URL, the bytes, completing the upload) and the
retired files.upload."""

from __future__ import annotations

import copy
import json
import secrets
from typing import Any

from twin.methods.base import MethodBase, is_top_level
from twin.names import APP_ID, BOT_ID
from twin.protocol import Answer, ApiError, error_page

UPLOAD_PATH = "/upload/v1/"
"""Where the twin's upload URLs point (Slack's are https://files.slack.com/upload/v1/...)."""
ALT_TXT_MAX = 1000
"""files.getUploadURLExternal: "Description for the image is longer than the limit of 1000"."""


class FileMethods(MethodBase):
    """files.getUploadURLExternal, the upload URL, files.completeUploadExternal, files.upload."""

    # The upload flow of docs.slack.dev/reference/methods/files.getUploadURLExternal and
    # files.completeUploadExternal: ask for an upload URL and a file id, POST the bytes to the
    # URL (the twin's own address here), then complete the upload, which shares the file in a
    # channel (a message with `files`) or leaves it private. files.upload was retired.

    def _files_get_upload_url_external(self, params: dict[str, Any]) -> dict[str, Any]:
        filename = params.get("filename")
        if not isinstance(filename, str) or not filename.strip():
            raise ApiError("invalid_arguments")
        try:
            length = int(params.get("length") or 0)
        except (TypeError, ValueError) as exc:
            raise ApiError("invalid_arguments") from exc
        if length <= 0:
            raise ApiError("missing_argument")  # "Typically only occurs when length is 0"
        alt_txt = params.get("alt_txt") or ""
        if len(str(alt_txt)) > ALT_TXT_MAX:
            raise ApiError("alt_txt_too_large")
        file_id = f"F{next(self._file_counter):08d}"
        token = secrets.token_hex(8)
        self._files[file_id] = {
            "id": file_id, "name": filename, "title": filename, "alt_txt": alt_txt,
            "length": length, "token": token, "content": None, "completed": False,
            "channels": [], "initial_comment": None,
        }
        host = f"127.0.0.1:{self._server.server_address[1]}" if self._server else "127.0.0.1"
        return {"ok": True, "upload_url": f"http://{host}{UPLOAD_PATH}{file_id}.{token}",
                "file_id": file_id}

    def _receive_upload(self, tail: str, body: bytes) -> Answer:
        """The upload URL: takes the bytes (raw, as the SDKs send them); 404 for a URL it never
        handed out or a file already completed."""
        file_id, _, token = tail.partition(".")
        with self._lock:
            record = self._files.get(file_id)
            if record is None or record["token"] != token or record["completed"]:
                return error_page(404)
            record["content"] = bytes(body)
        return Answer(200, None, text=f"OK - {len(body)}")

    def _files_complete_upload_external(self, params: dict[str, Any]) -> dict[str, Any]:
        files = params.get("files")
        if isinstance(files, str):
            try:
                files = json.loads(files)
            except json.JSONDecodeError as exc:
                raise ApiError("invalid_arguments") from exc
        if not isinstance(files, list) or not files or not all(
                isinstance(f, dict) and f.get("id") for f in files):
            raise ApiError("invalid_arguments")
        records = []
        for item in files:
            record = self._files.get(item["id"])
            # Never handed out, its bytes never arrived, or already completed once.
            if record is None or record["content"] is None or record["completed"]:
                raise ApiError("file_not_found")
            records.append((record, item))
        targets = [str(params["channel_id"])] if params.get("channel_id") else []
        if params.get("channels"):
            targets += [c.strip() for c in str(params["channels"]).split(",") if c.strip()]
        if params.get("thread_ts") and len(targets) != 1:
            raise ApiError("invalid_arguments")  # "provide only one channel with thread_ts"
        channels = [self._member_channel(target)["id"] for target in targets]
        for record, item in records:
            record["title"] = item.get("title") or record["name"]
            record["completed"] = True
            record["channels"] = channels
            record["initial_comment"] = params.get("initial_comment")
            record["size"] = len(record["content"])
            record["mimetype"] = "image/png" if record["name"].endswith(".png") else \
                "application/octet-stream"
        shared = [self._public_file(record) for record, _ in records]
        for channel_id in channels:
            message = {
                "type": "message", "subtype": "file_share", "user": self.bot_user_id,
                "bot_id": BOT_ID, "app_id": APP_ID, "team": self.team_id,
                "ts": self._next_ts(), "text": params.get("initial_comment") or "",
                "files": copy.deepcopy(shared), "upload": True, "display_as_bot": False,
            }
            if params.get("thread_ts"):
                parent = self._find_message(channel_id, params["thread_ts"])
                if parent is None or not is_top_level(parent):
                    raise ApiError("thread_not_found")
                message["thread_ts"] = parent["ts"]
            self._messages[channel_id].append(message)
        return {"ok": True, "files": [{"id": f["id"], "title": f["title"]} for f in shared]}

    def _public_file(self, record: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": record["id"], "name": record["name"], "title": record["title"],
            "mimetype": record["mimetype"], "filetype": record["name"].rsplit(".", 1)[-1],
            "size": record["size"], "user": self.bot_user_id, "alt_txt": record["alt_txt"],
            "url_private": f"https://files.slack.com/files-pri/{self.team_id}-{record['id']}/"
                           f"{record['name']}",
        }

    def _files_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        """Retired: Slack stopped files.upload for new apps in 2024 and for all in 2025."""
        raise ApiError("method_deprecated")
