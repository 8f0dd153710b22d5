"""Fixtures: a fake Slack, a real database (SQLite file, and PostgreSQL when TEST_DATABASE_URL
is set), and the real app serving HTTP on a free port."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import psycopg
import pytest
from sqlalchemy.engine import make_url

from app import ReviewDesk, create_app
from bot.clock import ManualClock
from bot.config import Config, Settings, parse_config
from storage.db import Database, migrate
from tests.driver import Driver
from twin.webapi import SlackTwin, add_problem_listener, remove_problem_listener

SIGNING_SECRET = "test-signing-secret"
INTAKE_TOKEN = "test-intake-token"
BOT_TOKEN = "xoxb-test-token"

TRIAGE = "C0TRIAGE"
PX_NORTH = "C0PXNORTH"
PX_SOUTH = "C0PXSOUTH"
MARIA, SAM, LEE, PAT = "U0MARIA", "U0SAM", "U0LEE", "U0PAT"

START = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers",
        "slack_rejects: the test sends Slack payloads that Slack rejects (or that would render "
        "wrongly) on purpose, so the Slack-rules guard lets them pass",
    )


@pytest.fixture(autouse=True)
def slack_rules_guard(request) -> Iterator[None]:
    """Fail a test when any Slack twin alive during it (the `slack` fixture's or one the test
    made itself) rejected a payload by Slack's rules or saw one that would render wrongly.

    Autouse, so it is set up before and torn down after the bot and the twin: late posts from
    the outbox are caught too.  ``@pytest.mark.slack_rejects`` opts a test out.
    """
    found: list[tuple[str, list[str]]] = []
    lock = threading.Lock()

    def listen(_twin: SlackTwin, method: str, problems: list[str]) -> None:
        with lock:
            found.append((method, problems))

    add_problem_listener(listen)
    yield
    remove_problem_listener(listen)
    if found and request.node.get_closest_marker("slack_rejects") is None:
        lines = [f"  {method}: {problem}" for method, problems in found for problem in problems]
        pytest.fail(
            "Slack would reject, or show broken, what this test made the bot send "
            f"({len(lines)} problem(s); see twin/rules/):\n" + "\n".join(lines),
            pytrace=False,
        )


def _backends() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get("TEST_DATABASE_URL") else ["sqlite"]


@pytest.fixture(params=_backends())
def database_url(request, tmp_path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a private schema on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'reviewdesk.db'}"
        return
    base = os.environ["TEST_DATABASE_URL"]
    schema = f"t_{uuid.uuid4().hex[:12]}"
    plain = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(plain, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def db(database_url) -> Iterator[Database]:
    database = Database.from_url(database_url)
    migrate(database.engine)
    yield database
    database.dispose()


def populate(fake: SlackTwin) -> SlackTwin:
    """The tests' workspace: the triage and PX channels, and the people who click."""
    fake.add_channel(TRIAGE, "review-triage")
    fake.add_channel(PX_NORTH, "px-north")
    fake.add_channel(PX_SOUTH, "px-south")
    for user, name in ((MARIA, "maria"), (SAM, "sam"), (LEE, "lee"), (PAT, "pat")):
        fake.add_user(user, name)
    return fake


@pytest.fixture
def slack(clock) -> Iterator[SlackTwin]:
    """The twin stamps messages by the test's clock, as Slack stamps them by the real one."""
    with SlackTwin(bot_token=BOT_TOKEN, clock=lambda: clock.now().timestamp()) as fake:
        yield populate(fake)


def config_data(**overrides) -> dict:
    data = {
        "organization": "Example Health",
        "slack": {"triage_channel": TRIAGE},
        "windows": {"first_response": "24h", "px_followup": "72h", "urgent": "2h"},
        "replies": {"contact_phone": "555-0100", "signature": "— Patient Experience"},
        # Off unless a test turns it on (tests/test_digest.py): a test moving the clock past a
        # Monday morning would otherwise get a digest it did not ask for.
        "digest": {"enabled": False},
        "sites": [
            {"id": "north", "name": "North campus", "px_channel": PX_NORTH,
             "px_contacts": [PAT], "px_phone": "555-0101", "aliases": ["North Campus"]},
            {"id": "south", "name": "South clinic", "px_channel": PX_SOUTH,
             "px_phone": "555-0102"},
        ],
    }
    data.update(overrides)
    return data


@pytest.fixture
def config() -> Config:
    return parse_config(config_data())


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


def make_settings(slack: SlackTwin, **overrides) -> Settings:
    values = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_base_url": slack.base_url,
        "intake_token": INTAKE_TOKEN,
        "port": 0,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def start_bot(slack, database_url, db, config, clock) -> Iterator[Callable[..., ReviewDesk]]:
    """Start a bot process's worth of parts on the test database; call again to "restart"."""
    running: list[ReviewDesk] = []

    def start(**options) -> ReviewDesk:
        service = create_app(make_settings(slack), options.pop("config", config),
                             db=Database.from_url(database_url),
                             clock=options.pop("clock", clock),
                             outbox_poll_interval=0.1, **options)
        service.start(host="127.0.0.1", port=0)
        running.append(service)
        return service

    yield start
    for service in running:
        service.stop()


@pytest.fixture
def bot(start_bot) -> ReviewDesk:
    return start_bot()


@pytest.fixture
def driver(bot, slack) -> Driver:
    return Driver(bot, slack, signing_secret=SIGNING_SECRET, intake_token=INTAKE_TOKEN)
