"""Lists of cases as people read them (the /reviewdesk command and the Home tab): typed lines
built from stored rows, which list a case belongs in, and how many there are in all."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.cases import WindowKind
from bot.config import Config
from storage import reports
from storage.db import Database
from storage.models import Case, CaseWindow, Review

logger = logging.getLogger(__name__)

SOURCE_NAMES = {
    "google": "Google",
    "facebook": "Facebook",
    "yelp": "Yelp",
    "healthgrades": "Healthgrades",
    "x": "X",
    "podium": "Podium",
}

DUE_SOON = timedelta(hours=1)  # a window is due soon in its last hour, or its last quarter


def source_name(source: str) -> str:
    return SOURCE_NAMES.get(source, source.title())


def due_soon_from(started_at: datetime, due_at: datetime) -> datetime:
    """When a window becomes "due soon", as its card says it: in its last hour or its last
    quarter, whichever is longer."""
    return due_at - max(DUE_SOON, (due_at - started_at) / 4)


def permalink(team_url: str, channel: str, ts: str, thread_ts: str | None = None) -> str:
    """A message's link, as chat.getPermalink gives it."""
    link = f"{team_url.rstrip('/')}/archives/{channel}/p{ts.replace('.', '')}"
    if thread_ts and thread_ts != ts:
        link += f"?thread_ts={thread_ts}&cid={channel}"
    return link


@dataclass(frozen=True)
class CaseLine:
    """One case in a list."""

    case_id: int
    source_name: str
    rating: int | None
    site_name: str
    claimant_id: str | None
    claimed_at: datetime | None
    due_at: datetime | None  # the deadline of its earliest open window, if any
    window: str | None = None  # that window's kind
    due_soon_at: datetime | None = None  # when that window counts as due soon
    px_claimant_id: str | None = None
    status: str = "open"
    opened_at: datetime | None = None
    site_id: str | None = None
    card_url: str | None = None  # a link to its card, when the workspace's address is known

    @property
    def holder(self) -> str | None:
        """Who holds the open window: the PX claimant for a PX follow-up, else the claimant."""
        return self.px_claimant_id if self.window == WindowKind.PX_FOLLOWUP else self.claimant_id

    def missed(self, now: datetime) -> bool:
        return self.due_at is not None and self.due_at <= now

    def due_soon(self, now: datetime) -> bool:
        return (self.due_at is not None and self.due_soon_at is not None
                and self.due_soon_at <= now < self.due_at)

    def mine(self, user: str) -> bool:
        """Claimed by `user`, or its PX follow-up is."""
        return user in (self.claimant_id, self.px_claimant_id)


@dataclass(frozen=True)
class CaseList:
    lines: tuple[CaseLine, ...]
    total: int  # how many match, of which `lines` are the first

    @property
    def shown(self) -> int:
        return len(self.lines)

    @classmethod
    def first(cls, lines: Sequence[CaseLine], limit: int) -> CaseList:
        return cls(tuple(lines[:limit]), len(lines))


def _open_window(windows: Iterable[CaseWindow]) -> CaseWindow | None:
    """The earliest open window (neither met nor stopped)."""
    open_ones = [w for w in windows if w.met_at is None and w.stopped_at is None]
    return min(open_ones, key=lambda w: (w.due_at, w.id or 0), default=None)


def case_line(case: Case, review: Review, windows: Iterable[CaseWindow] | Mapping[str, CaseWindow],
              config: Config, *, card_url: str | None = None) -> CaseLine:
    site = config.site(case.site)
    window = _open_window(windows.values() if isinstance(windows, Mapping) else windows)
    return CaseLine(
        case_id=case.id or 0,
        source_name=source_name(review.source),
        rating=review.rating,
        site_name=site.name if site else case.site or "Unknown site",
        claimant_id=case.claimant_id,
        claimed_at=case.claimed_at,
        due_at=window.due_at if window else None,
        window=window.kind if window else None,
        due_soon_at=due_soon_from(window.started_at, window.due_at) if window else None,
        px_claimant_id=case.px_claimant_id,
        status=case.status,
        opened_at=case.created_at,
        site_id=case.site,
        card_url=card_url,
    )


# ---- which list a case belongs in --------------------------------------------------------------


class Section(StrEnum):
    """The Home tab's lists. A case shows in the first that fits: mine, then missed, then due
    soon, then unclaimed; cases others hold in good time are not listed."""

    MINE = "mine"
    UNCLAIMED = "unclaimed"
    DUE_SOON = "due_soon"
    MISSED = "missed"
    NEEDS_A_LOOK = "needs_a_look"


