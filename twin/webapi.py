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

``SlackTwin(socket_mode=True)`` also runs a fake Socket Mode endpoint (`fake.socket_mode`, see
`twin.socket_mode`) and ``apps.connections.open`` hands out its URLs.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import http
import itertools
import json
import secrets
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from twin import rules
from twin.socket_mode import TwinSocketMode

T = TypeVar("T")

TEAM_NAME = "Fake Hospital"
TEAM_DOMAIN = "fake"
APP_ID = "A0001"
BOT_ID = "B0001"

C_TRIAGE = "C_TRIAGE"
C_PX_NORTH = "C_PX_NORTH"
C_PX_SOUTH = "C_PX_SOUTH"
C_RISK = "C_RISK"
DEFAULT_CHANNELS = {
    C_TRIAGE: "review-triage",
    C_PX_NORTH: "px-north",
    C_PX_SOUTH: "px-south",
    C_RISK: "review-risk",
}

U_MARIA = "U_MARIA"
U_SAM = "U_SAM"
U_LEE = "U_LEE"
U_PX1 = "U_PX1"
DEFAULT_USERS = {U_MARIA: "maria", U_SAM: "sam", U_LEE: "lee", U_PX1: "pat"}

UPLOAD_PATH = "/upload/v1/"
"""Where the twin's upload URLs point (Slack's are https://files.slack.com/upload/v1/...)."""
ALT_TXT_MAX = 1000
"""files.getUploadURLExternal: "Description for the image is longer than the limit of 1000"."""

TRIGGER_TTL_SECONDS = 3.0
"""How long Slack honours a trigger_id (only enforced with ``expire_trigger_ids=True``)."""

_JSON_ENCODED_PARAMS = ("blocks", "attachments", "metadata", "view")
NON_MARKETPLACE_PER_MINUTE = 1
NON_MARKETPLACE_MAX_LIMIT = 15
_LIMITED_METHODS = frozenset({"conversations.history", "conversations.replies"})


def new_trigger_id(user_id: str, *, issued_at: float | None = None) -> str:
    """Mint a trigger_id for an interaction by ``user_id``, as Slack puts in payloads.

    The format is ``"<issued ms>.<user id>.<hex>"``: `SlackTwin` reads the user back from it
    (so an opened view knows whose it is) and, with ``expire_trigger_ids=True``, its age.
    ``issued_at`` (epoch seconds) lets a test mint an already expired trigger.
    """
    issued = time.time() if issued_at is None else issued_at
    return f"{int(issued * 1000)}.{user_id}.{secrets.token_hex(8)}"


def _parse_trigger_id(trigger_id: str) -> tuple[float | None, str | None]:
    """Return (issued at, user id) of a trigger minted by `new_trigger_id`, else (None, None)."""
    parts = trigger_id.split(".")
    if len(parts) == 3 and parts[0].isdigit():
        return int(parts[0]) / 1000, parts[1]
    return None, None


# --------------------------------------------------------------------------------------------
# Slack's rules (see twin.rules)
# --------------------------------------------------------------------------------------------


def message_block_errors(blocks: Any) -> list[str]:
    """Errors Slack would report for a message's ``blocks`` (empty if Slack accepts them)."""
    return rules.check_message({"text": "fallback", "blocks": blocks}).errors


def view_errors(view: Any, *, surface: str = "modal") -> list[str]:
    """Errors Slack would report for a ``modal`` or ``home`` view (empty if it accepts it)."""
    return rules.check_view(view, "home" if surface == "home" else "modal").errors


_problem_listeners: list[Callable[[SlackTwin, str, list[str]], None]] = []
_live_twins: weakref.WeakSet[SlackTwin] = weakref.WeakSet()
_registry_lock = threading.Lock()


def add_problem_listener(listener: Callable[[SlackTwin, str, list[str]], None]) -> None:
    """Call ``listener(twin, method, problems)`` whenever any twin records problems.

    The test suite's guard uses this to fail a test whose twins (however created) rejected a
    payload by Slack's rules or saw one that would render wrongly.
    """
    with _registry_lock:
        _problem_listeners.append(listener)


def remove_problem_listener(listener: Callable[[SlackTwin, str, list[str]], None]) -> None:
    with _registry_lock:
        if listener in _problem_listeners:
            _problem_listeners.remove(listener)


def live_twins() -> list[SlackTwin]:
    """The twins not yet garbage-collected (a weak registry)."""
    with _registry_lock:
        return list(_live_twins)


def _notify(twin: SlackTwin, method: str, problems: list[str]) -> None:
    with _registry_lock:
        listeners = list(_problem_listeners)
    for listener in listeners:
        listener(twin, method, problems)


# --------------------------------------------------------------------------------------------
# Calls, answers and failures
# --------------------------------------------------------------------------------------------


@dataclass
class Call:
    """One request the fake received.

    ``params`` are the merged, decoded parameters; ``at`` is ``time.time()`` on arrival;
    ``response`` is the JSON body answered (None for an HTML error page) and ``status`` the
    HTTP status.  Both are filled in as soon as the fake has decided its answer.
    """

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    at: float
    response: dict[str, Any] | None = None
    status: int = 0
    problems: list[str] = field(default_factory=list)
    """Payload rejected by Slack's rules, or accepted but rendering wrongly (`twin.rules`)."""


class _ApiError(Exception):
    """Raised by a method implementation to answer ``{"ok": false, "error": ...}``."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.body = {"ok": False, "error": error, **extra}

    @classmethod
    def rejected(cls, outcome: rules.Outcome) -> _ApiError:
        """The rejection `twin.rules` decided, in Slack's shape."""
        body = outcome.response()
        return cls(body.pop("error"), **{k: v for k, v in body.items() if k != "ok"})


@dataclass(frozen=True)
class _Answer:
    """An HTTP answer; a ``body`` of None means an HTML error page for ``status``."""

    status: int
    body: dict[str, Any] | None
    headers: dict[str, str] = field(default_factory=dict)
    text: str | None = None  # a plain-text body instead (the file upload URL's answer)

    def encode(self) -> tuple[bytes, str]:
        """Return the body bytes and their Content-Type."""
        if self.text is not None:
            return self.text.encode(), "text/plain; charset=utf-8"
        if self.body is None:
            phrase = http.HTTPStatus(self.status).phrase
            page = f"<html><body><h1>{self.status} {phrase}</h1></body></html>"
            return page.encode(), "text/html; charset=utf-8"
        return json.dumps(self.body).encode(), "application/json; charset=utf-8"


