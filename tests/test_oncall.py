"""The on-call rotation: schedule math across DST, the turn kept in the database (restarts give
the same answers), overrides, removals and swaps, admin-only changes, `/reviewdesk oncall`
parsing, and hand-offs announced exactly once. Time is a ManualClock starting Tuesday
2026-11-24 15:00 UTC (09:00 in Chicago); hand-offs are Mondays 09:00 Chicago time."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.config import Rotation, parse_config
from bot.core.deadlines import keep_deadlines
from bot.core.roles import Roles
from bot.delivery import Outbox
from bot.oncall.command import OnCall
from bot.oncall.parse import parse_moment, parse_user
from bot.oncall.schedule import handoff_times, next_handoff, previous_handoff
from bot.oncall.values import BadInput, NotAllowed
from storage.db import Database
from storage.models import (
    Case,
    CaseWindow,
    Handoff,
    OutboxMessage,
    Review,
    RotationMember,
    RotationOverride,
)
from testing.driver import block_text
from testing.workspace import LEE, MARIA, PAT, SAM, START, TRIAGE, config_data
from twin.webapi import message_block_errors

CHICAGO = "America/Chicago"
ANNE = "U0ANNE"
ROTA = "C0ONCALL"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# Hand-offs around the start, in UTC (09:00 CST is 15:00 UTC).
MON_23 = utc(2026, 11, 23, 15)
MON_30 = utc(2026, 11, 30, 15)
MON_7 = utc(2026, 12, 7, 15)
MON_14 = utc(2026, 12, 14, 15)


def rotation_config(**rotation):
    settings = {"members": [MARIA, SAM, LEE], "admins": [MARIA, PAT], "lead": PAT,
                "timezone": CHICAGO, "handoff_weekday": "mon", "handoff_time": "09:00"}
    settings.update(rotation)
    return parse_config(config_data(rotation=settings))


def make_oncall(db: Database, clock, config=None) -> OnCall:
    config = config or rotation_config()
    # Only the outbox's writing side is used here: it adds rows in the caller's transaction;
    # no Slack to ask about user groups either.
    return OnCall(db, config, clock, Outbox(db, None, clock, None),
                  roles=Roles(config, None, clock))


@pytest.fixture
def oncall(db, clock) -> OnCall:
    service = make_oncall(db, clock)
    service.seed()
    return service


def outbox_rows(db: Database) -> list[OutboxMessage]:
    with db.session() as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


def handoff_rows(db: Database) -> list[Handoff]:
    with db.session() as session:
        return list(session.exec(select(Handoff).order_by(Handoff.handoff_at)))


def text_of(message: OutboxMessage) -> str:
    return message.payload["text"] + "\n" + block_text(message.payload)


def add_case(db: Database, *, case_id_hint: str, due_at: datetime, kind: str = "first_response",
             claimant: str | None = None, text: str = "Waited hours.",
             labels: tuple[str, ...] = ()) -> int:
    with db.session() as session:
        review = Review(source="google", external_id=case_id_hint, site="north", author="Dana K.",
                        rating=1, text=text, created_at=START, received_at=START,
                        updated_at=START, triage={"labels": list(labels)})
        session.add(review)
        session.flush()
        case = Case(review_id=review.id, site="north", claimant_id=claimant,
                    claimed_at=START if claimant else None, created_at=START, updated_at=START)
        session.add(case)
        session.flush()
        session.add(CaseWindow(case_id=case.id, kind=kind, started_at=START, due_at=due_at))
        keep_deadlines(session, [case.id])  # as every change to a case's windows does
        session.commit()
        return case.id


# ---- schedule math ---------------------------------------------------------------------------


def test_handoffs_keep_the_local_time_across_both_dst_changes():
    rotation = Rotation(timezone=CHICAGO, handoff_weekday="mon", handoff_time="09:00")
    autumn = handoff_times(utc(2026, 10, 20), utc(2026, 11, 10), rotation)
    # Chicago leaves daylight time on Sunday 2026-11-01: 09:00 is 14:00 UTC before, 15:00 after.
    assert autumn == [utc(2026, 10, 26, 14), utc(2026, 11, 2, 15), utc(2026, 11, 9, 15)]
    spring = handoff_times(utc(2026, 3, 1), utc(2026, 3, 17), rotation)
    # …and enters it on Sunday 2026-03-08: 15:00 UTC before, 14:00 after.
    assert spring == [utc(2026, 3, 2, 15), utc(2026, 3, 9, 14), utc(2026, 3, 16, 14)]
    for moment in autumn + spring:
        local = moment.astimezone(rotation_zone(rotation))
        assert (local.weekday(), local.hour, local.minute) == (0, 9, 0)
    assert autumn[1] - autumn[0] == timedelta(hours=169)  # the week with the extra hour
    assert spring[1] - spring[0] == timedelta(hours=167)


def rotation_zone(rotation: Rotation):
    from zoneinfo import ZoneInfo

    return ZoneInfo(rotation.timezone)


def test_a_handoff_on_the_day_of_the_change_and_the_boundaries():
    sunday = Rotation(timezone=CHICAGO, handoff_weekday="sun", handoff_time="09:00")
    assert handoff_times(utc(2026, 10, 24), utc(2026, 11, 2), sunday) == [
        utc(2026, 10, 25, 14), utc(2026, 11, 1, 15)]
    assert handoff_times(utc(2026, 3, 1), utc(2026, 3, 9), sunday) == [
        utc(2026, 3, 1, 15), utc(2026, 3, 8, 14)]
    rotation = Rotation(timezone=CHICAGO, handoff_weekday="mon", handoff_time="09:00")
    # A hand-off moment is its own previous hand-off, and not its own next one.
    assert previous_handoff(MON_30, rotation) == MON_30
    assert previous_handoff(MON_30 - timedelta(seconds=1), rotation) == MON_23
    assert next_handoff(MON_30, rotation) == MON_7
    assert next_handoff(MON_30 - timedelta(seconds=1), rotation) == MON_30
    # (after, before]: the start is excluded, the end included.
    assert handoff_times(MON_23, MON_30, rotation) == [MON_30]
    # Over the spring change, Monday 09:00 CDT is 14:00 UTC.
    assert next_handoff(utc(2026, 3, 3), rotation) == utc(2026, 3, 9, 14)


# ---- the turn, kept in the database ----------------------------------------------------------


def test_a_fresh_start_records_the_current_turn_without_announcing_it(oncall, db, clock):
    assert [(h.handoff_at, h.user_id) for h in handoff_rows(db)] == [(MON_23, MARIA)]
    assert oncall.on_call() == MARIA
    assert oncall.next_on_call() == SAM
    assert oncall.next_wakeup() == MON_30
    assert outbox_rows(db) == []
    assert oncall.announce_due_handoffs() == 0


def test_a_restart_gives_the_same_answers(oncall, db, clock, database_url):
    oncall.override(MARIA, PAT, utc(2026, 12, 2, 12), utc(2026, 12, 3, 12))
    clock.set(MON_30 + timedelta(minutes=1))
    assert oncall.announce_due_handoffs() == 1
    before = (oncall.on_call(), oncall.next_on_call(), oncall.week_ahead(), oncall.order())
    assert before[:2] == (SAM, LEE)

    # Another process on the same database, with the same configuration.
    restarted = make_oncall(Database.from_url(database_url), clock)
    restarted.seed()
    after = (restarted.on_call(), restarted.next_on_call(), restarted.week_ahead(),
             restarted.order())
    summary = [[(s.starts_at, s.ends_at, s.user_id, s.override and s.override.id)
                for s in answer[2]] for answer in (before, after)]
    assert summary[0] == summary[1] and len(summary[0]) == 4
    assert before[:2] + before[3:] == after[:2] + after[3:]
    assert restarted.announce_due_handoffs() == 0
    assert len(handoff_rows(db)) == 2


def test_config_edits_add_members_and_never_reorder_or_remove(oncall, db, clock, caplog):
    oncall.remove(MARIA, LEE)
    edited = make_oncall(db, clock, rotation_config(members=[LEE, MARIA, ANNE, ANNE]))
    with caplog.at_level(logging.INFO, logger="bot.oncall"):
        edited.seed()
    assert edited.order() == [MARIA, SAM, ANNE]  # the database order; ANNE at the end
    assert "U0ANNE is new in the configuration; added at the end" in caplog.text
    assert "U0SAM is in the rotation but not in the configuration; kept" in caplog.text
    assert "U0LEE is in the configuration but was removed from the rotation" in caplog.text
    assert edited.on_call() == MARIA
    assert [h.user_id for h in handoff_rows(db)] == [MARIA]


def test_the_turn_moves_on_at_each_handoff(oncall, clock):
    assert [oncall.on_call(at) for at in (MON_23, MON_30, MON_7, MON_14)] == [
        MARIA, SAM, LEE, MARIA]
    assert oncall.on_call(MON_30 - timedelta(seconds=1)) == MARIA
    # Before the first recorded hand-off the order is counted backwards.
    assert oncall.on_call(MON_23 - timedelta(days=1)) == LEE


# ---- overrides -------------------------------------------------------------------------------


def test_an_override_spanning_a_handoff_wins_until_it_ends(oncall, db, clock):
    friday_5pm, tuesday_8am = utc(2026, 11, 27, 23), utc(2026, 12, 1, 14)
    oncall.override(MARIA, PAT, friday_5pm, tuesday_8am)
    assert oncall.on_call(friday_5pm - timedelta(seconds=1)) == MARIA
    assert oncall.on_call(friday_5pm) == PAT
    assert oncall.on_call(MON_30 + timedelta(hours=1)) == PAT
    assert oncall.on_call(tuesday_8am) == SAM  # the base rotation of that time
    assert oncall.on_call(MON_7) == LEE

    clock.set(MON_30)
    assert oncall.next_on_call() == LEE
    assert oncall.announce_due_handoffs() == 1
    # The hand-off row keeps whose turn it is, so the order goes on after the override.
    assert handoff_rows(db)[-1].user_id == SAM
    channel, direct = outbox_rows(db)
    assert channel.channel == TRIAGE and direct.payload["user"] == PAT
    assert f"<@{PAT}> is on call, covering for <@{SAM}> until <!date^" in channel.payload["text"]
    assert f"; then <@{SAM}> until <!date^{int(MON_7.timestamp())}^" in channel.payload["text"]
    assert direct.payload["text"].startswith(":telephone_receiver: *You are on call*, covering")

    shifts = oncall.week_ahead(utc(2026, 11, 27))
    assert [(s.starts_at, s.ends_at, s.user_id, s.override is not None) for s in shifts] == [
        (utc(2026, 11, 27), friday_5pm, MARIA, False),
        (friday_5pm, tuesday_8am, PAT, True),
        (tuesday_8am, utc(2026, 12, 4), SAM, False),
    ]


def test_the_latest_override_wins_where_two_overlap(oncall, clock):
    oncall.override(MARIA, PAT, START, START + timedelta(days=2))
    clock.advance(timedelta(minutes=1))
    oncall.override(MARIA, LEE, START + timedelta(days=1), START + timedelta(days=3))
    assert oncall.on_call(START + timedelta(hours=12)) == PAT
    assert oncall.on_call(START + timedelta(days=1, hours=12)) == LEE
    assert oncall.on_call(START + timedelta(days=2, hours=12)) == LEE
    assert oncall.on_call(START + timedelta(days=3, hours=1)) == MARIA


# ---- changing the order ----------------------------------------------------------------------


def test_removing_the_person_on_call_hands_over_to_the_next(oncall, db):
    oncall.remove(MARIA, MARIA)
    assert oncall.on_call() == SAM
    assert [oncall.on_call(at) for at in (MON_30, MON_7)] == [LEE, SAM]
    with db.session() as session:
        row = session.exec(select(RotationMember).where(RotationMember.user_id == MARIA)).one()
        assert row.active is False  # kept, for history


def test_removing_someone_not_on_call_changes_nothing_now(oncall, clock):
    clock.set(MON_30 + timedelta(hours=1))
    assert oncall.announce_due_handoffs() == 1
    oncall.remove(MARIA, LEE)
    assert oncall.on_call() == SAM
    assert [oncall.on_call(at) for at in (MON_7, MON_14)] == [MARIA, SAM]


def test_a_removal_after_a_missed_handoff_does_not_rewrite_that_turn(oncall, db, clock):
    # The hand-off at MON_30 is due but not yet announced when Sam is removed: it is announced
    # first (naming Sam), and the removal then hands Sam's turn to the next member.
    clock.set(MON_30 + timedelta(seconds=5))
    oncall.remove(MARIA, SAM)
    assert handoff_rows(db)[-1].user_id == SAM
    assert len(outbox_rows(db)) == 2
    assert oncall.on_call() == LEE


def test_swap_trades_places_from_the_next_handoff(oncall):
    oncall.swap(MARIA, SAM, LEE)
    assert oncall.order() == [MARIA, LEE, SAM]
    assert oncall.on_call() == MARIA
    assert [oncall.on_call(at) for at in (MON_30, MON_7)] == [LEE, SAM]


def test_only_admins_change_the_rotation(oncall, db):
    with pytest.raises(NotAllowed) as refused:
        oncall.override(SAM, SAM, START, START + timedelta(hours=1))
    assert refused.value.message == (
        f"Only rotation admins (<@{MARIA}>, <@{PAT}>) can change the rotation.")
    for change in (lambda: oncall.swap(LEE, SAM, LEE), lambda: oncall.remove(LEE, MARIA),
                   lambda: oncall.add(LEE, ANNE)):
        with pytest.raises(NotAllowed):
            change()
    answer = oncall.command(f"oncall swap <@{SAM}> <@{LEE}>", SAM)
    assert answer.text == f"Only rotation admins (<@{MARIA}>, <@{PAT}>) can change the rotation."
    assert oncall.order() == [MARIA, SAM, LEE]
    with db.session() as session:
        assert session.exec(select(RotationOverride)).all() == []
    nobody = make_oncall(db, oncall.clock, rotation_config(admins=[]))
    assert "list the rotation's admins in reviewdesk.toml" in nobody.command(
        f"oncall remove <@{SAM}>", MARIA).text


def test_the_last_member_stays_and_strangers_are_named(oncall):
    oncall.remove(MARIA, SAM)
    oncall.remove(MARIA, LEE)
    with pytest.raises(BadInput, match="only person left"):
        oncall.remove(MARIA, MARIA)
    with pytest.raises(BadInput, match="is not in the rotation"):
        oncall.swap(MARIA, MARIA, ANNE)
    oncall.add(MARIA, LEE)
    assert oncall.order() == [MARIA, LEE]


# ---- hand-off announcements ------------------------------------------------------------------


def test_a_handoff_is_announced_once_in_the_channel_and_by_dm(oncall, db, clock):
    overdue = add_case(db, case_id_hint="g-1", due_at=MON_30 - timedelta(hours=2),
                       claimant=LEE)
    later = add_case(db, case_id_hint="g-2", due_at=MON_30 + timedelta(hours=20),
                     kind="px_followup")
    clock.set(MON_30 - timedelta(seconds=1))
    assert oncall.announce_due_handoffs() == 0
    clock.set(MON_30)
    assert oncall.announce_due_handoffs() == 1
    assert oncall.announce_due_handoffs() == 0
    clock.advance(timedelta(hours=1))
    assert oncall.announce_due_handoffs() == 0

    channel, direct = outbox_rows(db)
    assert (channel.channel, direct.payload["user"]) == (TRIAGE, SAM)
    assert channel.ordering_key == direct.ordering_key == "oncall"
    assert channel.payload["text"] == (
        f":telephone_receiver: *Hand-off:* <@{SAM}> is on call until the next hand-off, "
        f"<!date^{int(MON_7.timestamp())}^{{date_short_pretty}} at {{time}}|2026-12-07 15:00 UTC>.")
    shown = block_text(channel.payload)
    assert "*Open cases (2)*, earliest deadline first:" in shown
    first, second = (line for line in shown.splitlines() if line.startswith("*#"))
    assert first.startswith(f"*#{overdue}* “Waited hours.” · Google ★☆☆☆☆ · North campus · "
                            ":red_circle: *First response missed*: was due "
                            f"<!date^{int((MON_30 - timedelta(hours=2)).timestamp())}^")
    assert f"<@{LEE}>" in first
    assert second.startswith(f"*#{later}* “Waited hours.” · Google ★☆☆☆☆ · North campus · ")
    assert "*PX follow-up due in 20 h*" in second and second.endswith("Unclaimed")
    assert direct.payload["text"].startswith(":telephone_receiver: *You are on call* until")
    assert "*Open cases (2)*" in block_text(direct.payload)
    for message in (channel, direct):
        assert message_block_errors(message.payload["blocks"]) == []
    assert oncall.next_wakeup() == MON_7


def test_a_handoff_line_is_the_lists_line_with_its_labels_and_first_words(oncall, db, clock):
    """A first morning: the Monday hand-off listed "#10 Google ★☆☆☆☆ · North campus · 🔴
    Urgent response was due…" with neither the case's labels (On site now, Risk) nor the
    review's first words, which Home and `/reviewdesk open` show: its lines are theirs now."""
    on_site = add_case(db, case_id_hint="g-fever", due_at=MON_30 - timedelta(hours=1),
                       kind="urgent", labels=("urgent", "risk"),
                       text="My kid has a fever of 104 and we are in your waiting room now.")
    clock.set(MON_30)
    assert oncall.announce_due_handoffs() == 1
    channel, direct = outbox_rows(db)
    for message in (channel, direct):
        [shown] = [line for line in block_text(message.payload).splitlines()
                   if line.startswith(f"*#{on_site}*")]
        assert shown.startswith(f"*#{on_site}* :rotating_light: *On site now* :scales: *Risk* "
                                "“My kid has a fever of 104")
        assert ":red_circle: *Urgent response missed*" in shown


