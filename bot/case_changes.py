"""What an action does to a case and its windows inside the desk's transaction (`Desk.act`): the
`Change` it announces, a reply recorded or withdrawn, a window met, a case closed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.cases import RESPONSE_WINDOWS
from storage.models import Case, CaseWindow


@dataclass
class Change:
    """What an applied action wants announced: its event's details, the line for the case's
    thread (None: no line), and whether the PX card's thread gets the line too."""

    details: dict
    history: str | None
    px_thread: bool = False


def respond(session: Session, case: Case, windows: dict[str, CaseWindow], actor: str,
            now: datetime, *, text: str, template: str | None) -> bool:
    """Mark the case responded with `text` and meet its response window; True when it
    replaces an earlier reply."""
    edited = case.responded_by is not None
    case.responded_by, case.responded_at = actor, now
    case.reply_text, case.reply_template = text, template
    for kind in RESPONSE_WINDOWS:
        meet(session, windows.get(kind), actor, now)
    return edited


def reopen_response(session: Session, case: Case, windows: dict[str, CaseWindow]) -> None:
    """The public reply is not up after all (the source rejected it): the case is not
    responded and its response window runs again, to the deadline it had."""
    case.responded_by = case.responded_at = None
    for kind in RESPONSE_WINDOWS:
        window = windows.get(kind)
        if window is not None and window.met_at is not None:
            window.met_at = window.met_by = None
            session.add(window)


def meet(session: Session, window: CaseWindow | None, actor: str, now: datetime) -> None:
    if window is not None and window.met_at is None:
        window.met_at, window.met_by = now, actor
        session.add(window)


def close(session, case, windows, status, actor, now, reason, note) -> None:
    case.status = status
    case.closed_by, case.closed_at, case.closed_reason, case.closed_note = actor, now, reason, note
    for window in windows.values():
        if window.met_at is None and window.stopped_at is None:
            window.stopped_at = now
            session.add(window)
