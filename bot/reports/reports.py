"""Reads what the figures are computed from (storage/reports.py) into bot.reports.figures' typed
values, and answers for a period: one place for the digest, `/reviewdesk stats`, the Home tab's
week and `reviewdesk report`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.config import Config
from bot.core.cases import LookDecision
from bot.reports.figures import (
    CaseFact,
    Comparison,
    EventFact,
    Figures,
    History,
    LookFact,
    WindowFact,
    compare,
    compute,
    trend,
)
from bot.reports.periods import Period, weeks_before
from storage import reports as store
from storage.db import Database


def load_history(db: Database, *, start: datetime, end: datetime) -> History:
    """Everything that happened in [start, end), with what came before that it depends on."""
    with db.session() as session:
        cases, events, windows, looks = store.history(session, start=start, end=end)
    return History(
        cases={case_id: CaseFact(case_id=case_id, opened_at=opened_at, site=site,
                                 source=source,
                                 themes=tuple(str(t) for t in (triage or {}).get("themes") or ()))
               for case_id, opened_at, site, source, triage in cases},
        events=[EventFact(case_id, action, at, details or {})
                for case_id, action, at, details in events],
        windows=[WindowFact(case_id, kind, due_at, met_at)
                 for case_id, kind, due_at, met_at in windows],
        looks=[LookFact(added_at, site, decision, decided_at)
               for added_at, site, decision, decided_at in looks],
    )


class Reports:
    def __init__(self, db: Database, config: Config, clock: Clock):
        self.db = db
        self.config = config
        self.clock = clock

    @property
    def timezone(self) -> str:
        return self.config.timezone

    def figures(self, period: Period, *, sites: Iterable[str] | None = None) -> Figures:
        history = load_history(self.db, start=period.start, end=period.end)
        return compute(history, period, now=self.clock.now(), sites=sites)

    def comparison(self, week: Period, *, previous: int = 4,
                   sites: Iterable[str] | None = None) -> Comparison:
        first = weeks_before(week, previous)[-1]
        history = load_history(self.db, start=first.start, end=week.end)
        return compare(history, week, previous=previous, now=self.clock.now(), sites=sites)

    def trend(self, week: Period, count: int, *,
              sites: Iterable[str] | None = None) -> list[Figures]:
        first = weeks_before(week, count - 1)[-1] if count > 1 else week
        history = load_history(self.db, start=first.start, end=week.end)
        return trend(history, week, count, now=self.clock.now(), sites=sites)


# ---- `reviewdesk report`: the same figures for spreadsheets ------------------------------------


def _minutes(duration) -> float | None:
    return None if duration is None else round(duration.total_seconds() / 60, 1)


def as_records(config: Config, figures: Figures, *, site: str | None = None
               ) -> list[dict[str, object]]:
    """The figures as flat records (figure, item, value), one per number: what the CSV holds,
    in the same order as the table of the digest and `/reviewdesk stats`."""
    from bot.core.case_lists import source_name

    def site_name(site_id: str | None) -> str:
        found = config.site(site_id)
        return found.name if found else site_id or ""

    records: list[tuple[str, str, object]] = [("negative_reviews", "", figures.opened)]
    records += [("negative_reviews_by_site", site_name(s), n) for s, n in figures.by_site]
    records += [("negative_reviews_by_source", source_name(s), n) for s, n in figures.by_source]
    records += [("negative_reviews_by_theme", t, n) for t, n in figures.by_theme]
    records += [
        ("first_claims", "", figures.claims),
        ("median_minutes_to_claim", "", _minutes(figures.median_to_claim)),
        ("first_replies", "", figures.responses),
        ("median_minutes_to_first_reply", "", _minutes(figures.median_to_response)),
        ("cases_done", "", figures.done),
        ("median_minutes_to_done", "", _minutes(figures.median_to_done)),
    ]
    for share in figures.windows:
        records += [("windows_met", share.kind, share.met),
                    ("windows_missed", share.kind, share.missed),
                    ("windows_met_share", share.kind,
                     None if share.share is None else round(share.share, 4))]
    records.append(("escalations", "", figures.escalations))
    records += [("escalation_outcomes", name, n) for name, n in figures.outcomes]
    records.append(("hidden", "", figures.hidden))
    records += [("hidden_by_reason", reason, n) for reason, n in figures.hidden_reasons]
    records.append(("ignored", "", figures.ignored))
    records += [("ignored_by_reason", reason, n) for reason, n in figures.ignored_reasons]
    records += [("resolved", "", figures.resolved), ("reopened", "", figures.reopened)]
    records += [("needs_a_look_listed", "", figures.looks_listed),
                ("needs_a_look_decided", LookDecision.MADE_CASE.value, figures.looks_made_case),
                ("needs_a_look_decided", LookDecision.NOT_COMPLAINT.value,
                 figures.looks_not_complaint)]
    period = figures.period
    common = {"period_start": period.start.isoformat(), "period_end": period.end.isoformat(),
              "timezone": period.timezone, "site": site or ""}
    return [{**common, "figure": figure, "item": item, "value": value}
            for figure, item, value in records]


def to_csv(records: list[dict[str, object]]) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["period_start", "period_end", "timezone", "site",
                                             "figure", "item", "value"], lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({**record, "value": "" if record["value"] is None else record["value"]})
    return out.getvalue()


def to_json(records: list[dict[str, object]]) -> str:
    import json

    first = records[0]
    figures: dict[str, object] = {}
    for record in records:
        name, item, value = str(record["figure"]), str(record["item"]), record["value"]
        if item:
            figures.setdefault(name, {})[item] = value  # type: ignore[index]
        else:
            figures[name] = value
    return json.dumps({"period": {key: first[key] for key in ("period_start", "period_end",
                                                              "timezone", "site")},
                       "figures": figures}, indent=2, ensure_ascii=False) + "\n"


def to_markdown(config: Config, figures: Figures, *, site_name: str | None) -> str:
    """The figures as a Markdown table, with the same labels and values as Slack shows."""
    from bot.reports.figures import headline
    from bot.text import word

    period = figures.period
    lines = [f"# reviewdesk: {period.first_day} – {period.last_day}"
             + (f", {site_name}" if site_name else ""), "",
             f"| {word('figure')} | {word('value')} |", "|---|---:|"]
    lines += [f"| {word(name)} | {value} |" for name, value in headline(figures)]
    for title, items in (("by_site", figures.by_site), ("by_source", figures.by_source),
                         ("by_theme", figures.by_theme)):
        named = [f"{_label(config, title, n)} {count}" for n, count in items]
        lines += ["", f"- {title.replace('_', ' ')}: " + (", ".join(named) or "none")]
    return "\n".join(lines) + "\n"


def _label(config: Config, what: str, name: str | None) -> str:
    from bot.core.case_lists import source_name

    if what == "by_site":
        site = config.site(name)
        return site.name if site else name or "unknown site"
    if what == "by_source":
        return source_name(name or "")
    return str(name).replace("_", " ")


def report_period(now: datetime, since: timedelta, timezone: str) -> Period:
    """The period `since` long up to `now`: whole days are calendar days in `timezone`."""
    from bot.reports.periods import last_days

    if since.total_seconds() % 86400 == 0:
        return last_days(now, int(since.total_seconds() // 86400), timezone)
    return Period(now - since, now, timezone)
