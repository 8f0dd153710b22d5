"""Patient Experience's part of a case: the escalation that hands it to a site's PX team
(with a follow-up window as long as the urgency says), PX's own steps on it (claim, take over,
mark contacted, resolve) and what the Escalate modal starts from. Desk carries each change out
in its one transaction (`act`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.config import Config
from bot.core.case_changes import (
    URGENT_LABELS,
    Change,
    close,
    meet,
    new_round,
    px_followup_length,
)
from bot.core.case_inputs import InvalidInput, validate_escalation, validate_note
from bot.core.cases import URGENCIES, Action, Refusal, Status, WindowKind
from bot.core.outcomes import Outcome, parse_outcome
from bot.core.windows import add_time
from bot.desk.nudges import Nudges
from bot.outbox import OutboxWriter
from bot.text import line
from bot.triage import TriageResult
from storage import repository as repo
from storage.db import Database
from storage.models import Case

__all__ = ["EscalationForm", "PxFollowUp"]


@dataclass(frozen=True)
class EscalationForm:
    """What the Escalate modal starts from: the site, and the urgency the case calls for (on
    site now and risk: urgent) or already has; when PX already has it, which team and until
    when."""

    site_id: str | None
    urgency: str
    px_site_name: str | None = None
    px_due_at: datetime | None = None
    # Why it calls for Urgent (risk language, someone on site now), by label; the modal warns
    # against less, and the case's history notes it when less is chosen.
    urgent_reasons: dict[str, str] | None = None


class PxFollowUp:
    """Desk's steps for Patient Experience's follow-up (Desk is the one subclass: it has the
    database, the configuration, the outbox, the nudges and `act`)."""

    db: Database
    config: Config
    outbox: OutboxWriter
    nudges: Nudges
    act: Callable[..., None]  # Desk.act: one change to a case, in one transaction

    def escalate(
        self, case_id: int, actor: str, *, site_id: str | None, urgency: str | None,
        note: str | None, request_key: str | None = None,
    ) -> None:
        """Send the case to the site's PX team with a follow-up window as long as the urgency
        says ([windows] px_followup, [windows.px_urgency]). Escalating it again changes the
        urgency, and the deadline with it; a done case escalated is open again."""
        site = validate_escalation(self.config, site_id, urgency)
        note = validate_note(note)

        def apply(session, case, windows, now):
            if case.escalated_by is not None and case.px_site != site.id:
                self._other_site(case)
            length = px_followup_length(self.config, urgency, px_site=site.id,
                                        case_site=case.site, labels=self._labels(session, case))
            due = add_time(now, length, self.config.business_hours)
            if case.status == Status.DONE:
                case.status = Status.OPEN
                case.closed_by = case.closed_at = case.closed_reason = case.closed_note = None
            if case.escalated_by is not None:
                return self._escalate_again(session, case, windows, actor, now, urgency, note,
                                            due)
            case.escalated_by, case.escalated_at = actor, now
            case.px_site, case.px_urgency, case.px_note = site.id, urgency, note
            new_round(session, case, windows, WindowKind.PX_FOLLOWUP, now, due)
            self.outbox.post_px_card(session, case_id=case.id, channel=site.px_channel)
            return Change(
                {"site": site.id, "urgency": urgency, "note": bool(note),
                 "due_at": due.isoformat()},
                str(line("history_escalated", user=actor, site_name=site.name,
                         urgency=URGENCIES[urgency], px_channel=site.px_channel, due_at=due)),
            )

        def warned(session, case, windows, now):
            return self._below_urgent(session, case, urgency, apply(session, case, windows, now))

        return self.act(case_id, actor, Action.ESCALATE, warned, request_key=request_key)

    def _urgent_reasons(self, session: Session, case: Case) -> dict[str, str]:
        """Why the case calls for an Urgent escalation: its review's (or the reviewer's latest
        words') risk or on-site labels, each with triage's reason."""
        review = repo.get_review(session, review_id=case.followup_review_id or case.review_id)
        triaged = TriageResult.from_dict(review.triage if review else {})
        return {label: triaged.reasons.get(label, "") for label in triaged.labels
                if label in URGENT_LABELS}

    def _below_urgent(self, session: Session, case: Case, urgency: str | None,
                      change: Change) -> Change:
        """A risk or on-site case escalated below Urgent: allowed, and said in the history."""
        reasons = {} if urgency == "urgent" else self._urgent_reasons(session, case)
        if not reasons:
            return change
        warning = str(line("history_below_urgent", reasons=reasons))
        return Change({**change.details, "below_urgent": sorted(reasons)},
                      f"{change.history}\n{warning}" if change.history else warning,
                      change.px_thread)

    def _escalate_again(self, session, case, windows, actor, now, urgency, note, due) -> Change:
        """A new urgency for a case PX already has: its follow-up deadline moves (a deadline
        already missed keeps its verdict and a new window starts), the PX card and its thread
        say so, and a new note is added to the old one."""
        previous = case.px_urgency
        case.px_urgency = urgency
        if note:
            case.px_note = f"{case.px_note}\n{note}" if case.px_note else note
        window = windows.get(WindowKind.PX_FOLLOWUP)
        if window is None or window.met_at is not None or window.due_at <= now:
            new_round(session, case, windows, WindowKind.PX_FOLLOWUP, now, due)
        else:
            window.started_at, window.due_at, window.stopped_at = now, due, None
            session.add(window)
            self.nudges.replan(session, window)
        return Change(
            {"site": case.px_site, "urgency": urgency, "previous_urgency": previous,
             "note": bool(note), "again": True, "due_at": due.isoformat()},
            str(line("history_escalated_again", user=actor, urgency=URGENCIES[urgency],
                     previous=URGENCIES.get(previous or "", previous), due_at=due, note=note)),
            px_thread=True,
        )

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

    def resolve(self, case_id: int, actor: str, *, outcome: str | None, note: str | None,
                request_key: str | None = None):
        """Close the PX follow-up with what came of it (bot.core.outcomes), as Log outcome
        records one: the case's latest outcome, counted by the figures from this event. "Patient
        contacted" also marks the reviewer contacted, if nobody had."""
        try:
            chosen = parse_outcome(outcome)
        except ValueError:
            raise InvalidInput("outcome", "Choose what came of the follow-up.") from None
        note = validate_note(note)

        def apply(session, case, windows, now):
            case.outcome, case.outcome_by, case.outcome_at = chosen.value, actor, now
            if chosen is Outcome.PATIENT_CONTACTED and case.px_contacted_by is None:
                case.px_contacted_by, case.px_contacted_at = actor, now
            meet(session, windows.get(WindowKind.PX_FOLLOWUP), actor, now)
            close(session, case, windows, Status.RESOLVED, actor, now, None, None)
            return Change(
                {"outcome": chosen.value, "took_up_offer": chosen.took_up_offer,
                 "changed_review": chosen.changed_review, "note": bool(note)},
                str(line("history_resolved", user=actor, outcome=chosen.label, note=note)),
                px_thread=True)

        return self.act(case_id, actor, Action.RESOLVE, apply, request_key=request_key)

    def check_escalation(self, case_id: int, site_id: str | None, urgency: str | None,
                         note: str | None) -> None:
        """What the Escalate modal's submission would refuse, as an InvalidInput naming the
        field, before the modal closes: a missing site or urgency, a long note, another site
        than the PX team that already has the case."""
        site = validate_escalation(self.config, site_id, urgency)
        validate_note(note)
        with self.db.session() as session:
            case = repo.get_case(session, case_id=case_id)
            if case is not None and case.escalated_by is not None and case.px_site != site.id:
                self._other_site(case)

    def _other_site(self, case: Case) -> None:
        current = self.config.site(case.px_site)
        raise InvalidInput("site", str(line(
            "escalate_other_site", site_name=current.name if current else case.px_site)))

    def escalation_form(self, case_id: int) -> EscalationForm:
        with self.db.session() as session:
            case = repo.get_case(session, case_id=case_id)
            if case is None:
                raise Refusal("not_found", case_id, {})
            if case.escalated_by is not None:
                site = self.config.site(case.px_site)
                window = repo.windows_of(session, case_id=case_id).get(WindowKind.PX_FOLLOWUP)
                return EscalationForm(case.px_site, case.px_urgency or "routine",
                                      site.name if site else case.px_site,
                                      window.due_at if window and not window.met_at else None,
                                      urgent_reasons=self._urgent_reasons(session, case))
            reasons = self._urgent_reasons(session, case)
            urgency = "urgent" if reasons else "routine"
            return EscalationForm(case.site, urgency, urgent_reasons=reasons)

    @staticmethod
    def _labels(session: Session, case: Case) -> tuple[str, ...]:
        """The triage labels of the reviewer's newest words."""
        review = repo.get_review(session, review_id=case.followup_review_id or case.review_id)
        return tuple(TriageResult.from_dict(review.triage if review else {}).labels)
