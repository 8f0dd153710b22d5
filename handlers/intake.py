"""HTTP routes beside Slack's: review intake (canonical or a source's native JSON, Google
Pub/Sub pushes, Yelp's webhook) and GET /healthz. Who may send what is in
bot/intake/sources/push_auth.py; every refusal is a 4xx with a sentence naming what is wrong."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from flask import Blueprint, Response, jsonify, request

from bot.config import Config
from bot.core.reviews import validate_batch
from bot.desk.desk import Desk
from bot.intake.pushes import Ingested, ingest_google_push, ingest_yelp_webhook, log_skipped
from bot.intake.shapes import Unshaped
from bot.intake.source_clients import SourceClients
from bot.intake.sources import SourceError
from bot.intake.sources.formats import to_canonical
from bot.intake.sources.push_auth import (
    PubSubPushAuth,
    Refused,
    bearer,
    same_secret,
    yelp_verification,
)
from handlers.payloads import Malformed, parse_json

logger = logging.getLogger("reviewdesk.intake")

# A source that answers 404 or 410 for the review a notice names says it does not exist
# (deleted, or never there): delivering the notice again cannot change that.
GONE = frozenset({404, 410})


def _format_and_body(body: Any, path_format: str | None) -> tuple[str, Any]:
    """/intake/<format> names the format; else a top-level "format" field does; else the body
    is canonical reviews."""
    if path_format is not None:
        return path_format, body
    if isinstance(body, dict) and isinstance(body.get("format"), str):
        return body["format"], {k: v for k, v in body.items() if k != "format"}
    return "canonical", body


class _Notices:
    """What the notice routes saw, for /healthz (this process's count since it started)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._missing: Counter[str] = Counter()

    def missing(self, source: str, count: int = 1) -> None:
        with self._lock:
            self._missing[source] += count

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._missing)


@dataclass(frozen=True)
class IntakeDeps:
    """What the routes work with, bound to each when the blueprint is made."""

    desk: Desk
    config: Config
    clients: SourceClients
    intake_token: str | None
    mode: Callable[[], str]  # what /healthz says of Slack
    outbox_counts: Callable[[], dict[str, int]]  # the delivery loop's rows by status
    pubsub_auth: PubSubPushAuth | None
    notices: _Notices


