"""Tests of the fake Socket Mode endpoint (twin/socket_mode.py).

A real Bolt app connects through slack_sdk's builtin Socket Mode client (Bolt's
``SocketModeHandler``) to ``SlackTwin(socket_mode=True)``, and the tests push envelopes to it
the way Slack does.  A few raw-socket tests cover the handshake and frames the builtin client
never sends (a close frame, an unmasked frame, a reused ticket).
"""

from __future__ import annotations

import json
import socket
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from slack_bolt import Ack, App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.socket_mode.builtin.internals import _build_data_frame_for_sending

from twin.interactions import (
    block_actions_payload,
    button_action,
    find_button,
    slash_command_form,
)
from twin.webapi import APP_ID, C_TRIAGE, U_MARIA, SlackTwin
from twin.websocket import Opcode

# RFC 6455 §1.3's example: this Sec-WebSocket-Key must be answered with this Accept value.
SAMPLE_KEY = "dGhlIHNhbXBsZSBub25jZQ=="
SAMPLE_ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

BUTTON_BLOCKS = [
    {
        "type": "actions",
        "block_id": "greeting",
        "elements": [
            {
                "type": "button",
                "action_id": "hello_button",
                "text": {"type": "plain_text", "text": "Say hello"},
                "value": "hello-1",
            }
        ],
    }
]


@dataclass
class SocketApp:
    """A Bolt app connected over Socket Mode to the fake, and what its listeners saw."""

    fake: SlackTwin
    client: WebClient
    handler: SocketModeHandler
    received: list[dict[str, Any]] = field(default_factory=list)
    """Every WebSocket message the Socket Mode client received (hello, envelopes...)."""
    actions: list[dict[str, Any]] = field(default_factory=list)
    mentions: list[dict[str, str]] = field(default_factory=list)
    """The retry headers Bolt derived from each app_mention envelope."""


@pytest.fixture
def fake() -> Iterator[SlackTwin]:
    with SlackTwin(socket_mode=True) as slack:
        yield slack


@pytest.fixture
def socket_app(fake: SlackTwin) -> Iterator[SocketApp]:
    """A tiny Bolt app (one action, one command, one event) connected over Socket Mode."""
    client = WebClient(token=fake.bot_token, base_url=fake.base_url)
    # Bolt's default authorization calls auth.test on the fake for the first request.
    app = App(signing_secret="unused", client=client, token_verification_enabled=False)
    # Without web_client=, the handler calls apps.connections.open through app.client.
    handler = SocketModeHandler(app, fake.app_token)
    bundle = SocketApp(fake=fake, client=client, handler=handler)

    @app.action("hello_button")
    def hello_button(ack: Ack, action: dict[str, Any]) -> None:
        ack()
        bundle.actions.append(action)

    @app.command("/hello")
    def hello_command(ack: Ack, command: dict[str, Any]) -> None:
        ack(f"Hello, {command['text']}")

    @app.event("app_mention")
    def mention(ack: Ack, request: BoltRequest) -> None:
        ack()
        retry_headers = {k: v[0] for k, v in request.headers.items() if k.startswith("x-slack")}
        bundle.mentions.append(retry_headers)

    handler.client.on_message_listeners.append(lambda raw: bundle.received.append(json.loads(raw)))
    handler.connect()
    fake.socket_mode.wait_connected()
    try:
        yield bundle
    finally:
        handler.close()  # before the fake stops, or the client would try to reconnect


def _click_hello(socket_app: SocketApp) -> str:
    """Post a message with the hello button, click it over Socket Mode; return envelope id."""
    posted = socket_app.client.chat_postMessage(channel=C_TRIAGE, text="hi", blocks=BUTTON_BLOCKS)
    message = socket_app.fake.message(C_TRIAGE, posted["ts"])
    block, element = find_button(message["blocks"], "hello_button")
    payload = block_actions_payload(
        user_id=U_MARIA,
        action=button_action(block, element),
        channel_id=C_TRIAGE,
        message=message,
    )
    return socket_app.fake.socket_mode.send_envelope("interactive", payload)


# --------------------------------------------------------------------------------------------
# With the real client
# --------------------------------------------------------------------------------------------


def test_client_gets_hello_and_its_pings_are_answered(socket_app: SocketApp) -> None:
    fake = socket_app.fake
    hello = fake.wait_for(
        lambda: next((m for m in socket_app.received if m.get("type") == "hello"), None),
        what="the hello message",
    )
    assert hello["connection_info"] == {"app_id": APP_ID}
    assert hello["num_connections"] == 1
    assert fake.socket_mode.connections == 1
    assert len(fake.calls_to("apps.connections.open")) == 1
    session = socket_app.handler.client.current_session
    assert session is not None
    # The client pings right after its handshake; a pong echoing its payload sets this.
    fake.wait_for(lambda: session.last_ping_pong_time is not None, what="a pong to the client")


def test_block_action_is_acked_and_handled(socket_app: SocketApp) -> None:
    envelope_id = _click_hello(socket_app)

    assert socket_app.fake.socket_mode.wait_ack(envelope_id) == {"envelope_id": envelope_id}
    actions = socket_app.fake.wait_for(lambda: socket_app.actions, what="the action listener")
    assert [(a["action_id"], a["value"]) for a in actions] == [("hello_button", "hello-1")]


def test_slash_command_ack_carries_the_response(socket_app: SocketApp) -> None:
    # A short text needs 16-bit frame lengths; 70,000 characters need 64-bit ones, both ways.
    for text in ("x" * 10, "y" * 70_000):
        command = slash_command_form(
            command="/hello", text=text, user_id=U_MARIA, channel_id=C_TRIAGE
        )
        envelope_id = socket_app.fake.socket_mode.send_envelope(
            "slash_commands", command, accepts_response_payload=True
        )

        ack = socket_app.fake.socket_mode.wait_ack(envelope_id)
        assert ack == {"envelope_id": envelope_id, "payload": {"text": f"Hello, {text}"}}


