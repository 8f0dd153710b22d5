"""The desk's figures, computed from what happened: pure functions of the event log, the cases'
opening facts and their windows (storage/reports.py reads them), for a period of time.

The weekly digest, `/reviewdesk stats`, the Home tab's week and `reviewdesk report` all use
these, so they always agree. The rules, each a plain reading of the log:

- Every count is of things that happened in the period: cases opened, first claims, first
  responses, escalations, outcomes, hides, ignores, reopens. A past period's figures never
  change afterwards.
- "Escalations" are cases escalated to Patient Experience: each case counts once, in the
  period of its first escalation. Escalating it again (a new urgency, and so a new deadline,
  for the PX team that already has it; its event says `again`) is not another escalation.
- Time to claim (to first response) is measured from the case's opening to its first claim or
  take-over (its first recorded reply), counted in the period the claim (reply) falls in.
  Releasing and claiming again, or editing a reply, is not a first.
- Time to done is measured from the case's opening to the first time its work ended: answered
  in public with no PX follow-up open (done), or resolved by PX; counted in the period that
  falls in. A case that comes back and is done again is not a first.
- A window is judged at its deadline, in the period its deadline falls in: met when it was met
  at or before the deadline (a reply at the very minute counts), else missed, unless the case
  was closed (done, hidden, ignored or resolved, and not back since) at the deadline, when
  nobody had to act and the window is left out. Deadlines still ahead are not judged yet. A
  case that comes back gets a new window, judged on its own.
- An escalation's outcomes: the reviewer contacted (Mark contacted, or a logged outcome), the
  review updated (the reviewer edited it after the escalation, or a logged outcome), and any
  outcome logged in the case's history (bot/core/outcomes.py); each case counts once per outcome.
- Volume by site, source and theme counts the cases opened in the period; a case with two
  themes counts under both, with the themes triage reads in the review now (after any edit).
- "Needs a look": the unsure unrated reviews listed in the period, and the decisions made in
  the period (made a case, not a complaint), whenever the review was listed.
- Weeks run Monday 00:00 to Monday 00:00 in the organisation's time zone, so a week with a
  daylight-saving change is 167 or 169 hours long; "the last 7 days" are 7 calendar days.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.core.cases import Action, LookDecision, WindowKind
from bot.core.outcomes import Outcome
from bot.reports.periods import Period, span, weeks_before

# ---- what the figures are computed from ------------------------------------------------------


@dataclass(frozen=True)
class CaseFact:
    """A case as reports read it: where it came from and when it opened."""

    case_id: int
    opened_at: datetime
    site: str | None
    source: str
    themes: tuple[str, ...] = ()


@dataclass(frozen=True)
class EventFact:
    """One line of a case's history."""

    case_id: int
    action: str
    at: datetime
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class WindowFact:
    """A follow-up window: its deadline and when (if ever) it was met."""

    case_id: int
    kind: str
    due_at: datetime
    met_at: datetime | None = None


@dataclass(frozen=True)
class LookFact:
    """An unrated review triage was unsure about, listed under "Needs a look", and what a person
    decided about it (None: nobody yet)."""

    added_at: datetime
    site: str | None
    decision: str | None = None  # "case" | "not_complaint"
    decided_at: datetime | None = None


@dataclass(frozen=True)
class History:
    """Everything the figures of a period need: the cases, every event of those cases (oldest
    first), their windows, and the "Needs a look" items listed or decided in the period."""

    cases: Mapping[int, CaseFact]
    events: Sequence[EventFact]
    windows: Sequence[WindowFact]
    looks: Sequence[LookFact] = ()


# ---- the figures -------------------------------------------------------------------------------

_CLAIMS = frozenset({Action.CLAIM, Action.TAKE_OVER})
_CLOSES = frozenset({Action.DONE, Action.HIDE, Action.IGNORE, Action.RESOLVE})
_ENDS = frozenset({Action.DONE, Action.RESOLVE})  # the case's work ended


