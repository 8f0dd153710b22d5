"""The case desk's flows: carry out what people click (Patient Experience's steps are in
px_followup.py; reviews come in through ingest.py's Ingestor).

Each flow is one transaction: the case change, its event-log line, its window change and the
Slack messages announcing it (outbox rows) commit together or not at all."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.clock import Clock
from bot.config import Config
from bot.core.case_changes import (
    ON_SITE,
    Change,
    close,
    finish_if_done,
    meet,
    respond_again,
)
from bot.core.case_inputs import (
    InvalidInput,
    validate_note,
    validate_reason,
)
from bot.core.case_lists import source_name
from bot.core.cases import (
    HIDE_REASONS,
    IGNORE_REASONS,
    SYSTEM,
    Action,
    Refusal,
    Status,
    WindowKind,
    check,
)
from bot.core.outcomes import Outcome, parse_outcome
from bot.core.roles import Role, Roles
from bot.desk.ingest import Ingestor, IngestOutcome
from bot.desk.needs_a_look import NeedsALook
from bot.desk.nudges import Nudges
from bot.desk.px_followup import PxFollowUp
from bot.outbox import OutboxWriter
from bot.text import line
from bot.triage import TriageResult
from bot.triage.result import LABELS
from storage import repository as repo
from storage.db import Database, DatabaseBusy, retry_on_conflict
from storage.models import Case, CaseWindow

__all__ = ["CaseFacts", "Desk", "IngestOutcome", "ReviewFacts"]

logger = logging.getLogger(__name__)

SNOOZE_FOR = timedelta(hours=1)


@dataclass(frozen=True)
class ReviewFacts:
    """The review behind a case: what the reply guard reads and where a reply goes."""

    case_id: int
    source: str
    external_id: str
    site_id: str | None
    author: str | None
    text: str
    url: str | None
    recommendation: str | None
    labels: tuple[str, ...]
    triage: TriageResult

    @property
    def source_name(self) -> str:
        return source_name(self.source)


@dataclass(frozen=True)
class CaseFacts:
    """What a listener may need to know about a case before it opens a modal."""

    case_id: int
    status: str
    site_id: str | None
    claimant_id: str | None
    outcome: str | None = None  # the latest logged (bot.core.outcomes)


class Desk(PxFollowUp):
    """Carries out what people do to cases, each in one transaction (`act`), and reads what
    the modals and the reply flow need; Patient Experience's steps are PxFollowUp's."""

    def __init__(self, db: Database, config: Config, clock: Clock, outbox: OutboxWriter,
                 nudges: Nudges, *, roles: Roles):
        self.db = db
        self.roles = roles
        self.config = config
        self.clock = clock
        self.outbox = outbox
        self.nudges = nudges
        self.ingestor = Ingestor(db, config, clock, outbox, nudges)
        self.looks = NeedsALook(db, clock, outbox, self.ingestor, nudges)

    # ---- what people do -------------------------------------------------------------------

    def act(
        self,
        case_id: int,
        actor: str,
        action: Action,
        apply: Callable[[Session, Case, dict[str, CaseWindow], datetime], Change],
        *,
        request_key: str | None = None,
        checked: bool = True,
    ) -> None:
        """Apply one change to a case in one transaction with its event, its nudges, its cards
        and its thread line. `checked=False` records what already happened elsewhere (a source
        answered a post), whatever the case's state now."""
        try:
            # Someone changing the case between our read and our write makes us read it again
            # and re-check the rules: the second of two simultaneous claims gets a refusal.
            # Someone is waiting: a database locked for longer than the budget is a refusal
            # ("the desk is busy"), not a worker held until the lock ends.
            retry_on_conflict(lambda: self._act_once(case_id, actor, action, apply, request_key,
                                                     checked),
                              budget=self.db.interactive_budget)
        except IntegrityError:
            # The same request (a double-click or a retry) committed in the meantime.
            return
        except DatabaseBusy:
            logger.warning("case %s: %s by %s not applied, the database is busy", case_id,
                           action, actor)
            raise Refusal("busy", case_id, {"action": str(action)}) from None

    def _act_once(self, case_id, actor, action, apply, request_key, checked=True) -> None:
        now = self.clock.now()
        with self.db.session() as session:
            if request_key and repo.request_seen(session, request_key=request_key):
                return
            case = repo.get_case(session, case_id=case_id)
            if case is None:
                raise Refusal("not_found", case_id, {})
            if checked:  # what a source already did is recorded whoever's role it was
                self.roles.check(case, action, actor)
            try:
                if checked:
                    check(case, action, actor)
            except Refusal:
                # A double-click whose twin committed after our first look: not a refusal.
                if request_key and repo.request_seen(session, request_key=request_key):
                    return
                raise
            windows = repo.windows_of(session, case_id=case_id)
            was = case.status
            had_px_card = case.escalated_by is not None
            change = apply(session, case, windows, now)
            case.updated_at = now
            session.add(case)
            session.flush()  # raises StaleDataError when another click won
            repo.add_event(session, case_id=case_id, actor=actor, action=action, at=now,
                           details=change.details, request_key=request_key)
            self.nudges.sync(session, case_id)
            self.outbox.update_card(session, case_id=case_id)
            if change.history:
                self.outbox.thread_reply(session, case_id=case_id, text=change.history)
            if case.status == Status.DONE and was != Status.DONE:
                self._done(session, case, now,
                           via="reached" if action == Action.OUTCOME else "answered")
            if had_px_card:
                self.outbox.update_px_card(session, case_id=case_id)
                if change.px_thread and change.history:
                    self.outbox.thread_reply(session, case_id=case_id, text=change.history,
                                             px=True)
            session.commit()
        logger.info("case %s %s by %s", case_id, action, actor)
        self.nudges.changed()
        self.outbox.wake()

    def _done(self, session: Session, case: Case, now: datetime, *, via: str) -> None:
        """The case's work has ended (answered in public, no PX follow-up open, and for an
        on-site or risk case, the reviewer reached: `via` "reached" when the outcome came
        last): one event the figures time, and a line in its thread."""
        repo.add_event(session, case_id=case.id, actor=case.closed_by or SYSTEM,
                       action=Action.DONE, at=now, details={"via": via})
        self.outbox.thread_reply(session, case_id=case.id,
                                 text=str(line("history_done", via=via)))

    def claim(self, case_id: int, actor: str, *, request_key: str | None = None) -> None:
        def apply(session, case, windows, now):
            case.claimant_id, case.claimed_at = actor, now
            return Change({}, str(line("history_claimed", user=actor)))

        return self.act(case_id, actor, Action.CLAIM, apply, request_key=request_key)

    def take_over(self, case_id: int, actor: str, *, request_key: str | None = None):
        def apply(session, case, windows, now):
            previous = case.claimant_id
            case.claimant_id, case.claimed_at = actor, now
            if previous is None:
                return Change({}, str(line("history_claimed", user=actor)))
            return Change({"previous": previous},
                           str(line("history_taken_over", user=actor, previous=previous)))

        return self.act(case_id, actor, Action.TAKE_OVER, apply, request_key=request_key)

    def release(self, case_id: int, actor: str, *, request_key: str | None = None):
        def apply(session, case, windows, now):
            case.claimant_id, case.claimed_at = None, None
            return Change({}, str(line("history_released", user=actor)))

        return self.act(case_id, actor, Action.RELEASE, apply, request_key=request_key)

    def log_outcome(self, case_id: int, actor: str, *, outcome: str | None, note: str | None,
                    request_key: str | None = None) -> None:
        """What came of the offer to talk (bot.core.outcomes), as an event reports can count; the
        card shows the latest. "Patient contacted" on an escalated case also marks the PX
        follow-up done, as Mark contacted does, when the person may mark it (PX staff). An
        on-site or risk case answered in public is done once an outcome is logged."""
        try:
            chosen = parse_outcome(outcome)
        except ValueError:
            raise InvalidInput("outcome", "Choose what came of the follow-up.") from None
        note = validate_note(note)

        def apply(session, case, windows, now):
            case.outcome, case.outcome_by, case.outcome_at = chosen.value, actor, now
            if (chosen is Outcome.PATIENT_CONTACTED and case.escalated_by
                    and case.px_contacted_by is None
                    and self.roles.holds(actor, Role.PX_STAFF, px_site=case.px_site)):
                case.px_contacted_by, case.px_contacted_at = actor, now
                meet(session, windows.get(WindowKind.PX_FOLLOWUP), actor, now)
            finish_if_done(session, case, windows, actor, now)
            return Change(
                {"outcome": chosen.value, "took_up_offer": chosen.took_up_offer,
                 "changed_review": chosen.changed_review, "note": bool(note)},
                str(line("history_outcome", user=actor, outcome=chosen.label, note=note)),
                px_thread=True,
            )

        return self.act(case_id, actor, Action.OUTCOME, apply, request_key=request_key)

    def mark_on_site(self, case_id: int, actor: str, *, request_key: str | None = None) -> None:
        """A person says the reviewer is on site now (triage did not read it, or the review
        reached us late): the case gets the on-site label, an unanswered case the urgent
        response window from now in place of its first-response one (never a later deadline),
        and whoever finds people at its site a DM, as an on-site case has when it opens."""

        def apply(session, case, windows, now):
            review = repo.get_review(session, review_id=case.followup_review_id or case.review_id)
            triaged = TriageResult.from_dict(review.triage or {})
            if ON_SITE in triaged.labels:
                raise Refusal("already_on_site", case.id, {})
            labels = tuple(label for label in LABELS if label in {*triaged.labels, ON_SITE})
            reasons = {**triaged.reasons, ON_SITE: "on site now: said by a person"}
            review.triage = {**triaged.as_dict(), "labels": list(labels), "reasons": reasons}
            session.add(review)
            due = None
            first = windows.get(WindowKind.FIRST_RESPONSE)
            if first is not None and first.met_at is None and first.stopped_at is None:
                urgent = respond_again(session, self.config, case, windows, now, labels)
                if urgent.due_at < first.due_at:
                    first.stopped_at = now
                    session.add(first)
                    due = urgent.due_at
                else:  # the first response was due sooner still: it stays
                    urgent.stopped_at = now
                    session.add(urgent)
            self.ingestor.ask_to_find(session, case.id, case.site, review)
            return Change({"due_at": due.isoformat() if due else None},
                          str(line("history_marked_on_site", user=actor, due_at=due)))

        return self.act(case_id, actor, Action.MARK_ON_SITE, apply, request_key=request_key)

    def hide(self, case_id: int, actor: str, *, reason: str | None, note: str | None,
             request_key: str | None = None) -> None:
        return self._close_with_reason(case_id, actor, Action.HIDE, Status.HIDDEN,
                                       HIDE_REASONS, reason, note, request_key)

    def ignore(self, case_id: int, actor: str, *, reason: str | None, note: str | None,
               request_key: str | None = None) -> None:
        return self._close_with_reason(case_id, actor, Action.IGNORE, Status.IGNORED,
                                       IGNORE_REASONS, reason, note, request_key)

    def _close_with_reason(self, case_id, actor, action, status, reasons, reason, note,
                           request_key) -> None:
        reason = validate_reason(reason, reasons)
        note = validate_note(note)
        template = "history_hidden" if status == Status.HIDDEN else "history_ignored"

        def apply(session, case, windows, now):
            close(session, case, windows, status, actor, now, reason, note)
            return Change({"reason": reason, "note": bool(note)},
                           str(line(template, user=actor, reason=reasons[reason], note=note)),
                           px_thread=True)

        return self.act(case_id, actor, action, apply, request_key=request_key)

    def reopen(self, case_id: int, actor: str, *, request_key: str | None = None):
        """Open a closed case again: a hidden, ignored or resolved case's windows run again to
        their deadlines; a done case gets a new response window, as when its reviewer writes
        again."""
        def apply(session, case, windows, now):
            was = case.status
            case.status = Status.OPEN
            case.closed_by = case.closed_at = case.closed_reason = case.closed_note = None
            due = None
            if was == Status.DONE:
                review = repo.get_review(session,
                                         review_id=case.followup_review_id or case.review_id)
                labels = TriageResult.from_dict(review.triage if review else {}).labels
                due = respond_again(session, self.config, case, windows, now, labels).due_at
            for window in windows.values():
                if window.stopped_at is not None and window.met_at is None:
                    window.stopped_at = None
                    session.add(window)
            return Change({"was": was},
                          str(line("history_reopened", user=actor, was=was, due_at=due)),
                          px_thread=True)

        return self.act(case_id, actor, Action.REOPEN, apply, request_key=request_key)

    def snooze(self, case_id: int, actor: str, *, window_kind: str,
               request_key: str | None = None) -> None:
        """Hold a window's reminders for an hour (its deadline stays)."""
        def apply(session, case, windows, now):
            window = windows.get(window_kind)
            if window is None or window.met_at or window.stopped_at:
                raise Refusal("window_closed", case.id, {})
            until = now + SNOOZE_FOR
            self.nudges.snooze(session, window, until)
            return Change({"window": window_kind, "until": until.isoformat()},
                           str(line("history_snoozed", user=actor, until=until)),
                           px_thread=window_kind == WindowKind.PX_FOLLOWUP)

        return self.act(case_id, actor, Action.SNOOZE, apply, request_key=request_key)

    def on_it(self, case_id: int, actor: str, *, window_kind: str,
              request_key: str | None = None) -> None:
        """"I'm on it" on a nudge: the clicker takes the case (or its PX follow-up)."""
        if window_kind == WindowKind.PX_FOLLOWUP:
            return self.px_take_over(case_id, actor, request_key=request_key)
        return self.take_over(case_id, actor, request_key=request_key)

    # ---- what the modals and commands read ------------------------------------------------

    def review_of(self, case_id: int) -> ReviewFacts:
        """The review behind a case, as the reply guard and the reply flow read it."""
        with self.db.session() as session:
            case = repo.get_case(session, case_id=case_id)
            if case is None:
                raise Refusal("not_found", case_id, {})
            # The reviewer's newest words: a reply answers them, on their own post.
            review = repo.get_review(session,
                                     review_id=case.followup_review_id or case.review_id)
            assert review is not None  # a case always has its review (foreign key)
            triage = TriageResult.from_dict(review.triage or {})
            return ReviewFacts(
                case_id=case_id, source=review.source, external_id=review.external_id,
                site_id=case.site or review.site, author=review.author, text=review.text,
                url=review.url, recommendation=review.recommendation,
                labels=tuple(triage.labels), triage=triage,
            )

    def triage_of(self, case_id: int) -> TriageResult:
        with self.db.session() as session:
            case = repo.get_case(session, case_id=case_id)
            review = repo.get_review(session, review_id=case.followup_review_id
                                     or case.review_id) if case else None
            return TriageResult.from_dict(review.triage if review and review.triage else {})

    def check_allowed(self, case_id: int, action: Action, actor: str) -> CaseFacts:
        """Refuse early (before a modal opens) what the submission would refuse anyway."""
        with self.db.session() as session:
            case = repo.get_case(session, case_id=case_id)
            if case is None:
                raise Refusal("not_found", case_id, {})
            self.roles.check(case, action, actor)
            check(case, action, actor)
            return CaseFacts(case_id=case_id, status=case.status, site_id=case.site,
                             claimant_id=case.claimant_id, outcome=case.outcome)

    def history(self, case_id: int):
        with self.db.session() as session:
            return list(repo.events_of(session, case_id=case_id))
