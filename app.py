"""reviewdesk's entry point: wires the desk to Slack and HTTP, and the `reviewdesk` command."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, jsonify, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from waitress import create_server
from waitress.server import BaseWSGIServer, MultiSocketServer

from bot.cards import CardRenderer
from bot.clock import Clock, SystemClock
from bot.config import Config, ConfigError, Settings, load_config
from bot.desk import Desk
from bot.importer import UnreadableFile, import_items, parse_mapping, read_items
from bot.nudges import Nudges
from bot.oncall import OnCall
from bot.pollers import SourceClients, clients_from_env, register_pollers
from bot.scheduler import Scheduler
from bot.slack_out import Outbox
from handlers import actions, commands, errors, intake, views
from storage.db import Database, migrate

logger = logging.getLogger("reviewdesk")

MAX_REQUEST_BYTES = 5 * 1024 * 1024
SLACK_TIMEOUT_SECONDS = 10


@dataclass
class ReviewDesk:
    """The running parts of one bot process."""

    settings: Settings
    config: Config
    db: Database
    desk: Desk
    outbox: Outbox
    nudges: Nudges
    oncall: OnCall
    scheduler: Scheduler
    bolt: App
    http: Flask
    socket_mode: SocketModeHandler | None = None
    _server: BaseWSGIServer | MultiSocketServer | None = field(default=None, repr=False)
    _server_thread: threading.Thread | None = field(default=None, repr=False)
    _socket_thread: threading.Thread | None = field(default=None, repr=False)
    _stopping: threading.Event = field(default_factory=threading.Event, repr=False)

    def start(self, host: str = "0.0.0.0", port: int | None = None) -> int:
        """Start delivering, listening to Slack and serving HTTP; returns the HTTP port."""
        self.oncall.seed()
        self.outbox.start()
        self.scheduler.start()
        if self.socket_mode is not None:
            self._socket_thread = threading.Thread(
                target=self._connect_socket_mode, args=(self.socket_mode,), name="socket-mode",
                daemon=True,
            )
            self._socket_thread.start()
        self._server = create_server(
            self.http, host=host, port=self.settings.port if port is None else port,
            threads=8, ident="reviewdesk", clear_untrusted_proxy_headers=True,
        )
        self._server_thread = threading.Thread(
            target=self._server.run, name="http", daemon=True
        )
        self._server_thread.start()
        return self.port

    def _connect_socket_mode(self, handler: SocketModeHandler) -> None:
        """Connect, retrying while Slack is unreachable; the client reconnects by itself once
        it has had a session."""
        delay = 1.0
        while not self._stopping.is_set():
            try:
                handler.connect()
            except Exception as error:  # any failure to connect is retried, never fatal
                logger.warning("Socket Mode connection failed (%s); retrying in %.0fs",
                               type(error).__name__, delay)
                self._stopping.wait(delay)
                delay = min(delay * 2, 60)
                continue
            logger.info("connected to Slack over Socket Mode")
            return

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.effective_port  # type: ignore[union-attr]

    def stop(self) -> None:
        """Stop everything; safe to call twice."""
        if self._server is not None:
            server = self._server
            server.task_dispatcher.shutdown()

            def close_all() -> None:  # runs in the server's own loop: an empty map ends it
                for channel in list(server._map.values()):
                    channel.close()

            server.trigger.pull_trigger(close_all)
            if self._server_thread:
                self._server_thread.join(5)
            self._server = None
        self._stopping.set()
        if self._socket_thread is not None:  # let a connect() under way finish, then close
            self._socket_thread.join(SLACK_TIMEOUT_SECONDS + 5)
            self._socket_thread = None
        if self.socket_mode is not None:
            self.socket_mode.close()
            self.socket_mode = None
        self.scheduler.shutdown()
        self.outbox.stop()
        self.db.dispose()


def _single_workspace(client: WebClient, token: str | None):
    """Bolt's authorize step for one workspace. Bolt's default asks auth.test on the first
    request and rejects clicks while the Web API is down; this hands over the token always
    and learns the bot's identity once, whenever Slack first answers."""
    identity: dict = {}
    lock = threading.Lock()

    def authorize(enterprise_id=None, team_id=None) -> AuthorizeResult:
        with lock:
            if not identity:
                try:
                    identity.update(client.auth_test(token=token).data)  # type: ignore[arg-type]
                except (SlackApiError, OSError) as error:
                    logger.warning("auth.test failed (%s); handling the request anyway",
                                   type(error).__name__)
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id or identity.get("team_id"),
            bot_token=token,
            bot_id=identity.get("bot_id"),
            bot_user_id=identity.get("user_id"),
        )

    return authorize


