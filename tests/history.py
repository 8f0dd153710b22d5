"""A known history of cases, made through the running app with the injected clock, and the
figures worked out by hand from it. The digest, `/reviewdesk stats`, `reviewdesk report` and
the figures' own tests all check themselves against these numbers.

The organisation is in America/Chicago. US daylight saving time ends on Sunday 1 November 2026
at 02:00 CDT, so the week of Monday 26 October runs from 05:00 UTC on the 26th to 06:00 UTC on
2 November: 169 hours.

    W-1  2026-10-19 05:00Z … 2026-10-26 05:00Z
    W    2026-10-26 05:00Z … 2026-11-02 06:00Z   (the daylight-saving week)
    W+1  2026-11-02 06:00Z … 2026-11-09 06:00Z

Case  site   source    opened (UTC)       what happens
P     north  google    10-20 15:00 (W-1)  claimed 17:00 (2 h); replied 10-21 10:00 (19 h), due
                                          10-21 15:00: met in W-1
A     north  google    10-26 14:30        claimed 16:00 (1 h 30 min); replied 10-27 14:30,
                                          exactly at its deadline: met
B     south  facebook  10-27 12:00        claimed 12:30 (30 min); no reply, due 10-28 12:00:
                                          missed; escalated 10-28 13:00, routine (PX due 10-31
                                          13:00);
                                          reviewer contacted 10-30 13:00: PX met; the reviewer
                                          edits the review 10-31 09:00: review updated
C     north  google    10-28 10:00        ignored (troll) 11:00, before its deadline 10-29
                                          10:00; reopened 10-29 12:00, after it: closed at the
                                          deadline, so not judged; claimed 10-29 12:05 (26 h 5 min)
D     north  yelp      10-29 09:00        hidden (profanity) 10:00, reopened 11:00, before its
                                          deadline 10-30 09:00; no reply: missed
E     south  google    11-02 05:30        Sunday 23:30 CST: still the week of 26 October
F     north  google    11-02 06:30        Monday 00:30 CST: the next week

The week of 26 October (W), by hand:
  opened 5 (A B C D E): north 3, south 2; google 3, facebook 1, yelp 1
  first claims 3 (A 1 h 30, B 30 min, C 26 h 5 min): median 1 h 30 min
  first replies 1 (A, 24 h): median 24 h
  cases done 1 (A: answered in public, no PX follow-up; 24 h): median 24 h
  first-response windows: met 1 (A), missed 2 (B, D), C not judged; PX follow-ups met 1 of 1
  escalations 1; reviewer contacted 1, review updated 1
  hidden 1 (profanity), ignored 1 (troll), reopened 2, resolved 0
W-1: opened 1, claims 1 (2 h), replies 1 (19 h), done 1 (19 h), first response met 1 of 1.
W-2, W-3, W-4: nothing at all.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import ManualClock
from testing.driver import Driver, review
from testing.workspace import LEE, MARIA, PAT, SAM, TRIAGE

TIMEZONE = "America/Chicago"
WEEK_START = datetime(2026, 10, 26, 5, 0, tzinfo=UTC)
WEEK_END = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
DIGEST_AT = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)  # Monday 08:00 CST
NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)  # Monday 09:00 CST

WAIT = "We waited four hours in the ER and nobody told us anything."
RUDE = "The front desk was rude to my mother."


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def build(driver: Driver, clock: ManualClock) -> dict[str, int]:
    """Make the history above; returns the case ids by letter."""
    desk = driver.bot.desk
    ids: dict[str, int] = {}

    def go(moment: datetime) -> None:
        move(driver, clock, moment)

    def open_case(letter: str, moment: datetime, **fields) -> None:
        go(moment)
        ids[letter] = driver.new_case(external_id=f"case-{letter}", author=f"Reviewer {letter}",
                                      created_at=moment.isoformat(), **fields)

    open_case("P", at(10, 20, 15), site="north", source="google", text=WAIT)
    go(at(10, 20, 17))
    desk.claim(ids["P"], MARIA)
    go(at(10, 21, 10))
    driver.reply_by_hand(MARIA, ids["P"], "Thank you; please call us.", TRIAGE)

    open_case("A", at(10, 26, 14, 30), site="north", source="google", text=WAIT)
    go(at(10, 26, 16))
    desk.claim(ids["A"], MARIA)
    go(at(10, 27, 14, 30))
    driver.reply_by_hand(MARIA, ids["A"], "We are sorry; please call us.", TRIAGE)

    open_case("B", at(10, 27, 12), site="south", source="facebook", text=RUDE)
    go(at(10, 27, 12, 30))
    desk.claim(ids["B"], SAM)
    go(at(10, 28, 13))
    desk.escalate(ids["B"], SAM, site_id="south", urgency="routine", note=None)
    go(at(10, 30, 13))
    desk.px_contacted(ids["B"], PAT)
    go(at(10, 31, 9))
    status, body = driver.post_reviews(review(
        external_id="case-B", author="Reviewer B", site="south", source="facebook",
        text=RUDE + " Update: they called me back.", rating=1,
        created_at=at(10, 27, 12).isoformat()))
    assert status == 200 and body["items"][0]["outcome"] == "updated", body

    open_case("C", at(10, 28, 10), site="north", source="google", text=WAIT)
    go(at(10, 28, 11))
    desk.ignore(ids["C"], LEE, reason="troll", note=None)
    go(at(10, 29, 12))
    desk.reopen(ids["C"], LEE)
    go(at(10, 29, 12, 5))
    desk.claim(ids["C"], LEE)

    open_case("D", at(10, 29, 9), site="north", source="yelp", text=RUDE)
    go(at(10, 29, 10))
    desk.hide(ids["D"], MARIA, reason="profanity", note=None)
    go(at(10, 29, 11))
    desk.reopen(ids["D"], SAM)

    open_case("E", at(11, 2, 5, 30), site="south", source="google", text=WAIT)
    open_case("F", at(11, 2, 6, 30), site="north", source="google", text=WAIT)
    driver.settle()
    return ids


def move(driver: Driver, clock: ManualClock, moment: datetime) -> None:
    """Settle, set the clock, do what fell due meanwhile (reminders, Home refreshes), settle
    again. (The scheduler would, at its next sweep; the clock is the tests'.)"""
    driver.settle()
    clock.set(moment)
    driver.bot.nudges.run_due()
    if driver.bot.home is not None:
        driver.bot.home.refresh_due()
    if driver.bot.digest is not None:
        driver.bot.digest.run_due()
    driver.settle()


def minutes(hours: int = 0, mins: int = 0) -> timedelta:
    return timedelta(hours=hours, minutes=mins)
