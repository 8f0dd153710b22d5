"""A line in a card's thread: the case's history, and reminders with their buttons."""

from __future__ import annotations

from bot.blocks.ids import ActionId, BlockId
from bot.blocks.kit import actions, button, message, section
from bot.outbox import Rendered
from bot.text import word


def thread_line(text: str, *, nudge: str | None = None) -> Rendered:
    """History is plain text; a reminder (`nudge` = "<case id>:<window kind>") gets Snooze 1 h
    and I'm on it."""
    if nudge is None:
        return Rendered(text=text)
    return message(text, [
        section(text),
        actions(BlockId.NUDGE,
                button(word("snooze"), ActionId.NUDGE_SNOOZE, nudge),
                button(word("on_it"), ActionId.NUDGE_ON_IT, nudge, style="primary")),
    ])
