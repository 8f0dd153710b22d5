"""The local workspace in a real browser: Debian's headless Chromium driven by Playwright, against
the real bot, the Slack twin and the page they serve (local/, twin/workspace/).

Every wait is a condition (Playwright's auto-waiting `expect`), never a fixed sleep. The bot's
clock starts at a fixed moment (a ManualClock under the workspace's adjustable clock), so only
the page's clock control moves it."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import tomllib
import urllib.request
from collections.abc import Iterator
from datetime import UTC, timedelta
from itertools import pairwise
from pathlib import Path
from urllib.error import HTTPError

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import col, select

from bot.clock import AdjustableClock, ManualClock
from bot.config import Settings, load_config, parse_config
from local import (
    EXAMPLE_CONFIG,
    LocalWorkspace,
    local_database_url,
    local_setup,
    reset_database,
    state_file,
)
from storage.models import Nudge, Review
from testing.driver import review
from testing.local import start_test_local
from testing.workspace import START
from twin.workspace.web import MAX_WAITING_POLLS

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
expect.set_options(timeout=15_000)  # what a page shows may take a loaded machine a while

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]

MARIA, SAM, LEE, PAT = "U0MARIA", "U0SAM", "U0LEE", "U0PAT"
TRIAGE, PX_NORTH = "C0000TRIAGE", "C0000PXNORTH"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def browser() -> Iterator:
    if not os.path.exists(CHROMIUM):
        pytest.skip("needs Debian's chromium (.ci/run installs it)")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _start(tmp_path: Path, *, samples: bool, at=START) -> LocalWorkspace:
    return start_test_local(f"sqlite:///{tmp_path / 'local.db'}", samples=samples, at=at)


@pytest.fixture
def local(tmp_path) -> Iterator[LocalWorkspace]:
    running = _start(tmp_path, samples=False)
    yield running
    running.stop()


@pytest.fixture
def page(browser, local) -> Iterator:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.set_default_timeout(10_000)
    yield opened
    context.close()
    assert not errors, errors


def open_as(page, local: LocalWorkspace, user: str, where: str = TRIAGE):
    page.goto(f"{local.url}#/{user}/{where}")
    expect(page.locator("body[data-ready='1']")).to_be_attached()
    return page


def post_review(local: LocalWorkspace, **overrides) -> int:
    request = urllib.request.Request(
        f"{local.url}intake/reviews", data=json.dumps(review(**overrides)).encode(),
        method="POST", headers={"Content-Type": "application/json",
                                "Authorization": f"Bearer {local.intake_token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["items"][0]["case_id"]


def move_clock(page, step: str) -> None:
    """Click a clock button (disabled while the clock moves) and wait for the move to end: it
    stops at each moment due on the way (Monday's digest, every reminder), which takes
    seconds on a loaded machine."""
    button = page.get_by_role("button", name=step)
    button.click()
    expect(button).to_be_enabled(timeout=30_000)


def card(page, author: str = "Dana K."):
    """The case card whose byline names `author`, in the open channel."""
    return page.locator("#messages > .msg", has_text=author).first


def call(local: LocalWorkspace, path: str, body: object | None = None,
         headers: dict | None = None) -> tuple[int, dict]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        local.url + path.lstrip("/"), data=data, method="GET" if body is None else "POST",
        headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


# ---- the desk, worked from the page ----------------------------------------------------------


def test_claim_respond_escalate_and_hide_from_the_page(local, page):
    post_review(local)
    open_as(page, local, MARIA)
    the_card = card(page)
    expect(the_card).to_contain_text("Unclaimed")

    the_card.get_by_role("button", name="Claim").click()
    expect(the_card).to_contain_text("Claimed by @Maria")
    expect(the_card.get_by_role("button", name="Release")).to_be_visible()

    # Respond: the modal, a refusal from the bot shown under the input, the reply guard's
    # warning posted past with its box ticked, then the reply to copy and Mark as posted (no
    # source is posted to from the local workspace).
    the_card.get_by_role("button", name="Respond").click()
    modal = page.locator(".modal")
    expect(modal.locator("h2")).to_have_text("Respond to review")
    reply = modal.locator("textarea")
    expect(reply).to_have_value(re.compile("Dana"))
    reply.fill("   ")
    modal.get_by_role("button", name="Next").click()
    expect(modal.locator(".bk-error")).to_have_text("Write the reply before recording it.")
    reply.fill("Dana, we are sorry about the wait.")
    modal.get_by_role("button", name="Next").click()
    expect(modal).to_contain_text("Before you post, think twice")
    modal.get_by_role("button", name="Next").click()
    expect(modal.locator(".bk-error")).to_contain_text("Tick Post anyway")
    modal.get_by_label("Post anyway").check()
    modal.get_by_role("button", name="Next").click()
    expect(modal.locator("h2")).to_have_text("Post the reply")
    expect(modal).to_contain_text("Dana, we are sorry about the wait.")
    modal.get_by_role("button", name="Mark as posted").click()
    expect(modal).to_have_count(0)
    expect(the_card).to_contain_text("Responded by @Maria")
    expect(the_card.get_by_role("button", name="Edit reply")).to_be_visible()

    # The card's thread is its history.
    the_card.locator(".thread-link").click()
    thread = page.locator("#thread")
    expect(thread).to_contain_text("claimed this case")
    expect(thread).to_contain_text("recorded a public reply")
    expect(thread.locator("blockquote").last).to_contain_text("sorry about the wait")
    thread.get_by_role("button", name="Close thread").click()

    # Escalate: the PX card appears in the site's PX channel.
    the_card.get_by_role("button", name="Escalate to Patient Experience").click()
    expect(modal.locator("h2")).to_have_text("Escalate to PX")
    expect(modal.locator("select").first).to_have_value("north")
    modal.locator("select").nth(1).select_option("urgent")
    modal.locator("textarea, input[type=text]").fill("Family asked for a call back today.")
    modal.get_by_role("button", name="Escalate").click()
    expect(modal).to_have_count(0)
    expect(the_card).to_contain_text("Escalated to PX (North campus, Urgent — today)")
    page.get_by_role("button", name="px-north").click()
    px_card = page.locator("#messages > .msg", has_text="Patient Experience follow-up")
    expect(px_card).to_contain_text("Urgent — today")
    expect(px_card).to_contain_text("Family asked for a call back today.")
    expect(px_card.get_by_role("button", name="Mark contacted")).to_be_visible()

    # Hide with a reason: the card collapses to one line.
    page.get_by_role("button", name="review-triage").click()
    card(page, "Google").get_by_role("button", name="Hide").click()
    expect(modal.locator("h2")).to_have_text("Hide review")
    modal.locator("select").select_option("spam")
    modal.get_by_role("button", name="Hide").click()
    collapsed = page.locator("#messages > .msg", has_text="Hidden")
    expect(collapsed).to_contain_text("spam")
    expect(collapsed).to_contain_text("by @Maria")
    expect(collapsed.get_by_role("button", name="Reopen")).to_be_visible()


def test_an_empty_message_tab_names_the_app_not_a_channel_id(local, page):
    open_as(page, local, MARIA, "app/messages")
    empty = page.locator("#messages .empty")
    expect(empty).to_have_text("No messages from reviewdesk yet.")


def test_the_reply_to_copy_keeps_its_paragraphs(local, page):
    post_review(local)
    open_as(page, local, MARIA)
    card(page).get_by_role("button", name="Respond").click()
    modal = page.locator(".modal")
    reply = modal.locator("textarea")
    reply.fill("Dana, thank you for telling us.\n\nPlease call our Patient Experience team "
               "at 555-0101 so we can talk privately.\n\nThe North campus team")
    modal.get_by_role("button", name="Next").click()
    expect(modal.locator("h2")).to_have_text("Post the reply")
    to_copy = modal.locator(".bk-section", has_text="thank you for telling us")
    expect(to_copy).to_have_count(1)
    assert to_copy.inner_text() == ("Dana, thank you for telling us.\n\nPlease call our Patient "
                                    "Experience team at 555-0101 so we can talk privately.\n\n"
                                    "The North campus team")


@pytest.mark.parametrize("width", [1024, 1280])
def test_the_top_bar_fits_a_small_laptop_screen(local, browser, width):
    """Every control of the top bar (who you are, the clock and its three buttons, what is due
    next) is inside a 1024 px wide window, on one line, whatever the clock says."""
    post_review(local)
    context = browser.new_context(viewport={"width": width, "height": 700})
    page = context.new_page()
    try:
        open_as(page, local, LEE)  # the longest name and role in the picker
        move_clock(page, "+1 day")  # "1 d ahead", a reminder next
        expect(page.locator("#clock-ahead")).to_contain_text("ahead")
        controls = page.locator("#topbar select, #topbar button, #clock-now, #clock-ahead, "
                                "#clock-next")
        expect(controls).to_have_count(7)  # the picker, three buttons, three clock texts
        top = page.locator("#topbar").bounding_box()
        for index in range(controls.count()):
            control = controls.nth(index)
            box = control.bounding_box()
            name = control.evaluate("e => e.id || e.textContent.trim()")
            assert box is not None and box["width"] > 0, name
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, (name, box)
            assert top["y"] <= box["y"] and box["y"] + box["height"] <= top["y"] + top["height"]
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        next_up = page.locator("#clock-next")
        assert next_up.get_attribute("title") == next_up.text_content()  # cut: whole on hover
    finally:
        context.close()


def test_a_required_input_left_empty_is_refused_before_sending(local, page):
    post_review(local)
    open_as(page, local, MARIA)
    card(page).get_by_role("button", name="Respond").click()
    modal = page.locator(".modal")
    modal.locator("textarea").fill("")
    modal.get_by_role("button", name="Next").click()
    expect(modal.locator(".bk-error")).to_have_text("Please complete this required field.")
    modal.get_by_role("button", name="Cancel").click()
    expect(modal).to_have_count(0)
    expect(card(page)).to_contain_text("Unclaimed")


def test_the_template_picker_redrafts_the_reply(local, page):
    post_review(local, text="I was billed twice for one visit.")
    open_as(page, local, MARIA)
    card(page).get_by_role("button", name="Respond").click()
    modal = page.locator(".modal")
    picker = modal.locator(".bk-section select")
    before = modal.locator("textarea").input_value()
    options = picker.locator("option:not([disabled])")
    other = next(value for value in options.evaluate_all("os => os.map(o => o.value)")
                 if value != picker.input_value())
    picker.select_option(other)
    expect(modal.locator("textarea")).not_to_have_value(before)
    expect(picker).to_have_value(other)


def test_switching_person_shows_their_refusal_only_to_them(local, page):
    post_review(local)
    open_as(page, local, MARIA)
    card(page).get_by_role("button", name="Claim").click()
    expect(card(page)).to_contain_text("Claimed by @Maria")

    page.locator("#person").select_option(SAM)
    expect(page.locator("#person")).to_have_value(SAM)
    card(page).get_by_role("button", name="Release").click()
    refusal = page.locator(".msg.ephemeral")
    expect(refusal).to_contain_text("Only visible to you")
    expect(refusal).to_contain_text("@Maria")
    expect(refusal.get_by_role("button", name="Take over")).to_be_visible()

    page.locator("#person").select_option(MARIA)
    expect(page.locator("#person")).to_have_value(MARIA)
    expect(card(page)).to_contain_text("Claimed by @Maria")
    expect(page.locator(".msg.ephemeral")).to_have_count(0)

    page.locator("#person").select_option(SAM)
    page.locator(".msg.ephemeral").get_by_role("button", name="Take over").click()
    expect(card(page)).to_contain_text("Claimed by @Sam")
    page.locator(".msg.ephemeral").get_by_role("button", name="Dismiss").click()
    expect(page.locator(".msg.ephemeral")).to_have_count(0)


def test_taking_over_from_the_page_opens_the_modal_and_the_offer_goes(local, page):
    post_review(local)
    open_as(page, local, MARIA)
    card(page).get_by_role("button", name="Claim").click()
    expect(card(page)).to_contain_text("Claimed by @Maria")

    page.locator("#person").select_option(SAM)
    card(page).get_by_role("button", name="Hide").click()
    offer = page.locator(".msg.ephemeral")
    expect(offer).to_contain_text("@Maria holds this case, claimed")
    expect(page.locator(".modal")).to_have_count(0)
    offer.get_by_role("button", name="Take over and continue").click()
    modal = page.locator(".modal")
    expect(modal.locator("h2")).to_have_text("Hide review")
    expect(page.locator(".msg.ephemeral")).to_have_count(0)  # taken away by its response_url
    expect(card(page)).to_contain_text("Claimed by @Sam")
    modal.get_by_role("button", name="Cancel").click()

    page.locator("#person").select_option(MARIA)  # the demo's social team: Maria and Sam
    card(page).get_by_role("button", name="Ignore").click()
    page.locator(".msg.ephemeral").get_by_role("button", name="Cancel").click()
    expect(page.locator(".msg.ephemeral")).to_have_count(0)
    expect(card(page)).to_contain_text("Claimed by @Sam")


def test_the_demo_peoples_roles_show_who_may_do_what(local, page):
    """The demo's [roles]: Pat (PX staff) may not hide, Maria (social team) may not take the
    PX follow-up, Sam may not change the rotation; each is told who may, only them."""
    post_review(local)
    open_as(page, local, PAT)
    card(page).get_by_role("button", name="Hide").click()
    refusal = page.locator(".msg.ephemeral", has_text="can hide or ignore cases")
    expect(refusal).to_contain_text("Only @Maria or @Sam can hide or ignore cases")
    expect(page.locator(".modal")).to_have_count(0)

    page.locator("#person").select_option(MARIA)
    expect(page.locator(".msg.ephemeral")).to_have_count(0)
    card(page).get_by_role("button", name="Escalate to Patient Experience").click()
    modal = page.locator(".modal")
    modal.locator("textarea, input[type=text]").fill("Please call the family.")
    modal.get_by_role("button", name="Escalate").click()
    expect(modal).to_have_count(0)
    page.get_by_role("button", name="px-north").click()
    px_card = page.locator("#messages > .msg", has_text="Patient Experience follow-up")
    px_card.get_by_role("button", name="Claim").click()
    # North campus's follow-up: its PX contact, not Robin, South clinic's (PX are per site)
    expect(page.locator(".msg.ephemeral")).to_contain_text(
        "Only @Pat can take Patient Experience follow-ups")

    page.locator("#person").select_option(PAT)
    px_card.get_by_role("button", name="Claim").click()
    expect(px_card).to_contain_text("@Pat")
    expect(page.locator(".msg.ephemeral")).to_have_count(0)

    page.locator("#person").select_option(SAM)
    composer = page.locator("#composer-input")
    composer.fill("/reviewdesk oncall remove @Lee")
    composer.press("Enter")
    expect(page.locator(".msg.ephemeral")).to_contain_text(
        "Only rotation admins (@Lee) can change the rotation.")


def test_fast_forward_to_a_nudge_and_see_it_in_the_thread(local, page):
    post_review(local)
    open_as(page, local, MARIA)
    expect(card(page)).to_contain_text("Unclaimed")
    expect(page.locator("#clock-next")).to_contain_text("a reminder")
    move_clock(page, "Next deadline")
    expect(page.locator("#clock-ahead")).to_contain_text("ahead")
    thread_link = card(page).locator(".thread-link")
    expect(thread_link).to_be_visible()
    thread_link.click()
    thread = page.locator("#thread")
    # Nobody holds the case, so the person on call is reminded.
    expect(thread).to_contain_text("@Lee: the first response is due")
    expect(thread.get_by_role("button", name="Snooze 1 h")).to_be_visible()
    thread.get_by_role("button", name="I'm on it").click()
    expect(card(page)).to_contain_text("Claimed by @Maria")


def test_the_page_asks_for_changes_a_few_times_a_second_while_the_clock_moves(local, page):
    """A clock move sends a burst of reminders; the page asks for what changed at most four
    times a second (once a second while the clock moves), not once a message: each answer
    reads the channel under the twin's lock, which the bot's own sends wait for (with the
    sample desk open, +1 day took twice as long as with no page, over 30 s on a loaded
    machine; bench/clock_move_bench.py)."""
    for n in range(12):
        post_review(local, external_id=f"poll-{n}", author=f"Reviewer {n}")
        local.clock.advance(timedelta(minutes=3))  # twelve stops on the way, not one
    open_as(page, local, MARIA)
    asked: list[float] = []
    page.on("requestfinished", lambda request: asked.append(request.timing["startTime"])
            if "/workspace/api/changes" in request.url else None)
    page.get_by_role("button", name="+1 day").click()
    expect(page.locator("#clock-ahead")).to_have_text("moving…")  # the pages are told
    expect(page.get_by_role("button", name="+1 day")).to_be_enabled(timeout=30_000)
    expect(page.locator("#clock-ahead")).to_contain_text("ahead")
    expect(card(page, "Reviewer 11")).to_contain_text("Window missed")
    # how many asks a move takes depends on the machine's speed; two make one gap to measure
    assert len(asked) >= 2
    gaps = [later - earlier for earlier, later in pairwise(asked)]
    assert min(gaps) >= 200, gaps  # milliseconds; POLL_GAP_MS is 250


def test_the_clock_names_the_day_once_it_is_not_today(local, page):
    """The clock says "Today" only on the person's real today; moved past it, it names the
    weekday (it said "Today 6:44 AM" two days ahead)."""
    page.clock.set_fixed_time(START + timedelta(minutes=5))  # the page's own Date.now()
    post_review(local)
    open_as(page, local, LEE)  # Chicago: the bot's clock starts Tue 24 Nov, 9:00 AM
    clock = page.locator("#clock-now")
    expect(clock).to_have_text(re.compile(r"^Today 9:0\d AM$"))
    move_clock(page, "+1 day")
    expect(clock).to_have_text(re.compile(r"^Wed, Nov 25 9:0\d AM$"))
    expect(page.locator("#clock-next")).to_contain_text(re.compile(r"Next: .* Wed, Nov 25 "))


def test_a_day_later_the_window_is_missed_and_the_on_call_person_gets_a_dm(local, page):
    post_review(local)
    open_as(page, local, LEE)
    move_clock(page, "+1 day")
    expect(card(page)).to_contain_text("Window missed")
    page.get_by_role("button", name="reviewdesk").click()
    page.get_by_role("tab", name="Messages").click()
    dm = page.locator("#messages > .msg", has_text="You are on call")
    expect(dm).to_contain_text("Missed: North campus")
    dm.locator("a.permalink").click()
    expect(page.locator("#channel-header")).to_contain_text("review-triage")


def test_the_app_home_tab(local, page):
    open_as(page, local, MARIA)
    page.get_by_role("button", name="reviewdesk").click()  # app_home_opened: the bot publishes
    expect(page.locator(".home")).to_contain_text("My cases")
    expect(page.locator(".home")).to_contain_text("Unclaimed")
    client = WebClient(token=local.twin.bot_token, base_url=local.twin.base_url)
    client.views_publish(user_id=MARIA, view={"type": "home", "blocks": [
        {"type": "header", "text": {"type": "plain_text", "text": "Your open cases"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "*3* cases wait for you"}},
    ]})
    expect(page.locator(".home .bk-header")).to_have_text("Your open cases")
    expect(page.locator(".home b")).to_have_text("3")


def test_slash_commands_are_typed_in_the_composer(local, page):
    post_review(local)
    open_as(page, local, MARIA)
    composer = page.locator("#composer-input")
    composer.fill("/reviewdesk open")
    composer.press("Enter")
    answer = page.locator(".msg.ephemeral", has_text="missed first, then the earliest deadline")
    expect(answer).to_contain_text("Google")
    composer.fill("/reviewdesk oncall")
    composer.press("Enter")
    expect(page.locator(".msg.ephemeral", has_text="On call now")).to_contain_text("@Lee")
    composer.fill("/weather")
    composer.press("Enter")
    expect(page.locator("#notice")).to_contain_text("/weather is not a valid command")


def test_an_override_typed_with_a_name_reaches_the_bot_as_slack_sends_it(local, page):
    """manifest.yml's should_escape: true: Slack hands the bot `<@U0SAM|sam>` for `@Sam`."""
    manifest = (ROOT / "manifest.yml").read_text(encoding="utf-8")
    assert re.search(r"should_escape:\s*true", manifest) and local.workspace.escape_command
    open_as(page, local, LEE)  # the rotation's admin
    composer = page.locator("#composer-input")
    composer.fill("/reviewdesk oncall override @Sam until fri 17:00")
    composer.press("Enter")
    answer = page.locator(".msg.ephemeral", has_text="is on call")
    expect(answer).to_contain_text("@Sam is on call from now until Fri 27 Nov 17:00.")
    expect(composer).to_have_value("")
    composer.fill("/reviewdesk oncall")
    composer.press("Enter")
    # the override's own answer says who is on call now too: the newest answer is the one
    expect(page.locator(".msg.ephemeral", has_text="On call now").last).to_contain_text(
        "@Sam (covering for @Lee")


def test_the_bots_markup_as_slack_shows_it(local, page):
    """bold, italics, strike, quotes, links, mentions as names, channel links, and <!date>
    in the viewer's time zone (America/Chicago: 15:00 UTC is 9:00 AM)."""
    open_as(page, local, MARIA)
    client = WebClient(token=local.twin.bot_token, base_url=local.twin.base_url)
    client.chat_postMessage(channel=TRIAGE, text="markup", blocks=[{
        "type": "section", "text": {"type": "mrkdwn", "text": (
            "*bold* _italic_ ~gone~ <https://example.org/r|the review> <@U0PAT> "
            f"<#{PX_NORTH}> <!date^{int(START.timestamp())}^{{date}} at {{time}}|fallback> "
            "Fish &amp; chips &lt;3 :rotating_light:\n&gt;quoted line")}}])
    shown = page.locator("#messages > .msg", has_text="bold").locator(".msg-blocks")
    expect(shown.locator("b")).to_have_text("bold")
    expect(shown.locator("i")).to_have_text("italic")
    expect(shown.locator("s")).to_have_text("gone")
    expect(shown.locator("a[href='https://example.org/r']")).to_have_text("the review")
    expect(shown.locator(".mention")).to_have_text("@Pat")
    expect(shown.locator(".channel-link")).to_have_text("#px-north")
    expect(shown.locator("time.date")).to_have_text("November 24th, 2026 at 9:00 AM")
    expect(shown.locator(".bk-text-body")).to_contain_text("Fish & chips <3 🚨")
    expect(shown.locator("blockquote")).to_have_text("quoted line")


def test_what_the_page_cannot_show_is_said_never_dropped(local, page):
    open_as(page, local, MARIA)
    client = WebClient(token=local.twin.bot_token, base_url=local.twin.base_url)
    client.chat_postMessage(channel=TRIAGE, text="fallback text", blocks=[
        {"type": "section", "text": {"type": "mrkdwn", "text": "Before the rich text"}},
        {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [
            {"type": "text", "text": "rich"}]}]},
        {"type": "actions", "elements": [
            {"type": "datepicker", "action_id": "when"},
            {"type": "overflow", "action_id": "more", "options": [
                {"text": {"type": "plain_text", "text": "Mark as spam"}, "value": "spam"}]},
        ]},
    ])
    shown = page.locator("#messages > .msg", has_text="Before the rich text")
    expect(shown.locator(".cannot-show")).to_have_text(["cannot show rich_text",
                                                        "cannot show datepicker"])
    shown.locator(".bk-overflow summary").click()
    expect(shown.get_by_role("button", name="Mark as spam")).to_be_visible()


