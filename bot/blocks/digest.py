"""The weekly digest's message: the week's headline against the previous four, every figure in
one table block (this week, each of the four weeks before, and those four taken together), the
breakdowns and the escalations' outcomes."""

from __future__ import annotations

from bot.blocks.kit import Rendered, context, header, message, section, sections, table
from bot.blocks.lists import breakdown_lines
from bot.config import Config
from bot.figures import Comparison, Figures, format_share, headline, per_week
from bot.text import line, plain_line, word


def day(figures: Figures) -> str:
    """A week's name as a column heading: the day it starts on, "26 Oct"."""
    return f"{figures.period.first_day.day} {figures.period.first_day:%b}"


def comparison_rows(comparison: Comparison) -> list[list[str]]:
    """The table: a heading row, then one row per headline figure."""
    columns = [comparison.week, *comparison.previous]
    values = [dict(headline(figures)) for figures in columns]
    pooled = dict(headline(comparison.pooled, weeks=comparison.weeks))
    rows = [[word("figure"), f"{word('this_week')} ({day(comparison.week)})",
             *(day(figures) for figures in comparison.previous), word("four_weeks")]]
    for name, _value in headline(comparison.week):
        rows.append([word(name), *(column[name] for column in values), pooled[name]])
    return rows


def digest_message(config: Config, comparison: Comparison) -> Rendered:
    week = comparison.week
    first, last = week.period.first_day, week.period.last_day
    title = plain_line("digest_title", first_day=f"{first.day} {first:%b}",
                       last_day=f"{last.day} {last:%b %Y}")
    summary = str(line(
        "digest_summary", opened=week.opened,
        previous_average=per_week(comparison.pooled.opened, comparison.weeks),
        replies_in_time=format_share(week.response_windows),
        px_in_time=format_share(week.window("px_followup")), escalations=week.escalations))
    outcomes = [(word(f"outcome_{name}"), count) for name, count in week.outcomes]
    rows = comparison_rows(comparison)
    return message(
        plain_line("digest_text", opened=week.opened, first_day=f"{first.day} {first:%b}"),
        [
            header(title),
            section(summary),
            table(rows, align=["left", *(["right"] * (len(rows[0]) - 1))]),
            *sections([*breakdown_lines(config, week),
                       str(line("digest_outcomes", items=outcomes))]),
            context(str(line("figures_note"))),
        ],
    )
