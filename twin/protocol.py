"""The twin's wire: requests parsed into one dict of parameters, answers in Slack's shapes, and
the HTTP server that carries them (`twin.webapi.SlackTwin` decides what to answer)."""

from __future__ import annotations

import base64
import contextlib
import http
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

from twin import rules

T = TypeVar("T")

_JSON_ENCODED_PARAMS = ("blocks", "attachments", "metadata", "view")


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


class ApiError(Exception):
    """Raised by a method implementation to answer ``{"ok": false, "error": ...}``."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.body = {"ok": False, "error": error, **extra}

    @classmethod
    def rejected(cls, outcome: rules.Outcome) -> ApiError:
        """The rejection `twin.rules` decided, in Slack's shape."""
        body = outcome.response()
        return cls(body.pop("error"), **{k: v for k, v in body.items() if k != "ok"})


@dataclass(frozen=True)
class Answer:
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


def error_page(status: int) -> Answer:
    return Answer(status, None)


Handler = Callable[[str, str, dict[str, str], bytes], Answer]
"""What the server calls with (path, query string, headers, body) to get a request's answer."""


# --------------------------------------------------------------------------------------------
# Request parsing helpers
# --------------------------------------------------------------------------------------------


def parse_params(query: str, content_type: str, body: bytes) -> dict[str, Any]:
    """Merge query-string and body parameters (JSON or urlencoded form) into one dict."""
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    if body:
        text = body.decode("utf-8")
        if content_type.split(";")[0].strip().lower() == "application/json":
            try:
                decoded = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ApiError("invalid_json") from exc
            if not isinstance(decoded, dict):
                raise ApiError("invalid_json")
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


def truthy(value: Any) -> bool:
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
        raise ApiError(f"invalid_ts_{name}") from exc


def ts_range(params: dict[str, Any]) -> Callable[[dict[str, Any]], bool]:
    """Whether a message falls within a history request's ``oldest``/``latest`` (exclusive
    unless ``inclusive``)."""
    oldest = _ts_bound(params, "oldest", Decimal(0))
    latest = _ts_bound(params, "latest", Decimal("Infinity"))
    inclusive = truthy(params.get("inclusive"))

    def in_range(message: dict[str, Any]) -> bool:
        ts = Decimal(message["ts"])
        if inclusive:
            return oldest <= ts <= latest
        return oldest < ts < latest

    return in_range


def paginate(items: list[T], params: dict[str, Any],
              max_limit: int | None = None) -> tuple[list[T], str]:
    """Apply ``limit``/``cursor`` (an opaque offset cursor); return (page, next_cursor)."""
    try:
        limit = int(params.get("limit") or max_limit or 100)
    except ValueError as exc:
        raise ApiError("invalid_limit") from exc
    if max_limit is not None:
        limit = min(limit, max_limit)
    offset = 0
    if params.get("cursor"):
        try:
            offset = int(base64.b64decode(params["cursor"]).decode().removeprefix("offset:"))
        except ValueError as exc:
            raise ApiError("invalid_cursor") from exc
    end = offset + max(limit, 1)
    next_cursor = base64.b64encode(f"offset:{end}".encode()).decode() if end < len(items) else ""
    return items[offset:end], next_cursor


# --------------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------------


class TwinServer(ThreadingHTTPServer):
    """ThreadingHTTPServer bound to 127.0.0.1:0 that hands each request to ``handle``
    (`SlackTwin._handle`)."""

    block_on_close = False  # don't wait for requests sleeping on an injected delay

    def __init__(self, handle: Handler) -> None:
        super().__init__(("127.0.0.1", 0), _RequestHandler)
        self.handle = handle


class _RequestHandler(BaseHTTPRequestHandler):
    """Reads a GET or POST, lets the fake answer it, writes the answer back."""

    server: TwinServer

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        answer = self.server.handle(url.path, url.query, dict(self.headers.items()), body)
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