def test_the_sample_desk_on_first_start(browser, tmp_path):
    # Two weeks after the sample files' dates, as the tester ran it: the samples are dated as
    # if just written, so the one from someone in the ER right now is still on site now.
    running = _start(tmp_path, samples=True, at=START + timedelta(days=13))
    try:
        assert any(s.startswith("a CSV import") for s in running.workspace.samples)
        with running.service.db.session() as session:
            written = session.exec(select(Review.created_at)).all()
        assert max(written) == running.clock.now() - timedelta(minutes=5)
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        open_as(page, running, MARIA)
        messages = page.locator("#messages")
        expect(messages).to_contain_text("I have been sitting in your emergency room")  # CSV
        expect(messages).to_contain_text("On site now")
        expect(messages).to_contain_text("Mel H.")  # Podium
        expect(messages).to_contain_text("negative reviews")  # the burst's summary
        expect(messages).to_contain_text("Pat Q.")  # a comment in a Facebook feed
        people = page.locator("#person option")
        expect(people).to_have_count(5)
        expect(page.locator(".cannot-show")).to_have_count(0)  # every card is shown whole
        page.get_by_role("button", name="review-risk").click()
        expect(page.locator("#messages")).to_contain_text("Risk language in a review")
        expect(page.locator(".cannot-show")).to_have_count(0)
        context.close()
    finally:
        running.stop()


