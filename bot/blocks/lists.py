"""Private answers to `/reviewdesk`: help, lists of cases, one case with its history (the
figures of the last days are bot/reports/blocks.py's). Long lists are split between lines, never
inside one, and say how many of how many they show."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from blockkit.core import Component

from bot.blocks.card_lines import format_left
from bot.blocks.kit import (
    MESSAGE_BLOCKS_MAX,
    context,
    divider,
    message,
    section,
    sections,
)
from bot.core.case_lists import CaseLine, CaseList, FoundCase, SearchResult
from bot.core.cases import closed_reason_label
from bot.outbox import Rendered
from bot.text import line, plain_line, word

HISTORY_SHOWN = 30  # events of a case listed by `/reviewdesk case`


def help_message(unknown: str | None = None) -> Rendered:
    text = str(line("command_help"))
    blocks: list[Component] = [section(text)]
    if unknown:
        blocks.insert(0, section(str(line("command_unknown", text=unknown))))
    return message(word("reviewdesk_help"), blocks)


def note(text: str) -> Rendered:
    """A one-line answer (a usage hint, a case that does not exist)."""
    return message(text, [section(text)])


def time_left(case: CaseLine, now: datetime | None) -> str | None:
    """The time to the case's deadline, in words, when it is still ahead of `now`."""
    return format_left(case.due_at - now) if now and case.due_at and case.due_at > now else None


def case_line(case: CaseLine, now: datetime | None = None) -> str:
    """A case's line in a list (and on the Home tab), its deadline told against `now`."""
    return str(line("case_list_line", case=case, now=now, left=time_left(case, now)))


def case_list_message(what: str, cases: CaseList, *, now: datetime | None = None,
                      home_url: str | None = None, words: str | None = None) -> Rendered:
    """A list answer (`what`: open, mine, due, missed, find): its lines in as few sections as
    fit, and a footer saying truthfully how many of how many are shown."""
    return _list_message(what, [case_line(case, now) for case in cases.lines], cases.shown,
                         cases.total, home_url=home_url, words=words)


def found_case(hit: FoundCase, now: datetime | None = None) -> str:
    return str(line("find_hit", case=hit.line, snippet=hit.snippet, author=hit.author,
                    labels=list(hit.labels), reasons=dict(hit.reasons),
                    themes=[theme.replace("_", " ") for theme in hit.themes], now=now,
                    left=time_left(hit.line, now)))


def find_message(found: SearchResult, *, words: str, now: datetime | None = None) -> Rendered:
    """`/reviewdesk find`: each case found with a snippet of its review, newest first."""
    return _list_message("find", [found_case(hit, now) for hit in found.hits], found.shown,
                         found.total, words=words)


def _list_message(what: str, lines: list[str], shown: int, total: int, *,
                  home_url: str | None = None, words: str | None = None) -> Rendered:
    if not total:
        text = str(line("list_empty", what=what, words=words))
        return message(text, [section(text)])
    footer = str(line("case_list_footer", what=what, shown=shown, total=total,
                      home_url=home_url, words=words))
    blocks = sections(lines)
    # Room is kept for the footer: a list never loses its count to the block limit.
    return message(footer, [*blocks[: MESSAGE_BLOCKS_MAX - 1], context(footer)])


def case_message(card: Rendered, case_id: int,
                 events: Sequence[tuple[str, str, datetime, dict]]) -> Rendered:
    """`/reviewdesk case 42`: the case's card (its buttons work here too) and its history, the
    latest HISTORY_SHOWN events, oldest first."""
    shown = list(events)[-HISTORY_SHOWN:]
    history = [str(line("case_history_heading", shown=len(shown), total=len(events)))]
    for action, actor, at, details in shown:
        details = dict(details)
        if action in ("hidden", "ignored") and details.get("reason"):
            details["reason_label"] = closed_reason_label(action, details["reason"])
        history.append(str(line("case_event", action=action, actor=actor, at=at,
                                details=details)))
    more = message("", [divider(), *sections(history)]).blocks
    blocks = [*card.blocks, *more][:MESSAGE_BLOCKS_MAX]
    return Rendered(text=plain_line("case_answer", case_id=case_id), blocks=blocks)
