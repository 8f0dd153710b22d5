"""What people type into a case's modals, checked before anything changes: a reply, a note, a
reason, a site and urgency; anything wrong is an `InvalidInput` naming the field to flag."""

from __future__ import annotations

from bot.config import Config, Site
from bot.core.cases import MAX_NOTE_CHARS, MAX_REPLY_CHARS, URGENCIES


class InvalidInput(ValueError):
    """A modal value that cannot be accepted; `field` names the input to flag."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def validate_reply(text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput("reply", "Write the reply before recording it.")
    if len(text) > MAX_REPLY_CHARS:
        raise InvalidInput("reply", f"Keep the reply under {MAX_REPLY_CHARS} characters.")
    return text


def validate_note(note: str | None) -> str | None:
    note = (note or "").strip() or None
    if note and len(note) > MAX_NOTE_CHARS:
        raise InvalidInput("note", f"Keep the note under {MAX_NOTE_CHARS} characters.")
    return note


def validate_reason(reason: str | None, reasons: dict[str, str]) -> str:
    if reason not in reasons:
        raise InvalidInput("reason", "Choose a reason.")
    return reason


def validate_escalation(config: Config, site_id: str | None, urgency: str | None) -> Site:
    site = config.site(site_id)
    if site is None:
        raise InvalidInput("site", "Choose the site whose Patient Experience team follows up.")
    if urgency not in URGENCIES:
        raise InvalidInput("urgency", "Choose how urgent this is.")
    return site
