"""The Slack twin's Socket Mode endpoint: a minimal WebSocket server on 127.0.0.1.

`TwinSocketMode` speaks just enough RFC 6455 (the framing is `twin.websocket`) for slack_sdk's
builtin ``SocketModeClient`` (which Bolt's ``SocketModeHandler`` uses): the opening handshake,
unmasked server→client text frames, masked client→server text/ping/pong/close frames (pings are
answered with pongs, a close with a close; pongs need no answer) and payloads of any length (7-,
16- and 64-bit length fields).  Like Slack's servers it also pings every connection now and
then.

Like Slack it greets every new connection with a ``hello`` message, pushes envelopes
(`send_envelope`) that the app must ack with ``{"envelope_id": ..., "payload"?: ...}``
(`wait_ack`), and can ask the app to reconnect (`disconnect_all`).  A URL from `url` carries a
one-time ticket, as the URLs from ``apps.connections.open`` do.  Standard library only.

Usually reached through ``SlackTwin(socket_mode=True)``, whose ``apps.connections.open``
answers with `url`; see `twin.webapi`.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import uuid
from typing import Any, BinaryIO
from urllib.parse import parse_qs, urlsplit

from twin.queries import WAIT
from twin.websocket import (
    CloseCode,
    Opcode,
    ProtocolError,
    accept_key,
    close_payload,
    encode_frame,
    read_client_frame,
)

ENVELOPE_TYPES = frozenset({"interactive", "slash_commands", "events_api"})

_MAX_HANDSHAKE_LINES = 100


class _Connection:
    """One accepted client socket: its handshake, its reader thread and a locked sender."""

    def __init__(self, server: TwinSocketMode, sock: socket.socket) -> None:
        self.server = server
        self.sock = sock
        self.stream: BinaryIO = sock.makefile("rb")
        self._send_lock = threading.Lock()
        self.closing = False  # set once a close frame went out: nothing may follow it
        self.thread = threading.Thread(target=self._run, name="fake-socket-mode-conn", daemon=True)

    def send(self, opcode: Opcode, payload: bytes) -> None:
        """Send one frame; dropped if a close frame was sent already."""
        with self._send_lock:
            if not self.closing:
                self.sock.sendall(encode_frame(opcode, payload))

    def send_json(self, message: dict[str, Any]) -> None:
        self.send(Opcode.TEXT, json.dumps(message).encode())

    def send_close(self, payload: bytes) -> None:
        """Send a close frame unless one was sent already; nothing may follow it."""
        with self._send_lock:
            if self.closing:
                return
            self.closing = True
            self.sock.sendall(encode_frame(Opcode.CLOSE, payload))

    def shutdown(self) -> None:
        """Drop the TCP connection (wakes the reader thread)."""
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)

    def _run(self) -> None:
        try:
            if self._handshake():
                self.server._opened(self)
                self._read_frames()
        except (EOFError, OSError):
            pass  # the client went away, or stop() dropped the connection
        finally:
            self.server._closed(self)
            with contextlib.suppress(OSError):
                self.stream.close()
                self.sock.close()

    def _handshake(self) -> bool:
        """Answer the client's upgrade request: 101 and True, or an HTTP error and False."""
        request_line = self.stream.readline().decode("latin-1").strip()
        headers: dict[str, str] = {}
        for _ in range(_MAX_HANDSHAKE_LINES):
            line = self.stream.readline().decode("latin-1").strip()
            if not line:
                break
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        method, _, rest = request_line.partition(" ")
        target = rest.rpartition(" ")[0]
        url = urlsplit(target)
        tickets = parse_qs(url.query).get("ticket", [])
        key = headers.get("sec-websocket-key", "")
        if (
            method != "GET"
            or headers.get("upgrade", "").lower() != "websocket"
            or "upgrade" not in headers.get("connection", "").lower()
            or headers.get("sec-websocket-version") != "13"
            or not key
        ):
            self._refuse("400 Bad Request")
            return False
        if url.path != "/link/" or len(tickets) != 1 or not self.server._redeem(tickets[0]):
            self._refuse("401 Unauthorized")
            return False
        response = (
            "HTTP/1.1 101 Switching Protocols\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            f"Sec-WebSocket-Accept: {accept_key(key)}\r\n"
            "\r\n"
        )
        with self._send_lock:
            self.sock.sendall(response.encode())
        return True

    def _refuse(self, status: str) -> None:
        body = status.encode()
        head = f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        self.sock.sendall(head.encode() + body)

    def _read_frames(self) -> None:
        """Handle client frames until the connection closes."""
        while True:
            try:
                opcode, payload = read_client_frame(self.stream)
            except ProtocolError as error:
                self.send_close(close_payload(error.code, error.reason))
                return
            if opcode == Opcode.TEXT:
                self.server._received_text(payload.decode())
            elif opcode == Opcode.PING:
                with contextlib.suppress(OSError):
                    self.send(Opcode.PONG, payload)
            elif opcode == Opcode.CLOSE:
                # Echo the client's status code (if any), as RFC 6455 §5.5.1 asks, then hang up.
                self.send_close(payload[:2])
                return