def test_a_restart_shows_the_same_desk(browser, tmp_path):
    first = _start(tmp_path, samples=False)
    post_review(first)
    first.twin.wait_for(lambda: first.twin.messages(TRIAGE))
    first.stop()
    second = _start(tmp_path, samples=False)
    try:
        context = browser.new_context()
        page = context.new_page()
        open_as(page, second, MARIA)
        card(page).get_by_role("button", name="Claim").click()
        expect(card(page)).to_contain_text("Claimed by @Maria")
        context.close()
    finally:
        second.stop()


# ---- the endpoints, without a browser -----------------------------------------------------------


def test_bad_requests_get_a_4xx_naming_the_field(local):
    status, body = call(local, "/workspace/api/act", {"viewer": "U0NOBODY"})
    assert status == 400 and "viewer" in body["error"]
    status, body = call(local, "/workspace/api/act", {
        "viewer": MARIA, "where": {"kind": "message", "channel": TRIAGE, "ts": "1.2"},
        "block_id": "x", "action_id": "y"})
    assert status == 400 and body["error"].startswith("where.ts")
    status, body = call(local, "/workspace/api/clock", {"step": "-1d"})
    assert status == 400 and body["error"].startswith("step")
    status, body = call(local, f"/workspace/api/changes?viewer={MARIA}&since=x")
    assert status == 400 and body["error"].startswith("since")
    request = urllib.request.Request(local.url + "workspace/api/clock", data=b"step=1d",
                                     method="POST")
    with pytest.raises(HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 415
    status, body = call(local, "/workspace/api/directory", headers={"Host": "evil.example"})
    assert status == 403


def test_the_long_poll_answers_when_the_twin_changes(local):
    status, state = call(local, f"/workspace/api/state?viewer={MARIA}&channel={TRIAGE}")
    assert status == 200 and state["messages"] == []
    post_review(local)
    status, changes = call(
        local, f"/workspace/api/changes?viewer={MARIA}&channel={TRIAGE}&since={state['version']}")
    assert status == 200 and changes["version"] > state["version"]
    local.twin.wait_for(lambda: local.twin.messages(TRIAGE))
    status, later = call(
        local, f"/workspace/api/changes?viewer={MARIA}&channel={TRIAGE}&since={state['version']}")
    assert [m["ts"] for m in later["messages"]] == [m["ts"] for m in local.twin.messages(TRIAGE)]


def test_slack_mode_has_no_workspace_and_no_movable_clock(bot):
    for path in ("/", "/workspace/api/directory"):
        with pytest.raises(HTTPError) as missing:
            urllib.request.urlopen(f"http://127.0.0.1:{bot.port}{path}", timeout=10)
        assert missing.value.code == 404
    request = urllib.request.Request(f"http://127.0.0.1:{bot.port}/workspace/api/clock",
                                     data=b'{"step": "1d"}', method="POST",
                                     headers={"Content-Type": "application/json"})
    with pytest.raises(HTTPError) as missing:
        urllib.request.urlopen(request, timeout=10)
    assert missing.value.code == 404


# ---- `run_local`, as the command runs it ---------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run(tmp_path: Path, port: int, *args: str) -> subprocess.Popen:
    """`reviewdesk run` as a fresh clone runs it: no .env, no Slack tokens."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SLACK_", "INTAKE_", "DATABASE_URL", "REVIEWDESK_"))}
    env.update(PORT=str(port), LOG_LEVEL="WARNING", PYTHONFAULTHANDLER="1")
    script = Path(sys.executable).parent / "reviewdesk"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "reviewdesk"]
    return subprocess.Popen([*command, "run", *args], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM, as systemd or Ctrl-C would; a process that does not stop shows its threads."""
    process.send_signal(signal.SIGTERM)
    try:
        code = process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGABRT)  # faulthandler prints every thread's stack
        process.wait(timeout=10)
        pytest.fail("reviewdesk run did not stop on SIGTERM:\n" + process.stderr.read())
    assert code == 0, process.stderr.read()