def test_events_api_envelope_passes_its_retry_fields(socket_app: SocketApp) -> None:
    event = {
        "type": "event_callback",
        "team_id": socket_app.fake.team_id,
        "api_app_id": APP_ID,
        "event": {"type": "app_mention", "user": U_MARIA, "text": "<@UBOT> hi", "ts": "1.000100"},
        "event_id": "Ev0001",
        "event_time": 1,
    }
    envelope_id = socket_app.fake.socket_mode.send_envelope(
        "events_api", event, retry_attempt=1, retry_reason="timeout"
    )

    assert socket_app.fake.socket_mode.wait_ack(envelope_id) == {"envelope_id": envelope_id}
    mentions = socket_app.fake.wait_for(lambda: socket_app.mentions, what="the event listener")
    assert mentions == [{"x-slack-retry-num": "1", "x-slack-retry-reason": "timeout"}]


def test_disconnect_all_makes_the_client_reconnect(socket_app: SocketApp) -> None:
    fake = socket_app.fake
    fake.socket_mode.disconnect_all()
    assert fake.socket_mode.connections == 0

    fake.socket_mode.wait_connected()
    assert len(fake.calls_to("apps.connections.open")) >= 2
    envelope_id = _click_hello(socket_app)
    assert fake.socket_mode.wait_ack(envelope_id) == {"envelope_id": envelope_id}
    fake.wait_for(lambda: socket_app.actions, what="the action listener after reconnecting")
    disconnects = [m for m in socket_app.received if m.get("type") == "disconnect"]
    assert disconnects[0]["reason"] == "refresh_requested"


# --------------------------------------------------------------------------------------------
# Without a client
# --------------------------------------------------------------------------------------------


def _handshake(url: str) -> tuple[socket.socket, str]:
    """Open a raw WebSocket handshake to ``url``; return the socket and the response head."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=5)
    sock.sendall(
        (
            f"GET {parts.path}?{parts.query} HTTP/1.1\r\nHost: {parts.hostname}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {SAMPLE_KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        chunk = sock.recv(1)
        if not chunk:
            break
        head += chunk
    return sock, head.decode()


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        assert chunk, "the fake closed the connection"
        data += chunk
    return data


def _read_frame(sock: socket.socket) -> tuple[int, bytes]:
    """Read one server frame from ``sock``: (opcode, payload); it must be final and unmasked."""
    first, second = _recv_exact(sock, 2)
    length = second & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", _recv_exact(sock, 2))
    elif length == 127:
        (length,) = struct.unpack("!Q", _recv_exact(sock, 8))
    assert first & 0x80 and not second & 0x80
    return first & 0x0F, _recv_exact(sock, length)


def _read_non_ping_frame(sock: socket.socket) -> tuple[int, bytes]:
    """Like `_read_frame`, skipping the pings the fake sends on its own."""
    frame = _read_frame(sock)
    while frame[0] == Opcode.PING:
        frame = _read_frame(sock)
    return frame


def test_handshake_answers_ping_and_echoes_close(fake: SlackTwin) -> None:
    url = fake.socket_mode.url
    sock, head = _handshake(url)
    with sock:
        assert head.startswith("HTTP/1.1 101 ")
        assert f"Sec-WebSocket-Accept: {SAMPLE_ACCEPT}\r\n" in head
        opcode, hello = _read_frame(sock)
        assert opcode == Opcode.TEXT and b'"type": "hello"' in hello
        fake.socket_mode.wait_connected()

        sock.sendall(_build_data_frame_for_sending("are you there", Opcode.PING))
        assert _read_non_ping_frame(sock) == (Opcode.PONG, b"are you there")

        normal_closure = struct.pack("!H", 1000)
        sock.sendall(_build_data_frame_for_sending(normal_closure + b"bye", Opcode.CLOSE))
        assert _read_non_ping_frame(sock) == (Opcode.CLOSE, normal_closure)
        assert sock.recv(1) == b""  # then it hangs up
    fake.wait_for(lambda: fake.socket_mode.connections == 0, what="the connection to close")

    reused, head = _handshake(url)  # a ticket works only once
    with reused:
        assert head.startswith("HTTP/1.1 401 ")


def test_unmasked_client_frames_are_refused(fake: SlackTwin) -> None:
    sock, head = _handshake(fake.socket_mode.url)
    with sock:
        assert head.startswith("HTTP/1.1 101 ")
        assert _read_frame(sock)[0] == Opcode.TEXT  # the hello
        sock.sendall(bytes([0x80 | Opcode.TEXT, 2]) + b"{}")  # no mask bit
        opcode, payload = _read_non_ping_frame(sock)
        assert opcode == Opcode.CLOSE
        assert struct.unpack("!H", payload[:2]) == (1002,)  # protocol error


def test_send_envelope_needs_a_connection_and_a_known_type(fake: SlackTwin) -> None:
    with pytest.raises(RuntimeError, match="wait_connected"):
        fake.socket_mode.send_envelope("interactive", {})
    with pytest.raises(ValueError, match="unknown envelope type"):
        fake.socket_mode.send_envelope("hello", {})


def test_socket_mode_is_off_unless_asked_for() -> None:
    with SlackTwin() as slack:
        with pytest.raises(RuntimeError, match="socket_mode=True"):
            _ = slack.socket_mode
        url = WebClient(base_url=slack.base_url).apps_connections_open(app_token=slack.app_token)
        assert url["url"] == "ws://127.0.0.1:1/"