def problem(status: int, message: str, **headers: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    response.headers.update(headers)
    return response


def unauthorized(message: str = "missing or wrong bearer token") -> Response:
    return problem(401, message, **{"WWW-Authenticate": 'Bearer realm="reviewdesk intake"'})


def header_refusal(deps: IntakeDeps) -> Response | None:
    """Our own senders set `Authorization: Bearer <INTAKE_TOKEN>`."""
    if same_secret(bearer(request.headers), deps.intake_token):
        return None
    if "token" in request.args and "Authorization" not in request.headers:
        return unauthorized("send the token in the Authorization header (Bearer); ?token= "
                            "is accepted only from senders that cannot set headers "
                            "(/intake/google/pubsub, /intake/yelp/webhook)")
    return unauthorized()


def url_token_refusal(deps: IntakeDeps) -> Response | None:
    """Senders that cannot set headers carry the secret in the URL (or, if they can, in the
    header like everyone else)."""
    if same_secret(bearer(request.headers), deps.intake_token):
        return None
    if same_secret(request.args.get("token"), deps.intake_token):
        return None
    return unauthorized()


def body_json() -> Any:
    """The request's JSON; Malformed when it is not JSON or nests too deeply."""
    return parse_json(request.get_data(cache=True))


def intake_reviews(deps: IntakeDeps, format: str | None = None) -> Response:
    refused = header_refusal(deps)
    if refused is not None:
        return refused
    try:
        body = body_json()
    except Malformed as error:
        return problem(400, f"{error}: send a JSON review, a list of reviews, "
                            "or {\"reviews\": [...]}")
    name, native = _format_and_body(body, format)
    if not isinstance(native, dict | list):
        return problem(400, "the body must be a JSON review, a list of reviews, "
                            "or {\"reviews\": [...]}")
    try:
        items = to_canonical(name, native, deps.config)
    except Unshaped as error:
        return problem(400, str(error))
    except ValueError as error:
        return problem(404 if format else 400, str(error))
    batch = validate_batch(items, config=deps.config, now=deps.desk.clock.now())
    outcomes = deps.desk.ingestor.ingest(batch.reviews)
    counts = Counter(o.outcome for o in outcomes)
    logger.info("intake (%s): %s items, %s created, %s updated, %s unchanged, %s rejected, "
                "%s skipped", name, len(items), counts["created"], counts["updated"],
                counts["unchanged"], len({e.index for e in batch.errors}), len(batch.skipped))
    log_skipped(f"intake ({name})", batch.skipped, log=logger)
    payload = {
        "received": len(items),
        "stored": counts["created"] + counts["updated"],
        "created": counts["created"],
        "updated": counts["updated"],
        "unchanged": counts["unchanged"],
        "rejected": len({e.index for e in batch.errors}),
        "items": [
            {"index": o.index, "external_id": o.external_id, "outcome": o.outcome,
             "case_id": o.case_id}
            for o in outcomes
        ],
        "errors": [e.as_dict() for e in batch.errors],
        # Read, and not reviews on purpose (a page's own post): not an error, but said.
        "skipped": [s.as_dict() for s in batch.skipped],
    }
    response = jsonify(payload)
    response.status_code = 422 if batch.errors else 200
    return response


def notified(deps: IntakeDeps, source: str, client: Any, ingest: Callable,
             missing: str) -> Response:
    """A source tells us a review exists; fetch it and store it. A 503 makes the sender
    deliver again later; any 2xx acknowledges (a notice about something else, or about a
    review the source says does not exist, included), its answer saying what was skipped or
    rejected and why."""
    if client is None:
        return problem(404, missing)
    try:
        body = body_json()
    except Malformed as error:
        return problem(400, f"{error}: a {source} notice is a JSON object")
    try:
        ingested = ingest(body, desk=deps.desk, config=deps.config, client=client)
    except Unshaped as error:
        return problem(400, f"a {source} notice's {error}" if error.field else str(error))
    except SourceError as error:
        if error.status in GONE:
            # Logged once: acknowledging it ends the sender's redelivery.
            logger.warning("%s notice: the review it names does not exist at %s (%s); "
                           "acknowledged", source, source, error)
            deps.notices.missing(source.lower())
            return jsonify({"stored": 0, "missing": 1, "rejected": 0, "errors": [],
                            "skipped": []})
        logger.warning("%s notice: review not fetched (%s)", source, error)
        return problem(503, f"{source} could not be read; deliver again later")
    return jsonify(_notice_answer(deps, source, ingested))


def _notice_answer(deps: IntakeDeps, source: str, ingested: Ingested) -> dict[str, Any]:
    """What a notice brought: stored, missing at the source, rejected (a fetched review that
    is not valid) and skipped (what the notice named that is not a review), each said."""
    gone = len(ingested.missing)
    if gone:
        logger.warning("%s notice: %s of the reviews it names do not exist at %s; "
                       "acknowledged", source, gone, source)
        deps.notices.missing(source.lower(), gone)
    return {
        "stored": len(ingested.outcomes),
        "missing": gone,
        "rejected": len({e.index for e in ingested.errors}),
        "errors": [e.as_dict() for e in ingested.errors],
        "skipped": [s.as_dict() for s in ingested.skipped],
    }


def google_pubsub(deps: IntakeDeps) -> Response:
    if deps.pubsub_auth is not None:
        refused: Refused | None = deps.pubsub_auth.verify(request.headers)
        if refused is not None:
            return unauthorized(refused.reason)
    else:
        refusal = url_token_refusal(deps)
        if refusal is not None:
            return refusal
    return notified(deps, "Google", deps.clients.google, ingest_google_push,
                    "sources.google is not set up")


def yelp_webhook(deps: IntakeDeps) -> Response:
    refusal = url_token_refusal(deps)
    if refusal is not None:
        return refusal
    return notified(deps, "Yelp", deps.clients.yelp, ingest_yelp_webhook,
                    "sources.yelp lists no businesses")


def yelp_webhook_verification(deps: IntakeDeps) -> Response:
    """Yelp's one-time check of the webhook URL: answer its `verification` string."""
    refusal = url_token_refusal(deps)
    if refusal is not None:
        return refusal
    echo = yelp_verification(request.args.get("verification"))
    if echo is None:
        return problem(400, "verification must be the alphanumeric string Yelp sends")
    return jsonify({"verification": echo})


def healthz(deps: IntakeDeps) -> Response:
    try:
        deps.desk.db.ping()
        outbox = deps.outbox_counts()
    except Exception as error:  # health must answer, whatever broke
        logger.warning("health check: database unavailable (%s)", type(error).__name__)
        response = jsonify({"status": "unhealthy", "database": "unavailable"})
        response.status_code = 503
        return response
    return jsonify({
        "status": "ok",
        "database": "ok",
        "slack": deps.mode(),
        "outbox": {"pending": outbox.get("pending", 0), "failed": outbox.get("failed", 0)},
        "notices": {"missing_review": deps.notices.counts()},
    })


# ---- registration: (method, rule, route) ----------------------------------------------------

ROUTES: list[tuple[str, str, Callable[..., Response]]] = [
    ("POST", "/intake/reviews", intake_reviews),
    ("POST", "/intake/<format>", intake_reviews),
    ("POST", "/intake/google/pubsub", google_pubsub),
    ("POST", "/intake/yelp/webhook", yelp_webhook),
    ("GET", "/intake/yelp/webhook", yelp_webhook_verification),
    ("GET", "/healthz", healthz),
]


def blueprint(desk: Desk, intake_token: str | None, mode: Callable[[], str], *,
              config: Config, clients: SourceClients,
              outbox_counts: Callable[[], dict[str, int]]) -> Blueprint:
    pubsub = config.intake.pubsub
    deps = IntakeDeps(desk, config, clients, intake_token, mode, outbox_counts,
                      PubSubPushAuth(pubsub) if pubsub.enabled else None, _Notices())
    routes = Blueprint("intake", __name__)
    views: dict[Callable[..., Response], Callable[..., Response]] = {}
    for method, rule, route in ROUTES:
        # One view per route, however many rules lead to it (Flask wants one per endpoint).
        view = views.setdefault(route, partial(route, deps))
        routes.add_url_rule(rule, route.__name__, view, methods=[method])
    return routes