def test_reviewdesk_run_without_slack_is_the_local_workspace(tmp_path):
    port = _free_port()
    process = _run(tmp_path, port)
    try:
        first = process.stdout.readline()
        assert first.startswith("reviewdesk local workspace"), first
        assert f"http://127.0.0.1:{port}/" in first
        lines = [process.stdout.readline() for _ in range(3)]
        token_line = next(line for line in lines if line.startswith("INTAKE_TOKEN"))
        token = token_line.split(": ", 1)[1].strip()
        curl_line = next(line for line in lines if line.startswith("Try: curl "))
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as answer:
            health = json.loads(answer.read())
        assert health["status"] == "ok" and health["slack"] == "local"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as answer:
            assert b"local workspace" in answer.read()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/intake/reviews", method="POST",
            data=json.dumps(review(external_id="g-curl")).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert json.loads(answer.read())["created"] == 1

        # The curl printed at start-up, as a shell would split it, sent as curl would send it.
        words = shlex.split(curl_line.removeprefix("Try: "))
        assert words[:3] == ["curl", "-X", "POST"]
        url = words[3]
        headers = dict(words[i + 1].split(": ", 1) for i, w in enumerate(words) if w == "-H")
        data = words[words.index("-d") + 1]
        assert headers["Authorization"] == f"Bearer {token}"
        assert {"source", "external_id", "created_at"} <= json.loads(data).keys()
        request = urllib.request.Request(url, data=data.encode(), method="POST",
                                         headers=headers)
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 200
            assert json.loads(answer.read())["created"] == 1
    finally:
        _stop(process)
    assert (tmp_path / "reviewdesk-local.db").exists()
    assert not (tmp_path / "reviewdesk.toml").exists()  # the user's files are left alone

    process = _run(tmp_path, port, "--reset")
    try:
        output = []
        while not output or not output[-1].startswith(("Stop with", "Cannot")):
            output.append(process.stdout.readline())
        assert any("Sample reviews loaded" in line for line in output)  # empty again
    finally:
        _stop(process)
    # The way to start afresh it prints is a command this shell can run, not a bare
    # `reviewdesk` that `make run` never put on the PATH.
    afresh = shlex.split(output[-1].split("`")[1])
    assert afresh[1:] == ["run", "--reset"], output[-1]
    program = Path(afresh[0])
    assert (tmp_path / program).is_file() if not program.is_absolute() else program.is_file()


