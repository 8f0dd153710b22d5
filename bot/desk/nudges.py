"""Nudges: reminders before a window lapses, the lapse itself, and repeats until the case is
handled (slowing down once the rotation's lead is named). Each is a row planned when its window
opens; sending one is a conditional update of that row plus outbox messages in the same
transaction, so it goes out exactly once whoever sends it — after a restart, a Slack error, or
from a second running copy of the bot. The direct messages a run's nudges call for are recorded
on their rows and written at the end of the run, one DM a person listing their cases."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.blocks.card_lines import format_left
from bot.clock import Clock
from bot.config import Config
from bot.core.case_changes import ON_SITE
from bot.core.case_lists import review_start, source_name
from bot.core.cases import CLOSED, WindowKind
from bot.core.deadlines import keep_deadlines
from bot.core.reminders import Recipient, who_finds_the_reviewer, who_to_tell
from bot.core.windows import nudge_times
from bot.outbox import OutboxWriter
from bot.text import line
from bot.triage.result import TriageResult
from storage import nudges as store
from storage import repository as repo
from storage.db import Database
from storage.models import Case, CaseWindow, Nudge

logger = logging.getLogger(__name__)

LATE_AFTER = timedelta(minutes=2)  # sent this long after its time, a nudge says it is late
LAPSE = "lapse"
LEAD_NAMED = "lead_named"  # why a DM goes to the rotation's lead: the repeats name them now
DM_LIST_MAX = 20  # cases one DM lists; the rest are counted, /reviewdesk missed has them all
OWED_DMS_A_RUN = 1000  # nudges whose DMs one run writes; the next run writes any more


@dataclass(frozen=True)
class DmItem:
    """One case in a person's DM from a nudge run."""

    case_id: int
    px: bool  # about the PX follow-up: the link goes to the PX card
    text_args: dict


@dataclass(frozen=True)
class Finders:
    """Who finds people at the site, named in an on-site case's urgent reminders, and when the
    reviewer wrote that they were there: `stale` once that is longer ago than the urgent
    window, when the reminder says when they wrote rather than that they may still be there
    (as the on-site DM does)."""

    people: tuple[str, ...]
    wrote_at: datetime
    stale: bool


def _is_lead(key: str) -> bool:
    return key.startswith("lead-")