def _error_page(status: int) -> _Answer:
    return _Answer(status, None)


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

    def answer(self) -> _Answer:
        headers: dict[str, str] = {}
        retry_after = self.retry_after
        if retry_after is None and self.status == 429:
            retry_after = 1
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        error = self.error or ("ratelimited" if self.status == 429 else None)
        if error is None:
            return _Answer(self.status, None, headers)
        return _Answer(self.status, {"ok": False, "error": error}, headers)


# --------------------------------------------------------------------------------------------
# Request parsing helpers
# --------------------------------------------------------------------------------------------


def _parse_params(query: str, content_type: str, body: bytes) -> dict[str, Any]:
    """Merge query-string and body parameters (JSON or urlencoded form) into one dict."""
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    if body:
        text = body.decode("utf-8")
        if content_type.split(";")[0].strip().lower() == "application/json":
            try:
                decoded = json.loads(text)
            except json.JSONDecodeError as exc:
                raise _ApiError("invalid_json") from exc
            if not isinstance(decoded, dict):
                raise _ApiError("invalid_json")
            params.update(decoded)
        else:
            params.update(parse_qsl(text, keep_blank_values=True))
    for key in _JSON_ENCODED_PARAMS:
        value = params.get(key)
        if isinstance(value, str) and value:
            # Undecodable values stay strings, for the method's validation to report.
            with contextlib.suppress(json.JSONDecodeError):
                params[key] = json.loads(value)
    return params


def _truthy(value: Any) -> bool:
    """Slack's reading of a boolean parameter (JSON true, "true" or "1")."""
    return value is True or str(value).lower() in ("1", "true")


def _ts_bound(params: dict[str, Any], name: str, default: Decimal) -> Decimal:
    """Read the ``oldest``/``latest`` bound of a history request."""
    value = params.get(name)
    if value in (None, ""):
        return default
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise _ApiError(f"invalid_ts_{name}") from exc


def _ts_range(params: dict[str, Any]) -> Callable[[dict[str, Any]], bool]:
    """Whether a message falls within a history request's ``oldest``/``latest`` (exclusive
    unless ``inclusive``)."""
    oldest = _ts_bound(params, "oldest", Decimal(0))
    latest = _ts_bound(params, "latest", Decimal("Infinity"))
    inclusive = _truthy(params.get("inclusive"))

    def in_range(message: dict[str, Any]) -> bool:
        ts = Decimal(message["ts"])
        if inclusive:
            return oldest <= ts <= latest
        return oldest < ts < latest

    return in_range


def _is_top_level(message: dict[str, Any]) -> bool:
    return message.get("thread_ts", message["ts"]) == message["ts"]


def _paginate(items: list[T], params: dict[str, Any],
              max_limit: int | None = None) -> tuple[list[T], str]:
    """Apply ``limit``/``cursor`` (an opaque offset cursor); return (page, next_cursor)."""
    try:
        limit = int(params.get("limit") or max_limit or 100)
    except ValueError as exc:
        raise _ApiError("invalid_limit") from exc
    if max_limit is not None:
        limit = min(limit, max_limit)
    offset = 0
    if params.get("cursor"):
        try:
            offset = int(base64.b64decode(params["cursor"]).decode().removeprefix("offset:"))
        except ValueError as exc:
            raise _ApiError("invalid_cursor") from exc
    end = offset + max(limit, 1)
    next_cursor = base64.b64encode(f"offset:{end}".encode()).decode() if end < len(items) else ""
    return items[offset:end], next_cursor


def _stamp_block_ids(blocks: Any) -> None:
    """Give blocks without a block_id a random one, as Slack does when it stores them."""
    if isinstance(blocks, list):
        for block in blocks:
            if isinstance(block, dict):
                block.setdefault("block_id", secrets.token_urlsafe(3))


# --------------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------------