def test_a_long_channel_opens_on_its_newest_messages_and_loads_older_ones(local, page):
    client = WebClient(token=local.twin.bot_token, base_url=local.twin.base_url)
    for number in range(1, 91):
        client.chat_postMessage(channel=TRIAGE, text=f"Message number {number}.")
    open_as(page, local, MARIA)
    expect(page.locator("#messages > .msg").last).to_have_text(re.compile("Message number 90"))
    expect(page.locator("#messages > .msg")).to_have_count(80)
    older = page.locator("[data-older]")
    expect(older).to_have_text("10 older messages: show them")
    page.locator("#messages").evaluate("box => { box.scrollTop = 0; }")  # scrolling up loads
    expect(page.locator("#messages > .msg")).to_have_count(90)
    expect(page.locator("#messages > .msg").first).to_have_text(re.compile("Message number 1\\."))
    expect(older).to_have_count(0)


# ---- the adjustable clock ----------------------------------------------------------------------


def test_the_local_clock_only_moves_forward_and_says_so():
    base = ManualClock(START)
    clock = AdjustableClock(base)
    jumps: list[str] = []
    clock.on_jump(lambda: jumps.append(clock.now().isoformat()))
    assert clock.now() == START
    assert clock.advance(timedelta(hours=1)) == START + timedelta(hours=1)
    base.advance(timedelta(minutes=5))  # real time goes on under the offset
    assert clock.now() == START + timedelta(hours=1, minutes=5)
    assert clock.advance_to(START) == START + timedelta(hours=1, minutes=5)  # never back
    with pytest.raises(ValueError):
        clock.advance(timedelta(seconds=-1))
    assert clock.offset == timedelta(hours=1)
    assert len(jumps) == 2