class Nudges:
    def __init__(self, db: Database, config: Config, clock: Clock, outbox: OutboxWriter,
                 on_call: Callable[[datetime], str | None] = lambda _at: None):
        self.db = db
        self.config = config
        self.clock = clock
        self.outbox = outbox
        self.on_call = on_call
        self.on_change: Callable[[], None] = lambda: None  # the scheduler re-plans its wake-up

    # ---- keeping the plan in step with the windows (called inside the change's transaction)

    def sync(self, session: Session, case_id: int) -> None:
        """Plan the nudges of new windows; cancel those of met or stopped windows; bring back
        those of windows a reopen restarted; and keep the case's next deadline, which the
        lists go by, in step (every change to a case's windows comes through here)."""
        session.flush()
        keep_deadlines(session, [case_id])
        for window in repo.windows_of(session, case_id=case_id).values():
            planned = store.planned_for(session, window_id=window.id)
            if window.met_at or window.stopped_at:
                for nudge in planned:
                    if nudge.status == "pending":
                        nudge.status = "cancelled"
                        session.add(nudge)
            elif not planned:
                self._plan(session, window)
            else:
                for nudge in planned:
                    if nudge.status == "cancelled":
                        nudge.status = "pending"
                        session.add(nudge)

    def changed(self) -> None:
        """Call after committing a change that planned or moved nudges."""
        self.on_change()

    def _plan(self, session: Session, window: CaseWindow) -> None:
        assert window.id is not None
        for row in self.plan(window_id=window.id, case_id=window.case_id,
                             started_at=window.started_at, due_at=window.due_at):
            session.add(Nudge(**row))

    def plan(self, *, window_id: int, case_id: int, started_at: datetime,
             due_at: datetime) -> list[dict]:
        """The nudges of a new window, as rows (intake writes many at once)."""
        leads = nudge_times(started_at, due_at, self.config.windows.nudge_before,
                            self.config.business_hours)
        rows = [{"window_id": window_id, "case_id": case_id, "key": f"lead-{index}",
                 "due_at": due} for index, due in enumerate(leads)]
        rows.append({"window_id": window_id, "case_id": case_id, "key": LAPSE,
                     "due_at": due_at})
        return rows

    def replan(self, session: Session, window: CaseWindow) -> None:
        """The window's deadline moved (an escalation's urgency changed): its reminders not yet
        sent follow the new plan; one already sent is not sent again."""
        assert window.id is not None
        planned = {nudge.key: nudge for nudge in store.planned_for(session, window_id=window.id)}
        for row in self.plan(window_id=window.id, case_id=window.case_id,
                             started_at=window.started_at, due_at=window.due_at):
            nudge = planned.pop(row["key"], None)
            if nudge is None:
                session.add(Nudge(**row))
            elif nudge.status != "sent":
                nudge.due_at, nudge.status = row["due_at"], "pending"
                session.add(nudge)
        for nudge in planned.values():  # a lead the shorter window has no room for
            if nudge.status in ("pending", "cancelled"):
                nudge.status = "skipped"
                session.add(nudge)

    def snooze(self, session: Session, window: CaseWindow, until: datetime) -> None:
        """Hold this window's reminders (not its deadline) until `until`."""
        window.snoozed_until = until
        session.add(window)
        store.hold_until(session, window_id=window.id, until=until)

    # ---- sending ---------------------------------------------------------------------------

    def next_due(self) -> datetime | None:
        """When the next run is due: the next nudge's time, or now when DMs are owed (a run
        cut short before writing them)."""
        with self.db.session() as session:
            if store.any_dms_owed(session):
                return self.clock.now()
            return store.next_due(session)

    def run_due(self, limit: int = 200) -> int:
        """Send every nudge whose time has come, then the direct messages they call for, one a
        person; returns how many nudges went out."""
        now = self.clock.now()
        with self.db.session() as session:
            due = store.due_ids(session, now=now, limit=limit)
        sent = sum(self._send(nudge_id, now) for nudge_id in due)
        # Also those a run cut short left owed (a crash between a nudge and its DM).
        written = self.send_owed_dms()
        if sent or written:
            self.outbox.wake()
        return sent

    def _send(self, nudge_id: int, now: datetime) -> bool:
        with self.db.session() as session:
            nudge = store.get(session, nudge_id=nudge_id)
            if nudge is None or nudge.status != "pending":
                return False
            window = repo.get_window(session, window_id=nudge.window_id)
            case = repo.get_case(session, case_id=nudge.case_id)
            assert window is not None and case is not None
            superseded = _is_lead(nudge.key) and store.another_due(
                session, window_id=window.id, now=now, besides=nudge.id)
            handled = window.met_at or window.stopped_at or case.status in CLOSED
            status = "cancelled" if handled else "skipped" if superseded else "sent"
            taken = store.take(session, nudge_id=nudge.id, status=status, now=now,
                               late=now - nudge.due_at > LATE_AFTER)
            if not taken:  # another copy of the bot sent it first
                session.rollback()
                return False
            if status == "sent":
                self._announce(session, case, window, nudge, now)
            session.commit()
        if status == "sent":
            logger.info("nudge %s (%s, case %s, %s) sent%s", nudge.id, nudge.key, case.id,
                        window.kind, " late" if now - nudge.due_at > LATE_AFTER else "")
        return status == "sent"

    def _recipient(self, case: Case, window: CaseWindow, now: datetime) -> Recipient:
        rotation = self.config.rotation
        px_site = self.config.site(case.px_site)
        return who_to_tell(claimant=case.claimant_id, window_kind=window.kind,
                           px_claimant=case.px_claimant_id, on_call=self.on_call(now),
                           lead=rotation.lead, fallback=rotation.fallback,
                           px_contacts=px_site.px_contacts if px_site else ())

    def _finders(self, session: Session, case: Case, window: CaseWindow, who: Recipient,
                 now: datetime) -> Finders | None:
        """Who finds people at the case's site, named in its urgent response reminders while
        the reviewer is on site now: the public reply's clock is theirs to keep in view too
        (they were sent one DM when the case opened). Nobody already named."""
        if window.kind != WindowKind.URGENT:
            return None
        site = self.config.site(case.site)
        review = repo.get_review(session, review_id=case.followup_review_id or case.review_id)
        if site is None or review is None or \
                ON_SITE not in TriageResult.from_dict(review.triage or {}).labels:
            return None
        finders = who_finds_the_reviewer(on_site_contact=site.on_site_contact,
                                         px_contacts=site.px_contacts)
        people = tuple(person for person in finders if person not in who.people)
        if not people:
            return None
        return Finders(people, review.created_at,
                       stale=now - review.created_at > self.config.windows.urgent)

    def _repeat_due(self, window: CaseWindow, number: int, now: datetime) -> datetime:
        """When the `number`th reminder after the deadline is due: the gaps add up from the
        deadline (hourly, then doubling once the lead is named, capped); after downtime,
        repeats resume at their pace rather than all at once."""
        windows = self.config.windows
        offset = sum((windows.repeat_gap(n) for n in range(1, number + 1)), timedelta(0))
        return max(window.due_at + offset, now + windows.repeat_gap(number))

    def _announce(self, session: Session, case: Case, window: CaseWindow, nudge: Nudge,
                  now: datetime) -> None:
        who = self._recipient(case, window, now)
        nudge.recipient = who.key
        late = now - nudge.due_at > LATE_AFTER
        px = window.kind == WindowKind.PX_FOLLOWUP
        value = f"{case.id}:{window.kind}"
        dms: list[tuple[str, str]] = []
        finders = self._finders(session, case, window, who, now)
        if _is_lead(nudge.key):
            text = line("nudge_lead", kind=window.kind, due_at=window.due_at,
                        left=format_left(window.due_at - now), who=who, late=late,
                        finders=finders)
        elif nudge.key == LAPSE:
            text = line("nudge_lapsed", kind=window.kind, due_at=window.due_at, who=who,
                        late=late, finders=finders)
            # People are sent a DM; a group or @here is alerted by the mention in the channel.
            dms = [(person, who.why) for person in who.people]
        else:
            count = int(nudge.key.split("-")[1])
            lead = self.config.rotation.lead
            named = bool(lead and lead not in who.people
                         and count >= self.config.windows.lead_after_repeats)
            text = line("nudge_repeat", kind=window.kind, due_at=window.due_at, who=who,
                        count=count, lead=lead if named else None, finders=finders)
            if named and (lead, LEAD_NAMED) not in store.dms_of_case(session, case_id=case.id):
                dms = [(lead, LEAD_NAMED)]  # once a case, when the repeats first name them
        if dms:
            nudge.dm_to, nudge.dm_status = [list(dm) for dm in dms], "owed"
        session.add(nudge)
        if not _is_lead(nudge.key):
            number = 1 if nudge.key == LAPSE else int(nudge.key.split("-")[1]) + 1
            session.add(Nudge(window_id=window.id, case_id=case.id, key=f"repeat-{number}",
                              due_at=self._repeat_due(window, number, now)))
        # @here in a thread reply may reach only the thread's followers: show it in the channel.
        self.outbox.thread_reply(session, case_id=case.id, text=str(text), px=px, nudge=value,
                                 broadcast=who.user is None and who.group is None)
        if px:
            self.outbox.update_px_card(session, case_id=case.id)
        else:
            self.outbox.update_card(session, case_id=case.id)

    # ---- the DMs a run's nudges call for -------------------------------------------------

    def send_owed_dms(self) -> int:
        """Write the direct messages that sent nudges owe, one a person listing their cases
        (one case: the case's own DM), in one transaction that marks the nudges' DMs sent; a
        case handled meanwhile is left out. Returns how many DMs were written."""
        with self.db.session() as session:
            owed = store.owed_dms(session, limit=OWED_DMS_A_RUN)
            if not owed:
                return 0
            by_person: dict[str, list[DmItem]] = {}
            for nudge in owed:
                case = repo.get_case(session, case_id=nudge.case_id)
                window = repo.get_window(session, window_id=nudge.window_id)
                handled = (case is None or window is None or window.met_at is not None
                           or window.stopped_at is not None or case.status in CLOSED)
                if not store.take_dms(session, nudge_id=nudge.id,
                                      status="dropped" if handled else "sent"):
                    continue  # another copy of the bot wrote them
                if handled:
                    continue
                for person, why in nudge.dm_to or ():
                    item = self._dm_item(session, case, window, nudge, why)
                    items = by_person.setdefault(person, [])
                    if all((other.case_id, other.px) != (item.case_id, item.px)
                           for other in items):  # a case's lapse and its lead DM at once
                        items.append(item)
            for person, items in by_person.items():
                items.sort(key=lambda item: (item.text_args["due_at"], item.case_id))
                self._write_dm(session, person, items)
            session.commit()
        for person, items in by_person.items():
            logger.info("nudge DM to %s: %s case(s) (%s)", person, len(items),
                        ",".join(str(item.case_id) for item in items))
        return len(by_person)

    def _dm_item(self, session: Session, case: Case, window: CaseWindow, nudge: Nudge,
                 why: str) -> DmItem:
        """What the DM says of one case: the site, the source, the start of the review's words
        and the deadline, so the reader knows which case without opening it, and why it comes
        to them."""
        review = repo.get_review(session, review_id=case.followup_review_id or case.review_id)
        site = self.config.site(case.site)
        px_site = self.config.site(case.px_site)
        px = window.kind == WindowKind.PX_FOLLOWUP
        count = int(nudge.key.split("-")[1]) if nudge.key.startswith("repeat-") else 0
        return DmItem(case.id, px, {
            "kind": window.kind, "case_id": case.id, "due_at": window.due_at, "why": why,
            "site_name": site.name if site else case.site or "Unknown site",
            "px_site_name": px_site.name if px_site else case.px_site,
            "source": source_name(review.source) if review else "",
            "rating": review.rating if review else None,
            "words": review_start(review.text) if review else "",
            "holder": case.px_claimant_id if px else case.claimant_id,
            "count": count})

    def _write_dm(self, session: Session, person: str, items: list[DmItem]) -> None:
        if len(items) == 1:
            item = items[0]
            self.outbox.case_dm(session, case_id=item.case_id, user=person, px=item.px,
                                text=str(line("nudge_dm", **item.text_args,
                                              link="{permalink}")))
            return
        shown = items[:DM_LIST_MAX]
        text = line("nudge_dm_list", items=[
            {**item.text_args, "link": f"{{card:{index}}}"} for index, item in enumerate(shown)],
            more=len(items) - len(shown))
        self.outbox.cases_dm(session, user=person, text=str(text),
                             cards=[(item.case_id, item.px) for item in shown])
