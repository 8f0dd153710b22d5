"""What an action does to a case and its windows inside the desk's transaction (`Desk.act`): the
`Change` it announces, a reply recorded or withdrawn, a window met, a case closed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.config import Config
from bot.core.cases import RESPONSE_WINDOWS, Status, WindowKind
from bot.core.windows import add_time
from storage import repository as repo
from storage.models import Case, CaseWindow

# Labels that call for the short (urgent) response window instead of the first-response one.
URGENT_LABELS = frozenset({"urgent", "risk"})
ON_SITE = "urgent"  # the label of a reviewer on site now


def response_deadline(config: Config, site: str | None, labels: Iterable[str],
                      now: datetime) -> tuple[WindowKind, datetime]:
    """The response window a case gets from its review's labels, and its deadline."""
    labels = tuple(labels)
    kind = WindowKind.URGENT if URGENT_LABELS & set(labels) else WindowKind.FIRST_RESPONSE
    length = config.windows.length(kind, site=site, labels=labels)
    return kind, add_time(now, length, config.business_hours)


@dataclass
class Change:
    """What an applied action wants announced: its event's details, the line for the case's
    thread (None: no line), and whether the PX card's thread gets the line too."""

    details: dict
    history: str | None
    px_thread: bool = False


def px_followup_length(config: Config, urgency: str, *, px_site: str, case_site: str | None,
                       labels: Iterable[str]) -> timedelta:
    """How long PX has for an escalation of this urgency ([windows] px_followup,
    [windows.px_urgency]). An urgent escalation of someone on site now gets no longer than the
    case's own urgent response window: they may be gone by the time PX would be due."""
    length = config.windows.px_followup_for(urgency, site=px_site)
    labels = tuple(labels)
    if urgency == "urgent" and ON_SITE in labels:
        length = min(length, config.windows.length(WindowKind.URGENT, site=case_site,
                                                   labels=labels))
    return length


def awaits_reaching(case: Case, windows: dict[str, CaseWindow]) -> bool:
    """Whether an answered case still waits for someone to reach its reviewer: its response
    window is the urgent one (on site now, or risk) and no outcome was logged since it opened.
    A public reply alone does not end such a case: Log outcome does, or PX resolving it."""
    latest = max((windows[kind] for kind in RESPONSE_WINDOWS if kind in windows),
                 key=lambda window: window.started_at, default=None)
    if latest is None or latest.kind != WindowKind.URGENT:
        return False
    return case.outcome_at is None or case.outcome_at < latest.started_at


def finish_if_done(session: Session, case: Case, windows: dict[str, CaseWindow], actor: str,
                   now: datetime) -> bool:
    """Make an open case done when its work has ended: answered in public, no PX follow-up,
    and, for an on-site or risk case, someone has reached the reviewer. True when it is."""
    if (case.status != Status.OPEN or case.escalated_by is not None
            or case.responded_by is None or awaits_reaching(case, windows)):
        return False
    close(session, case, windows, Status.DONE, actor, now, None, None)
    return True


def respond(session: Session, case: Case, windows: dict[str, CaseWindow], actor: str,
            now: datetime, *, text: str, template: str | None) -> bool:
    """Mark the case responded with `text` and meet its response window; True when it
    replaces an earlier reply. The case is then done if its work has ended (`finish_if_done`)."""
    edited = case.responded_by is not None
    case.responded_by, case.responded_at = actor, now
    case.reply_text, case.reply_template = text, template
    for kind in RESPONSE_WINDOWS:
        meet(session, windows.get(kind), actor, now)
    finish_if_done(session, case, windows, actor, now)
    return edited


def reopen_response(session: Session, case: Case, windows: dict[str, CaseWindow]) -> bool:
    """The public reply is not up after all (the source rejected it): the case is not
    responded, it is open again if the reply had made it done, and its response window runs
    again, to the deadline it had. True when the case was done and is open again."""
    case.responded_by = case.responded_at = None
    reopened = case.status == Status.DONE
    if reopened:
        case.status = Status.OPEN
        case.closed_by = case.closed_at = case.closed_reason = case.closed_note = None
    for kind in RESPONSE_WINDOWS:
        window = windows.get(kind)
        if window is not None and window.met_at is not None:
            window.met_at = window.met_by = None
            session.add(window)
    return reopened


def meet(session: Session, window: CaseWindow | None, actor: str, now: datetime) -> None:
    if window is not None and window.met_at is None:
        window.met_at, window.met_by = now, actor
        session.add(window)


def new_round(session: Session, case: Case, windows: dict[str, CaseWindow], kind: str,
              now: datetime, due_at: datetime) -> CaseWindow:
    """A fresh window of `kind` for a case that comes back; the one it replaces keeps its
    verdict (met, or missed if it was neither met nor stopped by its deadline)."""
    previous = windows.get(kind)
    if previous is not None and previous.met_at is None and previous.stopped_at is None:
        previous.stopped_at = now
        session.add(previous)
    window = CaseWindow(case_id=case.id, kind=kind, started_at=now, due_at=due_at,
                        round=repo.next_round(session, case_id=case.id, kind=kind))
    session.add(window)
    windows[kind] = window
    return window


def respond_again(session: Session, config: Config, case: Case,
                  windows: dict[str, CaseWindow], now: datetime,
                  labels: Iterable[str]) -> CaseWindow:
    """A new response window for a case that needs answering again (its reviewer wrote again,
    or it was reopened after it was done)."""
    kind, due_at = response_deadline(config, case.site, labels, now)
    return new_round(session, case, windows, kind, now, due_at)


def close(session, case, windows, status, actor, now, reason, note) -> None:
    case.status = status
    case.closed_by, case.closed_at, case.closed_reason, case.closed_note = actor, now, reason, note
    for window in windows.values():
        if window.met_at is None and window.stopped_at is None:
            window.stopped_at = now
            session.add(window)