def test_moving_the_clock_sends_every_reminder_at_its_own_time_in_order(local, caplog):
    """+1 day twice on a new case (24 h window, reminders at 75 % and 1 h before, a repeat
    every hour until the lead is named at the third, then 2 h, 4 h, 8 h apart): the clock stops
    at each moment on the way, so the reminders, the miss and the repeats arrive in order, each
    stamped at its own time and none marked late."""
    case_id = post_review(local)
    local.twin.wait_for(lambda: local.twin.messages(TRIAGE))
    card_ts = local.twin.messages(TRIAGE)[0]["ts"]
    opened = local.clock.now()
    for _ in range(2):
        status, body = call(local, "/workspace/api/clock", {"step": "1d"})
        assert status == 200
    assert body["clock"]["now"] == pytest.approx((opened + timedelta(days=2)).timestamp(), abs=5)
    with local.service.db.session() as session:
        sent = session.exec(select(Nudge).where(Nudge.case_id == case_id,
                                                Nudge.status == "sent")
                            .order_by(col(Nudge.due_at))).all()
    keys = [nudge.key for nudge in sent]
    # repeats 1, 2, 3, 5, 9 and 17 h after the deadline; the next, at 25 h, is after the move
    assert keys == ["lead-0", "lead-1", "lapse", *(f"repeat-{n}" for n in range(1, 7))]
    assert not any(nudge.late for nudge in sent)

    thread = local.twin.wait_for(
        lambda: (t := [m for m in local.twin.thread(TRIAGE, card_ts)
                       if ":hourglass_flowing_sand:" in m["text"] or ":red_circle:" in m["text"]])
        and len(t) == len(sent) and t)
    texts = [message["text"] for message in thread]
    assert "due" in texts[0] and "in 6 h from this reminder." in texts[0]  # 75 % of 24 h: 6 h left
    assert "in 1 h from this reminder." in texts[1]
    assert "*Window missed*" in texts[2]
    assert [f"(reminder {n})" in text for n, text in enumerate(texts[3:], start=1)] \
        == [True] * 6
    assert not any("late:" in text for text in texts)
    stamped = [float(message["ts"]) for message in thread]
    assert stamped == sorted(stamped)
    for message, nudge in zip(thread, sent, strict=True):  # at its own time, as Slack saw it
        due = nudge.due_at.replace(tzinfo=UTC) if nudge.due_at.tzinfo is None else nudge.due_at
        assert float(message["ts"]) == pytest.approx(due.timestamp(), abs=5)
    assert not [r for r in caplog.records if "clock is off" in r.getMessage()]


