"""Starting and stopping the local workspace: the twin, the bot on 127.0.0.1 and the page
(`start_local`), and `reviewdesk run` without Slack tokens (`run_local`)."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import secrets
import shlex
import shutil
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from bot.clock import AdjustableClock, Clock
from bot.config import Config, ConfigError, Settings, load_config
from bot.shipped import shipped
from local.clock import DeskClock
from local.demo_config import LocalSetup, local_setup
from local.samples import has_reviews, load_samples
from local.saved import load_state, local_database_url, reset_database, save_state, state_file
from reviewdesk.app import SLACK_ACK_SECONDS, ReviewDesk, create_app
from reviewdesk.server import freeze_start_up_objects
from storage.db import Database, migrate
from twin.webapi import SlackTwin
from twin.workspace import Workspace, blueprint

logger = logging.getLogger("reviewdesk.local")

EXAMPLE_CONFIG = shipped("reviewdesk.example.toml")
SAVE_EVERY_SECONDS = 2.0
BOT_USER = "U0REVIEWDESK"
TEAM = "T0LOCAL"


@dataclass
class LocalWorkspace:
    """A running local workspace: the bot, the twin, the page."""

    service: ReviewDesk
    twin: SlackTwin
    workspace: Workspace
    clock: AdjustableClock
    setup: LocalSetup
    url: str
    intake_token: str
    intake_token_generated: bool
    database_url: str
    _saver: threading.Thread | None = None
    _stopping: threading.Event = field(default_factory=threading.Event)

    def save(self) -> None:
        save_state(state_file(self.database_url), self.twin, self.clock, self.database_url)

    def _keep_saving(self) -> None:
        saved = -1
        while not self._stopping.wait(SAVE_EVERY_SECONDS):
            if self.twin.version != saved:
                saved = self.twin.version
                try:
                    self.save()
                except OSError as error:
                    logger.warning("cannot save the workspace's messages (%s)", error)

    def stop(self) -> None:
        self._stopping.set()
        if self._saver is not None:
            self._saver.join()
        self.workspace.close()
        self.service.stop()
        try:
            self.save()
        except OSError as error:
            logger.warning("cannot save the workspace's messages (%s)", error)
        self.twin.stop()


def config_path_for(settings: Settings) -> Path:
    """The user's configuration, or the example when there is none yet."""
    path = Path(settings.config_path)
    return path if path.exists() else EXAMPLE_CONFIG


def start_local(
    settings: Settings,
    config: Config,
    *,
    database_url: str,
    port: int | None = None,
    clock_base: Clock | None = None,
    samples: bool = True,
    outbox_poll_interval: float = 1.0,
    ack_timeout: float = SLACK_ACK_SECONDS,
) -> LocalWorkspace:
    """Start the twin, the bot (on 127.0.0.1 only) and the page; load the samples into an
    empty database. Raises what opening the database raises."""
    setup = local_setup(config)
    saved = load_state(state_file(database_url), database_url)
    ahead = timedelta(seconds=float(saved.get("clock_ahead_seconds", 0))) if saved else \
        timedelta(0)
    clock = AdjustableClock(clock_base, ahead)

    # The twin's clock is the desk's, as Slack's and a bot's agree: a message is stamped when
    # the moved clock says it was sent, and look-ups bracket it where it is.
    twin = SlackTwin(bot_token=f"xoxb-local-{secrets.token_hex(12)}", bot_user_id=BOT_USER,
                     team_id=TEAM, clock=lambda: clock.now().timestamp())
    signing_secret = secrets.token_hex(32)
    workspace = Workspace(twin, signing_secret, setup.people, setup.channels, notes=setup.notes)
    if saved:
        twin.import_workspace(saved.get("workspace") or {})
    for channel in setup.channels:
        twin.add_channel(channel.id, channel.name)
    for person in setup.people:
        twin.add_user(person.id, person.name.lower(), person.name, tz=person.tz)
    twin.add_user(BOT_USER, "reviewdesk", "reviewdesk")
    twin.start()

    intake_token = settings.intake_token or secrets.token_urlsafe(24)
    local = dataclasses.replace(
        settings, slack_bot_token=twin.bot_token, slack_signing_secret=signing_secret,
        slack_app_token=None, slack_api_base_url=twin.base_url, database_url=database_url,
        intake_token=intake_token,
    )
    try:
        db = Database.from_url(database_url)
        migrate(db.engine)
        service = create_app(local, setup.config, db=db, clock=clock,
                             outbox_poll_interval=outbox_poll_interval, slack_mode="local",
                             ack_timeout=ack_timeout)
    except Exception:
        twin.stop()
        raise
    desk_clock = DeskClock(clock, service)
    workspace.clock = desk_clock
    service.http.register_blueprint(blueprint(workspace))

    def after_jump() -> None:
        for job in ("nudges", "handoffs", "home", "digest"):
            service.scheduler.replan(job)
        service.outbox.wake()

    clock.on_jump(after_jump)
    try:
        bound = service.start(host="127.0.0.1", port=settings.port if port is None else port)
    except OSError:
        service.stop()
        twin.stop()
        raise
    workspace.events_url = f"http://127.0.0.1:{bound}/slack/events"
    running = LocalWorkspace(service, twin, workspace, clock, setup, f"http://127.0.0.1:{bound}/",
                             intake_token, settings.intake_token is None, database_url)
    if samples and not has_reviews(db):
        workspace.samples = load_samples(service, f"http://127.0.0.1:{bound}", intake_token)
    running._saver = threading.Thread(target=running._keep_saving, name="workspace-save",
                                      daemon=True)
    running._saver.start()
    return running


