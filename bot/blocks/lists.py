"""Messages that list cases (the /reviewdesk command)."""

from __future__ import annotations

from bot.blocks.cards import SOURCE_NAMES
from bot.blocks.kit import Rendered, context, section
from bot.cases import WindowKind
from bot.config import Config
from bot.text import line, stars
from storage.models import Case, CaseWindow, Review

HELP = (
    "*reviewdesk* turns every negative review into a case card.\n"
    "• `/reviewdesk open`: the open cases and their deadlines, oldest first\n"
    "• `/reviewdesk oncall`: who is on call now and next, and the week ahead; admins can "
    "`oncall override @sam until fri 17:00`, `oncall swap @a @b`, `oncall remove @a`, "
    "`oncall add @a`\n"
    "• `/reviewdesk help`: this message"
)


def help_message() -> Rendered:
    return Rendered(text="reviewdesk help", blocks=[section(HELP)])


def open_cases_message(
    rows: list[tuple[Case, Review, dict[str, CaseWindow]]], config: Config
) -> Rendered:
    if not rows:
        return Rendered(text="No open cases.", blocks=[section(":sparkles: No open cases.")])
    lines = []
    for case, review, windows in rows:
        site = config.site(case.site)
        parts = [
            f"*#{case.id}* {SOURCE_NAMES.get(review.source, review.source.title())} "
            f"{stars(review.rating)} · {site.name if site else case.site or 'Unknown site'}",
            str(line("status_claimed", user=case.claimant_id, at=case.claimed_at))
            if case.claimant_id and case.claimed_at
            else str(line("status_unclaimed")),
        ]
        window = windows.get(WindowKind.FIRST_RESPONSE)
        if window and window.met_at is None and window.stopped_at is None:
            parts.append(str(line("card_respond_by", due_at=window.due_at)))
        lines.append(" · ".join(parts))
    return Rendered(
        text=f"{len(rows)} open cases",
        blocks=[section("\n".join(lines)), context(f"{len(rows)} open, oldest first")],
    )
