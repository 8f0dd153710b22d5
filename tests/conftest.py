"""Fixtures: a fake Slack, a real database (SQLite file, and PostgreSQL when TEST_DATABASE_URL
is set), and the real app serving HTTP on a free port."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator

import psycopg
import pytest
from hypothesis.configuration import set_hypothesis_home_dir
from sqlalchemy.engine import make_url

from app import ReviewDesk, create_app
from bot.clock import ManualClock
from bot.config import Config, parse_config
from storage.db import Database, migrate
from testing.driver import Driver
from testing.workspace import (
    BOT_TOKEN,
    INTAKE_TOKEN,
    SIGNING_SECRET,
    START,
    config_data,
    make_settings,
    populate,
)
from twin.queries import WAIT
from twin.webapi import SlackTwin, add_problem_listener, remove_problem_listener


@pytest.hookimpl(trylast=True)  # after pytest's tmp_path plugin is configured
def pytest_configure(config) -> None:
    # Hypothesis keeps its caches (the Unicode tables, the constants it found in our code) in
    # ./.hypothesis by default, the checkout when run from it: tests write only to tmp paths.
    set_hypothesis_home_dir(config._tmp_path_factory.mktemp("hypothesis"))
    config.addinivalue_line(
        "markers",
        "slack_rejects: the test sends Slack payloads that Slack rejects (or that would render "
        "wrongly) on purpose, so the Slack-rules guard lets them pass",
    )
    config.addinivalue_line(
        "markers",
        f"{SITE_TEMPLATES}: the test writes a real per-site override folder "
        "(templates/replies/sites/north) that every reply rendered meanwhile would use; "
        "`make test` runs these alone, after the tests that run in parallel",
    )


SITE_TEMPLATES = "site_templates"
# The fixtures (in tests/test_replies.py and tests/test_cli.py) that write that folder.
_SITE_TEMPLATE_FIXTURES = {"site_dir", "north_templates"}


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        if _SITE_TEMPLATE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(SITE_TEMPLATES)


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


@pytest.fixture
def slack(clock) -> Iterator[SlackTwin]:
    """The twin stamps messages by the test's clock, as Slack stamps them by the real one."""
    with SlackTwin(bot_token=BOT_TOKEN, clock=lambda: clock.now().timestamp()) as fake:
        yield populate(fake)


@pytest.fixture
def config() -> Config:
    return parse_config(config_data())


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def start_bot(slack, database_url, db, config, clock) -> Iterator[Callable[..., ReviewDesk]]:
    """Start a bot process's worth of parts on the test database; call again to "restart"."""
    running: list[ReviewDesk] = []

    def start(**options) -> ReviewDesk:
        service = create_app(make_settings(slack), options.pop("config", config),
                             db=Database.from_url(database_url),
                             clock=options.pop("clock", clock),
                             outbox_poll_interval=0.1,
                             ack_timeout=options.pop("ack_timeout", WAIT), **options)
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