class SlackTwin:
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
        self._server: _SlackTwinServer | None = None
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
        with _registry_lock:
            _live_twins.add(self)

    # ---- lifecycle ------------------------------------------------------------------------

    def start(self) -> SlackTwin:
        """Bind 127.0.0.1 on a free port and serve in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("SlackTwin is already running")
        self._server = _SlackTwinServer(self)
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

    # ---- workspace set-up -----------------------------------------------------------------

    def add_channel(
        self, channel_id: str, name: str, *, is_member: bool = True, is_private: bool = False
    ) -> dict[str, Any]:
        """Create (or replace) a channel; return its record."""
        channel = {"id": channel_id, "name": name, "is_member": is_member, "is_private": is_private}
        with self._lock:
            self.channels[channel_id] = channel
            self._messages.setdefault(channel_id, [])
        return channel

    def add_user(
        self, user_id: str, name: str, real_name: str | None = None, tz: str = "America/Chicago"
    ) -> dict[str, Any]:
        """Create (or replace) a user; ``tz_offset``/``tz_label`` are derived from ``tz`` now."""
        local_now = datetime.now(UTC).astimezone(ZoneInfo(tz))
        offset = local_now.utcoffset()
        user = {
            "id": user_id,
            "name": name,
            "real_name": real_name or name.title(),
            "tz": tz,
            "tz_label": local_now.tzname(),
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
        }
        with self._lock:
            self.users[user_id] = user
        return user

    def add_usergroup(
        self, usergroup_id: str, handle: str, users: Iterable[str] = (), *,
        name: str | None = None, editable: bool = True, disabled: bool = False,
    ) -> dict[str, Any]:
        """Create (or replace) a user group (Slack calls it a subteam; ids start with S).
        ``editable=False`` is a workspace whose settings keep the bot from changing its
        members (``usergroups.users.update`` answers ``permission_denied``)."""
        group = {
            "id": usergroup_id,
            "team_id": self.team_id,
            "is_usergroup": True,
            "is_subteam": True,
            "name": name or handle.replace("-", " ").title(),
            "description": "",
            "handle": handle,
            "is_external": False,
            "date_create": 1_700_000_000,
            "date_update": 1_700_000_000,
            "date_delete": 1_700_000_500 if disabled else 0,
            "auto_type": None,
            "created_by": "USLACKBOT",
            "updated_by": "USLACKBOT",
            "deleted_by": None,
            "prefs": {"channels": [], "groups": []},
            "users": list(users),
            "editable": editable,
        }
        with self._lock:
            self.usergroups[usergroup_id] = group
        return group

    def usergroup_members(self, usergroup_id: str) -> list[str]:
        """The user group's members as they are now."""
        with self._lock:
            return list(self.usergroups[usergroup_id]["users"])

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

    # ---- queries for tests ----------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        """The recorded calls to ``method``, oldest first."""
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def problems(self) -> list[tuple[str, list[str]]]:
        """Every call rejected by Slack's rules or rendering wrongly, as (method, problems),
        oldest first, then the problems recorded with `record_problems`."""
        with self._lock:
            found = [(call.method, list(call.problems)) for call in self.calls if call.problems]
            return found + [(source, list(lines)) for source, lines in self._other_problems]

    def record_problems(self, source: str, problems: list[str]) -> None:
        """Record problems found outside the Web API (e.g. a bad ``view_submission`` ack,
        checked by the test driver with `twin.rules.view_submission_response_errors`)."""
        if not problems:
            return
        with self._lock:
            self._other_problems.append((source, list(problems)))
        _notify(self, source, list(problems))

    def reset_calls(self) -> None:
        """Forget the recorded calls (the workspace state is kept)."""
        with self._lock:
            self.calls.clear()

    def wait_for(
        self,
        predicate: Callable[[], T],
        timeout: float = 5.0,
        interval: float = 0.02,
        *,
        what: str | None = None,
    ) -> T:
        """Poll ``predicate`` until it returns something truthy and return that.

        On timeout raise AssertionError naming ``what`` (or the predicate) and listing the
        most recent calls, which usually explains what the app did instead.
        """
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if time.monotonic() >= deadline:
                description = what or getattr(predicate, "__qualname__", repr(predicate))
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {description}; "
                    f"recent calls: {self._recent_calls_summary()}"
                )
            time.sleep(interval)

    def wait_for_calls(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait until at least ``count`` calls to ``method`` were recorded; return them all."""

        def enough_calls() -> list[Call]:
            calls = self.calls_to(method)
            return calls if len(calls) >= count else []

        return self.wait_for(enough_calls, timeout, what=f"{count} call(s) to {method}")

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """The channel's top-level messages (no thread replies), oldest first, as they are now."""
        with self._lock:
            return copy.deepcopy([m for m in self._messages.get(channel, []) if _is_top_level(m)])

    def thread(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """The replies in the thread under ``ts`` (without the parent), oldest first."""
        with self._lock:
            replies = [
                m
                for m in self._messages.get(channel, [])
                if m.get("thread_ts") == ts and m["ts"] != ts
            ]
            return copy.deepcopy(replies)

    def message(self, channel: str, ts: str) -> dict[str, Any]:
        """One message (top-level or reply); AssertionError if there is none."""
        with self._lock:
            found = self._find_message(channel, ts)
            if found is None:
                raise AssertionError(f"no message {ts} in channel {channel}")
            return copy.deepcopy(found)

    def ephemerals_for(self, user: str, channel: str | None = None) -> list[dict[str, Any]]:
        """Ephemeral messages shown to ``user`` (optionally only in ``channel``), oldest first."""
        with self._lock:
            return copy.deepcopy(
                [
                    e
                    for e in self._ephemerals
                    if e["user"] == user and channel in (None, e["channel"])
                ]
            )

    def opened_views(self) -> list[dict[str, Any]]:
        """Every modal opened or pushed, in order, as it is now (after any updates)."""
        with self._lock:
            return copy.deepcopy(list(self._views.values()))

    def view(self, view_id: str) -> dict[str, Any]:
        """One modal by id (including the ``trigger_id`` and ``user`` that opened it)."""
        with self._lock:
            if view_id not in self._views:
                raise AssertionError(f"no view {view_id}; known: {sorted(self._views)}")
            return copy.deepcopy(self._views[view_id])

    def answer_submission(self, view_id: str, answer: Any, *, seen_hash: str | None) -> None:
        """What Slack does with an app's ``view_submission`` ack: ``response_action: update``
        replaces the modal (keeping its id; a new hash), ``clear`` closes the stack. An
        acknowledgement is applied before anything the app sends after it, so it is skipped
        when the modal has changed since ``seen_hash`` (the app's own views.update came
        first)."""
        if not isinstance(answer, dict):
            return
        action = answer.get("response_action")
        with self._lock:
            stored = self._views.get(view_id)
            if stored is None or (seen_hash is not None and stored["hash"] != seen_hash):
                return
            if action == "update" and isinstance(answer.get("view"), dict):
                if rules.check_view(answer["view"], "modal").error:
                    return  # the driver records why; Slack would keep the old view
                view = copy.deepcopy(answer["view"])
                _stamp_block_ids(view.get("blocks"))
                stored.update(
                    blocks=view["blocks"], title=view["title"], submit=view.get("submit"),
                    close=view.get("close"),
                    private_metadata=view.get("private_metadata", ""),
                    callback_id=view.get("callback_id", ""), state={"values": {}},
                    hash=self._next_hash(),
                )

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """The App Home view last published for ``user_id``, if any."""
        with self._lock:
            return copy.deepcopy(self._home_views.get(user_id))

    def files(self) -> list[dict[str, Any]]:
        """Every file whose upload was completed, oldest first, with its bytes (``content``)."""
        with self._lock:
            return [copy.deepcopy(f) for f in self._files.values() if f["completed"]]

    def _recent_calls_summary(self, count: int = 15) -> str:
        with self._lock:
            recent = self.calls[-count:]
        parts = []
        for call in recent:
            outcome = call.response.get("error", "ok") if call.response else call.status
            parts.append(f"{call.method}→{outcome}")
        return ", ".join(parts) or "none"

    # ---- request handling -----------------------------------------------------------------

    def _handle(self, path: str, query: str, headers: dict[str, str], body: bytes) -> _Answer:
        """Record the call, decide the answer (injected failure or the method's result),
        then sleep any injected delay outside the lock."""
        if path.startswith(UPLOAD_PATH):
            return self._receive_upload(path.removeprefix(UPLOAD_PATH), body)
        if not path.startswith("/api/"):
            return _error_page(404)
        method = path.removeprefix("/api/")
        lower_headers = {key.lower(): value for key, value in headers.items()}
        parse_error: _ApiError | None = None
        try:
            params = _parse_params(query, lower_headers.get("content-type", ""), body)
        except _ApiError as exc:
            params, parse_error = {}, exc
        call = Call(method=method, params=params, headers=headers, at=time.time())
        failure: _Failure | None = None
        with self._lock:
            self.calls.append(call)
            self._current_call = call
            if self._outage is not None and method not in self._outage[1]:
                answer = _error_page(self._outage[0])
            else:
                failure = self._take_failure(method)
                limited = None if failure is not None else self._rate_limited(method)
                if limited is not None:
                    answer = limited
                elif failure is not None and not failure.takes_effect:
                    answer = failure.answer()
                elif parse_error is not None:
                    answer = _Answer(200, parse_error.body)
                else:
                    answer = self._call_method(method, params, lower_headers)
            call.response, call.status = answer.body, answer.status
            self._current_call = None
            problems = list(call.problems)
        if problems:
            _notify(self, method, problems)
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

    def _call_method(self, method: str, params: dict[str, Any], headers: dict[str, str]) -> _Answer:
        """Check the method and token, then run the method's implementation."""
        implementation = self._methods.get(method)
        if implementation is None:
            return _Answer(200, {"ok": False, "error": "unknown_method"})
        authorization = headers.get("authorization", "")
        token = authorization.removeprefix("Bearer ").strip() or params.get("token")
        expected = self.app_token if method == "apps.connections.open" else self.bot_token
        if token != expected:
            return _Answer(200, {"ok": False, "error": "invalid_auth"})
        try:
            return _Answer(200, implementation(params))
        except _ApiError as exc:
            return _Answer(200, exc.body)

    # ---- shared pieces of the methods -----------------------------------------------------

    def _next_ts(self) -> str:
        """Now by the twin's clock, unique and increasing (as Slack's are in a channel)."""
        now_micros = int(self.clock() * 1_000_000)
        self._last_ts_micros = max(now_micros, self._last_ts_micros + 100)
        seconds, micros = divmod(self._last_ts_micros, 1_000_000)
        return f"{seconds}.{micros:06d}"

    def _rate_limited(self, method: str) -> _Answer | None:
        """Slack's 2025 limit for apps outside the Marketplace (``non_marketplace_limits``)."""
        if not self.non_marketplace_limits or method not in _LIMITED_METHODS:
            return None
        now = self.clock()
        recent = [at for at in self._limited_calls.get(method, []) if now - at < 60]
        if len(recent) >= NON_MARKETPLACE_PER_MINUTE:
            self._limited_calls[method] = recent
            retry_after = max(1, int(60 - (now - recent[0]) + 0.999))
            return _Answer(429, {"ok": False, "error": "ratelimited"},
                           {"Retry-After": str(retry_after)})
        self._limited_calls[method] = [*recent, now]
        return None

    def _channel(self, channel_ref: Any) -> dict[str, Any]:
        """Find a channel by id, or by name (with or without '#') as Slack also allows."""
        channel = self.channels.get(channel_ref)
        if channel is None and isinstance(channel_ref, str):
            name = channel_ref.removeprefix("#")
            channel = next((c for c in self.channels.values() if c["name"] == name), None)
        if channel is None:
            raise _ApiError("channel_not_found")
        return channel

    def _member_channel(self, channel_ref: Any) -> dict[str, Any]:
        channel = self._channel(channel_ref)
        if not channel["is_member"]:
            raise _ApiError("not_in_channel")
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
            raise _ApiError.rejected(outcome)
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
        _stamp_block_ids(content.get("blocks"))
        return content

    @staticmethod
    def _rendered(message: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        """A message as a read method returns it: metadata only with include_all_metadata."""
        rendered = copy.deepcopy(message)
        if not _truthy(params.get("include_all_metadata")):
            rendered.pop("metadata", None)
        return rendered

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

    # ---- chat.* ---------------------------------------------------------------------------

    def _chat_post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        channel_id = self._member_channel(params.get("channel"))["id"]
        notes = self._check_content(params)
        parent = None
        if params.get("thread_ts"):
            parent = self._find_message(channel_id, params["thread_ts"])
            if parent is None or not _is_top_level(parent):
                raise _ApiError("thread_not_found")
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
            raise _ApiError("message_not_found")
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
            raise _ApiError("message_not_found")
        packed_ts = message["ts"].replace(".", "")
        permalink = f"https://{TEAM_DOMAIN}.slack.com/archives/{channel_id}/p{packed_ts}"
        if not _is_top_level(message):
            permalink += f"?thread_ts={message['thread_ts']}&cid={channel_id}"
        return {"ok": True, "channel": channel_id, "permalink": permalink}

    def _chat_delete(self, params: dict[str, Any]) -> dict[str, Any]:
        channel_id = self._channel(params.get("channel"))["id"]
        message = self._find_message(channel_id, params.get("ts"))
        if message is None:
            raise _ApiError("message_not_found")
        self._messages[channel_id].remove(message)
        if not _is_top_level(message):
            parent = self._find_message(channel_id, message["thread_ts"])
            if parent is not None:
                parent["reply_count"] -= 1
        return {"ok": True, "channel": channel_id, "ts": message["ts"]}

    # ---- conversations.* ------------------------------------------------------------------

    def _conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        channel_id = self._member_channel(params.get("channel"))["id"]
        in_range = _ts_range(params)

        newest_first = [
            m for m in reversed(self._messages[channel_id]) if _is_top_level(m) and in_range(m)
        ]
        page, next_cursor = _paginate(newest_first, params, self._history_max_limit())
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
            raise _ApiError("thread_not_found")
        parent_ts = message.get("thread_ts", message["ts"])
        in_range = _ts_range(params)
        # The parent comes first, then the replies within oldest/latest, oldest first.
        thread = [
            m
            for m in self._messages[channel_id]
            if m["ts"] == parent_ts or (m.get("thread_ts") == parent_ts and in_range(m))
        ]
        page, next_cursor = _paginate(thread, params, self._history_max_limit())
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
            raise _ApiError("method_not_supported_for_channel_type")
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
            raise _ApiError("user_not_found")
        channel_id = f"D{user}"
        if channel_id not in self.channels:
            self.add_channel(channel_id, user, is_member=True, is_private=True)
        return {"ok": True, "channel": {"id": channel_id}}

    def dms(self, user: str) -> list[dict[str, Any]]:
        """The bot's direct messages to `user`, oldest first."""
        return self.messages(f"D{user}")

    # ---- users.* --------------------------------------------------------------------------

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(params.get("user"))
        if user is None:
            raise _ApiError("user_not_found")
        return {
            "ok": True,
            "user": {
                **user,
                "team_id": self.team_id,
                "deleted": False,
                "is_bot": False,
                "is_admin": False,
                "profile": {
                    "real_name": user["real_name"],
                    "real_name_normalized": user["real_name"],
                    "display_name": user["name"],
                    "display_name_normalized": user["name"],
                    "team": self.team_id,
                },
            },
        }

    # ---- usergroups.* ---------------------------------------------------------------------
    # Shapes and errors as docs.slack.dev/reference/methods/usergroups.list,
    # usergroups.users.list and usergroups.users.update give them (a group is a "subteam").

    def _usergroup(self, params: dict[str, Any], missing: str = "invalid_arguments"
                   ) -> dict[str, Any]:
        if not params.get("usergroup"):
            raise _ApiError(missing)
        group = self.usergroups.get(params["usergroup"])
        if group is None:
            raise _ApiError("no_such_subteam")
        return group

    @staticmethod
    def _public_usergroup(group: dict[str, Any], *, users: bool, count: bool) -> dict[str, Any]:
        shown = {k: copy.deepcopy(v) for k, v in group.items() if k not in ("users", "editable")}
        if users:
            shown["users"] = list(group["users"])
        if count:
            shown["user_count"] = len(group["users"])
        return shown

    def _usergroups_list(self, params: dict[str, Any]) -> dict[str, Any]:
        groups = [g for g in self.usergroups.values()
                  if _truthy(params.get("include_disabled")) or not g["date_delete"]]
        return {"ok": True, "usergroups": [
            self._public_usergroup(g, users=_truthy(params.get("include_users")),
                                   count=_truthy(params.get("include_count")))
            for g in groups
        ]}

    def _usergroups_users_list(self, params: dict[str, Any]) -> dict[str, Any]:
        group = self._usergroup(params)
        if group["date_delete"] and not _truthy(params.get("include_disabled")):
            raise _ApiError("no_such_subteam")
        return {"ok": True, "users": list(group["users"])}

    def _usergroups_users_update(self, params: dict[str, Any]) -> dict[str, Any]:
        """Replace the group's members. Slack cannot empty a group (``no_users_provided``),
        refuses ids it does not know (``invalid_users``) and, when the workspace keeps apps
        from managing user groups, answers ``permission_denied``."""
        group = self._usergroup(params, missing="missing_argument")
        raw = params.get("users")
        users = raw if isinstance(raw, list) else str(raw or "").split(",")
        users = [str(user).strip() for user in users if str(user).strip()]
        if not users:
            raise _ApiError("no_users_provided")
        if any(user not in self.users for user in users):
            raise _ApiError("invalid_users")
        if not group["editable"]:
            raise _ApiError("permission_denied")
        group["users"] = list(dict.fromkeys(users))
        group["date_update"] = int(time.time())
        group["updated_by"] = self.bot_user_id
        return {"ok": True, "usergroup": self._public_usergroup(
            group, users=True, count=_truthy(params.get("include_count")))}

    # ---- files.* --------------------------------------------------------------------------
    # The upload flow of docs.slack.dev/reference/methods/files.getUploadURLExternal and
    # files.completeUploadExternal: ask for an upload URL and a file id, POST the bytes to the
    # URL (the twin's own address here), then complete the upload, which shares the file in a
    # channel (a message with `files`) or leaves it private. files.upload was retired.

    def _files_get_upload_url_external(self, params: dict[str, Any]) -> dict[str, Any]:
        filename = params.get("filename")
        if not isinstance(filename, str) or not filename.strip():
            raise _ApiError("invalid_arguments")
        try:
            length = int(params.get("length") or 0)
        except (TypeError, ValueError) as exc:
            raise _ApiError("invalid_arguments") from exc
        if length <= 0:
            raise _ApiError("missing_argument")  # "Typically only occurs when length is 0"
        alt_txt = params.get("alt_txt") or ""
        if len(str(alt_txt)) > ALT_TXT_MAX:
            raise _ApiError("alt_txt_too_large")
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

    def _receive_upload(self, tail: str, body: bytes) -> _Answer:
        """The upload URL: takes the bytes (raw, as the SDKs send them); 404 for a URL it never
        handed out or a file already completed."""
        file_id, _, token = tail.partition(".")
        with self._lock:
            record = self._files.get(file_id)
            if record is None or record["token"] != token or record["completed"]:
                return _error_page(404)
            record["content"] = bytes(body)
        return _Answer(200, None, text=f"OK - {len(body)}")

    def _files_complete_upload_external(self, params: dict[str, Any]) -> dict[str, Any]:
        files = params.get("files")
        if isinstance(files, str):
            try:
                files = json.loads(files)
            except json.JSONDecodeError as exc:
                raise _ApiError("invalid_arguments") from exc
        if not isinstance(files, list) or not files or not all(
                isinstance(f, dict) and f.get("id") for f in files):
            raise _ApiError("invalid_arguments")
        records = []
        for item in files:
            record = self._files.get(item["id"])
            # Never handed out, its bytes never arrived, or already completed once.
            if record is None or record["content"] is None or record["completed"]:
                raise _ApiError("file_not_found")
            records.append((record, item))
        targets = [str(params["channel_id"])] if params.get("channel_id") else []
        if params.get("channels"):
            targets += [c.strip() for c in str(params["channels"]).split(",") if c.strip()]
        if params.get("thread_ts") and len(targets) != 1:
            raise _ApiError("invalid_arguments")  # "provide only one channel with thread_ts"
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
                if parent is None or not _is_top_level(parent):
                    raise _ApiError("thread_not_found")
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
        raise _ApiError("method_deprecated")

    # ---- views.* --------------------------------------------------------------------------

    def _next_hash(self) -> str:
        return f"{int(time.time())}.{secrets.token_hex(4)}"

    @staticmethod
    def _public_view(view: dict[str, Any]) -> dict[str, Any]:
        """A stored view as the API returns it (without the fake's own bookkeeping)."""
        return {k: copy.deepcopy(v) for k, v in view.items() if k not in ("trigger_id", "user")}

    def _checked_view(self, params: dict[str, Any], surface: str) -> dict[str, Any]:
        """Apply Slack's view rules (`twin.rules.check_view`): raise ``invalid_arguments``
        with Slack's reasons, or return a copy of the view; problems are recorded."""
        outcome = rules.check_view(params.get("view"), "home" if surface == "home" else "modal")
        self._record(outcome.problems())
        if outcome.error:
            raise _ApiError.rejected(outcome)
        view = copy.deepcopy(params["view"])
        _stamp_block_ids(view.get("blocks"))
        return view

    def _usable_trigger(self, params: dict[str, Any]) -> tuple[str, str | None]:
        """Check the request's trigger_id; return it and the user it belongs to (if known)."""
        trigger_id = params.get("trigger_id") or params.get("interactivity_pointer")
        if not trigger_id or trigger_id in self._used_trigger_ids:
            raise _ApiError("invalid_trigger_id")
        issued_at, user_id = _parse_trigger_id(trigger_id)
        if (
            self.expire_trigger_ids
            and issued_at is not None
            and time.time() - issued_at > TRIGGER_TTL_SECONDS
        ):
            raise _ApiError("expired_trigger_id")
        return trigger_id, user_id

    def _store_modal(
        self, params: dict[str, Any], previous: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        trigger_id, user_id = self._usable_trigger(params)
        view = self._checked_view(params, "modal")
        self._used_trigger_ids.add(trigger_id)  # spent only by a call that succeeds
        view_id = f"V{next(self._view_counter):08d}"
        stored = {
            "id": view_id,
            "team_id": self.team_id,
            "type": "modal",
            "blocks": view["blocks"],
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": view.get("external_id", ""),
            "state": {"values": {}},
            "hash": self._next_hash(),
            "title": view["title"],
            "submit": view.get("submit"),
            "close": view.get("close"),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "root_view_id": previous["root_view_id"] if previous else view_id,
            "previous_view_id": previous["id"] if previous else None,
            "app_id": APP_ID,
            "app_installed_team_id": self.team_id,
            "bot_id": BOT_ID,
            "trigger_id": trigger_id,
            "user": user_id,
        }
        self._views[view_id] = stored
        return {"ok": True, "view": self._public_view(stored)}

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._store_modal(params)

    def _views_push(self, params: dict[str, Any]) -> dict[str, Any]:
        """Push onto the stack of the user's latest modal (the trigger says whose it is)."""
        _, user_id = _parse_trigger_id(str(params.get("trigger_id") or ""))
        previous = next(
            (v for v in reversed(self._views.values()) if user_id and v["user"] == user_id),
            None,
        )
        return self._store_modal(params, previous)

    def _views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("view_id"):
            stored = self._views.get(params["view_id"])
        else:
            external_id = params.get("external_id")
            stored = next(
                (
                    v
                    for v in self._views.values()
                    if external_id and v["external_id"] == external_id
                ),
                None,
            )
        if stored is None:
            raise _ApiError("not_found")
        if params.get("hash") and params["hash"] != stored["hash"]:
            raise _ApiError("hash_conflict")
        view = self._checked_view(params, "modal")
        stored.update(
            blocks=view["blocks"],
            title=view["title"],
            submit=view.get("submit"),
            close=view.get("close"),
            private_metadata=view.get("private_metadata", ""),
            callback_id=view.get("callback_id", ""),
            external_id=view.get("external_id", stored["external_id"]),
            state={"values": {}},
            hash=self._next_hash(),
        )
        return {"ok": True, "view": self._public_view(stored)}

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = params.get("user_id")
        if user_id not in self.users:
            raise _ApiError("user_not_found")
        current = self._home_views.get(user_id)
        if current is not None and params.get("hash") and params["hash"] != current["hash"]:
            raise _ApiError("hash_conflict")
        view = self._checked_view(params, "home")
        home = {
            "id": current["id"] if current else f"V{next(self._view_counter):08d}",
            "team_id": self.team_id,
            "type": "home",
            "blocks": view["blocks"],
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": view.get("external_id", ""),
            "state": {"values": {}},
            "hash": self._next_hash(),
            "app_id": APP_ID,
            "bot_id": BOT_ID,
        }
        self._home_views[user_id] = home
        return {"ok": True, "view": copy.deepcopy(home)}

    # ---- the local workspace (twin.workspace reads and drives the twin through these) ------
    #
    # The browser page long-polls a change counter rather than asking over and over: every
    # method that changes what a person would see bumps it. `watch_changes` sets this up, so
    # the tests' twins carry none of it.

    def watch_changes(self, clock: Callable[[], float] | None = None) -> None:
        """Count changes from now on (calling it again changes nothing). ``clock`` gives the
        epoch seconds stamped on each new message as its time (the bot's clock in the local
        workspace: the twin's ts values are a counter, not a time)."""
        with self._lock:
            if getattr(self, "_feed", None) is not None:
                return
            self._feed = _Feed(threading.Condition(self._lock), clock or time.time)
            for name in _WATCHED_METHODS:
                self._methods[name] = self._watched(name, self._methods[name])

    def _watched(
        self, name: str, implementation: Callable[[dict[str, Any]], dict[str, Any]]
    ) -> Callable[[dict[str, Any]], dict[str, Any]]:
        def run(params: dict[str, Any]) -> dict[str, Any]:
            answer = implementation(params)  # an _ApiError changed nothing: nothing to count
            self._record_change(name, answer, params)
            return answer

        return run

    def _record_change(self, name: str, answer: dict[str, Any],
                       params: dict[str, Any]) -> None:
        feed = self._feed
        feed.version += 1
        if name in ("chat.postMessage", "chat.update", "chat.delete"):
            channel, ts = answer["channel"], answer["ts"]
            feed.message_versions[(channel, ts)] = feed.version
            feed.channel_versions[channel] = feed.version
            if name == "chat.postMessage":
                feed.posted_at[ts] = feed.clock()
                parent = answer["message"].get("thread_ts")
                if parent and parent != ts:  # the parent's reply count changed too
                    feed.message_versions[(channel, parent)] = feed.version
                    if _truthy(params.get("reply_broadcast")):  # shown in the channel too
                        feed.broadcasts.add((channel, ts))
        elif name == "chat.postEphemeral":
            feed.posted_at[answer["message_ts"]] = feed.clock()
        elif name == "files.completeUploadExternal":  # the file_share messages it posted
            ids = {f["id"] for f in answer.get("files") or []}
            for channel, messages in self._messages.items():
                for message in messages:
                    if {f["id"] for f in message.get("files") or []} & ids and \
                            message["ts"] not in feed.posted_at:
                        feed.message_versions[(channel, message["ts"])] = feed.version
                        feed.channel_versions[channel] = feed.version
                        feed.posted_at[message["ts"]] = feed.clock()
        feed.condition.notify_all()

    def touch(self) -> int:
        """Count a change the workspace made itself (a modal closed, the clock moved)."""
        with self._lock:
            self._feed.version += 1
            self._feed.condition.notify_all()
            return self._feed.version

    @property
    def version(self) -> int:
        """The change counter (0 until `watch_changes`)."""
        feed = getattr(self, "_feed", None)
        return feed.version if feed is not None else 0

    def wait_for_change(self, since: int, timeout: float,
                        give_up: Callable[[], bool] = lambda: False) -> int:
        """Block until the counter passes ``since``, ``give_up()`` says so (checked whenever
        `wake_waiters` is called) or ``timeout`` seconds pass; return the counter."""
        with self._lock:
            self._feed.condition.wait_for(
                lambda: self._feed.version > since or give_up(), timeout
            )
            return self._feed.version

    def wake_waiters(self) -> None:
        """Make every `wait_for_change` look at its ``give_up`` again."""
        with self._lock:
            self._feed.condition.notify_all()

    def _for_page(self, message: dict[str, Any]) -> dict[str, Any]:
        """A message as the page shows it: no metadata, with the time it was posted."""
        shown = {
            key: copy.deepcopy(message[key])
            for key in ("ts", "thread_ts", "reply_count", "text", "blocks", "attachments",
                        "files", "user", "bot_id")
            if key in message
        }
        shown["edited"] = "edited" in message
        shown["posted_at"] = self._feed.posted_at.get(message["ts"])
        return shown

    def workspace_snapshot(
        self,
        viewer: str,
        channel: str | None = None,
        thread_ts: str | None = None,
        since: int | None = None,
        *,
        limit: int | None = None,
        before: str | None = None,
    ) -> dict[str, Any]:
        """What ``viewer`` sees: the top-level messages of ``channel`` (only those changed
        after version ``since`` when given, and the ts of those deleted; else the newest
        ``limit`` of those before ``before``, and how many older ones there are), the thread
        under ``thread_ts``, the viewer's ephemerals, open modal and App Home, and per channel
        its message count and the version of its last change."""
        with self._lock:
            feed = self._feed
            result: dict[str, Any] = {"version": feed.version}
            if channel is not None and channel in self._messages:
                top = [m for m in self._messages[channel]
                       if _is_top_level(m) or (channel, m["ts"]) in feed.broadcasts]
                if since is None:
                    if before is not None:
                        top = [m for m in top if Decimal(m["ts"]) < Decimal(before)]
                    older = max(len(top) - limit, 0) if limit is not None else 0
                    top = top[older:]
                    result["older"] = older
                if since is not None:
                    top = [m for m in top
                           if feed.message_versions.get((channel, m["ts"]), 0) > since]
                    present = {m["ts"] for m in self._messages[channel]}
                    result["removed"] = [
                        ts for (where, ts), changed in feed.message_versions.items()
                        if where == channel and changed > since and ts not in present
                    ]
                result["messages"] = [
                    # a thread reply among them is one shown in the channel too
                    {**self._for_page(m), "broadcast": True} if not _is_top_level(m)
                    else self._for_page(m)
                    for m in top
                ]
            if channel is not None and thread_ts is not None:
                parent = self._find_message(channel, thread_ts)
                result["thread"] = None if parent is None else {
                    "channel": channel,
                    "parent": self._for_page(parent),
                    "replies": [
                        self._for_page(m) for m in self._messages[channel]
                        if m.get("thread_ts") == thread_ts and m["ts"] != thread_ts
                    ],
                }
            result["ephemerals"] = [
                {**copy.deepcopy(e), "posted_at": feed.posted_at.get(e["message_ts"])}
                for e in self._ephemerals
                if e["user"] == viewer and e["message_ts"] not in feed.dismissed
            ]
            result["modal"] = self.open_view_for(viewer)
            home = self._home_views.get(viewer)
            result["home"] = copy.deepcopy(home) if home else None
            result["channels"] = {
                channel_id: {
                    "messages": sum(1 for m in messages if _is_top_level(m)),
                    "version": feed.channel_versions.get(channel_id, 0),
                }
                for channel_id, messages in self._messages.items()
            }
            return result

    def open_view_for(self, user: str) -> dict[str, Any] | None:
        """The modal on top of ``user``'s screen: the newest of theirs not closed."""
        with self._lock:
            closed = self._feed.closed_views
            for view in reversed(self._views.values()):
                if view["user"] == user and view["id"] not in closed:
                    return self._public_view(view)
            return None

    def close_view(self, view_id: str, *, whole_stack: bool = False) -> None:
        """The person closed a modal (or a submission closed it); ``whole_stack`` closes
        every view pushed on the same root, as ``response_action: clear`` does."""
        with self._lock:
            view = self._views.get(view_id)
            if view is None:
                return
            closing = {view_id}
            if whole_stack:
                closing |= {v["id"] for v in self._views.values()
                            if v["root_view_id"] == view["root_view_id"]}
            self._feed.closed_views |= closing
            self.touch()

    def replace_view(self, view_id: str, view: dict[str, Any]) -> list[str]:
        """``response_action: update``: the modal shows ``view`` instead. Returns Slack's
        error messages when the view would be rejected (the modal then stays as it was)."""
        with self._lock:
            try:
                self._methods["views.update"]({"view_id": view_id, "view": view})
            except _ApiError as error:
                return list(error.body.get("response_metadata", {}).get("messages", [])) or [
                    error.body["error"]
                ]
            return []

    def push_view(self, user: str, view: dict[str, Any]) -> list[str]:
        """``response_action: push``: ``view`` goes on top of ``user``'s modal."""
        with self._lock:
            try:
                self._methods["views.push"]({"trigger_id": new_trigger_id(user), "view": view})
            except _ApiError as error:
                return list(error.body.get("response_metadata", {}).get("messages", [])) or [
                    error.body["error"]
                ]
            return []

    def show_ephemeral(self, channel: str, user: str, text: str | None,
                       blocks: Any = None) -> str | None:
        """An answer the app gave in its HTTP response (a slash command's ack with text), which
        Slack shows only to ``user``; returns Slack's error, if it would refuse it."""
        params: dict[str, Any] = {"channel": channel, "user": user, "text": text or ""}
        if blocks is not None:
            params["blocks"] = blocks
        with self._lock:
            try:
                self._methods["chat.postEphemeral"](params)
            except _ApiError as error:
                return str(error.body["error"])
            return None

    def dismiss_ephemeral(self, user: str, message_ts: str) -> None:
        with self._lock:
            if any(e["user"] == user and e["message_ts"] == message_ts for e in self._ephemerals):
                self._feed.dismissed.add(message_ts)
                self.touch()

    def open_dm(self, user: str) -> str:
        """The direct-message channel between ``user`` and the app (opened if need be)."""
        with self._lock:
            return self._methods["conversations.open"]({"users": user})["channel"]["id"]

    def ephemeral(self, user: str, message_ts: str) -> dict[str, Any] | None:
        with self._lock:
            found = next((e for e in self._ephemerals
                          if e["user"] == user and e["message_ts"] == message_ts), None)
            return copy.deepcopy(found)

    # ---- keeping the local workspace across restarts -----------------------------------------

    def export_workspace(self) -> dict[str, Any]:
        """The workspace's lasting state (channels, people, messages, App Home views, message
        times) as JSON-ready data; modals and ephemerals are not kept, as in Slack."""
        with self._lock:
            feed = getattr(self, "_feed", None)
            return copy.deepcopy({
                "channels": self.channels,
                "users": self.users,
                "messages": self._messages,
                "home_views": self._home_views,
                "posted_at": feed.posted_at if feed else {},
                "broadcasts": sorted(feed.broadcasts) if feed else [],
            })

    def import_workspace(self, data: dict[str, Any]) -> None:
        """Restore what `export_workspace` gave; new ts and view ids continue after it."""
        with self._lock:
            self.channels.update(copy.deepcopy(data.get("channels") or {}))
            self.users.update(copy.deepcopy(data.get("users") or {}))
            for channel_id, messages in (data.get("messages") or {}).items():
                self._messages[channel_id] = copy.deepcopy(messages)
            self._home_views.update(copy.deepcopy(data.get("home_views") or {}))
            feed = getattr(self, "_feed", None)
            if feed is not None:
                feed.posted_at.update(data.get("posted_at") or {})
                feed.broadcasts |= {(c, ts) for c, ts in data.get("broadcasts") or []}
                feed.version += 1
            stamps = [int(Decimal(m["ts"]) * 1_000_000)
                      for messages in self._messages.values() for m in messages]
            self._last_ts_micros = max([self._last_ts_micros, *stamps])
            view_numbers = [int(v["id"][1:]) for v in self._home_views.values()
                            if str(v.get("id", ""))[1:].isdigit()]
            self._view_counter = itertools.count(max(view_numbers, default=0) + 1)


_WATCHED_METHODS = (
    "chat.postMessage", "chat.update", "chat.delete", "chat.postEphemeral",
    "conversations.open", "conversations.join",
    "views.open", "views.push", "views.update", "views.publish",
    "files.completeUploadExternal",
)


@dataclass
class _Feed:
    """The local workspace's bookkeeping in a `SlackTwin` (see `SlackTwin.watch_changes`)."""

    condition: threading.Condition
    clock: Callable[[], float]
    version: int = 0
    message_versions: dict[tuple[str, str], int] = field(default_factory=dict)
    channel_versions: dict[str, int] = field(default_factory=dict)
    posted_at: dict[str, float] = field(default_factory=dict)
    closed_views: set[str] = field(default_factory=set)
    dismissed: set[str] = field(default_factory=set)
    broadcasts: set[tuple[str, str]] = field(default_factory=set)  # (channel, ts)


# --------------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------------


class _SlackTwinServer(ThreadingHTTPServer):
    """ThreadingHTTPServer bound to 127.0.0.1:0 that hands requests to its `SlackTwin`."""

    block_on_close = False  # don't wait for requests sleeping on an injected delay

    def __init__(self, fake: SlackTwin) -> None:
        super().__init__(("127.0.0.1", 0), _RequestHandler)
        self.fake = fake


class _RequestHandler(BaseHTTPRequestHandler):
    """Reads a GET or POST, lets the fake answer it, writes the answer back."""

    server: _SlackTwinServer

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        answer = self.server.fake._handle(url.path, url.query, dict(self.headers.items()), body)
        payload, content_type = answer.encode()
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except ConnectionError:
            pass  # the client gave up (e.g. timed out during an injected delay)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet (the calls are recorded in `SlackTwin.calls`)."""
