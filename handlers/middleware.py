"""What every request from Slack must be, and what it gets, before any listener sees it:

- `slack_http`, in front of Bolt on POST /slack/events: a signature over a numeric, fresh
  timestamp (else 401, and the bot does nothing at all: no Web API call, no ephemeral), then a
  body Bolt can read and shaped as Slack shapes it (else 400 naming the field). The only
  signature check: Bolt's own is switched off (reviewdesk/app.py).
- `register`, a Bolt middleware (so Socket Mode gets it too): what a signed request claims
  must fit this desk. A request from another workspace, a click from a channel the desk does
  not use, a button whose value names another case than its message's metadata, or a form or
  button whose data cannot be read is refused: logged (ids only) and answered privately,
  never applied.
- `ack_clicks_at_once`, a Bolt middleware ahead of `register`'s: a click is acknowledged in the
  thread serving its request, before anything else is done with it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Request, Response, jsonify
from slack_bolt import App, BoltResponse
from slack_bolt.adapter.flask.handler import to_bolt_request, to_flask_response
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from bot.blocks.ephemeral import request_refused
from bot.blocks.ids import CallbackId
from bot.config import Config
from bot.outbox import METADATA_EVENT
from handlers import envelope, payloads
from handlers.errors import tell
from handlers.payloads import Malformed

logger = logging.getLogger("reviewdesk.security")

# Slack's timestamps are Unix seconds; anything longer is not one.
_TIMESTAMP_DIGITS = 12
_OUR_CALLBACKS = frozenset(CallbackId)


def _problem(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


def slack_http(bolt: App, signing_secret: str | None) -> Callable[[Request], Response]:
    """POST /slack/events: verify, read and shape-check the request, then hand it to Bolt."""
    verifier = SignatureVerifier(signing_secret) if signing_secret else None

    def handle(request: Request) -> Response:
        text = request.get_data(as_text=True)  # what Bolt verifies and parses
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not (timestamp.isascii() and timestamp.isdigit()
                and len(timestamp) <= _TIMESTAMP_DIGITS):
            return _problem(401, "missing or malformed X-Slack-Request-Timestamp")
        if verifier is None or not signature.isascii() or not verifier.is_valid(
                text, timestamp, signature):
            return _problem(401, "invalid request signature")
        try:
            body = envelope.slack_body(text, request.headers.get("Content-Type"))
        except Malformed as error:
            return _problem(400, str(error))
        problem = envelope.envelope_problem(body)
        if problem is not None:
            logger.warning("signed request refused: %s", problem)
            return _problem(400, problem)
        try:
            bolt_request = to_bolt_request(request)
        except Exception as error:  # whatever Bolt cannot read is the sender's fault here
            logger.warning("signed request Bolt could not read (%s)", type(error).__name__)
            return _problem(400, "the request could not be read as a Slack request")
        return to_flask_response(bolt.dispatch(bolt_request))

    return handle


class Gate:
    """The claims a signed request makes, checked against the desk's configuration."""

    def __init__(self, config: Config, expected_team: Callable[[], str | None]):
        self.config = config
        self.expected_team = expected_team
        channels = {config.slack.triage_channel, *(site.px_channel for site in config.sites)}
        channels |= {c for c in (config.slack.risk_channel, config.rotation.channel) if c}
        self.channels = frozenset(channels)

    def channel_allowed(self, channel: str | None) -> bool:
        # D…: a direct message with the bot (Slack only sends the app clicks on its own
        # messages, and the bot posts in no one else's DMs).
        return channel is not None and (channel in self.channels or channel.startswith("D"))

    def refusal(self, body: dict[str, Any]) -> str | None:
        """Why this request may not go on (a reason for the wording and the log), or None."""
        team = self.expected_team()
        if team is not None and _claimed_teams(body) - {team}:
            return "other_workspace"
        kind = body.get("type")
        if kind == "block_actions":
            return self._click_refusal(body)
        if kind in ("view_submission", "view_closed"):
            return self._view_refusal(body.get("view") or {})
        return None

    def _click_refusal(self, body: dict[str, Any]) -> str | None:
        container = body.get("container") or {}
        if container.get("type") == "view":
            view = body.get("view") or {}
            if view.get("type") == "home":
                return None
            if view.get("type") == "modal":
                return self._view_refusal(view)
            return "unknown_surface"
        if not self.channel_allowed(payloads.channel_of(body)):
            return "channel"
        about = payloads.message_case(body, METADATA_EVENT)
        if about is not None:
            for action in body.get("actions") or []:
                named = payloads.case_of_value(action.get("value"))
                if named is not None and named != about:
                    return "case_mismatch"
        return None

    def _view_refusal(self, view: dict[str, Any]) -> str | None:
        if view.get("callback_id") not in _OUR_CALLBACKS:
            return None  # another helper's view; its own listener reads it
        try:
            context = payloads.modal_context(view)
        except Malformed:
            return "malformed"
        if context.channel_id is not None and not self.channel_allowed(context.channel_id):
            return "channel"
        return None


