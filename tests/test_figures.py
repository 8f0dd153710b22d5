"""The figures: pure rules on hand-made histories, then the known history of tests/history.py
made through the running app, checked figure by figure against hand-computed values."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from bot.reports.figures import (
    CaseFact,
    EventFact,
    History,
    LookFact,
    WindowFact,
    compute,
    format_share,
    format_span,
    headline,
)
from bot.reports.periods import Period, last_days, week_of, weeks_before
from bot.reports.reports import Reports
from tests import history as known

CHICAGO = "America/Chicago"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# ---- periods -------------------------------------------------------------------------------------


def test_a_week_runs_monday_to_monday_in_the_organisations_zone():
    week = week_of(utc(2026, 11, 25, 12), CHICAGO)
    assert (week.start, week.end) == (utc(2026, 11, 23, 6), utc(2026, 11, 30, 6))
    assert week.key == "2026-11-23" and week.last_day.isoformat() == "2026-11-29"


def test_the_week_daylight_saving_ends_in_is_169_hours_and_keeps_its_sunday_night():
    week = week_of(utc(2026, 10, 28), CHICAGO)
    assert (week.start, week.end) == (known.WEEK_START, known.WEEK_END)
    assert week.end - week.start == timedelta(hours=169)
    assert utc(2026, 11, 2, 5, 30) in week  # Sunday 23:30 CST
    assert utc(2026, 11, 2, 6, 30) not in week  # Monday 00:30 CST
    spring = week_of(utc(2026, 3, 10), CHICAGO)  # DST starts on Sunday 8 March 2026
    assert spring.end - spring.start == timedelta(hours=168)
    assert week_of(utc(2026, 3, 5), CHICAGO).end - week_of(utc(2026, 3, 5), CHICAGO).start \
        == timedelta(hours=167)


def test_previous_weeks_follow_each_other_across_the_change():
    before = weeks_before(week_of(known.NOW, CHICAGO), 2)
    assert [p.key for p in before] == ["2026-10-26", "2026-10-19"]
    assert before[0].end == week_of(known.NOW, CHICAGO).start and before[1].end == before[0].start


def test_the_last_seven_days_are_seven_calendar_days_across_the_change():
    period = last_days(known.NOW, 7, CHICAGO)  # Monday 09:00 CST
    assert period.start == utc(2026, 10, 26, 14)  # Monday 09:00 CDT, 169 hours before
    assert period.end == known.NOW


# ---- the rules on small hand-made histories -----------------------------------------------------

OPENED = utc(2026, 11, 23, 15)
WEEK = week_of(OPENED, "UTC")


def case(case_id: int, opened_at: datetime = OPENED, **fields) -> CaseFact:
    return CaseFact(case_id, opened_at, fields.get("site", "north"),
                    fields.get("source", "google"), fields.get("themes", ()))


def event(case_id: int, action: str, moment: datetime, **details) -> EventFact:
    return EventFact(case_id, action, moment, details)


def test_a_window_met_at_its_deadline_is_met_and_one_a_minute_late_is_missed():
    due = OPENED + timedelta(hours=24)
    history = History(
        cases={1: case(1), 2: case(2)},
        events=[event(1, "opened", OPENED), event(2, "opened", OPENED)],
        windows=[WindowFact(1, "first_response", due, met_at=due),
                 WindowFact(2, "first_response", due, met_at=due + timedelta(minutes=1))],
    )
    share = compute(history, WEEK).window("first_response")
    assert (share.met, share.missed, share.share) == (1, 1, 0.5)
    assert format_share(share) == "50% (1 of 2)"


def test_a_window_is_judged_by_whether_the_case_was_closed_at_its_deadline():
    due = OPENED + timedelta(hours=24)
    history = History(
        cases={n: case(n) for n in (1, 2, 3)},
        events=[
            # 1: ignored before the deadline and reopened after it: nobody had to act
            event(1, "ignored", OPENED + timedelta(hours=1), reason="troll"),
            event(1, "reopened", due + timedelta(hours=2)),
            # 2: hidden, then reopened before the deadline, never answered: missed
            event(2, "hidden", OPENED + timedelta(hours=1), reason="spam"),
            event(2, "reopened", OPENED + timedelta(hours=2)),
            # 3: resolved exactly at the deadline: closed then
            event(3, "resolved", due),
        ],
        windows=[WindowFact(n, "first_response", due) for n in (1, 2, 3)],
    )
    figures = compute(history, WEEK)
    share = figures.window("first_response")
    assert (share.met, share.missed) == (0, 1)
    assert (figures.hidden, figures.ignored, figures.resolved, figures.reopened) == (1, 1, 1, 2)
    assert figures.hidden_reasons == (("spam", 1),) and figures.ignored_reasons == (("troll", 1),)


def test_deadlines_still_ahead_are_not_judged():
    due = OPENED + timedelta(hours=24)
    history = History({1: case(1)}, [], [WindowFact(1, "first_response", due)])
    assert compute(history, WEEK, now=due - timedelta(seconds=1)).window(
        "first_response").judged == 0
    assert compute(history, WEEK, now=due).window("first_response").missed == 1


def test_only_first_claims_and_first_replies_count_and_in_the_period_they_fall_in():
    history = History(
        cases={1: case(1), 2: case(2, OPENED - timedelta(days=7))},
        events=[
            event(1, "claimed", OPENED + timedelta(hours=1)),
            event(1, "released", OPENED + timedelta(hours=2)),
            event(1, "claimed", OPENED + timedelta(hours=3)),
            event(1, "responded", OPENED + timedelta(hours=4)),
            event(1, "responded", OPENED + timedelta(hours=5)),  # an edit of the reply
            # 2 opened the week before and was first taken over this week
            event(2, "taken_over", OPENED + timedelta(hours=2)),
        ],
        windows=[],
    )
    figures = compute(history, WEEK)
    assert figures.claims == 2 and figures.responses == 1
    # medians of 1 h and 7 d 2 h: the mean of the two middle values
    assert figures.median_to_claim == timedelta(days=3, hours=13, minutes=30)
    assert figures.median_to_response == timedelta(hours=4)
    last_week = compute(history, weeks_before(WEEK, 1)[0])
    assert last_week.claims == 0 and last_week.opened == 1


def test_an_escalations_outcomes_count_once_per_case():
    history = History(
        cases={1: case(1), 2: case(2)},
        events=[
            event(1, "escalated", OPENED),
            event(1, "px_contacted", OPENED + timedelta(hours=1)),
            event(1, "outcome_logged", OPENED + timedelta(hours=2), outcome="patient_contacted"),
            event(1, "review_edited", OPENED + timedelta(hours=3)),
            event(2, "review_edited", OPENED),  # never escalated: not an outcome
            event(2, "outcome_logged", OPENED, outcome="declined"),
        ],
        windows=[],
    )
    figures = compute(history, WEEK)
    assert figures.escalations == 1
    assert dict(figures.outcomes) == {"patient_contacted": 1, "declined": 1, "no_reply": 0,
                                      "review_updated": 1, "review_removed": 0}


def test_an_escalation_made_again_is_not_another_escalation():
    """Changing the urgency (escalating again) keeps the count of cases escalated: two
    cases, one of them moved from Routine to Urgent, are 2 escalations, and a case escalated
    the week before and again this week is none of this week's."""
    before = OPENED - timedelta(days=7)
    history = History(
        cases={1: case(1), 2: case(2), 3: case(3, before)},
        events=[
            event(1, "escalated", OPENED, urgency="routine"),
            event(1, "escalated", OPENED + timedelta(hours=1), urgency="urgent", again=True),
            event(2, "escalated", OPENED + timedelta(hours=2), urgency="soon"),
            event(3, "escalated", before, urgency="routine"),
            event(3, "escalated", OPENED, urgency="urgent", again=True),
        ],
        windows=[],
    )
    assert compute(history, WEEK).escalations == 2
    assert compute(history, weeks_before(WEEK, 1)[0]).escalations == 1


