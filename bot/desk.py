"""The case desk's flows: store reviews and open cases, and carry out what people click.

Each flow is one transaction: the case change, its event-log line, its window change and the
Slack messages announcing it (outbox rows) commit together or not at all."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot import replies
from bot.blocks.kit import Rendered
from bot.case_changes import Change, close, meet, respond
from bot.case_inputs import (
    InvalidInput,
    validate_escalation,
    validate_note,
    validate_reason,
    validate_reply,
)
from bot.case_lists import source_name
from bot.cases import (
    HIDE_REASONS,
    IGNORE_REASONS,
    URGENCIES,
    Action,
    Refusal,
    Status,
    WindowKind,
    check,
)
from bot.clock import Clock
from bot.config import Config
from bot.guard import check_reply
from bot.guard_rules import rules_for
from bot.ingest import Ingestor, IngestOutcome
from bot.needs_a_look import NeedsALook
from bot.nudges import Nudges
from bot.outcomes import Outcome, parse_outcome
from bot.reviews import CanonicalReview
from bot.roles import Role, Roles
from bot.slack_out import Outbox
from bot.text import line
from bot.triage import TriageResult
from bot.windows import add_time
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


class Desk:
    """Carries out what people do to cases, each in one transaction (`act`), and reads what
    the modals and the reply flow need."""

    def __init__(self, db: Database, config: Config, clock: Clock, outbox: Outbox,
                 nudges: Nudges, *, roles: Roles | None = None):
        self.db = db
        self.roles = roles or Roles(config, outbox.client, clock)
        self.config = config
        self.clock = clock
        self.outbox = outbox
        self.views = outbox.views
        self.nudges = nudges
        self.ingestor = Ingestor(db, config, clock, outbox, nudges)
        self.looks = NeedsALook(db, clock, outbox, self.ingestor, nudges)

    # ---- reviews in ---------------------------------------------------------------------

    def ingest(self, reviews: Sequence[tuple[int, CanonicalReview]], *,
               triaged: Sequence[TriageResult] | None = None) -> list[IngestOutcome]:
        """Store each review and open a case for each new negative one (see bot.ingest)."""
        return self.ingestor.ingest(reviews, triaged=triaged)

    def preview(self, reviews: Sequence[tuple[int, CanonicalReview]]) -> list[IngestOutcome]:
        return self.ingestor.preview(reviews)

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
            if case.escalated_by and action != Action.ESCALATE:
                self.outbox.update_px_card(session, case_id=case_id)
                if change.px_thread and change.history:
                    self.outbox.thread_reply(session, case_id=case_id, text=change.history,
                                             px=True)
            session.commit()
        logger.info("case %s %s by %s", case_id, action, actor)
        self.nudges.changed()
        self.outbox.wake()

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

    def record_reply(
        self, case_id: int, actor: str, *, text: str, template: str | None,
        request_key: str | None = None,
    ) -> None:
        """Record a public reply a person posted by hand (the reply flow's Mark as posted does
        the same with the post's own record). Words the reply guard blocks are refused."""
        text = validate_reply(text)
        review = self.review_of(case_id)
        verdict = check_reply(text, review_text=review.text, review_author=review.author,
                              labels=review.labels, rules=rules_for(self.config))
        if verdict.blocked:
            raise InvalidInput("reply", verdict.summary())
        found = replies.find(template)

        def apply(session, case, windows, now):
            edited = respond(session, case, windows, actor, now, text=text,
                             template=found.name if found else None)
            return Change(
                {"template": case.reply_template, "chars": len(text), "edited": edited,
                 "via": "by_hand"},
                str(line("history_responded", user=actor,
                         template_title=found.title if found else None, reply=text,
                         edited=edited, via=None, state=None, source=review.source_name)),
            )

        return self.act(case_id, actor, Action.RESPOND, apply, request_key=request_key)

    def log_outcome(self, case_id: int, actor: str, *, outcome: str | None, note: str | None,
                    request_key: str | None = None) -> None:
        """What came of the offer to talk (bot.outcomes), as an event reports can count; the
        card shows the latest. "Patient contacted" on an escalated case also marks the PX
        follow-up done, as Mark contacted does, when the person may mark it (PX staff)."""
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
            return Change(
                {"outcome": chosen.value, "took_up_offer": chosen.took_up_offer,
                 "changed_review": chosen.changed_review, "note": bool(note)},
                str(line("history_outcome", user=actor, outcome=chosen.label, note=note)),
                px_thread=True,
            )

        return self.act(case_id, actor, Action.OUTCOME, apply, request_key=request_key)

    def escalate(
        self, case_id: int, actor: str, *, site_id: str | None, urgency: str | None,
        note: str | None, request_key: str | None = None,
    ) -> None:
        site = validate_escalation(self.config, site_id, urgency)
        note = validate_note(note)

        def apply(session, case, windows, now):
            case.escalated_by, case.escalated_at = actor, now
            case.px_site, case.px_urgency, case.px_note = site.id, urgency, note
            due = add_time(now, self.config.windows.length(WindowKind.PX_FOLLOWUP, site=site.id),
                           self.config.business_hours)
            existing = windows.get(WindowKind.PX_FOLLOWUP)
            if existing is None:
                session.add(CaseWindow(case_id=case.id, kind=WindowKind.PX_FOLLOWUP,
                                       started_at=now, due_at=due))
            self.outbox.post_px_card(session, case_id=case.id, channel=site.px_channel)
            return Change(
                {"site": site.id, "urgency": urgency, "note": bool(note)},
                str(line("history_escalated", user=actor, site_name=site.name,
                         urgency=URGENCIES[urgency], px_channel=site.px_channel, due_at=due)),
            )

        return self.act(case_id, actor, Action.ESCALATE, apply, request_key=request_key)

    def px_claim(self, case_id: int, actor: str, *, request_key: str | None = None):
        def apply(session, case, windows, now):
            case.px_claimant_id, case.px_claimed_at = actor, now
            return Change({}, str(line("history_px_claimed", user=actor)), px_thread=True)

        return self.act(case_id, actor, Action.PX_CLAIM, apply, request_key=request_key)

    def px_take_over(self, case_id: int, actor: str, *, request_key: str | None = None):
        def apply(session, case, windows, now):
            previous = case.px_claimant_id
            case.px_claimant_id, case.px_claimed_at = actor, now
            text = (line("history_px_taken_over", user=actor, previous=previous) if previous
                    else line("history_px_claimed", user=actor))
            return Change({"previous": previous}, str(text), px_thread=True)

        return self.act(case_id, actor, Action.PX_TAKE_OVER, apply, request_key=request_key)

    def px_contacted(self, case_id: int, actor: str, *, request_key: str | None = None):
        def apply(session, case, windows, now):
            case.px_contacted_by, case.px_contacted_at = actor, now
            meet(session, windows.get(WindowKind.PX_FOLLOWUP), actor, now)
            return Change({}, str(line("history_px_contacted", user=actor)), px_thread=True)

        return self.act(case_id, actor, Action.PX_CONTACTED, apply, request_key=request_key)

    def resolve(self, case_id: int, actor: str, *, request_key: str | None = None):
        def apply(session, case, windows, now):
            meet(session, windows.get(WindowKind.PX_FOLLOWUP), actor, now)
            close(session, case, windows, Status.RESOLVED, actor, now, None, None)
            return Change({}, str(line("history_resolved", user=actor)), px_thread=True)

        return self.act(case_id, actor, Action.RESOLVE, apply, request_key=request_key)

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
        def apply(session, case, windows, now):
            was = case.status
            case.status = Status.OPEN
            case.closed_by = case.closed_at = case.closed_reason = case.closed_note = None
            for window in windows.values():
                if window.stopped_at is not None and window.met_at is None:
                    window.stopped_at = None
                    session.add(window)
            return Change({"was": was}, str(line("history_reopened", user=actor, was=was)),
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
            review = repo.get_review(session, review_id=case.review_id)
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
            review = repo.get_review(session, review_id=case.review_id) if case else None
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
                             claimant_id=case.claimant_id)

    def history(self, case_id: int):
        with self.db.session() as session:
            return list(repo.events_of(session, case_id=case_id))

    def expanded(self, case_id: int) -> Rendered:
        return self.views.expanded(case_id)
