"""Where the local workspace keeps things: its own SQLite file (unless DATABASE_URL names
another), the twin's messages saved beside it so a restart shows the same desk, and --reset."""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bot.clock import AdjustableClock
from bot.config import Settings
from twin.webapi import SlackTwin

logger = logging.getLogger("reviewdesk.local")

LOCAL_DATABASE_URL = "sqlite:///reviewdesk-local.db"


def local_database_url(settings: Settings, env: Mapping[str, str] | None = None) -> str:
    """DATABASE_URL when it is set, else the local workspace's own SQLite file."""
    env = os.environ if env is None else env
    return settings.database_url if (env.get("DATABASE_URL") or "").strip() \
        else LOCAL_DATABASE_URL


def _sqlite_file(database_url: str) -> Path | None:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def state_file(database_url: str) -> Path:
    """Where the twin's messages are kept between runs: beside the SQLite file."""
    database = _sqlite_file(database_url)
    if database is not None:
        return database.with_name(database.name + ".slack.json")
    return Path("reviewdesk-local.slack.json")


def reset_database(database_url: str) -> str | None:
    """Delete the local database and the twin's saved state; a sentence when refused."""
    database = _sqlite_file(database_url)
    if database is None:
        return ("--reset clears only a SQLite file; DATABASE_URL names another database. "
                "Clear it yourself, or unset DATABASE_URL to use the local workspace's own.")
    for path in (database, database.with_name(database.name + "-wal"),
                 database.with_name(database.name + "-shm"), state_file(database_url)):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    return None


def load_state(path: Path, database_url: str) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        logger.warning("%s is unreadable; the workspace starts with no messages", path)
        return None
    if not isinstance(data, dict) or data.get("database_url") != database_url:
        logger.warning("%s belongs to another database; the workspace starts with no "
                       "messages (run with --reset to start afresh)", path)
        return None
    return data


def save_state(path: Path, twin: SlackTwin, clock: AdjustableClock, database_url: str) -> None:
    data = {"database_url": database_url, "clock_ahead_seconds": clock.offset.total_seconds(),
            "workspace": twin.export_workspace()}
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(data), encoding="utf-8")
    partial.replace(path)