def _reopens(event: EventFact) -> bool:
    """Did this event open a closed case again: Reopen, the reviewer writing again (a new review
    or an edit that is still a complaint), an escalation of a done case, or the source
    rejecting the reply that made it done?"""
    details = event.details or {}
    return (event.action in (Action.REOPEN, Action.WROTE_AGAIN, Action.ESCALATE)
            or (event.action == Action.REVIEW_EDITED and bool(details.get("came_back")))
            or (event.action == Action.REPLY_REJECTED and bool(details.get("reopened"))))
WINDOW_KINDS = (WindowKind.FIRST_RESPONSE, WindowKind.URGENT, WindowKind.PX_FOLLOWUP)
OUTCOMES = tuple(Outcome)


@dataclass(frozen=True)
class WindowShare:
    """Windows of one kind judged in the period."""

    kind: str
    met: int
    missed: int

    @property
    def judged(self) -> int:
        return self.met + self.missed

    @property
    def share(self) -> float | None:
        """The share met, 0…1; None when none was judged."""
        return self.met / self.judged if self.judged else None


@dataclass(frozen=True)
class Figures:
    period: Period
    opened: int
    by_site: tuple[tuple[str | None, int], ...]  # site id (None: unknown), most first
    by_source: tuple[tuple[str, int], ...]
    by_theme: tuple[tuple[str, int], ...]  # a case with two themes counts in both
    claims: int  # first claims in the period
    median_to_claim: timedelta | None
    responses: int  # first responses in the period
    median_to_response: timedelta | None
    windows: tuple[WindowShare, ...]  # one per WINDOW_KINDS
    escalations: int  # cases first escalated in the period (not escalations made again)
    outcomes: tuple[tuple[str, int], ...]  # one per OUTCOMES
    hidden: int
    hidden_reasons: tuple[tuple[str, int], ...]
    ignored: int
    ignored_reasons: tuple[tuple[str, int], ...]
    resolved: int
    reopened: int
    looks_listed: int = 0  # unsure reviews put on a "Needs a look" list in the period
    looks_made_case: int = 0  # decisions in the period: made a case
    looks_not_complaint: int = 0  # decisions in the period: not a complaint
    done: int = 0  # cases whose work first ended in the period (done, or resolved by PX)
    median_to_done: timedelta | None = None

    def window(self, kind: str) -> WindowShare:
        return next(share for share in self.windows if share.kind == kind)

    @property
    def response_windows(self) -> WindowShare:
        """First-response and urgent windows together: was the review answered in time?"""
        first, urgent = self.window(WindowKind.FIRST_RESPONSE), self.window(WindowKind.URGENT)
        return WindowShare("response", first.met + urgent.met, first.missed + urgent.missed)

    def outcome(self, name: str) -> int:
        return dict(self.outcomes)[name]


def _ranked(counter: Counter) -> tuple[tuple[Any, int], ...]:
    return tuple(sorted(counter.items(), key=lambda item: (-item[1], str(item[0] or "~"))))


def _median(samples: Sequence[timedelta]) -> timedelta | None:
    if not samples:
        return None
    return timedelta(seconds=statistics.median(s.total_seconds() for s in samples))


def _firsts(events: Iterable[EventFact], actions: frozenset[str]) -> dict[int, datetime]:
    """Each case's first event among `actions` (events come oldest first)."""
    found: dict[int, datetime] = {}
    for event in events:
        if event.action in actions and event.case_id not in found:
            found[event.case_id] = event.at
    return found


def _closed_at(events: Sequence[EventFact], moment: datetime) -> bool:
    """Was the case whose `events` these are closed at `moment` (its last close or reopen up to
    then was a close)?"""
    closed = False
    for event in events:
        if event.at > moment:
            break
        if event.action in _CLOSES:
            closed = True
        elif _reopens(event):
            closed = False
    return closed