def test_a_handoff_lists_at_most_fifteen_cases_and_counts_the_rest(oncall, db, clock):
    for number in range(17):
        add_case(db, case_id_hint=f"g-{number}", due_at=MON_30 + timedelta(hours=number + 1))
    clock.set(MON_30)
    assert oncall.announce_due_handoffs() == 1
    channel, _direct = outbox_rows(db)
    shown = block_text(channel.payload)
    assert "*Open cases (17)*" in shown
    assert len([line for line in shown.splitlines() if line.startswith("*#")]) == 15
    assert "…and 2 more; `/reviewdesk open` lists the open cases." in shown
    assert message_block_errors(channel.payload["blocks"]) == []


def test_a_handoff_with_no_open_cases_says_so_in_the_rotation_channel(db, clock):
    oncall = make_oncall(db, clock, rotation_config(channel=ROTA))
    oncall.seed()
    clock.set(MON_30 + timedelta(minutes=3))
    assert oncall.announce_due_handoffs() == 1
    channel, direct = outbox_rows(db)
    assert channel.channel == ROTA
    assert "No open cases." in block_text(channel.payload)
    assert "No open cases." in block_text(direct.payload)


def test_a_bot_down_through_two_handoffs_announces_only_the_latest(oncall, db, clock):
    clock.set(MON_7 + timedelta(hours=5))
    assert oncall.next_wakeup() == MON_7  # overdue: the scheduler runs it at once
    assert oncall.announce_due_handoffs() == 1
    assert [(h.handoff_at, h.user_id) for h in handoff_rows(db)] == [
        (MON_23, MARIA), (MON_30, SAM), (MON_7, LEE)]
    channel, direct = outbox_rows(db)
    assert f"<@{LEE}> is on call" in channel.payload["text"] and direct.payload["user"] == LEE
    assert oncall.announce_due_handoffs() == 0


