"""Lists of cases as people read them (the /reviewdesk command, and App Home): typed lines
built from stored rows, and how many there are in all."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.cases import RESPONSE_WINDOWS, WindowKind
from bot.config import Config
from storage.models import Case, CaseWindow, Review

SOURCE_NAMES = {
    "google": "Google",
    "facebook": "Facebook",
    "yelp": "Yelp",
    "healthgrades": "Healthgrades",
    "x": "X",
    "podium": "Podium",
}


def source_name(source: str) -> str:
    return SOURCE_NAMES.get(source, source.title())


@dataclass(frozen=True)
class CaseLine:
    """One case in a list."""

    case_id: int
    source_name: str
    rating: int | None
    site_name: str
    claimant_id: str | None
    claimed_at: datetime | None
    due_at: datetime | None  # the open response window's deadline, if any


@dataclass(frozen=True)
class CaseList:
    lines: tuple[CaseLine, ...]
    total: int  # how many match, of which `lines` are the first

    @property
    def shown(self) -> int:
        return len(self.lines)


def case_line(case: Case, review: Review, windows: Mapping[str, CaseWindow],
              config: Config) -> CaseLine:
    site = config.site(case.site)
    window = next((windows[kind] for kind in (*RESPONSE_WINDOWS, WindowKind.PX_FOLLOWUP)
                   if kind in windows and windows[kind].met_at is None
                   and windows[kind].stopped_at is None), None)
    return CaseLine(
        case_id=case.id or 0,
        source_name=source_name(review.source),
        rating=review.rating,
        site_name=site.name if site else case.site or "Unknown site",
        claimant_id=case.claimant_id,
        claimed_at=case.claimed_at,
        due_at=window.due_at if window else None,
    )


def case_list(rows: Sequence[tuple[Case, Review, Mapping[str, CaseWindow]]], total: int,
              config: Config) -> CaseList:
    return CaseList(tuple(case_line(case, review, windows, config)
                          for case, review, windows in rows), total)