def _outcomes(events: Sequence[EventFact], period: Period) -> set[tuple[int, str]]:
    escalated: dict[int, datetime] = _firsts(events, frozenset({Action.ESCALATE}))
    found: set[tuple[int, str]] = set()
    for event in events:
        if event.at not in period:
            continue
        logged = event.details.get("outcome") if event.details else None
        if logged in Outcome._value2member_map_:
            found.add((event.case_id, str(logged)))
        elif event.action == Action.PX_CONTACTED:
            found.add((event.case_id, Outcome.PATIENT_CONTACTED.value))
        elif (event.action == Action.REVIEW_EDITED and event.case_id in escalated
              and escalated[event.case_id] <= event.at):
            found.add((event.case_id, Outcome.REVIEW_UPDATED.value))
    return found


def compute(history: History, period: Period, *, now: datetime | None = None,
            sites: Iterable[str] | None = None) -> Figures:
    """The figures of `period` (see the module's rules). Deadlines after `now` (default: the
    period's end) are not judged yet. `sites` keeps only those sites' cases."""
    judged_until = min(period.end, now) if now else period.end
    wanted = None if sites is None else set(sites)
    cases = {case_id: case for case_id, case in history.cases.items()
             if wanted is None or case.site in wanted}
    # Oldest first; a stable sort keeps the log's order for events of the same moment.
    events = sorted((event for event in history.events if event.case_id in cases),
                    key=lambda event: event.at)
    events_of: dict[int, list[EventFact]] = defaultdict(list)
    for event in events:
        events_of[event.case_id].append(event)
    in_period = [event for event in events if event.at in period]
    opened = [case for case in cases.values() if case.opened_at in period]

    claim_at = _firsts(events, _CLAIMS)
    reply_at = _firsts(events, frozenset({Action.RESPOND}))
    to_claim = [at - cases[case_id].opened_at for case_id, at in claim_at.items()
                if at in period]
    to_reply = [at - cases[case_id].opened_at for case_id, at in reply_at.items()
                if at in period]
    to_done = [at - cases[case_id].opened_at
               for case_id, at in _firsts(events, _ENDS).items() if at in period]
    escalated = [at for at in _firsts(events, frozenset({Action.ESCALATE})).values()
                 if at in period]

    met: Counter = Counter()
    missed: Counter = Counter()
    for window in history.windows:
        if (window.case_id not in cases or window.due_at not in period
                or window.due_at > judged_until):
            continue
        if window.met_at is not None and window.met_at <= window.due_at:
            met[window.kind] += 1
        elif not _closed_at(events_of[window.case_id], window.due_at):
            missed[window.kind] += 1

    actions = Counter(event.action for event in in_period)
    hidden = Counter(str(e.details.get("reason")) for e in in_period if e.action == Action.HIDE)
    ignored = Counter(str(e.details.get("reason")) for e in in_period
                      if e.action == Action.IGNORE)
    outcome_counts = Counter(name for _case, name in _outcomes(events, period))
    themes = Counter(theme for case in opened for theme in case.themes)
    looks = [look for look in history.looks if wanted is None or look.site in wanted]
    decided = Counter(look.decision for look in looks
                      if look.decided_at is not None and look.decided_at in period)
    return Figures(
        period=period,
        opened=len(opened),
        by_site=_ranked(Counter(case.site for case in opened)),
        by_source=_ranked(Counter(case.source for case in opened)),
        by_theme=_ranked(themes),
        claims=len(to_claim),
        median_to_claim=_median(to_claim),
        responses=len(to_reply),
        median_to_response=_median(to_reply),
        done=len(to_done),
        median_to_done=_median(to_done),
        windows=tuple(WindowShare(kind, met[kind], missed[kind]) for kind in WINDOW_KINDS),
        escalations=len(escalated),
        outcomes=tuple((outcome.value, outcome_counts[outcome.value]) for outcome in OUTCOMES),
        hidden=actions[Action.HIDE],
        hidden_reasons=_ranked(hidden),
        ignored=actions[Action.IGNORE],
        ignored_reasons=_ranked(ignored),
        resolved=actions[Action.RESOLVE],
        reopened=actions[Action.REOPEN],
        looks_listed=sum(look.added_at in period for look in looks),
        looks_made_case=decided[LookDecision.MADE_CASE],
        looks_not_complaint=decided[LookDecision.NOT_COMPLAINT],
    )


