"""Private answers to `/reviewdesk`: help, lists of cases, one case with its history, and the
figures of the last days. Long lists are split between lines, never inside one, and say how
many of how many they show."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from blockkit.core import Component

from bot.blocks.kit import (
    MESSAGE_BLOCKS_MAX,
    Rendered,
    context,
    divider,
    message,
    section,
    sections,
    table,
)
from bot.case_lists import CaseLine, CaseList, source_name
from bot.cases import closed_reason_label
from bot.config import Config
from bot.figures import Figures, headline
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


def case_line(case: CaseLine, now: datetime | None = None) -> str:
    return str(line("case_list_line", case=case, now=now))


def case_list_message(what: str, cases: CaseList, *, now: datetime | None = None,
                      home_url: str | None = None, words: str | None = None) -> Rendered:
    """A list answer (`what`: open, mine, due, missed, find): its lines in as few sections as
    fit, and a footer saying truthfully how many of how many are shown."""
    if not cases.total:
        text = str(line("list_empty", what=what, words=words))
        return message(text, [section(text)])
    footer = str(line("case_list_footer", what=what, shown=cases.shown, total=cases.total,
                      home_url=home_url, words=words))
    blocks = sections(case_line(case, now) for case in cases.lines)
    # Room is kept for the footer: a list never loses its count to the block limit.
    return message(footer, [*blocks[: MESSAGE_BLOCKS_MAX - 1], context(footer)])


def open_cases_message(cases: CaseList, home_url: str | None = None) -> Rendered:
    return case_list_message("open", cases, home_url=home_url)


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


def _names(config: Config, items: Sequence[tuple[str | None, int]], what: str
           ) -> list[tuple[str, int]]:
    if what == "site":
        named = []
        for site_id, count in items:
            site = config.site(site_id)
            named.append((site.name if site else site_id or word("no_site"), count))
        return named
    if what == "source":
        return [(source_name(name or ""), count) for name, count in items]
    return [(str(name).replace("_", " "), count) for name, count in items]


def breakdown_lines(config: Config, figures: Figures) -> list[str]:
    """Volume by site, source and theme; hides and ignores by reason."""
    found = [
        str(line("figures_breakdown", what=what, items=_names(config, items, what)))
        for what, items in (("site", figures.by_site), ("source", figures.by_source),
                            ("theme", figures.by_theme))
    ]
    for what, items in (("hidden", figures.hidden_reasons), ("ignored", figures.ignored_reasons)):
        labelled = [(closed_reason_label(what, reason) or reason, count)
                    for reason, count in items]
        found.append(str(line("figures_breakdown", what=what, items=labelled)))
    return found


def stats_message(config: Config, figures: Figures, *, days: int,
                  site_name: str | None) -> Rendered:
    """`/reviewdesk stats`: the period's figures in a table, then the breakdowns."""
    heading = str(line("stats_heading", days=days, start=figures.period.start,
                       site_name=site_name))
    rows = [[word("figure"), word("value")],
            *([word(name), value] for name, value in headline(figures))]
    return message(plain_line("stats_case", days=days, site_name=site_name), [
        section(heading),
        table(rows, align=["left", "right"]),
        *sections(breakdown_lines(config, figures)),
        context(str(line("figures_note"))),
    ])
