"""The day's "Needs a look" message: unrated reviews triage was unsure about, each with Make a
case and Not a complaint."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from blockkit.core import Component

from bot.blocks.ids import ActionId
from bot.blocks.kit import actions, button, context, header, message, section
from bot.outbox import Rendered
from bot.text import line, plain_line, word

SHOWN_MAX = 20  # two blocks each, within a message's 50
PREVIEW_CHARS = 280


@dataclass(frozen=True)
class LookLine:
    review_id: int
    source_name: str
    site_name: str | None
    author: str | None
    text: str
    url: str | None
    probability: float | None
    decision: str | None  # None (waiting), "case", "not_complaint"
    decided_by: str | None
    case_id: int | None


@dataclass(frozen=True)
class LookListView:
    day: str
    lines: tuple[LookLine, ...]
    posted_at: datetime | None = None

    @property
    def waiting(self) -> list[LookLine]:
        return [item for item in self.lines if item.decision is None]

    @property
    def decided(self) -> list[LookLine]:
        return [item for item in self.lines if item.decision is not None]


def look_list(view: LookListView) -> Rendered:
    waiting, decided = view.waiting, view.decided
    blocks: list[Component] = [
        header(plain_line("look_list_header", day=view.day)),
        context(str(line("look_list_explanation", waiting=len(waiting),
                         decided=len(decided)))),
    ]
    for item in waiting[:SHOWN_MAX]:
        blocks.append(section(str(line("look_item", item=item, limit=PREVIEW_CHARS))))
        blocks.append(actions(
            f"look:{item.review_id}",
            button(word("make_case"), ActionId.LOOK_MAKE_CASE, str(item.review_id),
                   style="primary"),
            button(word("not_a_complaint"), ActionId.LOOK_NOT_COMPLAINT, str(item.review_id)),
        ))
    if len(waiting) > SHOWN_MAX:
        blocks.append(context(str(line("look_more", count=len(waiting) - SHOWN_MAX))))
    if decided:
        blocks.append(context(*[str(line("look_decided", item=item))
                                for item in decided[-10:]]))
    text = plain_line("look_list_text", day=view.day, waiting=len(waiting))
    return message(text, blocks)