def _claimed_teams(body: dict[str, Any]) -> set[str | None]:
    """Every workspace a payload says it (and its user) belongs to."""
    claimed: set[str | None] = set()
    team = body.get("team")
    if isinstance(team, dict):
        claimed.add(team.get("id"))
    elif isinstance(team, str):
        claimed.add(team)
    if isinstance(body.get("team_id"), str):
        claimed.add(body["team_id"])
    user = body.get("user")
    if isinstance(user, dict) and user.get("team_id") is not None:
        claimed.add(user["team_id"])
    view = body.get("view")
    if isinstance(view, dict) and view.get("app_installed_team_id") is not None:
        claimed.add(view["app_installed_team_id"])
    if not claimed:
        claimed.add(None)  # a payload naming no workspace is not from ours
    return claimed


def _ids(body: dict[str, Any]) -> dict[str, Any]:
    """What a refusal's log line may say: ids only."""
    user = body.get("user")
    actions = body.get("actions") or [{}]
    return {
        "type": body.get("type") or ("command" if body.get("command") else "?"),
        "team": sorted(str(t) for t in _claimed_teams(body)),
        "user": (user.get("id") if isinstance(user, dict) else None) or body.get("user_id"),
        "channel": payloads.channel_of(body),
        "action": actions[0].get("action_id") if isinstance(actions[0], dict) else None,
        "case": payloads.case_of_value(actions[0].get("value"))
        if isinstance(actions[0], dict) else None,
    }


def ack_clicks_at_once(body: dict[str, Any], ack: Any, next: Callable[[], Any]) -> Any:
    """Bolt global middleware: acknowledge a click (block_actions, whose ack never carries an
    answer) in the thread serving the request, before its listener is scheduled: nothing can
    stand between a click and its ack (a busy pool, a locked database). Bolt otherwise waits
    for the listener's ack() on a worker, looking every 10 ms; a listener's own ack() after
    this changes nothing."""
    if isinstance(body, dict) and body.get("type") == "block_actions":
        ack()
    return next()


def register(app: App, *, config: Config, expected_team: Callable[[], str | None]) -> None:
    """Check every request's claims before any listener; refuse with a private answer."""
    gate = Gate(config, expected_team)
    executor = app.listener_runner.listener_executor

    def check_claims(body: dict[str, Any], client: WebClient, next: Callable[[], Any]):
        try:
            # Over HTTP slack_http checked the shape already; over Socket Mode this is the check.
            reason = "malformed" if envelope.envelope_problem(body) else gate.refusal(body)
        except Exception as error:  # a payload the checks could not read is refused too
            logger.warning("request refused: its claims could not be read (%s)",
                           type(error).__name__)
            reason = "malformed"
        if reason is None:
            return next()
        try:
            ids = " ".join(f"{key}={value}" for key, value in _ids(body).items())
        except Exception:  # the ids of a payload too broken to name them
            ids = "(unreadable)"
        logger.warning("request refused (%s): %s", reason, ids)
        if body.get("type") in ("block_actions", "view_submission") or body.get("command"):
            # After the ack, like a listener: Slack wants its answer within 3 seconds.
            executor.submit(tell, client, body, request_refused(reason))
        return BoltResponse(status=200, body="")

    app.middleware(check_claims)
