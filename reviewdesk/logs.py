"""How reviewdesk logs: to stderr, one record a line, as text with control characters escaped
(so nothing a sender controls can forge a record) or as JSON; LOG_LEVEL and LOG_FORMAT choose."""

from __future__ import annotations

import logging
import os
import re
import sys
from typing import TextIO

from pythonjsonlogger.json import JsonFormatter

logger = logging.getLogger("reviewdesk")

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_FORMATS = ("text", "json")
# Everything that could end a line, or rewrite one on a terminal: C0 and C1 controls (tab
# aside), DEL, and Unicode's line and paragraph separators.
_LINE_BREAKERS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
_ESCAPES = {"\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    return _ESCAPES.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100
                                  else f"\\u{ord(char):04x}")


class OneLineFormatter(logging.Formatter):
    """Each record on exactly one line: a value that carries a line break (an id from a
    source, an exception's message, a traceback) is written with the break escaped, so
    nothing a sender controls can start a line that looks like a record of its own."""

    def format(self, record: logging.LogRecord) -> str:
        return _LINE_BREAKERS.sub(_escape, super().format(record))


def configure_logging(stream: TextIO | None = None, *, level: str | None = None,
                      fmt: str | None = None) -> logging.Handler:
    """Log to `stream` (stderr) at LOG_LEVEL (INFO), one record a line: LOG_FORMAT=text (the
    default, control characters escaped) or json (one JSON object a line, by
    python-json-logger). Replaces whatever handlers the root logger had."""
    fmt = (fmt or os.environ.get("LOG_FORMAT") or "text").strip().lower()
    handler = logging.StreamHandler(stream or sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    else:
        handler.setFormatter(OneLineFormatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel((level or os.environ.get("LOG_LEVEL") or "INFO").upper())
    # Their DEBUG output carries request bodies (review text, names): never below WARNING.
    for noisy in ("slack_sdk", "slack_bolt", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # APScheduler says at INFO that it added, ran and removed each job: lines a second that
    # drown the bot's own; its warnings (a job raised, a run missed) still show.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    if fmt not in LOG_FORMATS:
        logger.warning("LOG_FORMAT %r is not one of %s; logging as text", fmt, LOG_FORMATS)
    return handler