def test_two_bots_racing_announce_a_handoff_once(oncall, db, clock, database_url):
    clock.set(MON_30 + timedelta(seconds=1))
    bots = [make_oncall(Database.from_url(database_url), clock) for _ in range(2)]
    results: list[int] = []
    errors: list[BaseException] = []
    gate = threading.Barrier(len(bots))

    def run(bot: OnCall) -> None:
        try:
            gate.wait()
            results.append(bot.announce_due_handoffs())
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(bot,)) for bot in bots]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    assert sorted(results) == [0, 1]
    assert [m.channel or m.payload["user"] for m in outbox_rows(db)] == [TRIAGE, SAM]
    assert len(handoff_rows(db)) == 2


# ---- the slash command -----------------------------------------------------------------------


def test_reading_people_and_times():
    rotation = Rotation(timezone=CHICAGO, handoff_weekday="mon", handoff_time="09:00")
    assert parse_user(f"<@{SAM}|sam>") == SAM
    assert parse_user(f"<@{SAM}>") == SAM
    assert parse_user(SAM) == SAM
    with pytest.raises(BadInput, match="I couldn't tell who '@sam' is"):
        parse_user("@sam")

    def when(text: str, after: datetime = START) -> datetime:
        return parse_moment(text, after=after, rotation=rotation)

    # START is Tuesday 09:00 in Chicago.
    assert when("fri 17:00") == when("Friday 5pm") == when("fri 5 pm") == utc(2026, 11, 27, 23)
    assert when("tue 08:00") == utc(2026, 12, 1, 14)  # today's 08:00 has passed: next week
    assert when("tue 10:00") == utc(2026, 11, 24, 16)
    assert when("tomorrow") == utc(2026, 11, 25, 15)  # a day alone: the hand-off time
    assert when("today 8pm") == utc(2026, 11, 25, 2)
    assert when("2026-12-01 08:00") == utc(2026, 12, 1, 14)
    assert when("17:00") == utc(2026, 11, 24, 23)
    assert when("8:30") == utc(2026, 11, 25, 14, 30)
    assert when("noon") == utc(2026, 11, 24, 18)
    # Local time across the spring change: Monday 08:00 CDT.
    assert when("mon 08:00", utc(2026, 3, 4)) == utc(2026, 3, 9, 13)
    for typed, hint in (("fry 17:00", "fri 17:00"), ("tomorow 9am", "tomorrow 9am"),
                        ("fri 25:00", "fri 17:00"), ("soon", "fri 17:00"),
                        ("2026-13-01 08:00", "fri 17:00")):
        with pytest.raises(BadInput) as refused:
            when(typed)
        assert refused.value.message == f"I couldn't read '{typed}' as a time; try '{hint}'."


