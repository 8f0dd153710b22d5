"""A hospital team's working day in the local workspace (issue 17 §10), in Debian's headless
Chromium: routine, on-site and risk reviews come in through the real intake, what is due first
leads the Home tab and `/reviewdesk open`, an urgent escalation is due today, a public reply ends
a case and the reviewer writing again brings it back, and the clock runs through the night until
the reminders and then the miss reach the person on call.

Everything is done through the page (clicks, the message box, the clock's buttons) and every
step checks what a person sees there. The desk's clock starts at Tuesday 24 November 2026,
09:00 in Chicago (the demo people's time zone), and only the page's clock buttons move it."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest

from local import LocalWorkspace
from testing.local import start_test_local
from tests.test_local_workspace import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LEE,
    MARIA,
    PAT,
    SAM,
    card,
    move_clock,
    open_as,
    post_review,
)

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
expect.set_options(timeout=15_000)  # what a page shows may take a loaded machine a while

ROUTINE = "I was billed twice for one visit and nobody at the billing office answers the phone."
ON_SITE = "I'm sitting in your ER right now and nobody has checked on us for three hours."
RISK = "The surgeon left a sponge inside my mother. We are talking to a malpractice lawyer."
AGAIN = "Still sitting in your ER, four hours now. Nobody has come to find us."
CASE_LINE = re.compile(r"^#\d+ ")


@pytest.fixture
def local(tmp_path) -> Iterator[LocalWorkspace]:
    """The local workspace as `reviewdesk run` starts it, without the sample reviews, its
    clock at START (Tuesday 09:00 in Chicago) until the page moves it."""
    running = start_test_local(f"sqlite:///{tmp_path / 'day.db'}", samples=False,
                               intake_token="day-token")
    yield running
    running.stop()


@pytest.fixture
def page(local) -> Iterator:
    if not os.path.exists(CHROMIUM):
        pytest.skip("needs Debian's chromium (.ci/run installs it)")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        opened = browser.new_page(viewport={"width": 1400, "height": 900})
        errors: list[str] = []
        opened.on("pageerror", lambda error: errors.append(str(error)))
        opened.set_default_timeout(10_000)
        yield opened
        browser.close()
    assert not errors, errors


def case_lines(region) -> list[str]:
    """The case lines a list shows (Home's lists, an answer to /reviewdesk), top to bottom."""
    return [line.strip() for line in region.inner_text().splitlines()
            if CASE_LINE.match(line.strip())]


def as_person(page, user: str) -> None:
    page.locator("#person").select_option(user)
    expect(page.locator("#person")).to_have_value(user)


def to_channel(page, name: str) -> None:
    page.get_by_role("button", name=name).click()
    expect(page.locator("#channel-header")).to_contain_text(name)


def open_home(page, *, showing: str):
    """Open the app's Home tab (Slack sends app_home_opened and the bot publishes) and wait
    until it shows `showing`, something only the Home of now says."""
    page.get_by_role("button", name="reviewdesk").click()
    page.get_by_role("tab", name="Home").click()
    home = page.locator(".home")
    expect(home).to_contain_text(showing)
    return home


def open_dms(page):
    page.get_by_role("button", name="reviewdesk").click()
    page.get_by_role("tab", name="Messages").click()
    return page.locator("#messages")


def type_command(page, text: str, *, answer_has: str):
    """Type a slash command in the message box; the private answer it gets (a new one, not an
    earlier answer that says the same)."""
    answers = page.locator(".msg.ephemeral", has_text=answer_has)
    before = answers.count()
    composer = page.locator("#composer-input")
    composer.fill(text)
    composer.press("Enter")
    expect(answers).to_have_count(before + 1)
    return answers.last


def thread_replies(page) -> list[tuple[str, str]]:
    """The open thread's replies as shown: (the time each was sent, its text)."""
    shown = page.locator("#thread .reply-count ~ .msg").evaluate_all(
        "replies => replies.map(r => [r.querySelector('.time').textContent.trim(), "
        "r.querySelector('.msg-blocks').innerText.trim()])")
    return [(sent, text) for sent, text in shown]


def test_a_working_day(local, page):
    open_as(page, local, MARIA)
    clock = page.locator("#clock-now")
    expect(clock).to_contain_text("9:00 AM")

    # ---- 09:00-11:00: a routine review, someone on site now, then risk language -----------
    post_review(local, external_id="g-day-1", author="Dana K.", text=ROUTINE,
                created_at="2026-11-24T14:52:00Z")
    routine = card(page, "Dana K.")
    expect(routine).to_contain_text("Respond by Tomorrow at 9:00 AM")
    move_clock(page, "+1 h")
    post_review(local, external_id="g-day-2", author="Chris P.", text=ON_SITE,
                created_at="2026-11-24T15:55:00Z")
    on_site = card(page, "Chris P.")
    expect(on_site).to_contain_text("On site now — @Pat, please find the reviewer")
    expect(on_site).to_contain_text("Respond by Today at 12:00 PM")  # 2 h, not 24
    move_clock(page, "+1 h")
    expect(clock).to_contain_text("11:00 AM")
    post_review(local, external_id="g-day-3", author="Morgan T.", text=RISK,
                created_at="2026-11-24T16:50:00Z")
    risk = card(page, "Morgan T.")
    expect(risk).to_contain_text("Risk (mentions “left a sponge”)")
    expect(risk).to_contain_text("Respond by Today at 1:00 PM")

    # Nobody holds the on-site case: an hour before its deadline the person on call (Lee, the
    # demo rotation's first member) was reminded in its thread.
    on_site.locator(".thread-link").click()
    expect(page.locator("#thread")).to_contain_text(
        "@Lee: the urgent response is due Today at 12:00 PM, in 1 h from this reminder.")
    page.get_by_role("button", name="Close thread").click()

    # ---- what is due first comes first, on the Home tab and in /reviewdesk open -----------
    home = open_home(page, showing="Due soon (2)")
    lines = case_lines(home)
    assert len(lines) == 3, lines
    assert "On site now “I'm sitting in your ER right now" in lines[0], lines
    assert "Urgent response due in 1 h (12:00 PM)" in lines[0], lines
    assert "Risk “The surgeon left a sponge" in lines[1], lines
    assert "Urgent response due in 2 h (1:00 PM)" in lines[1], lines
    assert "“I was billed twice" in lines[2], lines
    assert "First response due Tomorrow at 9:00 AM" in lines[2], lines

    to_channel(page, "review-triage")
    answer = type_command(page, "/reviewdesk open", answer_has="3 open cases")
    expect(answer).to_contain_text("missed first, then the earliest deadline")
    assert case_lines(answer) == lines  # the same lines, in the same order

    # ---- the risk case: Maria takes it and escalates; Urgent is chosen, due today --------
    risk.get_by_role("button", name="Claim").click()
    expect(risk).to_contain_text("Claimed by @Maria")
    risk.get_by_role("button", name="Escalate to Patient Experience").click()
    modal = page.locator(".modal")
    expect(modal.locator("h2")).to_have_text("Escalate to PX")
    urgency = modal.locator("select").nth(1)
    expect(urgency).to_have_value("urgent")
    expect(urgency.locator("option:checked")).to_have_text("Urgent — today")
    modal.locator("textarea, input[type=text]").fill("They mention a lawyer. Please call today.")
    modal.get_by_role("button", name="Escalate").click()
    expect(modal).to_have_count(0)
    expect(risk).to_contain_text("Escalated to PX (North campus, Urgent — today)")

    as_person(page, PAT)  # Patient Experience for North campus takes the follow-up
    to_channel(page, "px-north")
    px_card = page.locator("#messages > .msg", has_text="Patient Experience follow-up")
    expect(px_card).to_contain_text("Urgent — today")
    expect(px_card).to_contain_text("Follow up by Today at 3:00 PM")  # 11:00 + 4 h
    px_card.get_by_role("button", name="Claim").click()
    expect(px_card).to_contain_text("@Pat")
    # Pat's Home is PX's: her follow-ups first, by the PX follow-up's own deadline.
    pat_home = open_home(page, showing="My PX follow-ups (1)")
    [pat_line] = [line for line in case_lines(pat_home) if "The surgeon" in line]
    assert "PX follow-up due in 4 h (3:00 PM) · PX: @Pat" in pat_line, pat_line
    pats_case = pat_home.locator(".bk-section", has_text="The surgeon")
    expect(pats_case.get_by_role("button")).to_have_text(["Mark contacted"])

    # ---- a reply is posted, and the on-site case is done -----------------------------------
    as_person(page, MARIA)
    to_channel(page, "review-triage")
    on_site.get_by_role("button", name="Respond").click()
    expect(modal.locator("h2")).to_have_text("Respond to review")
    expect(modal.locator("textarea")).to_have_value(re.compile("Chris"))
    modal.locator("textarea").fill(
        "Chris, we are sorry you are still waiting. Please ask any member of staff to page "
        "our Patient Experience team, or call 555-0101, and someone will come to help.")
    modal.get_by_role("button", name="Next").click()
    expect(modal.locator("h2")).to_have_text("Post the reply")
    modal.get_by_role("button", name="Mark as posted").click()
    expect(modal).to_have_count(0)
    # Someone on site now: a public reply alone does not end it; reaching the reviewer does.
    expect(on_site).to_contain_text("it is done once someone has reached the reviewer")
    as_person(page, PAT)  # North campus's PX contact, asked by DM to find Chris, found him
    on_site.locator(".bk-overflow summary").click()
    on_site.get_by_role("button", name="Log outcome").click()
    expect(modal.locator("h2")).to_have_text(re.compile("outcome", re.IGNORECASE))
    modal.locator("select").first.select_option("patient_contacted")
    modal.get_by_role("button", name=re.compile("Log|Save")).click()
    expect(modal).to_have_count(0)
    expect(on_site).to_contain_text("Done: answered in public")
    expect(on_site).to_contain_text("Responded by @Maria")
    expect(on_site.get_by_role("button", name="Reopen")).to_be_visible()
    as_person(page, MARIA)

    answer = type_command(page, "/reviewdesk open", answer_has="2 open cases")
    assert not [line for line in case_lines(answer) if "I'm sitting in your ER" in line]
    home = open_home(page, showing="Due soon (0)")
    lines = case_lines(home)
    assert len(lines) == 2 and not [line for line in lines if "I'm sitting" in line], lines

    # ---- 12:00: the reviewer writes again, and the case is back on the same card ----------
    to_channel(page, "review-triage")
    move_clock(page, "+1 h")
    expect(clock).to_contain_text("12:00 PM")
    post_review(local, external_id="g-day-4", author="Chris P.", text=AGAIN,
                created_at="2026-11-24T17:58:00Z")
    expect(on_site).to_contain_text("The reviewer wrote again")
    expect(on_site).to_contain_text(AGAIN)
    expect(on_site).to_contain_text("Respond by Today at 2:00 PM")
    expect(on_site).not_to_contain_text("Done: answered in public")
    expect(page.locator("#messages > .msg", has_text="Chris P.")).to_have_count(1)  # no new card
    answer = type_command(page, "/reviewdesk open", answer_has="3 open cases")
    assert [line for line in case_lines(answer) if "I'm sitting in your ER" in line]

    # ---- the evening: Lee, the rotation's admin, hands the night to Sam ------------------
    as_person(page, LEE)
    answer = type_command(page, "/reviewdesk oncall override @Sam until wed 12:00",
                          answer_has="is on call from now")
    expect(answer).to_contain_text("@Sam is on call from now until Wed 25 Nov 12:00.")

    # ---- the night: the clock runs to Wednesday noon, stopping at every moment due --------
    move_clock(page, "+1 day")
    expect(page.locator("#clock-ahead")).to_contain_text("1 d 3 h ahead")
    expect(clock).to_contain_text("12:00 PM")
    expect(routine).to_contain_text("Window missed")

    # Nobody claimed the routine case: its reminders went to Sam, on call tonight, each at its
    # own time (at 75 % of its 24 h window and 1 h before), then the miss at 09:00.
    routine.locator(".thread-link").click()
    expect(page.locator("#thread")).to_contain_text("Window missed: the first response was due")
    replies = thread_replies(page)
    assert replies[:3] == [
        ("3:00 AM", "⏳ @Sam: the first response is due Today at 9:00 AM, in 6 h from this "
                    "reminder.\nSnooze 1 h\nI'm on it"),
        ("8:00 AM", "⏳ @Sam: the first response is due Today at 9:00 AM, in 1 h from this "
                    "reminder.\nSnooze 1 h\nI'm on it"),
        ("9:00 AM", "🔴 Window missed: the first response was due Today at 9:00 AM. @Sam, "
                    "please pick this up.\nSnooze 1 h\nI'm on it"),
    ], replies
    page.get_by_role("button", name="Close thread").click()

    # At the miss Sam got a DM saying which review, where, and when it was due.
    as_person(page, SAM)
    dms = open_dms(page)
    missed = dms.locator(".msg", has_text="I was billed twice")
    expect(missed.locator(".time")).to_have_text("9:00 AM")
    expect(missed).to_contain_text("Missed: North campus · Google")
    expect(missed).to_contain_text("the first response was due Today at 9:00 AM (case #1). "
                                   "You are on call")
    # The cases others hold were theirs to hear about, not the night's on-call person's.
    expect(dms.locator(".msg", has_text="The surgeon")).to_have_count(0)
    expect(dms.locator(".msg", has_text="Still sitting in your ER")).to_have_count(0)

    # Lee, whose week it is but who was off tonight, got no DM about it; Maria, who holds the
    # other two, heard of their misses; Pat of the PX follow-up's, at 3 PM yesterday.
    as_person(page, LEE)
    expect(open_dms(page).locator(".msg", has_text="I was billed twice")).to_have_count(0)
    as_person(page, MARIA)
    dms = open_dms(page)
    expect(dms.locator(".msg", has_text="The surgeon")).to_contain_text(
        "the urgent response was due Yesterday at 1:00 PM")
    # (a DM quotes the reviewer's newest words: Chris wrote again at noon)
    expect(dms.locator(".msg", has_text="Still sitting in your ER")).to_contain_text(
        "the urgent response was due Yesterday at 2:00 PM")
    as_person(page, PAT)
    expect(open_dms(page).locator(".msg", has_text="The surgeon")).to_contain_text(
        "the PX follow-up was due Yesterday at 3:00 PM")

    # Sam's Home this morning starts with what was missed, the most overdue first.
    as_person(page, SAM)
    home = open_home(page, showing="Missed (3)")
    lines = case_lines(home)
    assert ["The surgeon" in lines[0], "I'm sitting" in lines[1], "I was billed" in lines[2]] \
        == [True] * 3, lines