def _web_client(settings: Settings, **kwargs) -> WebClient:
    options = {"token": settings.slack_bot_token, "timeout": SLACK_TIMEOUT_SECONDS, **kwargs}
    if settings.slack_api_base_url:
        options["base_url"] = settings.slack_api_base_url
    return WebClient(**options)


def create_app(
    settings: Settings,
    config: Config,
    *,
    db: Database | None = None,
    clock: Clock | None = None,
    outbox_poll_interval: float = 1.0,
    slack_timeout: float = SLACK_TIMEOUT_SECONDS,
    clients: SourceClients | None = None,
) -> ReviewDesk:
    """Build the bot without starting anything (no Slack call happens here)."""
    db = db or Database.from_url(settings.database_url)
    clock = clock or SystemClock()
    # The outbox retries by itself, so its client must not retry behind its back.
    outbox = Outbox(
        db, _web_client(settings, retry_handlers=[], timeout=slack_timeout), clock,
        CardRenderer(config, clock),
        poll_interval=outbox_poll_interval,
    )
    oncall = OnCall(db, config, clock, outbox)
    nudges = Nudges(db, config, clock, outbox, on_call=oncall.on_call)
    scheduler = Scheduler(clock)
    scheduler.add_timed("nudges", nudges.run_due, nudges.next_due)
    scheduler.add_timed("handoffs", oncall.announce_due_handoffs, oncall.next_wakeup)
    nudges.on_change = lambda: scheduler.replan("nudges")
    desk = Desk(db, config, clock, outbox, nudges)
    if clients is not None:  # `run` polls the sources; `import` and tests poll nothing
        register_pollers(scheduler.apscheduler, desk=desk, config=config, clock=clock,
                         clients=clients)
    else:
        clients = SourceClients()

    bolt_client = _web_client(settings)
    bolt = App(
        client=bolt_client,
        authorize=_single_workspace(bolt_client, settings.slack_bot_token),
        signing_secret=settings.slack_signing_secret or "",
        logger=logging.getLogger("slack_bolt"),
    )
    errors.register(bolt)
    views.register(bolt, desk)
    actions.register(bolt, desk)
    commands.register(bolt, desk, oncall)

    mode = "socket" if settings.socket_mode else "http"
    http = Flask("reviewdesk")
    http.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    slack_handler = SlackRequestHandler(bolt)

    @http.post("/slack/events")
    def slack_events():
        if settings.socket_mode:
            return jsonify({"error": "this bot receives Slack events over Socket Mode"}), 404
        return slack_handler.handle(request)

    @http.errorhandler(413)
    def too_large(_error):
        return jsonify({"error": f"the body is over {MAX_REQUEST_BYTES // 1024 // 1024} MB"}), 413

    http.register_blueprint(intake.blueprint(desk, settings.intake_token, lambda: mode,
                                             config=config, clients=clients))

    socket_mode = (
        SocketModeHandler(bolt, settings.slack_app_token) if settings.socket_mode else None
    )
    return ReviewDesk(settings, config, db, desk, outbox, nudges, oncall, scheduler, bolt, http,
                      socket_mode)


# ---- the command line ------------------------------------------------------------------------