def curl_example(running: LocalWorkspace) -> str:
    """A `curl` that sends one review to the running intake, as printed at start-up: every
    required field (source, external_id, created_at), posted now by the desk's clock."""
    review = {
        "source": "google", "external_id": "g-9001",
        "site": running.setup.config.sites[0].id, "author": "Dana K.", "rating": 1,
        "text": "Nobody called me back.",
        "created_at": running.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    return " ".join(["curl -X POST", shlex.quote(f"{running.url}intake/reviews"),
                     "-H", shlex.quote(f"Authorization: Bearer {running.intake_token}"),
                     "-H", shlex.quote("Content-Type: application/json"),
                     "-d", shlex.quote(json.dumps(review))])


def program_path(argv0: str | None = None) -> str:
    """This program as a person can type it here: `reviewdesk` when the shell finds this one
    by that name, else its path (`.venv/bin/reviewdesk` after `make run`, which is not on the
    PATH), relative to the current directory when it is below it."""
    program = Path(argv0 or sys.argv[0] or "reviewdesk")
    found = shutil.which(program.name)
    if program.name == "reviewdesk" and found and Path(found).resolve() == program.resolve():
        return program.name
    if program.name != "reviewdesk":  # run some other way (python -m reviewdesk, a test)
        program = Path(sys.executable).parent / "reviewdesk"
        if not program.exists():
            return "reviewdesk"
    try:
        return str(program.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(program.resolve())


def _say(line: str) -> None:
    print(line, flush=True)  # at once, even into a pipe


def run_local(settings: Settings, *, reset: bool, out: Callable[[str], None] = _say) -> int:
    """`reviewdesk run` without Slack tokens: the local workspace until SIGTERM or Ctrl-C."""
    if not (os.environ.get("LOG_LEVEL") or "").strip():
        logging.getLogger().setLevel(logging.WARNING)  # the lines below say what matters
    database_url = local_database_url(settings)
    stopping = threading.Event()  # a signal during start-up stops right after it
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    if settings.port:
        out(f"reviewdesk local workspace (no Slack app): http://127.0.0.1:{settings.port}/")
    if reset:
        refused = reset_database(database_url)
        if refused:
            out(refused)
            return 2
    path = config_path_for(settings)
    try:
        config = load_config(path)
    except ConfigError as error:
        for problem in error.problems:
            out(problem)
        return 2
    try:
        running = start_local(settings, config, database_url=database_url)
    except OSError as error:
        out(f"Cannot serve on 127.0.0.1:{settings.port} ({error.strerror or error}); "
            "set PORT to a free port.")
        return 2
    except Exception as error:  # the database or a migration: one plain sentence
        first_line = (str(error).splitlines() or [""])[0]
        out(f"Cannot open the database {database_url} ({type(error).__name__}: {first_line}).")
        return 2
    freeze_start_up_objects()
    if not settings.port:
        out(f"reviewdesk local workspace (no Slack app): {running.url}")
    which = f"{path} (there is no {settings.config_path} yet)" if path == EXAMPLE_CONFIG \
        else str(path)
    out(f"Open {running.url} in a browser: the whole desk, with no Slack app. "
        f"Configuration: {which}; database: {database_url}.")
    if running.intake_token_generated:
        out(f"INTAKE_TOKEN for this run: {running.intake_token}")
    out("Try: " + curl_example(running))
    for note in running.setup.notes:
        out(note)
    if running.workspace.samples:
        out("Sample reviews loaded: " + ", ".join(running.workspace.samples) + ".")
    out(f"Stop with Ctrl-C. Start afresh with `{shlex.join([program_path(), 'run', '--reset'])}`.")
    # Waking now and then lets the signal handler run even when the signal lands on another
    # thread (an untimed wait can sleep through it: a SIGTERM once went unheard for 30 s).
    while not stopping.wait(0.5):
        pass
    logger.info("stopping the local workspace")
    running.stop()
    return 0
