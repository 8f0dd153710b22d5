"""The Slack twin's Web API: a stand-in for Slack on 127.0.0.1, for the tests and the local
workspace alike.

`SlackTwin` answers the Web API methods reviewdesk uses the way Slack does (same response
shapes, same error codes, HTTP 200 for API errors), keeps a small workspace (channels, users,
messages, threads, ephemerals, views) and records every call.  Point a real
``slack_sdk.WebClient(token=..., base_url=fake.base_url)`` at it.

Every message (``chat.postMessage``, ``chat.update``, ``chat.postEphemeral``) and view
(``views.open/push/update``, ``views.publish``) goes through Slack's rules (`twin.rules`): what
Slack rejects is answered in Slack's shape (``invalid_blocks`` / ``invalid_arguments`` with
``[json-pointer:...]`` reasons, ``no_text``, ``invalid_metadata_format``), and what Slack accepts
but would show broken (a cut ``<!date`` token, a stray ``<``, an undecoded entity) is accepted.
Both are recorded on the call (`Call.problems`, `SlackTwin.problems`) and told to the problem
listeners (`add_problem_listener`), which is how the test suite fails a test whose bot sent them.
It can also inject failures (API errors, 429 with Retry-After, 5xx, slow answers, outages) so
the app's behaviour during a Slack outage can be tested.

Requests are accepted as a JSON body, a urlencoded form body or a query string (or a mix);
the parameters are merged into one dict, and ``blocks``/``attachments``/``metadata``/``view``
are JSON-decoded when they arrive as strings.  Standard library only.

Message timestamps follow the twin's clock (``clock=``, seconds since the epoch; real time by
default), as Slack's follow Slack's, so ``oldest``/``latest`` brackets mean what they mean on
Slack. ``SlackTwin(non_marketplace_limits=True)`` applies Slack's 2025 limits for commercially
distributed apps outside the Marketplace to ``conversations.history`` and
``conversations.replies``: one request a minute per method (then 429 with Retry-After), and at
most 15 messages a page
(https://api.slack.com/changelog/2025-05-terms-rate-limit-update-and-faq).

Each click's ``response_url`` can point at the twin too (`SlackTwin.response_url`, see
`twin.methods.responses`): a POST to it deletes, replaces or answers the message clicked, an
ephemeral one included, as Slack's does.

``SlackTwin(socket_mode=True)`` also runs a fake Socket Mode endpoint (`fake.socket_mode`, see
`twin.socket_mode`) and ``apps.connections.open`` hands out its URLs.

This module assembles `SlackTwin` and keeps its lifecycle, failure injection and the dispatch of
each request; the rest lives beside it: `twin.protocol` (parameters, answers, the HTTP server),
`twin.methods` (one module per family of Web API methods), `twin.queries` (what tests read
back), `twin.feed` (what the local workspace reads), `twin.problems` (the problem listeners) and
`twin.names` (the team, channels and people every twin starts with).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from twin.feed import WorkspaceFeed
from twin.methods.chat import ChatMethods
from twin.methods.conversations import (
    LIMITED_METHODS,
    NON_MARKETPLACE_PER_MINUTE,
    ConversationMethods,
)
from twin.methods.files import UPLOAD_PATH, FileMethods
from twin.methods.people import PeopleMethods
from twin.methods.responses import RESPONSE_METHOD, RESPONSE_PATH, ResponseUrlMethods
from twin.methods.views import ViewMethods, new_trigger_id
from twin.names import (
    APP_ID,
    BOT_ID,
    C_PX_NORTH,
    C_PX_SOUTH,
    C_RISK,
    C_TRIAGE,
    DEFAULT_CHANNELS,
    DEFAULT_USERS,
    TEAM_DOMAIN,
    TEAM_NAME,
    U_LEE,
    U_MARIA,
    U_PX1,
    U_SAM,
)
from twin.problems import (
    add_problem_listener,
    live_twins,
    message_block_errors,
    notify,
    register,
    remove_problem_listener,
    view_errors,
)
from twin.protocol import Answer, ApiError, Call, TwinServer, error_page, parse_params
from twin.queries import Queries
from twin.socket_mode import TwinSocketMode

# What `from twin.webapi import ...` has always offered (tests, the workspace, the benches).
__all__ = [
    "APP_ID", "BOT_ID", "C_PX_NORTH", "C_PX_SOUTH", "C_RISK", "C_TRIAGE", "DEFAULT_CHANNELS",
    "DEFAULT_USERS", "TEAM_DOMAIN", "TEAM_NAME", "U_LEE", "U_MARIA", "U_PX1", "U_SAM", "Call",
    "SlackTwin", "add_problem_listener", "live_twins", "message_block_errors", "new_trigger_id",
    "remove_problem_listener", "view_errors",
]


@dataclass
class _Failure:
    """A queued injected failure (see `SlackTwin.fail`)."""

    method: str
    error: str | None
    status: int
    retry_after: int | None
    delay: float
    remaining: int

    @property
    def takes_effect(self) -> bool:
        """True for "succeed, but slowly": the call is carried out, only the answer is late."""
        return self.error is None and self.status == 200

    def answer(self) -> Answer:
        headers: dict[str, str] = {}
        retry_after = self.retry_after
        if retry_after is None and self.status == 429:
            retry_after = 1
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        error = self.error or ("ratelimited" if self.status == 429 else None)
        if error is None:
            return Answer(self.status, None, headers)
        return Answer(self.status, {"ok": False, "error": error}, headers)


class SlackTwin(ChatMethods, ConversationMethods, PeopleMethods, ViewMethods, FileMethods,
                ResponseUrlMethods, Queries, WorkspaceFeed):
    """A Slack workspace served over HTTP on 127.0.0.1 (see the module docstring).

    Use as ``with SlackTwin() as slack:`` or call `start`/`stop`.  All state is guarded by one
    lock; the query helpers return copies, so they are safe to call while the app runs.
    ``channels`` and ``users`` are public for set-up; prefer `add_channel`/`add_user`.
    """

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-test-token",
        bot_user_id: str = "UBOT",
        team_id: str = "T0001",
        app_token: str = "xapp-test",
        expire_trigger_ids: bool = False,
        socket_mode: bool = False,
        clock: Callable[[], float] = time.time,
        non_marketplace_limits: bool = False,
    ) -> None:
        self.bot_token = bot_token
        self.bot_user_id = bot_user_id
        self.team_id = team_id
        self.app_token = app_token
        self.expire_trigger_ids = expire_trigger_ids
        self.calls: list[Call] = []
        self.channels: dict[str, dict[str, Any]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.usergroups: dict[str, dict[str, Any]] = {}
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._ephemerals: list[dict[str, Any]] = []
        self._response_urls: dict[str, dict[str, Any]] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._home_views: dict[str, dict[str, Any]] = {}
        self._files: dict[str, dict[str, Any]] = {}
        self._file_counter = itertools.count(1)
        self._used_trigger_ids: set[str] = set()
        self._failures: list[_Failure] = []
        self._outage: tuple[int, frozenset[str]] | None = None
        self._lock = threading.RLock()
        self._current_call: Call | None = None
        self._other_problems: list[tuple[str, list[str]]] = []
        self.clock = clock
        self.non_marketplace_limits = non_marketplace_limits
        self._last_ts_micros = 0
        self._limited_calls: dict[str, list[float]] = {}  # method -> times answered this minute
        self._view_counter = itertools.count(1)
        self._server: TwinServer | None = None
        self._thread: threading.Thread | None = None
        self._socket_mode = TwinSocketMode(app_id=APP_ID) if socket_mode else None
        self._methods: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "auth.test": self._auth_test,
            "apps.connections.open": self._apps_connections_open,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.getPermalink": self._chat_get_permalink,
            "chat.delete": self._chat_delete,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "conversations.info": self._conversations_info,
            "conversations.join": self._conversations_join,
            "conversations.open": self._conversations_open,
            "users.info": self._users_info,
            "usergroups.list": self._usergroups_list,
            "usergroups.users.list": self._usergroups_users_list,
            "usergroups.users.update": self._usergroups_users_update,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._files_get_upload_url_external,
            "files.completeUploadExternal": self._files_complete_upload_external,
            "files.upload": self._files_upload,
        }
        for channel_id, name in DEFAULT_CHANNELS.items():
            self.add_channel(channel_id, name)
        for user_id, name in DEFAULT_USERS.items():
            self.add_user(user_id, name)
        register(self)

    # ---- lifecycle ------------------------------------------------------------------------

    def start(self) -> SlackTwin:
        """Bind 127.0.0.1 on a free port and serve in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("SlackTwin is already running")
        self._server = TwinServer(self._handle)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-slack",
            daemon=True,
        )
        self._thread.start()
        if self._socket_mode is not None:
            self._socket_mode.start()
        return self

    def stop(self) -> None:
        """Stop serving; requests still sleeping on an injected delay are abandoned."""
        if self._server is None:
            return
        if self._socket_mode is not None:
            self._socket_mode.stop()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> SlackTwin:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """The Web API root with a trailing slash, for ``WebClient(base_url=...)``."""
        if self._server is None:
            raise RuntimeError("SlackTwin is not running; call start() first")
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/"

    @property
    def socket_mode(self) -> TwinSocketMode:
        """The Socket Mode endpoint ``apps.connections.open`` hands out (``socket_mode=True``)."""
        if self._socket_mode is None:
            raise RuntimeError("Socket Mode is off; create SlackTwin(socket_mode=True)")
        return self._socket_mode

    # ---- failure injection ----------------------------------------------------------------

    def fail(
        self,
        method: str,
        *,
        error: str | None = None,
        status: int = 200,
        retry_after: int | None = None,
        times: int = 1,
        delay: float = 0.0,
    ) -> None:
        """Make the next ``times`` calls of ``method`` ("*" for any method) fail.

        - ``error="..."``: HTTP 200 ``{"ok": false, "error": ...}``;
        - ``status=429``: ``{"ok": false, "error": "ratelimited"}`` with ``Retry-After``
          (``retry_after`` seconds, default 1);
        - ``status=5xx``: that status with an HTML page;
        - ``delay=secs``: sleep that long before answering.  With no error and status 200
          the call succeeds and takes effect, only its answer is late (the post happened even
          though the client timed out).

        A failing call has no side effect.  Failures queue up in the order they were added.
        """
        with self._lock:
            self._failures.append(_Failure(method, error, status, retry_after, delay, times))

    def outage(self, on: bool, *, status: int = 503, allow: Iterable[str] = ()) -> None:
        """Answer every call (except to the ``allow``-ed methods) with ``status`` while on."""
        with self._lock:
            self._outage = (status, frozenset(allow)) if on else None

    # ---- request handling -----------------------------------------------------------------

    def _handle(self, path: str, query: str, headers: dict[str, str], body: bytes) -> Answer:
        """Record the call, decide the answer (injected failure or the method's result),
        then sleep any injected delay outside the lock."""
        if path.startswith(UPLOAD_PATH):
            return self._receive_upload(path.removeprefix(UPLOAD_PATH), body)
        if path.startswith(RESPONSE_PATH):
            method = RESPONSE_METHOD  # a click's response_url (twin.methods.responses)
        elif path.startswith("/api/"):
            method = path.removeprefix("/api/")
        else:
            return error_page(404)
        lower_headers = {key.lower(): value for key, value in headers.items()}
        parse_error: ApiError | None = None
        try:
            params = parse_params(query, lower_headers.get("content-type", ""), body)
        except ApiError as exc:
            params, parse_error = {}, exc
        call = Call(method=method, params=params, headers=headers, at=time.time())
        failure: _Failure | None = None
        with self._lock:
            self.calls.append(call)
            self._current_call = call
            if self._outage is not None and method not in self._outage[1]:
                answer = error_page(self._outage[0])
            else:
                failure = self._take_failure(method)
                limited = None if failure is not None else self._rate_limited(method)
                if limited is not None:
                    answer = limited
                elif failure is not None and not failure.takes_effect:
                    answer = failure.answer()
                elif parse_error is not None:
                    answer = Answer(200, parse_error.body)
                elif method == RESPONSE_METHOD:  # no token: the address is the credential
                    answer = self._answer_response_url(path, params)
                else:
                    answer = self._call_method(method, params, lower_headers)
            call.response, call.status = answer.body, answer.status
            self._current_call = None
            problems = list(call.problems)
        if problems:
            notify(self, method, problems)
        if failure is not None and failure.delay > 0:
            time.sleep(failure.delay)
        return answer

    def _take_failure(self, method: str) -> _Failure | None:
        """Use up one occurrence of the first queued failure matching ``method``."""
        for failure in self._failures:
            if failure.method in ("*", method):
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self._failures.remove(failure)
                return failure
        return None

    def _call_method(self, method: str, params: dict[str, Any], headers: dict[str, str]) -> Answer:
        """Check the method and token, then run the method's implementation."""
        implementation = self._methods.get(method)
        if implementation is None:
            return Answer(200, {"ok": False, "error": "unknown_method"})
        authorization = headers.get("authorization", "")
        token = authorization.removeprefix("Bearer ").strip() or params.get("token")
        expected = self.app_token if method == "apps.connections.open" else self.bot_token
        if token != expected:
            return Answer(200, {"ok": False, "error": "invalid_auth"})
        try:
            return Answer(200, implementation(params))
        except ApiError as exc:
            return Answer(200, exc.body)

    def _rate_limited(self, method: str) -> Answer | None:
        """Slack's 2025 limit for apps outside the Marketplace (``non_marketplace_limits``)."""
        if not self.non_marketplace_limits or method not in LIMITED_METHODS:
            return None
        now = self.clock()
        recent = [at for at in self._limited_calls.get(method, []) if now - at < 60]
        if len(recent) >= NON_MARKETPLACE_PER_MINUTE:
            self._limited_calls[method] = recent
            retry_after = max(1, int(60 - (now - recent[0]) + 0.999))
            return Answer(429, {"ok": False, "error": "ratelimited"},
                           {"Retry-After": str(retry_after)})
        self._limited_calls[method] = [*recent, now]
        return None

    # ---- auth / apps ----------------------------------------------------------------------

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": TEAM_NAME,
            "user": "reviewdesk",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _apps_connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        """A fresh URL of the fake Socket Mode endpoint (a dead one when it is off)."""
        if self._socket_mode is None:
            return {"ok": True, "url": "ws://127.0.0.1:1/"}
        return {"ok": True, "url": self._socket_mode.url}