def test_override_commands(oncall, db):
    answer = oncall.command(f"oncall override <@{PAT}|pat> until fri 17:00", MARIA)
    assert answer.text == (f":white_check_mark: <@{PAT}> is on call from now until "
                           "Fri 27 Nov 17:00.")
    assert "*On call now:* <@U0PAT> (covering for <@U0MARIA> until Fri 27 Nov 17:00)" in (
        block_text({"blocks": answer.blocks}))
    answer = oncall.command(f"oncall override <@{LEE}> from fri 17:00 until mon 08:00", MARIA)
    assert answer.text == (f":white_check_mark: <@{LEE}> is on call from Fri 27 Nov 17:00 "
                           "until Mon 30 Nov 08:00.")
    with db.session() as session:
        rows = session.exec(select(RotationOverride).order_by(RotationOverride.id)).all()
    assert [(o.user_id, o.starts_at, o.ends_at, o.created_by) for o in rows] == [
        (PAT, START, utc(2026, 11, 27, 23), MARIA),
        (LEE, utc(2026, 11, 27, 23), utc(2026, 11, 30, 14), MARIA),
    ]
    assert oncall.command("oncall override <@U0LEE> until fry 17:00", MARIA).text == (
        "I couldn't read 'fry 17:00' as a time; try 'fri 17:00'.")
    assert oncall.command("oncall override <@U0LEE> tomorrow", MARIA).text.startswith(
        "Write it like `/reviewdesk oncall override @sam until fri 17:00`")
    assert oncall.command("oncall override <@U0LEE> from 2026-12-02 09:00 until 2026-12-01",
                          MARIA).text == (
        "That override would end before it starts; check the two times.")
    assert oncall.command("oncall override <@U0LEE> until 2026-11-20 08:00", MARIA).text == (
        "That time has already passed; give a time still ahead.")