def _configure_logging() -> None:
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Their DEBUG output carries request bodies (review text, names): never below WARNING.
    for noisy in ("slack_sdk", "slack_bolt", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _fail(*sentences: str) -> int:
    for sentence in sentences:
        print(sentence, file=sys.stderr)
    return 2


def _open_database(settings: Settings) -> tuple[Database | None, str]:
    """The migrated database, or None and a sentence saying why not."""
    try:
        db = Database.from_url(settings.database_url)
        migrate(db.engine)
    except Exception as error:  # any driver's failure becomes one plain sentence
        first_line = (str(error).splitlines() or [""])[0]
        return None, (f"Cannot open the database named by DATABASE_URL "
                      f"({type(error).__name__}: {first_line}).")
    return db, ""


def _check_slack_token(settings: Settings) -> str | None:
    """A plain sentence when Slack refuses the token or cannot be reached, else None."""
    try:
        _web_client(settings).auth_test()
    except SlackApiError as error:
        return (f"Slack refused SLACK_BOT_TOKEN ({error.response.get('error')}); "
                "copy the bot token again from the app's OAuth & Permissions page.")
    except OSError as error:
        where = settings.slack_api_base_url or "slack.com"
        return f"Cannot reach Slack at {where} ({error})."
    return None


def run(settings: Settings) -> int:
    problems = settings.missing_for_run()
    if problems:
        return _fail(*problems)
    try:
        config = load_config(settings.config_path)
        clients = clients_from_env(config)
    except ConfigError as error:
        return _fail(*error.problems)
    refused = _check_slack_token(settings)
    if refused:
        return _fail(refused)
    db, failure = _open_database(settings)
    if db is None:
        return _fail(failure)
    service = create_app(settings, config, db=db, clients=clients)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    port = service.start()
    logger.info("reviewdesk is running: Slack over %s, HTTP on port %s",
                "Socket Mode" if settings.socket_mode else "/slack/events", port)
    stopping.wait()
    logger.info("stopping")
    service.stop()
    return 0


def import_file(settings: Settings, path: Path, *, mapping: str | None = None,
                dry_run: bool = False) -> int:
    try:
        config = load_config(settings.config_path)
        file_items = read_items(path, parse_mapping(mapping))
    except ConfigError as error:
        return _fail(*error.problems)
    except UnreadableFile as error:
        return _fail(str(error))
    db, failure = _open_database(settings)
    if db is None:
        return _fail(failure)
    service = create_app(settings, config, db=db)
    report = import_items(service.desk, file_items, dry_run=dry_run)
    would = "would be " if dry_run else ""
    print(f"{path}: {report.read} reviews read; {report.created} {would}new, "
          f"{report.updated} {would}updated, {report.unchanged} unchanged, "
          f"{report.rejected} rejected; {report.opened} {'would open' if dry_run else 'opened'} "
          "a case.")
    for error in report.errors:
        where = f"item {error.index + 1}"
        if error.external_id:
            where += f" ({error.external_id})"
        print(f"  {where}: {error.field} {error.message}", file=sys.stderr)
    if dry_run:
        print("Dry run: nothing was stored.")
    elif report.opened:
        print("The running bot posts the new cards to Slack.")
    db.dispose()
    return 1 if report.errors else 0


def check_config(settings: Settings) -> int:
    """Validate the environment, the config file, the Slack token and the channels."""
    problems: list[str] = []
    try:
        config = load_config(settings.config_path)
        print(f"✓ {settings.config_path} is valid ({len(config.sites)} sites)")
    except ConfigError as error:
        config = None
        problems += error.problems
    problems += settings.missing_for_run()
    if config is not None:
        try:
            clients_from_env(config)
        except ConfigError as error:
            problems += error.problems
    if settings.slack_bot_token and not problems:
        refused = _check_slack_token(settings)
        if refused:
            problems.append(refused)
        elif config is not None:
            print("✓ Slack accepted the bot token")
            problems += _check_channels(settings, config)
    for problem in problems:
        print(f"✗ {problem}")
    if not problems:
        print("Everything needed to run is in place.")
    return 1 if problems else 0


def _check_channels(settings: Settings, config: Config) -> list[str]:
    client = _web_client(settings)
    channels = {config.slack.triage_channel: "slack.triage_channel"}
    if config.slack.risk_channel:
        channels[config.slack.risk_channel] = "slack.risk_channel"
    for site in config.sites:
        channels.setdefault(site.px_channel, f"the PX channel of site {site.id!r}")
    problems = []
    for channel, role in channels.items():
        try:
            info = client.conversations_info(channel=channel)["channel"]
        except SlackApiError as error:
            problems.append(f"{role} {channel}: Slack says {error.response.get('error')}; "
                            "check the channel id.")
            continue
        if not info.get("is_member"):
            problems.append(f"{role} {channel} (#{info.get('name')}): the bot is not a member; "
                            "invite it with /invite @reviewdesk.")
        else:
            print(f"✓ {role}: #{info.get('name')}")
    return problems


def cli(argv: list[str] | None = None) -> int:
    from dotenv import find_dotenv, load_dotenv

    parser = argparse.ArgumentParser(
        prog="reviewdesk", description="A Slack case desk for negative reviews."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="start the bot (Socket Mode when SLACK_APP_TOKEN is set)")
    importer = sub.add_parser("import", help="store reviews from a .json, .jsonl or .csv file")
    importer.add_argument("file", type=Path)
    importer.add_argument(
        "--map", metavar="FIELD=COLUMN,…",
        help='the file\'s names for review fields, e.g. "external_id=Review ID,rating=Stars"',
    )
    importer.add_argument("--dry-run", action="store_true",
                          help="report what would be stored and opened; store nothing")
    sub.add_parser("check-config", help="check the environment, reviewdesk.toml and Slack")
    args = parser.parse_args(argv)

    load_dotenv(find_dotenv(usecwd=True), override=False)
    _configure_logging()
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        return _fail(*error.problems)
    if args.command == "run":
        return run(settings)
    if args.command == "import":
        return import_file(settings, args.file, mapping=args.map, dry_run=args.dry_run)
    return check_config(settings)


if __name__ == "__main__":
    sys.exit(cli())