CASE_SECTIONS = (Section.MINE, Section.UNCLAIMED, Section.DUE_SOON, Section.MISSED)


def section_of(line: CaseLine, user: str, now: datetime) -> Section | None:
    if line.mine(user):
        return Section.MINE
    if line.missed(now):
        return Section.MISSED
    if line.due_soon(now):
        return Section.DUE_SOON
    if line.claimant_id is None:
        return Section.UNCLAIMED
    return None


def by_deadline(lines: Iterable[CaseLine]) -> list[CaseLine]:
    """Earliest deadline first; cases without one last, oldest first."""
    return sorted(lines, key=lambda line: (
        line.due_at is None, line.due_at.timestamp() if line.due_at else 0.0, line.case_id))


def sections(lines: Iterable[CaseLine], user: str, now: datetime) -> dict[Section, list[CaseLine]]:
    """The open cases (oldest first) sorted into the Home tab's lists: mine, due soon and
    missed by deadline, unclaimed oldest first."""
    found: dict[Section, list[CaseLine]] = {section: [] for section in CASE_SECTIONS}
    for line in lines:
        section = section_of(line, user, now)
        if section is not None:
            found[section].append(line)
    for section in (Section.MINE, Section.DUE_SOON, Section.MISSED):
        found[section] = by_deadline(found[section])
    return found


def mine(lines: Iterable[CaseLine], user: str) -> list[CaseLine]:
    return by_deadline(line for line in lines if line.mine(user))


def due(lines: Iterable[CaseLine], now: datetime) -> list[CaseLine]:
    return by_deadline(line for line in lines if line.due_soon(now))


def missed(lines: Iterable[CaseLine], now: datetime) -> list[CaseLine]:
    return by_deadline(line for line in lines if line.missed(now))


def next_change(lines: Iterable[CaseLine], now: datetime) -> datetime | None:
    """The next moment a list changes by time alone: a window becoming due soon, or missed."""
    moments = [moment for line in lines for moment in (line.due_soon_at, line.due_at)
               if moment is not None and moment > now]
    return min(moments, default=None)


# ---- reading the lists -------------------------------------------------------------------------


class CardLinks:
    """Links to case cards: the workspace's address (auth.test, asked once) and the card's
    place. Without an answer from Slack, lines go without links rather than wait."""

    def __init__(self, client: WebClient):
        self.client = client
        self._team_url: str | None = None
        self._lock = threading.Lock()

    def team_url(self) -> str | None:
        with self._lock:
            if self._team_url is None:
                try:
                    self._team_url = self.client.auth_test().get("url") or None
                except (SlackApiError, OSError) as error:
                    logger.warning("auth.test failed (%s); case lines go without links",
                                   type(error).__name__)
            return self._team_url

    def card(self, case: Case, burst_threads: Mapping[int, str]) -> str | None:
        if not (case.card_channel and case.card_ts):
            return None
        team_url = self.team_url()
        if team_url is None:
            return None
        thread = burst_threads.get(case.batch_id) if case.batch_id else None
        return permalink(team_url, case.card_channel, case.card_ts, thread)


class CaseLists:
    """Open cases, searches and single cases as typed lines, with links to their cards."""

    def __init__(self, db: Database, config: Config, links: CardLinks | None = None):
        self.db = db
        self.config = config
        self.links = links

    def _lines(self, session: Session, rows: Sequence[tuple[Case, Review]]) -> list[CaseLine]:
        windows = reports.windows_for(session, case_ids=[case.id for case, _ in rows])
        threads = reports.burst_threads(session, batch_ids=[case.batch_id for case, _ in rows
                                                            if case.batch_id])
        return [case_line(case, review, windows.get(case.id or 0, []), self.config,
                          card_url=self.links.card(case, threads) if self.links else None)
                for case, review in rows]

    def open_lines(self) -> list[CaseLine]:
        """Every open case, oldest first."""
        with self.db.session() as session:
            return self._lines(session, reports.open_cases(session))

    def find(self, text: str, limit: int) -> CaseList:
        """Cases (open or closed) whose review mentions `text`, newest first."""
        with self.db.session() as session:
            rows, total = reports.find_cases(session, text=text, limit=limit)
            return CaseList(tuple(self._lines(session, rows)), total)

    def one(self, case_id: int) -> CaseLine | None:
        with self.db.session() as session:
            found = reports.case_with_review(session, case_id=case_id)
            return self._lines(session, [found])[0] if found else None
