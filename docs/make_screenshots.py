"""Takes the README's screenshots of the local workspace (docs/*.png) in Debian's headless
Chromium, on the sample desk at a fixed moment:

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
from tests.conftest import START  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


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
                page.goto(f"{running.url}#/U0MARIA/C0000TRIAGE")
                expect(page.locator("body[data-ready='1']")).to_be_attached()
                card = page.locator("#messages > .msg", has_text="Lee W.")
                expect(card).to_contain_text("On site now")
                card.get_by_role("button", name="Claim").click()
                expect(card).to_contain_text("Claimed by")
                page.locator("#messages").evaluate(
                    "(box, top) => { box.scrollTop = top; }",
                    card.evaluate("c => c.offsetTop - 120"))
                page.screenshot(path=DOCS / "workspace-card.png")

                card.get_by_role("button", name="Respond").click()
                expect(page.locator(".modal h2")).to_have_text("Respond to review")
                page.screenshot(path=DOCS / "workspace-modal.png")
                page.locator(".modal").get_by_role("button", name="Cancel").click()
                expect(page.locator(".modal")).to_have_count(0)

                page.get_by_role("button", name="Next deadline").click()
                expect(page.locator("#clock-ahead")).to_contain_text("ahead")
                card.locator(".thread-link").click()
                expect(page.locator("#thread")).to_contain_text("is due")
                page.locator("#messages").evaluate(
                    "(box, top) => { box.scrollTop = top; }",
                    card.evaluate("c => c.offsetTop - 120"))
                page.screenshot(path=DOCS / "workspace-nudge.png")

                # The Home tab: opening it sends app_home_opened and the bot publishes it.
                page.set_viewport_size({"width": 1280, "height": 1000})
                page.get_by_role("button", name="reviewdesk").click()
                home = page.locator(".home")
                expect(home).to_contain_text("My cases")
                expect(home).to_contain_text("Needs a look")
                page.screenshot(path=DOCS / "workspace-home.png")

                # The weekly digest: Monday 08:00 in the organisation's zone, in the PX channels.
                ahead = page.locator("#clock-ahead").text_content() or ""
                days = int(ahead.split(" d")[0]) if " d" in ahead else 0
                for day in range(days + 1, days + 7):  # to the Monday after the samples' week
                    page.get_by_role("button", name="+1 day").click()
                    expect(page.locator("#clock-ahead")).to_contain_text(f"{day} d")
                page.locator("[data-nav-channel='C0000PXNORTH']").click()
                digest = page.locator("#messages > .msg", has_text="Weekly review digest")
                expect(digest).to_contain_text("Negative reviews", timeout=30_000)
                chart = page.locator("#messages > .msg img.msg-file")
                expect(chart).to_be_visible(timeout=30_000)
                expect(chart).to_have_js_property("complete", True)
                page.set_viewport_size({"width": 1280, "height": 1560})
                page.locator("#messages").evaluate(
                    "(box, top) => { box.scrollTop = top; }",
                    digest.evaluate("c => c.offsetTop - 8"))
                page.screenshot(path=DOCS / "workspace-digest.png", full_page=False)
                browser.close()
        finally:
            running.stop()
    for name in ("workspace-card.png", "workspace-modal.png", "workspace-nudge.png",
                 "workspace-home.png", "workspace-digest.png"):
        print(DOCS / name, (DOCS / name).stat().st_size // 1024, "KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
