"""The local workspace's web page and its JSON endpoints, as a Flask blueprint mounted on the
app's own server: plain HTML, CSS and JavaScript from static/, no build step, nothing fetched
from elsewhere (it works offline).

The page long-polls `/workspace/api/changes`, which answers as soon as the twin's change
counter moves (or after `LONG_POLL_SECONDS` with nothing new)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, jsonify, request, send_from_directory

from twin.workspace.values import WorkspaceError
from twin.workspace.workspace import Workspace

STATIC = Path(__file__).resolve().parent / "static"
LONG_POLL_SECONDS = 15.0
MAX_WAITING_POLLS = 4
"""Long-polls held at once; each holds one of the server's threads, so more pages than this
are told to ask again in a second instead of waiting."""
RELEASE_EVERY_SECONDS = 5.0

_LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def blueprint(workspace: Workspace) -> Blueprint:
    routes = Blueprint("workspace", __name__, static_folder=str(STATIC),
                       static_url_path="/workspace/static")
    polls = threading.BoundedSemaphore(MAX_WAITING_POLLS)
    released = [0.0]  # when waiting polls were last released

    def problem(status: int, message: str) -> tuple[Response, int]:
        return jsonify({"error": message}), status

    @routes.before_request
    def local_only():
        # The page drives the app with the workspace's signing secret: answer only pages
        # served from this machine (a DNS-rebinding page has another Host), and only JSON
        # posts (a cross-site form cannot send one without the browser asking first).
        host = request.host or ""
        name = host.split("]")[0] + "]" if host.startswith("[") else host.rsplit(":", 1)[0]
        if name not in _LOCAL_HOSTS:
            return problem(403, "the local workspace answers only on 127.0.0.1")
        if request.method == "POST" and not request.is_json:
            return problem(415, "send JSON (Content-Type: application/json)")
        return None

    @routes.errorhandler(WorkspaceError)
    def bad_request(error: WorkspaceError):
        return problem(400, str(error))

    def body() -> dict[str, Any]:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise WorkspaceError("body", "must be a JSON object")
        return data

    def since_arg() -> int:
        raw = request.args.get("since", "")
        if not raw.isdigit():
            raise WorkspaceError("since", "must be the version the page has, a whole number")
        return int(raw)

    @routes.get("/")
    @routes.get("/workspace/")
    def page():
        response = send_from_directory(STATIC, "index.html")
        response.headers["Cache-Control"] = "no-store"
        return response

    @routes.get("/workspace/api/directory")
    def directory():
        return jsonify(workspace.directory())

    @routes.get("/workspace/api/state")
    def state():
        args = request.args
        return jsonify(workspace.state(args.get("viewer"), args.get("channel"),
                                       args.get("thread")))

    @routes.get("/workspace/api/history")
    def history():
        args = request.args
        return jsonify(workspace.history(args.get("viewer"), args.get("channel"),
                                         args.get("before")))

    @routes.get("/workspace/api/changes")
    def changes():
        args = request.args
        since = since_arg()
        workspace.person(args.get("viewer"))  # a 400 now rather than after the wait
        retry = 0.0
        waiting = polls.acquire(blocking=False)
        if not waiting and time.monotonic() - released[0] > RELEASE_EVERY_SECONDS:
            # Every place is held, most likely by pages that are gone: end their waits (a page
            # still open simply asks again) and take the place one of them leaves. Not more
            # often than this, or many open pages would keep releasing each other.
            released[0] = time.monotonic()
            workspace.release_waiters()
            waiting = polls.acquire(timeout=2.0)
        if waiting:
            try:
                workspace.wait(since, LONG_POLL_SECONDS)
            finally:
                polls.release()
        else:
            retry = 1.0
        answer = workspace.state(args.get("viewer"), args.get("channel"), args.get("thread"),
                                 since=since)
        answer["retry_after"] = retry
        return jsonify(answer)

    @routes.get("/workspace/api/files/<file_id>")
    def file(file_id: str):
        """A file shared in the workspace (files.completeUploadExternal), as Slack shows it."""
        found = next((f for f in workspace.twin.files() if f["id"] == file_id), None)
        if found is None:
            return problem(404, f"no file {file_id}")
        return Response(found["content"], mimetype=found.get("mimetype") or
                        "application/octet-stream")

    @routes.post("/workspace/api/act")
    def act():
        data = body()
        return jsonify(workspace.act(data.get("viewer"), data.get("where"),
                                     data.get("block_id"), data.get("action_id"),
                                     data.get("option"), data.get("state")))

    @routes.post("/workspace/api/submit")
    def submit():
        data = body()
        return jsonify(workspace.submit(data.get("viewer"), data.get("view_id"),
                                        data.get("values")))

    @routes.post("/workspace/api/close")
    def close():
        data = body()
        return jsonify(workspace.close_modal(data.get("viewer"), data.get("view_id")))

    @routes.post("/workspace/api/command")
    def command():
        data = body()
        return jsonify(workspace.run_command(data.get("viewer"), data.get("channel"),
                                             data.get("text")))

    @routes.post("/workspace/api/app")
    def open_app():
        data = body()
        return jsonify(workspace.open_app(data.get("viewer"), data.get("tab")))

    @routes.post("/workspace/api/dismiss")
    def dismiss():
        data = body()
        return jsonify(workspace.dismiss(data.get("viewer"), data.get("ts")))

    @routes.post("/workspace/api/clock")
    def clock():
        data = body()
        return jsonify(workspace.move_clock(data.get("step")))

    return routes
