"""A simulated month: reviews arrive, people respond and escalate (some late), the bot is
restarted several times and Slack fails for an hour. At the end every window was met or
nudged before it lapsed, every nudge went out exactly once, and each named the person on
call at that moment (a PX follow-up: North's PX contact)."""

from __future__ import annotations

import heapq
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from bot.config import parse_config
from bot.core.reviews import CanonicalReview
from storage.models import CaseWindow, Handoff, Nudge, OutboxMessage
from testing.workspace import LEE, MARIA, PAT, PX_NORTH, SAM, START, TRIAGE, config_data

TEXTS = [
    "The front desk was rude and nobody explained the delay.",
    "Billed twice for one visit and billing never called back.",
    "Waited three hours for a simple follow-up appointment.",
    "The room was dirty and the call button went unanswered.",
    "Discharge instructions were confusing and nobody answered the phone after.",
]
DAYS = 30
RESTARTS = {7: 3, 15: 5, 22: 2}  # day -> hours the bot stays down (from 02:00)
OUTAGE_DAY = 12  # Slack answers 503 to everything from 10:00 to 11:00


@dataclass(order=True)
class Step:
    at: datetime
    order: int
    what: str = field(compare=False)
    args: tuple = field(compare=False, default=())


def _config():
    data = config_data(
        windows={"first_response": "24h", "px_followup": "72h", "nudge_before": ["75%", "1h"],
                 "repeat_every": "6h", "lead_after_repeats": 2},
        rotation={"members": [MARIA, SAM, LEE], "admins": [MARIA], "lead": MARIA,
                  "timezone": "America/Chicago", "handoff_weekday": "mon",
                  "handoff_time": "09:00"},
    )
    return parse_config(data)


def _plan(rng: random.Random) -> list[Step]:
    """Two or three reviews a day; each answered after 2–40 h (so some windows lapse), a
    third escalated and followed up by PX after 10–90 h."""
    steps: list[Step] = []
    order = 0
    for day in range(DAYS):
        for _ in range(rng.randint(2, 3)):
            arrives = START + timedelta(days=day, minutes=rng.randint(0, 24 * 60 - 1))
            key = f"sim-{order}"
            steps.append(Step(arrives, order, "review", (key,)))
            steps.append(Step(arrives + timedelta(hours=rng.uniform(2, 40)), order, "respond",
                              (key,)))
            if rng.random() < 0.35:
                escalated = arrives + timedelta(hours=rng.uniform(1, 20))
                steps.append(Step(escalated, order, "escalate", (key,)))
                steps.append(Step(escalated + timedelta(hours=rng.uniform(10, 90)), order,
                                  "contacted", (key,)))
            order += 1
    return sorted(steps)


