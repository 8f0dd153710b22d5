"""`FakeApi`: the JSON-over-HTTP scaffold the fake Google, Facebook and Yelp APIs share (a
server on 127.0.0.1 with routes, recorded calls, injected failures and injected silences), and
helpers for them. Standard library only."""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

# The repo's own copy of the sample payloads (samples/README.md says where they come from).
SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def sample(name: str) -> Any:
    """A sample file of the repo's samples/, parsed."""
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


# ---- the scaffold ----------------------------------------------------------------------------


@dataclass
class Request:
    """One request a fake received; `route` is the name of the route that answered it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    form: dict[str, str]
    route: str = ""
    json: Any = None  # the parsed body, when it was sent as JSON


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Failure:
    route: str
    status: int
    retry_after: int | None
    remaining: int
    skip: int  # requests to let through first


@dataclass
class _Hang:
    route: str
    remaining: int
    handle_first: bool  # the request takes effect; only its answer is lost


Handler = Callable[[Request, re.Match[str]], Answer]


def encode_offset(offset: int) -> str:
    """An opaque page token / cursor, as APIs hand out."""
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def decode_offset(token: str | None) -> int | None:
    """The offset in a token from `encode_offset` (0 for none); None for a token it never made."""
    if not token:
        return 0
    try:
        return int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("offset:"))
    except ValueError:
        return None


class FakeApi:
    """Serves the routes a subclass lists on 127.0.0.1 (a free port) in a daemon thread and
    records every request. `fail()` queues injected failures per route name."""

    def __init__(self) -> None:
        self.calls: list[Request] = []
        self._failures: list[_Failure] = []
        self._hangs: list[_Hang] = []
        self._released = threading.Event()
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- for subclasses ---------------------------------------------------------------

    def routes(self) -> list[tuple[str, str, str, Handler]]:
        """(route name, HTTP method, path regex, handler), tried in order."""
        raise NotImplementedError

    def error_body(self, status: int, message: str) -> Any:
        """The provider's error JSON for `status`."""
        raise NotImplementedError

    # ---- lifecycle --------------------------------------------------------------------

    def start(self) -> FakeApi:
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def do_PUT(self) -> None:
                self._serve("PUT")

            def do_DELETE(self) -> None:
                self._serve("DELETE")

            def _serve(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                answer = fake._handle(method, self.path, dict(self.headers.items()), body)
                payload = json.dumps(answer.body).encode()
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", "application/json; charset=UTF-8")
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client gave up waiting (a hang): nobody reads the answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name=type(self).__name__, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._released.set()
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> FakeApi:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:<port>/, with the trailing slash."""
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not running; call start() first")
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    # ---- failures and records ---------------------------------------------------------

    def fail(self, route: str = "*", *, status: int, retry_after: int | None = None,
             times: int = 1, after: int = 0) -> None:
        """Answer `times` requests to `route` ("*": any), after letting `after` through, with
        `status` and the provider's error body (and Retry-After, when given)."""
        with self._lock:
            self._failures.append(_Failure(route, status, retry_after, times, after))

    def hang(self, route: str, *, times: int = 1, handle_first: bool = True) -> None:
        """The next `times` requests to `route` get no answer until release() or stop(), so the
        client times out. With `handle_first` each still takes effect (a reply is saved and
        only the answer is lost): the unknown outcome a client must look up."""
        with self._lock:
            self._released.clear()
            self._hangs.append(_Hang(route, times, handle_first))

    def release(self) -> None:
        """Let every hung request answer (to a client that has stopped listening)."""
        self._released.set()

    def calls_to(self, route: str) -> list[Request]:
        with self._lock:
            return [call for call in self.calls if call.route == route]

    def _take_failure(self, route: str) -> Answer | None:
        with self._lock:
            for failure in self._failures:
                if failure.route in ("*", route) and failure.skip:
                    failure.skip -= 1
                    return None
                if failure.route in ("*", route):
                    failure.remaining -= 1
                    if failure.remaining <= 0:
                        self._failures.remove(failure)
                    headers = ({"Retry-After": str(failure.retry_after)}
                               if failure.retry_after is not None else {})
                    return Answer(failure.status, self.error_body(failure.status, "injected"),
                                  headers)
        return None

    def _take_hang(self, route: str) -> _Hang | None:
        with self._lock:
            for hang in self._hangs:
                if hang.route in ("*", route):
                    hang.remaining -= 1
                    if hang.remaining <= 0:
                        self._hangs.remove(hang)
                    return hang
        return None

    def _handle(self, method: str, raw_path: str, headers: dict[str, str],
                body: bytes) -> Answer:
        parts = urlsplit(raw_path)
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        parsed: Any = None
        form: dict[str, str] = {}
        if body and "json" in content_type:
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
        elif body:
            form = dict(parse_qsl(body.decode()))
        request = Request(method, parts.path, dict(parse_qsl(parts.query)), headers, form,
                          json=parsed)
        for name, verb, pattern, handler in self.routes():
            match = re.fullmatch(pattern, parts.path)
            if match is None or verb != method:
                continue
            request.route = name
            hang = self._take_hang(name)
            with self._lock:
                self.calls.append(request)
                answer = None
                if hang is None or hang.handle_first:
                    answer = self._take_failure(name) or handler(request, match)
            if hang is not None:
                self._released.wait(timeout=30)
                return answer or Answer(504, self.error_body(504, "hung"))
            return answer
        return Answer(404, self.error_body(404, f"no route for {method} {parts.path}"))


def bearer(request: Request) -> str | None:
    """The token of an "Authorization: Bearer …" header (header names are case-insensitive)."""
    for name, value in request.headers.items():
        if name.lower() == "authorization" and value.startswith("Bearer "):
            return value.removeprefix("Bearer ")
    return None