def test_swap_remove_add_and_help_commands(oncall):
    assert oncall.command(f"oncall swap <@{SAM}|sam> <@{LEE}|lee>", PAT).text == (
        f":white_check_mark: <@{SAM}> and <@{LEE}> traded places in the order, from the next "
        "hand-off on.")
    assert oncall.order() == [MARIA, LEE, SAM]
    assert oncall.command(f"oncall remove {LEE}", MARIA).text == (
        f":white_check_mark: <@{LEE}> is out of the rotation.")
    assert oncall.command(f"oncall add <@{ANNE}>", MARIA).text.endswith("at the end of the order.")
    assert oncall.order() == [MARIA, SAM, ANNE]
    assert oncall.command(f"oncall swap <@{SAM}>", MARIA).text == (
        "Write it like `/reviewdesk oncall swap @sam @lee`.")
    assert oncall.command(f"oncall swap <@{SAM}> <@{SAM}>", MARIA).text == (
        "Name two different people to swap.")
    assert oncall.command("oncall dance", MARIA).text.startswith("I don't know `oncall dance`")
    helped = block_text({"blocks": oncall.command("oncall help", SAM).blocks})
    assert "Times are in America/Chicago" in helped and "09:00" in helped


def test_the_oncall_command_shows_now_next_and_the_week(oncall, clock):
    oncall.override(MARIA, PAT, utc(2026, 11, 27, 23), utc(2026, 11, 30, 14))
    answer = oncall.command("oncall", LEE)
    shown = block_text({"blocks": answer.blocks})
    assert answer.text == f":telephone_receiver: *On call now:* <@{MARIA}>"
    assert f"*Next:* <@{PAT}> from Fri 27 Nov 17:00" in shown  # the override comes first
    assert shown.count("\n") >= 5
    week = shown[shown.index("*The week ahead*"):]
    assert week.splitlines()[1:4] == [
        f"Tue 24 Nov 09:00 – Fri 27 Nov 17:00 · <@{MARIA}>",
        f"Fri 27 Nov 17:00 – Mon 30 Nov 08:00 · <@{PAT}> _(override)_",
        f"Mon 30 Nov 08:00 – Mon 30 Nov 09:00 · <@{MARIA}>",
    ]
    assert f"Mon 30 Nov 09:00 – Tue 1 Dec 09:00 · <@{SAM}>" in shown
    assert (f"<@{PAT}> covers Fri 27 Nov 17:00 – Mon 30 Nov 08:00 (set by <@{MARIA}>)"
            in shown)
    assert (f"Order: <@{MARIA}> → <@{SAM}> → <@{LEE}> · Hand-off Monday at 09:00 · Times in "
            f"America/Chicago · Lead: <@{PAT}>") in shown
    assert message_block_errors(answer.blocks) == []