def test_an_empty_week_has_zeros_and_no_medians_or_shares():
    figures = compute(History({}, [], []), WEEK)
    assert figures.opened == figures.claims == figures.escalations == figures.hidden == 0
    assert figures.median_to_claim is None and figures.median_to_response is None
    assert all(share.share is None for share in figures.windows)
    assert format_span(figures.median_to_claim) == "—"
    assert format_share(figures.response_windows) == "—"


def test_sites_keep_only_their_cases():
    history = History(
        cases={1: case(1, site="north", themes=("wait_time",)),
               2: case(2, site="south", source="yelp", themes=("billing", "wait_time"))},
        events=[], windows=[])
    everyone = compute(history, WEEK)
    assert everyone.by_site == (("north", 1), ("south", 1))
    assert everyone.by_theme == (("wait_time", 2), ("billing", 1))
    south = compute(history, WEEK, sites=["south"])
    assert south.opened == 1 and south.by_source == (("yelp", 1),)


def test_needs_a_look_counts_listings_and_decisions_in_the_period_they_happen():
    before = WEEK.start - timedelta(hours=1)
    history = History({}, [], [], looks=[
        LookFact(OPENED, "north"),  # listed, nobody decided yet
        LookFact(OPENED, "north", "case", OPENED + timedelta(hours=2)),
        LookFact(before, "south", "not_complaint", OPENED),  # listed the week before
        LookFact(OPENED, "south", "not_complaint", WEEK.end),  # decided the next week
    ])
    figures = compute(history, WEEK)
    assert (figures.looks_listed, figures.looks_made_case, figures.looks_not_complaint) == (
        3, 1, 1)
    south = compute(history, WEEK, sites=["south"])
    assert (south.looks_listed, south.looks_made_case, south.looks_not_complaint) == (1, 0, 1)
    assert dict(headline(figures))["looks_made_case"] == "1"


