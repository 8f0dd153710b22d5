"""The WebSocket framing the twin's Socket Mode endpoint speaks (RFC 6455): the handshake's accept
key, unmasked server frames, masked client frames (text and control, unfragmented) and close
payloads. Standard library only."""

from __future__ import annotations

import base64
import hashlib
import struct
from enum import IntEnum
from typing import BinaryIO

WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
"""The GUID RFC 6455 appends to Sec-WebSocket-Key to compute Sec-WebSocket-Accept."""


class Opcode(IntEnum):
    """The WebSocket frame opcodes (RFC 6455 §5.2) the fake accepts and sends."""

    TEXT = 0x1
    CLOSE = 0x8
    PING = 0x9
    PONG = 0xA


_OPCODES = frozenset(Opcode)


class CloseCode(IntEnum):
    """The close status codes (RFC 6455 §7.4.1) the fake sends."""

    GOING_AWAY = 1001
    PROTOCOL_ERROR = 1002
    UNSUPPORTED_DATA = 1003


def accept_key(sec_websocket_key: str) -> str:
    """The Sec-WebSocket-Accept value answering a client's Sec-WebSocket-Key."""
    digest = hashlib.sha1((sec_websocket_key + WEBSOCKET_GUID).encode()).digest()
    return base64.b64encode(digest).decode()


def encode_frame(opcode: Opcode, payload: bytes) -> bytes:
    """One unmasked, final (FIN) frame, as a server sends them."""
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", 0x80 | opcode, length)
    elif length < 1 << 16:
        header = struct.pack("!BBH", 0x80 | opcode, 126, length)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 127, length)
    return header + payload


def _unmask(data: bytes, key: bytes) -> bytes:
    """XOR ``data`` with the repeated 4-byte masking ``key`` (RFC 6455 §5.3)."""
    if not data:
        return data
    repeated = (key * (len(data) // 4 + 1))[: len(data)]
    unmasked = int.from_bytes(data, "big") ^ int.from_bytes(repeated, "big")
    return unmasked.to_bytes(len(data), "big")


class ProtocolError(Exception):
    """A client frame the fake won't accept; the connection is closed with ``code``."""

    def __init__(self, code: CloseCode, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def read_exact(stream: BinaryIO, size: int) -> bytes:
    """Read exactly ``size`` bytes; EOFError if the peer closes first."""
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("connection closed by the client")
    return data


def read_client_frame(stream: BinaryIO) -> tuple[Opcode, bytes]:
    """Read one client→server frame and return its opcode and unmasked payload.

    Clients must mask their frames.  Fragmented messages and binary frames (any opcode but
    `Opcode`'s) are refused: the builtin client sends neither.
    """
    first, second = read_exact(stream, 2)
    length = second & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", read_exact(stream, 2))
    elif length == 127:
        (length,) = struct.unpack("!Q", read_exact(stream, 8))
    if not second & 0x80:
        raise ProtocolError(CloseCode.PROTOCOL_ERROR, "client frames must be masked")
    key = read_exact(stream, 4)
    payload = _unmask(read_exact(stream, length), key)
    opcode_value = first & 0x0F
    if not first & 0x80 or opcode_value not in _OPCODES:
        raise ProtocolError(CloseCode.UNSUPPORTED_DATA, "only unfragmented text/control frames")
    return Opcode(opcode_value), payload


def close_payload(code: CloseCode, reason: str = "") -> bytes:
    """The payload of a close frame: the status code, then the UTF-8 reason."""
    return struct.pack("!H", code) + reason.encode()
