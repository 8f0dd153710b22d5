"""HTTP routes beside Slack's: POST /intake/reviews for review sources, GET /healthz."""

from __future__ import annotations

import hmac
import logging
from collections import Counter
from collections.abc import Callable
from typing import Any

from flask import Blueprint, jsonify, request
from sqlalchemy import text

from bot.desk import Desk
from bot.reviews import validate_batch

logger = logging.getLogger("reviewdesk.intake")


def _items(body: Any) -> list[Any] | None:
    """A canonical review, a list of them, or {"reviews": [...]}."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        inner = body.get("reviews")
        return inner if isinstance(inner, list) else [body]
    return None


def blueprint(desk: Desk, intake_token: str | None, mode: Callable[[], str]) -> Blueprint:
    routes = Blueprint("intake", __name__)

    def problem(status: int, message: str, **headers: str):
        response = jsonify({"error": message})
        response.status_code = status
        response.headers.update(headers)
        return response

    @routes.post("/intake/reviews")
    def intake_reviews():
        supplied = request.headers.get("Authorization", "")
        expected = f"Bearer {intake_token}" if intake_token else None
        if not expected or not hmac.compare_digest(supplied.encode(), expected.encode()):
            return problem(401, "missing or wrong bearer token", **{
                "WWW-Authenticate": 'Bearer realm="reviewdesk intake"'})
        body = request.get_json(silent=True)
        items = _items(body)
        if items is None:
            return problem(400, "the body must be a JSON review, a list of reviews, "
                                "or {\"reviews\": [...]}")
        batch = validate_batch(items)
        outcomes = desk.ingest(batch.reviews)
        counts = Counter(o.outcome for o in outcomes)
        logger.info("intake: %s items, %s created, %s updated, %s unchanged, %s rejected",
                    len(items), counts["created"], counts["updated"], counts["unchanged"],
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

    @routes.get("/healthz")
    def healthz():
        try:
            with desk.db.session() as session:
                session.execute(text("SELECT 1"))
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