@pytest.mark.parametrize(("duration", "said"), [
    (timedelta(minutes=45, seconds=59), "45 min"), (timedelta(hours=1), "1 h"),
    (timedelta(hours=26, minutes=5), "26 h 5 min"), (timedelta(hours=49), "2 d 1 h"),
    (timedelta(days=3), "3 d"),
])
def test_spans_read_as_people_say_them(duration, said):
    assert format_span(duration) == said


# ---- the known history, made through the app ---------------------------------------------


@pytest.fixture
def chicago_config(config):
    return config.model_copy(update={"timezone": known.TIMEZONE})  # the digest stays off


@pytest.fixture
def made(start_bot, slack, chicago_config, clock):
    from testing.driver import Driver
    from testing.workspace import INTAKE_TOKEN, SIGNING_SECRET

    bot = start_bot(config=chicago_config)
    driver = Driver(bot, slack, signing_secret=SIGNING_SECRET, intake_token=INTAKE_TOKEN)
    ids = known.build(driver, clock)
    known.move(driver, clock, known.NOW)
    return bot, ids


def test_the_known_weeks_figures_are_the_hand_computed_ones(made):
    bot, ids = made
    reports = Reports(bot.db, bot.config, bot.clock)
    week = week_of(known.WEEK_START, known.TIMEZONE)
    figures = reports.figures(week)
    assert figures.opened == 5
    assert figures.by_site == (("north", 3), ("south", 2))
    assert figures.by_source == (("google", 3), ("facebook", 1), ("yelp", 1))
    # Themes are counted as triage reads each review now (B's edit may have added one).
    themes = Counter(theme for letter in "ABCDE"
                     for theme in bot.desk.triage_of(ids[letter]).themes)
    assert dict(figures.by_theme) == dict(themes) and sum(themes.values()) >= 5
    assert figures.claims == 3 and figures.median_to_claim == known.minutes(1, 30)
    assert figures.responses == 1 and figures.median_to_response == known.minutes(24)
    assert figures.done == 1 and figures.median_to_done == known.minutes(24)
    first = figures.window("first_response")
    assert (first.met, first.missed) == (1, 2)
    px = figures.window("px_followup")
    assert (px.met, px.missed) == (1, 0)
    assert figures.window("urgent").judged == 0
    assert figures.escalations == 1
    assert dict(figures.outcomes) == {"patient_contacted": 1, "declined": 0, "no_reply": 0,
                                      "review_updated": 1, "review_removed": 0}
    assert (figures.hidden, figures.ignored, figures.reopened, figures.resolved) == (1, 1, 2, 0)
    assert figures.hidden_reasons == (("profanity", 1),)
    assert figures.ignored_reasons == (("troll", 1),)


