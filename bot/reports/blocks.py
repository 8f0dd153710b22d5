"""The weekly digest's message: the week's headline against the previous four, every figure in
one table block (this week, each of the four weeks before, and those four taken together), the
breakdowns and the escalations' outcomes; and `/reviewdesk stats`, the same figures for any
number of days."""

from __future__ import annotations

from collections.abc import Sequence

from bot.blocks.kit import context, header, message, section, sections, table
from bot.config import Config
from bot.core.case_lists import source_name
from bot.core.cases import closed_reason_label
from bot.outbox import Rendered
from bot.reports.figures import Comparison, Figures, format_share, headline, per_week
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
