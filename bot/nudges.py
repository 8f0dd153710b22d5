"""Nudges: reminders before a window lapses, the lapse itself, and repeats until the case is
handled. Each is a row planned when its window opens; sending one is a conditional update of
that row plus outbox messages in the same transaction, so it goes out exactly once whoever
sends it — after a restart, a Slack error, or from a second running copy of the bot."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.blocks.cards import format_left
from bot.cases import CLOSED, WindowKind
from bot.clock import Clock
from bot.config import Config
from bot.reminders import Recipient, who_to_tell
from bot.slack_out import Outbox
from bot.text import line
from bot.windows import nudge_times
from storage import nudges as store
from storage import repository as repo
from storage.db import Database
from storage.models import Case, CaseWindow, Nudge

logger = logging.getLogger(__name__)

LATE_AFTER = timedelta(minutes=2)  # sent this long after its time, a nudge says it is late
LAPSE = "lapse"


def _is_lead(key: str) -> bool:
    return key.startswith("lead-")


class Nudges:
    def __init__(self, db: Database, config: Config, clock: Clock, outbox: Outbox,
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
        those of windows a reopen restarted."""
        session.flush()
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

    def snooze(self, session: Session, window: CaseWindow, until: datetime) -> None:
        """Hold this window's reminders (not its deadline) until `until`."""
        window.snoozed_until = until
        session.add(window)
        store.hold_until(session, window_id=window.id, until=until)

    # ---- sending ---------------------------------------------------------------------------

    def next_due(self) -> datetime | None:
        with self.db.session() as session:
            return store.next_due(session)

    def run_due(self, limit: int = 200) -> int:
        """Send every nudge whose time has come; returns how many went out."""
        now = self.clock.now()
        with self.db.session() as session:
            due = store.due_ids(session, now=now, limit=limit)
        sent = sum(self._send(nudge_id, now) for nudge_id in due)
        if sent:
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
        return who_to_tell(claimant=case.claimant_id, window_kind=window.kind,
                           px_claimant=case.px_claimant_id, on_call=self.on_call(now),
                           lead=rotation.lead, fallback=rotation.fallback)

    def _announce(self, session: Session, case: Case, window: CaseWindow, nudge: Nudge,
                  now: datetime) -> None:
        who = self._recipient(case, window, now)
        nudge.recipient = who.key
        session.add(nudge)
        late = now - nudge.due_at > LATE_AFTER
        px = window.kind == WindowKind.PX_FOLLOWUP
        value = f"{case.id}:{window.kind}"
        if _is_lead(nudge.key):
            text = line("nudge_lead", kind=window.kind, due_at=window.due_at,
                        left=format_left(window.due_at - now), who=who, late=late)
        elif nudge.key == LAPSE:
            text = line("nudge_lapsed", kind=window.kind, due_at=window.due_at, who=who,
                        late=late)
            if who.user:  # a person; a group or @here is alerted by the mention in the channel
                self.outbox.case_dm(session, case_id=case.id, user=who.user, px=px,
                                    text=str(line("nudge_lapsed_dm", kind=window.kind,
                                                  case_id=case.id, due_at=window.due_at,
                                                  why=who.why)))
        else:
            count = int(nudge.key.split("-")[1])
            lead = self.config.rotation.lead
            named = lead and lead != who.user and count >= self.config.windows.lead_after_repeats
            text = line("nudge_repeat", kind=window.kind, due_at=window.due_at, who=who,
                        count=count, lead=lead if named else None)
        if not _is_lead(nudge.key):
            number = 1 if nudge.key == LAPSE else int(nudge.key.split("-")[1]) + 1
            every = self.config.windows.repeat_every
            # After downtime, repeats resume at their pace rather than all at once.
            session.add(Nudge(window_id=window.id, case_id=case.id, key=f"repeat-{number}",
                              due_at=max(window.due_at + number * every, now + every)))
        # @here in a thread reply may reach only the thread's followers: show it in the channel.
        self.outbox.thread_reply(session, case_id=case.id, text=str(text), px=px, nudge=value,
                                 broadcast=who.user is None and who.group is None)
        if px:
            self.outbox.update_px_card(session, case_id=case.id)
        else:
            self.outbox.update_card(session, case_id=case.id)