def test_the_known_week_against_the_previous_four(made):
    bot, _ids = made
    reports = Reports(bot.db, bot.config, bot.clock)
    comparison = reports.comparison(week_of(known.WEEK_START, known.TIMEZONE))
    before = comparison.previous
    assert [p.period.key for p in before] == ["2026-10-19", "2026-10-12", "2026-10-05",
                                              "2026-09-28"]
    assert (before[0].opened, before[0].claims, before[0].responses) == (1, 1, 1)
    assert before[0].median_to_claim == known.minutes(2)
    assert before[0].median_to_response == known.minutes(19)
    assert before[0].done == 1 and before[0].median_to_done == known.minutes(19)
    assert before[0].window("first_response").met == 1
    for empty in before[1:]:  # empty weeks
        assert empty.opened == empty.claims == empty.escalations == 0
        assert empty.median_to_claim is None
        assert empty.window("first_response").share is None
    assert comparison.pooled.opened == 1 and comparison.pooled.median_to_claim == known.minutes(2)
    assert comparison.pooled.period.start == before[-1].period.start


def test_a_site_sees_only_its_own_figures(made):
    bot, _ids = made
    reports = Reports(bot.db, bot.config, bot.clock)
    south = reports.figures(week_of(known.WEEK_START, known.TIMEZONE), sites=["south"])
    assert south.opened == 2 and south.claims == 1 and south.median_to_claim == known.minutes(
        0, 30)
    assert (south.window("first_response").met, south.window("first_response").missed) == (0, 1)
    assert south.escalations == 1 and south.hidden == 0


def test_the_last_seven_days_count_the_monday_before_across_the_change(made):
    bot, _ids = made
    reports = Reports(bot.db, bot.config, bot.clock)
    figures = reports.figures(last_days(known.NOW, 7, known.TIMEZONE))
    # 10-26 14:00Z … 11-02 15:00Z: A (14:30Z) is in, and so is F (Monday 00:30 CST)
    assert figures.opened == 6
    assert isinstance(figures.period, Period)


# ---- `reviewdesk report`: the same figures offline ---------------------------------------------


def test_the_report_csv_has_the_hand_computed_figures(made, database_url, tmp_path):
    import csv
    import io
    import json

    from testing.workspace import config_data
    from tests.test_cli import reviewdesk, write_config

    config_file = write_config(tmp_path / "desk.toml", config_data(
        timezone=known.TIMEZONE))
    env = {"DATABASE_URL": database_url, "REVIEWDESK_CONFIG": str(config_file)}
    until = known.NOW.isoformat()
    result = reviewdesk(tmp_path, "report", "--since", "7d", "--until", until, **env)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {row["period_start"] for row in rows} == {"2026-10-26T14:00:00+00:00"}
    values = {(row["figure"], row["item"]): row["value"] for row in rows}
    assert values[("negative_reviews", "")] == "6"
    assert values[("negative_reviews_by_site", "North campus")] == "4"
    assert values[("negative_reviews_by_source", "Facebook")] == "1"
    assert values[("first_claims", "")] == "3"
    assert values[("median_minutes_to_claim", "")] == "90.0"
    assert values[("median_minutes_to_first_reply", "")] == "1440.0"
    assert (values[("windows_met", "first_response")], values[("windows_missed",
            "first_response")], values[("windows_met_share", "first_response")]) == (
        "1", "2", "0.3333")
    assert values[("windows_met_share", "urgent")] == ""
    assert values[("escalation_outcomes", "patient_contacted")] == "1"
    assert values[("escalation_outcomes", "review_updated")] == "1"
    assert values[("hidden_by_reason", "profanity")] == "1"
    assert values[("ignored_by_reason", "troll")] == "1"
    assert values[("reopened", "")] == "2"

    south = reviewdesk(tmp_path, "report", "--since", "30d", "--until", until, "--site",
                       "South clinic", "--format", "json", **env)
    data = json.loads(south.stdout)
    assert data["period"]["site"] == "south" and data["figures"]["negative_reviews"] == 2
    assert data["figures"]["median_minutes_to_claim"] == 30.0
    markdown = reviewdesk(tmp_path, "report", "--since", "7d", "--until", until,
                          "--format", "md", **env).stdout
    assert "| Median time to claim | 1 h 30 min |" in markdown
    assert "| First-response windows met | 33% (1 of 3) |" in markdown

    wrong = reviewdesk(tmp_path, "report", "--since", "soon", **env)
    assert wrong.returncode == 2 and wrong.stderr.startswith("--since: 'soon' is not a duration")
    nowhere = reviewdesk(tmp_path, "report", "--site", "nowhere", **env)
    assert nowhere.returncode == 2 and "the sites are north, south" in nowhere.stderr
