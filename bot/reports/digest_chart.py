"""The digest's chart: the weekly trend of negative reviews (bars) and of windows met (lines,
replies and PX follow-ups in time), as a PNG. matplotlib is imported here, lazily, with its
headless Agg backend: only when a digest is made, never at the bot's start."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from bot.reports.figures import Figures
from bot.text import word

WIDTH_INCHES, HEIGHT_INCHES, DPI = 8.0, 4.0, 110


@dataclass(frozen=True)
class Chart:
    png: bytes
    texts: tuple[str, ...]  # every text drawn (title, axis labels, legend, ticks)
    size: tuple[int, int]  # pixels: width, height


def trend_chart(weeks: Sequence[Figures]) -> Chart:
    """A chart of `weeks` (oldest first)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure  # not pyplot: no global state, no display

    labels = [f"{w.period.first_day.day} {w.period.first_day:%b}" for w in weeks]
    opened = [w.opened for w in weeks]

    def percent(share: float | None) -> float:
        return float("nan") if share is None else share * 100

    replies = [percent(w.response_windows.share) for w in weeks]
    px = [percent(w.window("px_followup").share) for w in weeks]

    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI, layout="constrained")
    bars = figure.add_subplot()
    positions = list(range(len(weeks)))
    bars.bar(positions, opened, color="#1d4f91", alpha=0.75, label=word("chart_reviews"))
    bars.set_xticks(positions, labels)
    bars.set_xlabel(word("chart_weeks"))
    bars.set_ylabel(word("chart_reviews"))
    bars.set_ylim(0, max([*opened, 1]) * 1.2)
    bars.yaxis.get_major_locator().set_params(integer=True)
    shares = bars.twinx()
    shares.plot(positions, replies, color="#2e7d32", marker="o", label=word("chart_responses"))
    shares.plot(positions, px, color="#c77700", marker="s", linestyle="--",
                label=word("chart_px"))
    shares.set_ylim(0, 105)
    shares.set_ylabel(word("chart_share"))
    bars.set_title(word("chart_title"))
    handles = [*bars.get_legend_handles_labels()[0], *shares.get_legend_handles_labels()[0]]
    bars.legend(handles=handles, loc="upper left", fontsize="small", framealpha=0.9)

    figure.canvas.draw()  # lay the figure out, so its texts are final
    texts = tuple(text.get_text() for text in figure.findobj(matplotlib.text.Text)
                  if text.get_text())
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    width, height = figure.canvas.get_width_height()
    return Chart(buffer.getvalue(), texts, (int(width), int(height)))
