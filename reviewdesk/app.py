"""Wiring: `create_app` builds one bot process's parts (the desk, the outbox, the scheduler,
the Bolt app and the HTTP routes) without starting anything; `ReviewDesk` starts and stops them.
The command line is in cli.py, the servers in server.py."""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from flask import Flask, Request, Response, jsonify, request
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.card_views import CardViews
from bot.clock import Clock, SystemClock
from bot.commands import Commands
from bot.config import Config, Settings
from bot.core.case_lists import CardLinks, CaseLists
from bot.core.roles import Roles
from bot.delivery import Outbox
from bot.desk.desk import Desk
from bot.desk.nudges import Nudges
from bot.home.home import Home
from bot.intake.pollers import register_pollers
from bot.intake.source_clients import SourceClients
from bot.oncall.command import OnCall
from bot.replies import language
from bot.replies.flow import ReplyFlow
from bot.replies.targets import ReplyClients
from bot.reports.digest import Digest
from bot.reports.reports import Reports
from bot.scheduler import Scheduler
from bot.slack_gateway import SlackGateway
from bot.triage import warm_up_grammar
from handlers import actions, commands, errors, events, intake, looks, middleware, views
from handlers.deps import Deps
from reviewdesk.metrics import Metrics
from reviewdesk.server import HttpServer, InFlight, ListenerExecutor, SocketModeConnection
from storage.db import Database

logger = logging.getLogger("reviewdesk")

MAX_REQUEST_BYTES = 5 * 1024 * 1024
SLACK_TIMEOUT_SECONDS = 10
# How long Bolt waits for a listener's ack() before answering Slack without one: Slack's own
# 3 seconds. Tests wait longer (a loaded CI machine is not Slack's clock); the ack's speed is
# measured in bench/, not asserted in a functional test.
SLACK_ACK_SECONDS = 3


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
    clock: Clock
    in_flight: InFlight
    socket_mode: SocketModeConnection | None = None
    replies: ReplyFlow | None = None
    home: Home | None = None
    digest: Digest | None = None
    metrics: Metrics | None = None
    commands: Commands | None = None
    _server: HttpServer | None = field(default=None, repr=False)

    def start(self, host: str = "0.0.0.0", port: int | None = None) -> int:
        """Start delivering, listening to Slack and serving HTTP; returns the HTTP port."""
        # The reply guard's language model loads in the background (about 0.6 s), so the first
        # Respond does not wait for it; the on-site grammar compiles now (about 75 ms), so the
        # first review after a restart does not wait for it either.
        threading.Thread(target=language.warm_up, name="language-model", daemon=True).start()
        warm_up_grammar()
        self.oncall.seed()
        self.outbox.start()
        self.scheduler.start()
        if self.socket_mode is not None:
            self.socket_mode.start()
        self._server = HttpServer(self.in_flight.wsgi(self.http), host=host,
                                  max_body=MAX_REQUEST_BYTES,
                                  port=self.settings.port if port is None else port)
        return self._server.start()

    def idle(self) -> bool:
        """Nothing under way and nothing due by the injected clock: no request or listener
        running, no scheduled job running or due, nothing the outbox could send now."""
        # Requests first and last: a listener that commits while the outbox is being looked
        # at is still counted at the second look.
        return (not self.in_flight.busy and self.scheduler.idle() and self.outbox.idle()
                and not self.in_flight.busy)

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.port

    def stop(self) -> None:
        """Stop everything; safe to call twice."""
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self.socket_mode is not None:
            self.socket_mode.stop()
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

    authorize.identity = identity  # type: ignore[attr-defined]  # the workspace to expect
    return authorize


def web_client(settings: Settings, *, metrics: Metrics | None = None, **kwargs) -> WebClient:
    """A Web API client for the configured workspace (or GovSlack, or the twin); with
    `metrics`, its 429s are counted (before the client's own retry handlers, if any)."""
    options = {"token": settings.slack_bot_token, "timeout": SLACK_TIMEOUT_SECONDS, **kwargs}
    if settings.slack_api_base_url:
        options["base_url"] = settings.slack_api_base_url
    client = WebClient(**options)
    if metrics is not None:
        client.retry_handlers = [metrics.rate_limit_counter(), *client.retry_handlers]
    return client


def _is_click(served: Request) -> bool:
    """Whether a request to /slack/events was a click (a block_actions payload)."""
    if served.mimetype != "application/x-www-form-urlencoded":
        return False
    payload = parse_qs(served.get_data(as_text=True)).get("payload", [""])[0]
    try:
        return json.loads(payload).get("type") == "block_actions"
    except (ValueError, AttributeError, RecursionError):  # Bolt answered it: not a click
        return False


