"""How one bot process talks to the world: the threaded HTTP server and the Socket Mode
connection, each started and stopped through its library's public API."""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from cheroot import wsgi
from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.backoff import Backoff

logger = logging.getLogger("reviewdesk")

# Threads serving HTTP: a burst of up to this many requests each has a thread at once. A click
# is acked on its request thread, but a modal's submission waits there for its listener's ack,
# which may come after the database (a reply's submission reads and writes before answering):
# with 8 threads, eight submissions waiting on a locked database could hold every click back.
# Threads do not make a burst's acks faster on a small machine: measured in bench/ (2 shared
# cores; 10, 20 and 50 signed clicks at once, four runs), 8, 16, 32 and 64 threads gave the
# same ack p50/p99 within the machine's noise, as the clicks' work is CPU under one GIL (about
# 35 ms a click with its listener's work, against 2 ms for a bare Bolt app). An idle thread
# costs its stack and nothing else.
HTTP_THREADS = 64
LISTEN_BACKLOG = 128
# How often the server's loop looks up from waiting: the longest `stop()` waits for it.
STOP_CHECK_SECONDS = 0.05


class InFlight:
    """Counts work under way (requests being served, listeners running after their ack), so a
    test can wait until the bot is idle rather than sleep."""

    def __init__(self) -> None:
        self._count = 0
        self._lock = threading.Lock()

    def enter(self) -> None:
        with self._lock:
            self._count += 1

    def leave(self) -> None:
        with self._lock:
            self._count -= 1

    @contextmanager
    def track(self) -> Iterator[None]:
        self.enter()
        try:
            yield
        finally:
            self.leave()

    @property
    def busy(self) -> bool:
        with self._lock:
            return self._count > 0

    def wsgi(self, app):
        """WSGI middleware counting each request until its answer is produced."""

        def middleware(environ, start_response):
            with self.track():
                return app(environ, start_response)

        return middleware


# Bolt waits for a listener to call ack() on a worker of this pool; a listener acks first and
# then works, which may wait on the database (a click for at most Database.interactive_budget).
# The pool starts a thread whenever none is idle, up to this many, so a click never waits for a
# worker to ack it while others wait on a locked database.
LISTENER_THREADS = 64


class ListenerExecutor(ThreadPoolExecutor):
    """Bolt's listener pool, counting what runs. It grows while every worker is busy (see
    LISTENER_THREADS): sized to the HTTP server's threads, five clicks waiting on a locked
    database kept the sixth from being acked within Slack's 3 seconds."""

    def __init__(self, in_flight: InFlight, max_workers: int = LISTENER_THREADS):
        super().__init__(max_workers=max_workers, thread_name_prefix="listener")
        self.in_flight = in_flight

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        self.in_flight.enter()

        def run() -> Any:
            try:
                return fn(*args, **kwargs)
            finally:
                self.in_flight.leave()

        try:
            return super().submit(run)
        except BaseException:
            self.in_flight.leave()
            raise


def freeze_start_up_objects() -> None:
    """Move what start-up made (modules, the ORM's metadata, templates, about 115,000 objects)
    out of the garbage collector's sight, as CPython's `gc.freeze` is meant for: otherwise each
    full collection walks them all, about 66 ms on this machine, and the click being acked
    waits for it. Measured in bench/ (10 clicks at once): ack p99 131–156 ms before, 38–40 ms
    after, against 25–35 ms for the bare Bolt app. Objects made later are collected as ever."""
    gc.collect()
    gc.freeze()


# A body over the app's limit is still read (up to this much) before the app answers 413, so
# the client gets the answer instead of a reset connection; anything bigger is cut off.
DRAIN_LIMIT_BYTES = 32 * 1024 * 1024


def _reading_oversized_bodies(app, limit: int):
    """WSGI middleware: read an oversized body before the app refuses it."""

    def middleware(environ, start_response):
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit < length <= DRAIN_LIMIT_BYTES:
            stream = environ["wsgi.input"]
            remaining = length
            while remaining > 0:
                chunk = stream.read(min(remaining, 1 << 16))
                if not chunk:
                    break
                remaining -= len(chunk)
        return app(environ, start_response)

    return middleware


class HttpServer:
    """cheroot's threaded WSGI server in a thread of its own (simultaneous clicks run side by
    side). cheroot rather than waitress: waitress has no public way to stop a server from
    another thread."""

    def __init__(self, app, *, host: str, port: int, threads: int = HTTP_THREADS,
                 max_body: int | None = None):
        if max_body is not None:
            app = _reading_oversized_bodies(app, max_body)
        # The listen backlog: with cheroot's default (5), a burst of clicks overflows it while
        # the workers are busy and the kernel drops the connections, which the client retries
        # a second later (a 1 s ack, measured in bench/).
        self._server = wsgi.Server((host, port), app, numthreads=threads,
                                   server_name="reviewdesk", request_queue_size=LISTEN_BACKLOG)
        self._server.expiration_interval = STOP_CHECK_SECONDS
        self._thread: threading.Thread | None = None

    def start(self) -> int:
        """Bind, serve in the background, and return the port bound."""
        self._server.prepare()
        self._thread = threading.Thread(target=self._server.serve, name="http", daemon=True)
        self._thread.start()
        return self.port

    @property
    def port(self) -> int:
        return self._server.bind_addr[1]

    def stop(self) -> None:
        self._server.stop()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None


CLOSE_TIMEOUT_SECONDS = 10  # how long stopping waits for slack_sdk's Socket Mode client to close


class SocketModeConnection:
    """Connects to Slack over Socket Mode in the background, retrying while Slack is
    unreachable; once it has had a session, slack_sdk's client reconnects by itself."""

    def __init__(self, handler: SocketModeHandler, *, connect_timeout: float):
        self.handler = handler
        self.connect_timeout = connect_timeout
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._connect, name="socket-mode", daemon=True)
        self._thread.start()

    def _connect(self) -> None:
        backoff = Backoff(first=1.0, cap=60.0, jitter=0.0)
        failures = 0
        while not self._stopping.is_set():
            try:
                self.handler.connect()
            except Exception as error:  # any failure to connect is retried, never fatal
                failures += 1
                delay = backoff.delay(failures)
                logger.warning("Socket Mode connection failed (%s); retrying in %.0fs",
                               type(error).__name__, delay)
                self._stopping.wait(delay)
                continue
            logger.info("connected to Slack over Socket Mode")
            return

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:  # let a connect() under way finish, then close
            self._thread.join(self.connect_timeout + 5)
            self._thread = None
        # slack_sdk's close joins its session thread with no time limit, and that thread can
        # stay in a read of a half-closed socket: a stop (SIGTERM) waits at most this long.
        closing = threading.Thread(target=self.handler.close, name="socket-mode-close",
                                   daemon=True)
        closing.start()
        closing.join(CLOSE_TIMEOUT_SECONDS)
        if closing.is_alive():
            logger.warning("Socket Mode did not close within %ss; stopping without it",
                           CLOSE_TIMEOUT_SECONDS)
