"""HTTP routes beside Slack's: review intake (canonical or a source's native JSON, Google
Pub/Sub pushes, Yelp's webhook) and GET /healthz."""

from __future__ import annotations

import hmac
import logging
from collections import Counter
from collections.abc import Callable
from typing import Any

from flask import Blueprint, jsonify, request

from bot.config import Config
from bot.desk import Desk
from bot.pollers import SourceClients, ingest_google_push, ingest_yelp_webhook
from bot.reviews import validate_batch
from bot.sources import SourceError
from bot.sources.formats import to_canonical

logger = logging.getLogger("reviewdesk.intake")


def _format_and_body(body: Any, path_format: str | None) -> tuple[str, Any]:
    """/intake/<format> names the format; else a top-level "format" field does; else the body
    is canonical reviews."""
    if path_format is not None:
        return path_format, body
    if isinstance(body, dict) and isinstance(body.get("format"), str):
        return body["format"], {k: v for k, v in body.items() if k != "format"}
    return "canonical", body


def blueprint(desk: Desk, intake_token: str | None, mode: Callable[[], str], *,
              config: Config, clients: SourceClients) -> Blueprint:
    routes = Blueprint("intake", __name__)

    def problem(status: int, message: str, **headers: str):
        response = jsonify({"error": message})
        response.status_code = status
        response.headers.update(headers)
        return response

    def authorized() -> bool:
        # Pub/Sub pushes and webhooks cannot set headers: they may send ?token=<INTAKE_TOKEN>.
        supplied = request.headers.get("Authorization", "")
        if not supplied and request.args.get("token"):
            supplied = f"Bearer {request.args['token']}"
        expected = f"Bearer {intake_token}" if intake_token else None
        return bool(expected) and hmac.compare_digest(supplied.encode(), expected.encode())

    def unauthorized():
        return problem(401, "missing or wrong bearer token",
                       **{"WWW-Authenticate": 'Bearer realm="reviewdesk intake"'})

    @routes.post("/intake/reviews")
    @routes.post("/intake/<format>")
    def intake_reviews(format: str | None = None):
        if not authorized():
            return unauthorized()
        body = request.get_json(silent=True)
        name, native = _format_and_body(body, format)
        if not isinstance(native, dict | list):
            return problem(400, "the body must be a JSON review, a list of reviews, "
                                "or {\"reviews\": [...]}")
        try:
            items = to_canonical(name, native, config)
        except ValueError as error:
            return problem(404 if format else 400, str(error))
        batch = validate_batch(items)
        outcomes = desk.ingest(batch.reviews)
        counts = Counter(o.outcome for o in outcomes)
        logger.info("intake (%s): %s items, %s created, %s updated, %s unchanged, %s rejected",
                    name, len(items), counts["created"], counts["updated"], counts["unchanged"],
                    len({e.index for e in batch.errors}))
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
        }
        response = jsonify(payload)
        response.status_code = 422 if batch.errors else 200
        return response

    def notified(source: str, client: Any, ingest: Callable, missing: str):
        """A source tells us a review exists; fetch it and store it. A 503 makes the sender
        deliver again later; any 2xx acknowledges (a notice about something else included)."""
        if not authorized():
            return unauthorized()
        if client is None:
            return problem(404, missing)
        try:
            ingested = ingest(request.get_json(silent=True), desk=desk, config=config,
                              client=client)
        except SourceError as error:
            logger.warning("%s notice: review not fetched (%s)", source, error)
            return problem(503, f"{source} could not be read; deliver again later")
        return jsonify({"stored": len(ingested.outcomes) if ingested else 0})

    @routes.post("/intake/google/pubsub")
    def google_pubsub():
        return notified("Google", clients.google, ingest_google_push,
                        "sources.google is not set up")

    @routes.post("/intake/yelp/webhook")
    def yelp_webhook():
        return notified("Yelp", clients.yelp, ingest_yelp_webhook,
                        "sources.yelp lists no businesses")

    @routes.get("/healthz")
    def healthz():
        try:
            desk.db.ping()
            outbox = desk.outbox.counts()
        except Exception as error:  # health must answer, whatever broke
            logger.warning("health check: database unavailable (%s)", type(error).__name__)
            response = jsonify({"status": "unhealthy", "database": "unavailable"})
            response.status_code = 503
            return response
        return jsonify({
            "status": "ok",
            "database": "ok",
            "slack": mode(),
            "outbox": {"pending": outbox.get("pending", 0), "failed": outbox.get("failed", 0)},
        })

    return routes