# A month of work: about a minute on PostgreSQL on an idle machine (each of its 75 replies is
# kept, claimed and recorded through the reply flow); a loaded one took over the default 120 s.
@pytest.mark.timeout(300)
def test_a_month_with_restarts_and_an_outage(start_bot, slack, clock):
    config = _config()
    clock.set(START)
    bot = start_bot(config=config)
    rng = random.Random(20261124)
    queue = _plan(rng)
    heapq.heapify(queue)
    cases: dict[str, int] = {}
    down_until: datetime | None = None
    restarted_days: set[int] = set()
    end = START + timedelta(days=DAYS + 6)

    def next_wakeup(now: datetime) -> datetime:
        candidates = [now + timedelta(minutes=30)]
        if queue:
            candidates.append(queue[0].at)
        for due in (bot.nudges.next_due(), bot.oncall.next_wakeup()):
            if due is not None and due > now:
                candidates.append(due)
        return min(candidates)

    def act(step: Step) -> None:
        key = step.args[0]
        if step.what == "review":
            # Each review by someone else: one reviewer writing again would bring their
            # done case back instead (tests/test_case_life.py).
            review = CanonicalReview(source="google", external_id=key, site="north",
                                     author=f"Reviewer {key}", rating=1,
                                     text=rng.choice(TEXTS),
                                     created_at=step.at)
            cases[key] = bot.desk.ingestor.ingest([(0, review)])[0].case_id
        elif step.what == "respond":
            # as the Respond modal does when the reply is copied by hand: kept, then marked
            # posted (which claims the unclaimed case for SAM as it is recorded)
            post = bot.replies.begin(cases[key], SAM, text="Please call us.", template=None)
            bot.replies.mark_posted(post.post_id, SAM)
        elif step.what == "escalate":
            bot.desk.escalate(cases[key], SAM, site_id="north", urgency="routine", note=None)
        elif step.what == "contacted":
            bot.desk.px_contacted(cases[key], LEE)

    now = START
    while now < end:
        day = (now - START).days
        if day in RESTARTS and day not in restarted_days and now.hour >= 2:
            restarted_days.add(day)
            bot.stop()
            down_until = now + timedelta(hours=RESTARTS[day])
        if down_until is not None:
            if now < down_until:
                now = down_until
                clock.set(now)
            bot = start_bot(config=config)  # nudges due meanwhile go out once, late
            down_until = None
        in_outage = day == OUTAGE_DAY and 10 <= now.hour < 11
        slack.outage(in_outage)
        while queue and queue[0].at <= now:
            act(heapq.heappop(queue))
        bot.nudges.run_due()
        bot.oncall.announce_due_handoffs()
        bot.outbox.deliver_due()
        now = next_wakeup(now)
        clock.set(now)

    slack.outage(False)
    for _ in range(200):  # let the outbox finish (its back-off runs on the clock)
        if not _pending(bot):
            break
        clock.set(clock.now() + timedelta(minutes=5))
        bot.outbox.deliver_due()
    assert not _pending(bot), "the outbox should have delivered everything"

    with bot.db.session() as session:
        windows = session.exec(select(CaseWindow)).all()
        nudges = session.exec(select(Nudge)).all()
        handoffs = session.exec(select(Handoff)).all()
    by_window: dict[int, list[Nudge]] = {}
    for nudge in nudges:
        by_window.setdefault(nudge.window_id, []).append(nudge)

    assert len(windows) > 80
    lapsed = 0
    for window in windows:
        planned = {n.key: n for n in by_window[window.id]}
        assert window.met_at is not None, f"window {window.id} was never met"
        if window.met_at > window.due_at:
            lapsed += 1
            # A missed window was announced, and had its reminders before the deadline
            # (unless the bot was down then: then late, and only the latest).
            assert planned["lapse"].status == "sent"
            leads = [n for key, n in planned.items() if key.startswith("lead-")]
            assert any(n.status == "sent" for n in leads)
            for lead in leads:
                assert lead.status in {"sent", "skipped"}
                assert lead.status == "skipped" or lead.sent_at <= window.due_at or lead.late
        else:
            assert planned["lapse"].status == "cancelled"
    assert lapsed > 10, "the plan should make some windows lapse"

    # Exactly once: every sent nudge is one message in its case's thread, and no more.
    sent = [n for n in nudges if n.status == "sent"]
    assert any(n.late for n in sent), "nudges due during the restarts went out late"
    threads = _nudge_messages(slack)
    assert sorted(threads) == sorted(_expected_texts(sent, bot))

    # Each response window's named the person on call at that moment (nobody claims in this
    # plan before replying), each PX follow-up's North's PX contact, never the social on-call
    # person.
    px_windows = {window.id for window in windows if window.kind == "px_followup"}
    for nudge in sent:
        expected = PAT if nudge.window_id in px_windows else bot.oncall.on_call(nudge.sent_at)
        assert nudge.recipient == expected
    assert {n.recipient for n in sent if n.window_id not in px_windows} == {MARIA, SAM, LEE}
    assert {n.recipient for n in sent if n.window_id in px_windows} == {PAT}

    # Every DM a nudge called for went out once, in one message to that person (a run's
    # misses share one), and none for a case handled before its DM was written.
    expected = Counter((user, nudge.case_id) for nudge in nudges
                       if nudge.dm_status == "sent" for user, _why in nudge.dm_to)
    written = Counter((user, int(part.split(")")[0])) for user in (MARIA, SAM, LEE, PAT)
                      for dm in slack.dms(user)
                      for part in (dm.get("text") or "").split("(case #")[1:])
    assert written == expected and len(expected) > 10
    assert {n.dm_status for n in nudges if n.key == "lapse" and n.status == "sent"} <= {
        "sent", "dropped"}

    # Every Monday hand-off was announced once, in the channel and by DM.
    announcements = [m for m in slack.messages(TRIAGE) if "is on call" in (m.get("text") or "")]
    assert len(announcements) == len(handoffs) - 1 >= 4  # the seeded first one is silent


def _pending(bot) -> int:
    with bot.db.session() as session:
        return len(session.exec(select(OutboxMessage.id).where(
            OutboxMessage.status == "pending")).all())


def _nudge_messages(slack) -> list[tuple[str, str]]:
    """(channel, text) of every nudge the fake Slack received, in card and PX threads."""
    found = []
    for channel in (TRIAGE, PX_NORTH):
        for card in slack.messages(channel):
            for reply in slack.thread(channel, card["ts"]):
                text = reply.get("text") or ""
                if text.startswith((":hourglass_flowing_sand:", ":red_circle:")):
                    found.append((channel, card["ts"], text))
    return [(channel, ts) for channel, ts, _text in found]


def _expected_texts(sent: list[Nudge], bot) -> list[tuple[str, str]]:
    with bot.db.session() as session:
        from storage.models import Case

        out = []
        for nudge in sent:
            case = session.get(Case, nudge.case_id)
            window = session.get(CaseWindow, nudge.window_id)
            if window.kind == "px_followup":
                out.append((case.px_card_channel, case.px_card_ts))
            else:
                out.append((case.card_channel, case.card_ts))
        return out