# ---- the week against the previous four ------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """A week, the weeks before it (most recent first), and those weeks taken together."""

    week: Figures
    previous: tuple[Figures, ...]
    pooled: Figures  # the previous weeks as one period: medians and shares of all of them

    @property
    def weeks(self) -> int:
        return len(self.previous)


def compare(history: History, week: Period, *, previous: int = 4, now: datetime | None = None,
            sites: Iterable[str] | None = None) -> Comparison:
    before = weeks_before(week, previous)
    site_list = None if sites is None else list(sites)
    return Comparison(
        week=compute(history, week, now=now, sites=site_list),
        previous=tuple(compute(history, p, now=now, sites=site_list) for p in before),
        pooled=compute(history, span(before[-1], before[0]), now=now, sites=site_list),
    )


def trend(history: History, week: Period, count: int, *, now: datetime | None = None,
          sites: Iterable[str] | None = None) -> list[Figures]:
    """`count` weeks ending with `week`, oldest first (for the chart)."""
    periods = [*reversed(weeks_before(week, count - 1)), week]
    site_list = None if sites is None else list(sites)
    return [compute(history, period, now=now, sites=site_list) for period in periods]


# ---- numbers as people read them ---------------------------------------------------------------


def format_span(duration: timedelta | None) -> str:
    """A median as people say it: 45 min, 3 h 10 min, 2 d 4 h; "—" for none."""
    if duration is None:
        return "—"
    minutes = int(duration.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def format_share(share: WindowShare) -> str:
    """83% (10 of 12); "—" when nothing was judged."""
    if share.share is None:
        return "—"
    return f"{round(share.share * 100)}% ({share.met} of {share.judged})"


def per_week(count: int, weeks: int) -> str:
    """A pooled count as a weekly average, to two decimals at most: 0.25, 1.5, 3."""
    average = count / weeks if weeks else 0
    return f"{average:.2f}".rstrip("0").rstrip(".")


# ---- the headline rows every view of the figures shows ----------------------------------------

HEADLINE = (
    "negative_reviews", "first_claims", "median_to_claim", "first_replies",
    "median_to_response", "cases_done", "median_to_done", "window_first_response",
    "window_urgent", "window_px_followup",
    "escalations", *(f"outcome_{outcome.value}" for outcome in OUTCOMES),
    "hidden", "ignored", "resolved", "reopened",
    "looks_listed", "looks_made_case", "looks_not_complaint",
)


def headline(figures: Figures, *, weeks: int | None = None) -> list[tuple[str, str]]:
    """(name, value as people read it) for each HEADLINE figure. With `weeks`, counts are given
    as a weekly average (the pooled "4 weeks before" column); medians and shares are pooled."""

    def count(value: int) -> str:
        return per_week(value, weeks) if weeks else str(value)

    values = {
        "negative_reviews": count(figures.opened),
        "first_claims": count(figures.claims),
        "median_to_claim": format_span(figures.median_to_claim),
        "first_replies": count(figures.responses),
        "median_to_response": format_span(figures.median_to_response),
        "cases_done": count(figures.done),
        "median_to_done": format_span(figures.median_to_done),
        "escalations": count(figures.escalations),
        "hidden": count(figures.hidden),
        "ignored": count(figures.ignored),
        "resolved": count(figures.resolved),
        "reopened": count(figures.reopened),
        "looks_listed": count(figures.looks_listed),
        "looks_made_case": count(figures.looks_made_case),
        "looks_not_complaint": count(figures.looks_not_complaint),
    }
    for kind in WINDOW_KINDS:
        values[f"window_{kind}"] = format_share(figures.window(kind))
    for name, number in figures.outcomes:
        values[f"outcome_{name}"] = count(number)
    return [(name, values[name]) for name in HEADLINE]