@pytest.mark.slack_rejects
def test_what_slack_would_refuse_is_said_on_the_page(local, page):
    open_as(page, local, MARIA)
    client = WebClient(token=local.twin.bot_token, base_url=local.twin.base_url)
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel=TRIAGE, text="x", blocks=[{"type": "actions", "elements": [
            {"type": "button", "action_id": "a", "style": "purple",
             "text": {"type": "plain_text", "text": "Purple"}}]}])
    expect(page.locator("#notice")).to_contain_text("Slack would refuse or show broken")
    expect(page.locator("#notice")).to_contain_text("chat.postMessage")


def test_every_emoji_the_bot_writes_has_a_picture_on_the_page():
    blocks_js = (ROOT / "twin/workspace/static/blocks.js").read_text(encoding="utf-8")
    table = blocks_js[blocks_js.index("const EMOJI = {"):blocks_js.index("};")]
    known = set(re.findall(r'"?([a-z0-9_+\-]+)"?: "', table))
    written = set()
    for path in [*(ROOT / "templates").rglob("*.j2"), *(ROOT / "bot").rglob("*.py")]:
        written |= set(re.findall(r"(?<![\w:]):([a-z][a-z0-9_+\-]*):(?![\w:])",
                                  path.read_text(encoding="utf-8")))
    assert written, "no emoji found: the pattern is wrong"
    assert written - known == set()