def test_after_an_override_next_is_whoever_comes_after_it(oncall, clock):
    """`override @sam until fri 17:00` while Maria is on call and Sam's turn is Monday's:
    next is Maria again, from Friday 17:00 (it read "Now: Sam… Next: Sam")."""
    assert oncall.command(f"oncall override <@{SAM}|sam> until fri 17:00", MARIA).text \
        .startswith(f":white_check_mark: <@{SAM}> is on call from now until Fri 27 Nov 17:00")
    shown = block_text({"blocks": oncall.command("oncall", LEE).blocks})
    assert (f"*On call now:* <@{SAM}> (covering for <@{MARIA}> until Fri 27 Nov 17:00)"
            in shown)
    assert f"*Next:* <@{MARIA}> from Fri 27 Nov 17:00" in shown
    # Covering until their own turn begins: next is the one after them, a week later.
    oncall.override(MARIA, SAM, utc(2026, 11, 27, 23), MON_30)
    shown = block_text({"blocks": oncall.command("oncall", LEE).blocks})
    assert f"*Next:* <@{LEE}> from Mon 7 Dec 09:00" in shown
    # A rotation of one has nobody next.
    oncall.remove(MARIA, SAM)
    oncall.remove(MARIA, LEE)
    clock.set(MON_7 + timedelta(days=1))
    shown = block_text({"blocks": oncall.command("oncall", LEE).blocks})
    assert f"*On call now:* <@{MARIA}>" in shown and "*Next:*" not in shown


def test_an_empty_rotation_has_nobody_on_call(db, clock):
    oncall = make_oncall(db, clock, rotation_config(members=[]))
    oncall.seed()
    assert oncall.on_call() is None
    assert handoff_rows(db) == []
    assert oncall.command("oncall", MARIA).text.startswith(":warning: *Nobody is on call:*")
    clock.set(MON_30)
    assert oncall.announce_due_handoffs() == 0
    oncall.add(MARIA, SAM)  # the first member starts the rotation
    assert oncall.on_call() == SAM
    assert [(h.handoff_at, h.user_id) for h in handoff_rows(db)] == [(MON_30, SAM)]

