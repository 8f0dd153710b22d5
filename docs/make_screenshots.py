"""Takes the README's screenshots of the local workspace (docs/*.png) in Debian's headless
Chromium, on the sample desk at a fixed moment (Tuesday 24 November 2026, 09:00 in Chicago):

    .venv/bin/python docs/make_screenshots.py

Emoji need a colour emoji font (Debian: fonts-noto-color-emoji)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from bot.clock import ManualClock  # noqa: E402
from bot.config import Settings, load_config  # noqa: E402
from local import EXAMPLE_CONFIG, start_local  # noqa: E402
from testing.workspace import START  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PICTURES = ("workspace-card.png", "workspace-modal.png", "workspace-escalate.png",
            "workspace-nudge.png", "workspace-done.png", "workspace-home.png",
            "workspace-digest.png")
# A clock move stops at every reminder on its way: a day of the sample desk's takes a while.
MOVE_TIMEOUT_MS = 180_000


def move_clock(page, step: str) -> None:
    """Click a clock button and wait until the move has ended (the button is enabled again)."""
    button = page.get_by_role("button", name=step)
    button.click()
    expect(button).to_be_enabled(timeout=MOVE_TIMEOUT_MS)


def scroll_to(page, message) -> None:
    """Scroll the channel so that `message` is near the top of it."""
    page.locator("#messages").evaluate("(box, top) => { box.scrollTop = top; }",
                                       message.evaluate("m => m.offsetTop - 120"))


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        running = start_local(Settings(port=0, intake_token="docs"), load_config(EXAMPLE_CONFIG),
                              database_url=f"sqlite:///{folder}/docs.db", port=0,
                              clock_base=ManualClock(START), outbox_poll_interval=0.1)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                     args=ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 760})
                page.set_default_timeout(30_000)
                take(page, running.url)
                browser.close()
        finally:
            running.stop()
    for name in PICTURES:
        print(DOCS / name, (DOCS / name).stat().st_size // 1024, "KiB")
    return 0


def take(page, url: str) -> None:
    page.goto(f"{url}#/U0MARIA/C0000TRIAGE")
    expect(page.locator("body[data-ready='1']")).to_be_attached()
    modal = page.locator(".modal")

    # A case card, claimed: someone in the emergency room now.
    card = page.locator("#messages > .msg", has_text="Lee W.")
    expect(card).to_contain_text("On site now")
    card.get_by_role("button", name="Claim").click()
    expect(card).to_contain_text("Claimed by")
    scroll_to(page, card)
    page.screenshot(path=DOCS / "workspace-card.png")

    # The Respond modal, the reply drafted for someone on site now.
    card.get_by_role("button", name="Respond").click()
    expect(modal.locator("h2")).to_have_text("Respond to review")
    page.screenshot(path=DOCS / "workspace-modal.png")
    modal.get_by_role("button", name="Cancel").click()
    expect(modal).to_have_count(0)

    # The Escalate modal of a review with risk language: Urgent — today is chosen.
    risk = page.locator("#messages > .msg", has_text="Harper J.")
    expect(risk).to_contain_text("Risk")
    scroll_to(page, risk)
    risk.get_by_role("button", name="Claim").click()
    expect(risk).to_contain_text("Claimed by")
    risk.get_by_role("button", name="Escalate to Patient Experience").click()
    expect(modal.locator("h2")).to_have_text("Escalate to PX")
    expect(modal.locator("select").nth(1)).to_have_value("urgent")
    modal.locator("textarea, input[type=text]").fill(
        "The family mentions a lawyer. Please call them today; risk management is copied.")
    page.screenshot(path=DOCS / "workspace-escalate.png")
    modal.get_by_role("button", name="Escalate").click()
    expect(modal).to_have_count(0)
    expect(risk).to_contain_text("Urgent — today")

    # An hour on: a reminder in the on-site card's thread.
    move_clock(page, "Next deadline")
    card.locator(".thread-link").click()
    expect(page.locator("#thread")).to_contain_text("is due")
    scroll_to(page, card)
    page.screenshot(path=DOCS / "workspace-nudge.png")
    page.get_by_role("button", name="Close thread").click()

    # The reply posted by hand: the case is done, and says it comes back.
    card.get_by_role("button", name="Respond").click()
    expect(modal.locator("h2")).to_have_text("Respond to review")
    modal.get_by_role("button", name="Next").click()
    expect(modal.locator("h2")).to_have_text("Post the reply")
    modal.get_by_role("button", name="Mark as posted").click()
    expect(modal).to_have_count(0)
    expect(card).to_contain_text("Done: answered in public")
    scroll_to(page, card)
    page.screenshot(path=DOCS / "workspace-done.png")

    # The Home tab: opening it sends app_home_opened and the bot publishes it.
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.get_by_role("button", name="reviewdesk").click()
    home = page.locator(".home")
    expect(home).to_contain_text("My cases (1)")
    expect(home).to_contain_text("PX follow-up due")
    expect(home).to_contain_text("Needs a look")
    page.screenshot(path=DOCS / "workspace-home.png")

    # The weekly digest: Monday 08:00 in the organisation's zone, in every PX channel (South
    # clinic's, where no PX card of the week stands above it).
    page.get_by_role("button", name="review-triage").click()
    for _ in range(6):  # Tuesday 10:00 to Monday 10:00
        move_clock(page, "+1 day")
    expect(page.locator("#clock-ahead")).to_contain_text("6 d 1 h")
    page.locator("[data-nav-channel='C0000PXSOUTH']").click()
    digest = page.locator("#messages > .msg", has_text="Weekly review digest")
    expect(digest).to_contain_text("Negative reviews")
    chart = page.locator("#messages > .msg img.msg-file")
    expect(chart).to_be_visible()
    expect(chart).to_have_js_property("complete", True)
    page.set_viewport_size({"width": 1280, "height": 1560})
    page.locator("#messages").evaluate("(box, top) => { box.scrollTop = top; }",
                                       digest.evaluate("m => m.offsetTop - 8"))
    page.screenshot(path=DOCS / "workspace-digest.png", full_page=False)


if __name__ == "__main__":
    sys.exit(main())