def test_the_weekly_hand_off_comes_when_the_clock_reaches_it(local, page):
    open_as(page, local, SAM)
    expect(page.locator("#clock-next")).to_contain_text("the on-call hand-off")
    move_clock(page, "Next deadline")
    expect(page.locator("#messages")).to_contain_text("Hand-off: @Sam is on call")
    page.get_by_role("button", name="reviewdesk").click()
    page.get_by_role("tab", name="Messages").click()
    expect(page.locator("#messages")).to_contain_text("You are on call")


# ---- the configuration and the database, as the local workspace uses them ----------------------


def test_demo_people_only_where_the_configuration_names_none():
    example = local_setup(load_config(EXAMPLE_CONFIG))
    roles = {person.id: person.role for person in example.people}
    assert roles == {MARIA: "Social team", SAM: "Social team", PAT: "PX · North campus",
                     "U0ROBIN": "PX · South clinic", LEE: "On call · rotation admin"}
    assert example.config.rotation.members == [LEE, SAM]
    assert example.config.slack.risk_channel == "C0LOCALRISK"
    assert any("for this run only" in note for note in example.notes)
    roles = example.config.roles
    assert (roles.social_team, roles.px_staff, roles.admins) == ([MARIA, SAM],
                                                                 [PAT, "U0ROBIN"], [LEE])
    assert any(note.startswith("Roles for this run only") for note in example.notes)

    data = tomllib.loads(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    data["rotation"].update(members=["U0AAA111", "U0BBB222"], admins=["U0AAA111"])
    data["slack"]["risk_channel"] = "C0REALRISK"
    data["sites"][0]["px_contacts"] = ["U0CCC333"]
    own = local_setup(parse_config(data))
    roles = {person.id: person.role for person in own.people}
    assert roles["U0AAA111"] == "Rotation admin" and roles["U0BBB222"] == "On-call rotation"
    assert roles["U0CCC333"] == "PX · North campus" and roles[PAT] == "PX · South clinic"
    assert LEE not in roles and own.config.rotation.members == ["U0AAA111", "U0BBB222"]
    assert own.config.slack.risk_channel == "C0REALRISK"
    assert own.config.roles.px_staff == ["U0CCC333", PAT]

    data["roles"]["px_staff"] = ["S0PXTEAM"]  # the configuration's own roles stand
    kept = local_setup(parse_config(data)).config.roles
    assert (kept.social_team, kept.px_staff, kept.admins) == ([], ["S0PXTEAM"], [])
    assert [c.name for c in own.channels] == ["review-triage", "px-north", "px-south",
                                             "review-risk"]


def test_reset_clears_only_the_local_sqlite_file(tmp_path):
    database = tmp_path / "local.db"
    url = f"sqlite:///{database}"
    for path in (database, tmp_path / "local.db-wal", state_file(url)):
        path.write_text("x")
    assert reset_database(url) is None
    assert list(tmp_path.iterdir()) == []
    refused = reset_database("postgresql://postgres@127.0.0.1:5432/test")
    assert refused is not None and "DATABASE_URL" in refused
    assert local_database_url(Settings(), {}) == "sqlite:///reviewdesk-local.db"
    assert local_database_url(Settings(database_url=url), {"DATABASE_URL": url}) == url


def test_polls_of_pages_gone_do_not_hold_the_next_page_back(local):
    """Four long-polls wait (pages closed without a word); a fifth page's poll releases them
    instead of being told to come back later, and then waits for a change itself."""
    version = local.twin.version
    path = f"/workspace/api/changes?viewer={MARIA}&channel={TRIAGE}&since={version}"
    gone: list[dict] = []
    waiting = [threading.Thread(target=lambda: gone.append(call(local, path)[1]))
               for _ in range(MAX_WAITING_POLLS)]
    for thread in waiting:
        thread.start()
    local.twin.wait_for(lambda: local.workspace.waiting == MAX_WAITING_POLLS)
    fifth: list[tuple[int, dict]] = []
    newcomer = threading.Thread(target=lambda: fifth.append(call(local, path)))
    newcomer.start()
    local.twin.wait_for(lambda: len(gone) == MAX_WAITING_POLLS)
    assert all(answer["version"] == version for answer in gone)  # released, nothing changed
    local.twin.wait_for(lambda: local.workspace.waiting == 1)
    post_review(local)
    newcomer.join(timeout=10)
    (status, answer), = fifth
    assert status == 200 and answer["retry_after"] == 0 and answer["version"] > version


def test_a_reply_also_sent_to_the_channel_shows_in_both(local, page):
    open_as(page, local, MARIA)
    client = WebClient(token=local.twin.bot_token, base_url=local.twin.base_url)
    parent = client.chat_postMessage(channel=TRIAGE, text="The case card")
    client.chat_postMessage(channel=TRIAGE, thread_ts=parent["ts"], reply_broadcast=True,
                            text="<!here> nobody holds this case")
    shown = page.locator("#messages > .msg", has_text="nobody holds this case")
    expect(shown.get_by_role("button", name="replied to a thread")).to_be_visible()
    expect(shown.locator(".mention.special")).to_have_text("@here")
    shown.get_by_role("button", name="replied to a thread").click()
    expect(page.locator("#thread")).to_contain_text("The case card")
    expect(page.locator("#thread")).to_contain_text("nobody holds this case")