class TwinSocketMode:
    """A fake Socket Mode WebSocket endpoint (see the module docstring).

    `start` it, give the app a `url` (``SlackTwin(socket_mode=True)`` does that through
    ``apps.connections.open``), `wait_connected`, then `send_envelope` and `wait_ack`.
    """

    def __init__(self, *, app_id: str = "A0001", ping_interval: float = 0.2) -> None:
        self.app_id = app_id
        self.ping_interval = ping_interval
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._listener: socket.socket | None = None
        self._accept_thread: threading.Thread | None = None
        self._ping_thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._all: list[_Connection] = []
        self._open: list[_Connection] = []
        self._tickets: set[str] = set()
        self._acks: dict[str, dict[str, Any]] = {}

    # ---- lifecycle ------------------------------------------------------------------------

    def start(self) -> TwinSocketMode:
        """Listen on 127.0.0.1 on a free port and accept connections in a daemon thread."""
        if self._listener is not None:
            raise RuntimeError("TwinSocketMode is already running")
        self._stopping.clear()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)  # so the accept loop notices stop()
        self._accept_thread = threading.Thread(
            target=self._accept_loop, args=(self._listener,), name="fake-socket-mode", daemon=True
        )
        self._accept_thread.start()
        self._ping_thread = threading.Thread(
            target=self._ping_loop, name="fake-socket-mode-ping", daemon=True
        )
        self._ping_thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and drop every connection (without a close frame)."""
        if self._listener is None:
            return
        self._stopping.set()
        for thread in (self._accept_thread, self._ping_thread):
            if thread is not None:
                thread.join()
        self._listener.close()
        with self._lock:
            connections = list(self._all)
        for connection in connections:
            connection.shutdown()
        for connection in connections:
            connection.thread.join(timeout=5)
        self._listener = self._accept_thread = self._ping_thread = None

    @property
    def url(self) -> str:
        """A new ``ws://127.0.0.1:PORT/link/?ticket=...`` URL; each ticket works only once."""
        if self._listener is None:
            raise RuntimeError("TwinSocketMode is not running; call start() first")
        ticket = str(uuid.uuid4())
        with self._lock:
            self._tickets.add(ticket)
        return f"ws://127.0.0.1:{self._listener.getsockname()[1]}/link/?ticket={ticket}"

    # ---- driving the app ------------------------------------------------------------------

    @property
    def connections(self) -> int:
        """How many connections are open (handshake done, and no close sent or received)."""
        with self._lock:
            return len(self._open)

    def wait_connected(self, timeout: float = WAIT) -> None:
        """Wait until at least one connection is open (it has been sent its ``hello``)."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._open, timeout):
                raise AssertionError(f"no Socket Mode connection within {timeout}s")

    def send_envelope(
        self,
        type: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool = False,
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> str:
        """Push an envelope to the newest open connection, as Slack does; return its id.

        ``type`` is ``"interactive"`` (``payload`` is the interactivity payload, e.g. a
        block_actions one), ``"slash_commands"`` (the command's fields as a dict) or
        ``"events_api"`` (the event callback).  Like Slack, only events_api envelopes carry
        ``retry_attempt``/``retry_reason``.
        """
        if type not in ENVELOPE_TYPES:
            raise ValueError(f"unknown envelope type {type!r}; use one of {sorted(ENVELOPE_TYPES)}")
        with self._lock:
            if not self._open:
                raise RuntimeError("no open Socket Mode connection; call wait_connected() first")
            connection = self._open[-1]
        envelope_id = str(uuid.uuid4())
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "payload": payload,
            "type": type,
            "accepts_response_payload": accepts_response_payload,
        }
        if type == "events_api":
            envelope.update(retry_attempt=retry_attempt, retry_reason=retry_reason)
        connection.send_json(envelope)
        return envelope_id

    def wait_ack(self, envelope_id: str, timeout: float = WAIT) -> dict[str, Any]:
        """Wait for the app's ack of ``envelope_id`` and return it (its first, if several).

        The ack is the client's message as sent: ``{"envelope_id": ...}`` plus ``"payload"``
        when the app acked with a response.
        """
        with self._changed:
            if not self._changed.wait_for(lambda: envelope_id in self._acks, timeout):
                raise AssertionError(f"envelope {envelope_id} not acked within {timeout}s")
            return self._acks[envelope_id]

    def disconnect_all(self) -> None:
        """Ask every connection to reconnect, as Slack does before it recycles a server.

        Sends ``{"type": "disconnect", "reason": "refresh_requested"}`` then a close frame.
        The connections stop counting as open at once; a well-behaved client opens a new one
        (after a new ``apps.connections.open``).  Acks still arriving on the old ones count.
        """
        with self._lock:
            connections, self._open = self._open, []
        message = {
            "type": "disconnect",
            "reason": "refresh_requested",
            "debug_info": {"host": "applink-fake"},
        }
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.send_json(message)
                connection.send_close(close_payload(CloseCode.GOING_AWAY, "refresh_requested"))

    # ---- called by connections ------------------------------------------------------------

    def _accept_loop(self, listener: socket.socket) -> None:
        while not self._stopping.is_set():
            try:
                sock, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            sock.settimeout(None)
            connection = _Connection(self, sock)
            with self._lock:
                self._all.append(connection)
            connection.thread.start()

    def _ping_loop(self) -> None:
        """Ping every open connection each ``ping_interval`` seconds, as Slack's servers do.

        Besides being realistic this keeps the builtin client's receive loop lively: it holds
        a lock while blocked in ``recv`` (up to 3 s), which ``close()`` has to wait for.
        """
        while not self._stopping.wait(self.ping_interval):
            with self._lock:
                connections = list(self._open)
            for connection in connections:
                with contextlib.suppress(OSError):
                    connection.send(Opcode.PING, b"fake-socket-mode")

    def _redeem(self, ticket: str) -> bool:
        """Use up a ticket minted by `url`; False if it is unknown or already used."""
        with self._lock:
            if ticket not in self._tickets:
                return False
            self._tickets.remove(ticket)
            return True

    def _opened(self, connection: _Connection) -> None:
        """Greet a connection that completed its handshake and count it as open."""
        with self._changed:
            num_connections = len(self._open) + 1
        connection.send_json(
            {
                "type": "hello",
                "num_connections": num_connections,
                "debug_info": {
                    "host": "applink-fake",
                    "build_number": 1,
                    "approximate_connection_time": 18060,
                },
                "connection_info": {"app_id": self.app_id},
            }
        )
        with self._changed:
            self._open.append(connection)
            self._changed.notify_all()

    def _closed(self, connection: _Connection) -> None:
        with self._changed:
            if connection in self._open:
                self._open.remove(connection)
            if connection in self._all:
                self._all.remove(connection)
            self._changed.notify_all()

    def _received_text(self, text: str) -> None:
        """Record an ack; other text (the builtin client sends none) is ignored."""
        try:
            message = json.loads(text)
        except json.JSONDecodeError:
            return
        if isinstance(message, dict) and isinstance(message.get("envelope_id"), str):
            with self._changed:
                self._acks.setdefault(message["envelope_id"], message)
                self._changed.notify_all()