def create_app(
    settings: Settings,
    config: Config,
    *,
    db: Database | None = None,
    clock: Clock | None = None,
    outbox_poll_interval: float = 1.0,
    slack_timeout: float = SLACK_TIMEOUT_SECONDS,
    clients: SourceClients | None = None,
    reply_clients: ReplyClients | None = None,
    slack_mode: str | None = None,
    ack_timeout: float = SLACK_ACK_SECONDS,
) -> ReviewDesk:
    """Build the bot without starting anything (no Slack call happens here). `slack_mode`
    is what /healthz says of Slack ("local" for the local workspace; default http/socket)."""
    db = db or Database.from_url(settings.database_url)
    clock = clock or SystemClock()
    metrics = Metrics(db, clock)
    cards = CardViews(db, config, clock)
    # The outbox retries by itself, so its client must not retry behind its back.
    outbox = Outbox(
        db, web_client(settings, metrics=metrics, retry_handlers=[], timeout=slack_timeout),
        clock, cards, poll_interval=outbox_poll_interval,
    )
    # What the bot asks of Slack outside the outbox (user groups, auth.test, views.publish).
    slack = SlackGateway(web_client(settings, metrics=metrics, timeout=slack_timeout))
    roles = Roles(config, slack, clock)
    oncall = OnCall(db, config, clock, outbox, roles=roles)
    nudges = Nudges(db, config, clock, outbox, on_call=oncall.on_call)
    scheduler = Scheduler(clock)
    scheduler.add_timed("nudges", nudges.run_due, nudges.next_due)
    scheduler.add_timed("handoffs", oncall.announce_due_handoffs, oncall.next_wakeup)
    if config.rotation.usergroup:  # overrides start and end between hand-offs
        scheduler.add_timed("usergroup", oncall.sync_usergroup, oncall.next_usergroup_change)
    nudges.on_change = lambda: (scheduler.replan("nudges"), scheduler.replan("home"))
    desk = Desk(db, config, clock, outbox, nudges, roles=roles)
    # Replies post back to the sources whose post_replies is on (`run` builds the clients;
    # without them every reply is copied by hand and marked posted).
    replies = ReplyFlow(desk, reply_clients)
    scheduler.add_timed("replies", replies.run_checks, replies.next_check)
    replies.on_change = lambda: scheduler.replan("replies")
    if clients is not None:  # `run` polls the sources; `import` and tests poll nothing
        register_pollers(scheduler.apscheduler, desk=desk, config=config, clock=clock,
                         clients=clients)
    else:
        clients = SourceClients()

    # the authorize step hands Bolt the token
    bolt_client = web_client(settings, metrics=metrics, token=None)
    in_flight = InFlight()
    authorize = _single_workspace(bolt_client, settings.slack_bot_token)
    bolt = App(
        client=bolt_client,
        listener_executor=ListenerExecutor(in_flight),
        authorize=authorize,
        # One signature check: handlers/middleware.slack_http's, which answers a bad signature
        # 401 before the body is read; Bolt's would run only after parsing it (and Socket Mode
        # skips it anyway).
        request_verification_enabled=False,
        logger=logging.getLogger("slack_bolt"),
    )
    bolt.use(middleware.ack_clicks_at_once)
    errors.register(bolt)
    middleware.register(bolt, config=config, expected_team=lambda: (
        config.slack.team_id or authorize.identity.get("team_id")))
    listeners = Deps(desk, replies, cards)
    views.register(bolt, listeners)
    actions.register(bolt, listeners)
    looks.register(bolt, desk)
    lists = CaseLists(db, config, CardLinks(slack))
    reports = Reports(db, config, clock)
    answers = Commands(db, config, clock, lists=lists, views=cards, reports=reports,
                       oncall=oncall)
    commands.register(bolt, answers)
    home = Home(db, config, clock, slack, lists=lists, reports=reports, oncall=oncall,
                roles=roles)
    scheduler.add_timed("home", home.refresh_due, home.next_due)
    digest = Digest(db, config, clock, outbox, reports)
    scheduler.add_timed("digest", digest.run_due, digest.next_due)
    events.register(bolt, desk, home)
    # Bolt takes an ack timeout for custom functions only; every other listener keeps its 3 s.
    for listener in bolt._listeners:
        listener.ack_timeout = ack_timeout

    mode = slack_mode or ("socket" if settings.socket_mode else "http")
    http = Flask("reviewdesk")
    http.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    slack_http = middleware.slack_http(bolt, settings.slack_signing_secret)

    @http.post("/slack/events")
    def slack_events():
        if settings.socket_mode:
            return jsonify({"error": "this bot receives Slack events over Socket Mode"}), 404
        started = time.perf_counter()
        answer = slack_http(request)
        took = time.perf_counter() - started
        if answer.status_code == 200 and _is_click(request):
            metrics.click_ack.observe(took)
        return answer

    @http.get("/metrics")
    def prometheus_metrics():
        return Response(metrics.exposition(), content_type=metrics.CONTENT_TYPE)

    @http.errorhandler(413)
    def too_large(_error):
        return jsonify({"error": f"the body is over {MAX_REQUEST_BYTES // 1024 // 1024} MB"}), 413

    http.register_blueprint(intake.blueprint(desk, settings.intake_token, lambda: mode,
                                             config=config, clients=clients,
                                             outbox_counts=outbox.counts))

    socket_mode = (
        SocketModeConnection(SocketModeHandler(bolt, settings.slack_app_token),
                             connect_timeout=SLACK_TIMEOUT_SECONDS)
        if settings.socket_mode else None
    )
    return ReviewDesk(settings, config, db, desk, outbox, nudges, oncall, scheduler, bolt, http,
                      clock, in_flight, socket_mode, replies, home=home, digest=digest,
                      metrics=metrics, commands=answers)
