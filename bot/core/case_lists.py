"""Lists of cases as people read them (the /reviewdesk command and the Home tab): typed lines
built from stored rows, which open cases each list holds (by deadline: missed first, then the
earliest due) and how many there are in all. Each open case's next deadline, which they go
by, is kept by deadlines.py."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.config import Config
from bot.core.cases import WindowKind
from bot.core.deadlines import due_soon_from
from bot.core.roles import Duties
from bot.core.search import SearchQuery, parse_query, snippet_parts
from bot.slack_gateway import SlackGateway
from bot.triage.result import TriageResult
from storage import lists as list_queries
from storage import reports, search
from storage.db import Database
from storage.lists import OpenCases, PxCases, Soon
from storage.models import Case, Review

logger = logging.getLogger(__name__)

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


def permalink(team_url: str, channel: str, ts: str, thread_ts: str | None = None) -> str:
    """A message's link, as chat.getPermalink gives it."""
    link = f"{team_url.rstrip('/')}/archives/{channel}/p{ts.replace('.', '')}"
    if thread_ts and thread_ts != ts:
        link += f"?thread_ts={thread_ts}&cid={channel}"
    return link


URGENCY_LABELS = ("urgent", "risk")  # triage labels a list line shows: on site now, risk
WORDS_SHOWN = 80  # characters of a review's words a list line starts with


def review_start(text: str, limit: int = WORDS_SHOWN) -> str:
    """The start of a review's words, on one line, cut at a word with "…" when longer than
    `limit` characters (how people recognise a case)."""
    words = " ".join((text or "").split())
    if len(words) <= limit:
        return words
    cut = words[:limit - 1]
    if " " in cut and not words[limit - 1].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-–—") + "…"


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
    labels: tuple[str, ...] = ()  # its urgency labels (URGENCY_LABELS), in that order
    words: str = ""  # the start of the review's words (review_start)
    px_due_at: datetime | None = None  # the deadline of its PX follow-up, while that is open
    # A line about its Patient Experience follow-up (in a PX list, or for the person who holds
    # it): the deadline and the holder are the follow-up's, not the case's earliest.
    px: bool = False
    px_contacted: bool = False  # the reviewer was contacted: PX resolves it when done

    def missed(self, now: datetime) -> bool:
        return self.due_at is not None and self.due_at <= now

    def due_soon(self, now: datetime) -> bool:
        return (self.due_at is not None and self.due_soon_at is not None
                and self.due_soon_at <= now < self.due_at)


@dataclass(frozen=True)
class CaseList:
    lines: tuple[CaseLine, ...]
    total: int  # how many match, of which `lines` are the first

    @property
    def shown(self) -> int:
        return len(self.lines)



@dataclass(frozen=True)
class FoundCase:
    """A case `/reviewdesk find` found: its line, a snippet of its review with the matching
    words marked, its reviewer, and the labels and themes the search named that it carries."""

    line: CaseLine
    snippet: tuple[tuple[str, bool], ...]  # (text, matched) parts
    author: str | None
    labels: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    reasons: Mapping[str, str] = field(default_factory=dict)  # triage's, for the labels


@dataclass(frozen=True)
class SearchResult:
    query: SearchQuery
    hits: tuple[FoundCase, ...]
    total: int  # how many match, of which `hits` are the newest

    @property
    def lines(self) -> tuple[CaseLine, ...]:
        return tuple(hit.line for hit in self.hits)

    @property
    def shown(self) -> int:
        return len(self.hits)


def case_line(case: Case, review: Review, config: Config, *, card_url: str | None = None,
              px_due_at: datetime | None = None, px: bool = False,
              px_window: tuple[datetime, datetime] | None = None) -> CaseLine:
    """A case as lists show it; its deadline is the case's next one (keep_deadlines), due soon
    from its window's own due-soon moment or within [lists] due_soon_within, the earlier.
    `px_due_at`: its open PX follow-up's deadline, which PX goes by whichever window is next.
    `px`: a line about its PX follow-up, whose deadline is `px_window`'s (started, due), if
    that is open."""
    site = config.site(case.site)
    window, due_at, soon_at = case.next_window, case.next_due_at, case.next_due_soon_at
    if px:
        window, due_at, soon_at = (
            (WindowKind.PX_FOLLOWUP, px_window[1], due_soon_from(*px_window)) if px_window
            else (None, None, None))
    due_soon_at = None
    if due_at is not None:
        due_soon_at = due_at - config.lists.due_soon_within
        if soon_at is not None:
            due_soon_at = min(due_soon_at, soon_at)
    labels = set((review.triage or {}).get("labels") or ())
    return CaseLine(
        case_id=case.id or 0,
        source_name=source_name(review.source),
        rating=review.rating,
        site_name=site.name if site else case.site or "Unknown site",
        claimant_id=case.claimant_id,
        claimed_at=case.claimed_at,
        due_at=due_at,
        window=window,
        due_soon_at=due_soon_at,
        px_claimant_id=case.px_claimant_id,
        status=case.status,
        opened_at=case.created_at,
        site_id=case.site,
        card_url=card_url,
        labels=tuple(label for label in URGENCY_LABELS if label in labels),
        words=review_start(review.text),
        px_due_at=px_due_at,
        px=px,
        px_contacted=case.px_contacted_by is not None,
    )


# ---- which list a case belongs in --------------------------------------------------------------


class Section(StrEnum):
    """The Home tab's lists. The social team's: a case shows in the first that fits: mine,
    then missed, then due soon, then unclaimed; cases others hold in good time are not listed.
    Patient Experience's: my PX follow-ups, then those nobody has taken at my sites, each by
    the follow-up's own deadline. Whoever is asked to find reviewers on site now at some sites
    (their on-site contact, else their PX contacts): first, those not yet reached there."""

    MINE = "mine"
    UNCLAIMED = "unclaimed"
    DUE_SOON = "due_soon"
    MISSED = "missed"
    NEEDS_A_LOOK = "needs_a_look"
    PX_MINE = "px_mine"
    PX_UNCLAIMED = "px_unclaimed"
    TO_FIND = "to_find"


# In the order the Home tab shows them.
CASE_SECTIONS = (Section.MINE, Section.MISSED, Section.DUE_SOON, Section.UNCLAIMED)
PX_SECTIONS = (Section.PX_MINE, Section.PX_UNCLAIMED)
LISTS = ("open", "mine", "due", "missed")  # /reviewdesk's lists
# Lines a page of reviewers to find: with every other list full, a Home of both roles stays
# within Slack's 100 blocks (each list is a divider, a heading, its lines and a pager).
TO_FIND_PAGE = 5


def page_size(section: Section, size: int) -> int:
    """How many lines a page of `section` holds when the Home's lists hold `size`."""
    return min(size, TO_FIND_PAGE) if section == Section.TO_FIND else size


def home_sections(duties: Duties | None) -> tuple[Section, ...]:
    """The lists of cases a person's Home shows, in order: the social team's, PX's, or (both
    roles) their own work of each kind first, then the team's; before all of them, for whoever
    is asked to find reviewers on site now, those not yet reached (nobody may be there later)."""
    finding = (Section.TO_FIND,) if duties is not None and duties.find_sites else ()
    if duties is None or not duties.px:
        return finding + CASE_SECTIONS
    if not duties.social:
        return finding + PX_SECTIONS
    return (*finding, Section.MINE, Section.PX_MINE, Section.MISSED, Section.DUE_SOON,
            Section.UNCLAIMED, Section.PX_UNCLAIMED)


def px_section_cases(section: Section, user: str, sites: tuple[str, ...] | None) -> PxCases:
    """The open cases in one of `user`'s PX lists: their follow-ups (wherever), or those
    nobody has taken at `sites`."""
    if section == Section.PX_MINE:
        return PxCases(held_by=user)
    if section == Section.PX_UNCLAIMED:
        return PxCases(unclaimed=True, sites=sites)
    raise ValueError(f"{section!r} is not a list of PX follow-ups")


def section_cases(section: Section, user: str, now: datetime, horizon: timedelta, *,
                  px_apart: bool = False) -> OpenCases:
    """The open cases in one of `user`'s Home lists at `now`. `px_apart`: the PX follow-ups
    `user` holds are in a list of their own (someone in both roles), not in My cases."""
    soon = Soon(now, now + horizon)
    if section == Section.MINE:
        return OpenCases(claimed_by=user) if px_apart else OpenCases(held_by=user)
    if section == Section.MISSED:
        return OpenCases(not_held_by=user, missed_at=now)
    if section == Section.DUE_SOON:
        return OpenCases(not_held_by=user, soon=soon)
    if section == Section.UNCLAIMED:
        return OpenCases(not_held_by=user, neither=soon, unclaimed=True)
    raise ValueError(f"{section!r} is not a list of cases")


def listed_cases(what: str, user: str, now: datetime, horizon: timedelta) -> OpenCases:
    """The open cases in `/reviewdesk <what>` (open, mine, due, missed) for `user` at `now`."""
    if what == "open":
        return OpenCases()
    if what == "mine":
        return OpenCases(held_by=user)
    if what == "due":
        return OpenCases(soon=Soon(now, now + horizon))
    if what == "missed":
        return OpenCases(missed_at=now)
    raise ValueError(f"{what!r} is not one of {', '.join(LISTS)}")


# ---- reading the lists -------------------------------------------------------------------------


class CardLinks:
    """Links to case cards: the workspace's address (auth.test, asked once) and the card's
    place. Without an answer from Slack, lines go without links rather than wait."""

    def __init__(self, slack: SlackGateway):
        self.slack = slack
        self._team_url: str | None = None
        self._lock = threading.Lock()

    def team_url(self) -> str | None:
        with self._lock:
            if self._team_url is None:
                try:
                    self._team_url = self.slack.team_url()
                except (SlackApiError, OSError) as error:
                    logger.warning("auth.test failed (%s); case lines go without links",
                                   type(error).__name__)
            return self._team_url

    def card(self, case: Case, burst_threads: Mapping[int, str], *, px: bool = False
             ) -> str | None:
        """A link to the case's card; `px`: to its PX card, where there is one."""
        if px and case.px_card_channel and case.px_card_ts:
            team_url = self.team_url()
            return permalink(team_url, case.px_card_channel, case.px_card_ts) if team_url \
                else None
        if not (case.card_channel and case.card_ts):
            return None
        team_url = self.team_url()
        if team_url is None:
            return None
        thread = burst_threads.get(case.batch_id) if case.batch_id else None
        return permalink(team_url, case.card_channel, case.card_ts, thread)


class CaseLists:
    """The lists of open cases, searches and single cases as typed lines, with links to their
    cards. Every list is ordered and cut by the database; only the lines shown are read."""

    def __init__(self, db: Database, config: Config, links: CardLinks | None = None):
        self.db = db
        self.config = config
        self.links = links

    @property
    def horizon(self) -> timedelta:
        return self.config.lists.due_soon_within

    def _lines(self, session: Session, rows: Sequence[tuple[Case, Review]], *,
               reader: str | None = None, px: bool = False) -> list[CaseLine]:
        """The rows as lines. A line is about the PX follow-up (its deadline and holder) in a
        PX list (`px`), and wherever `reader` holds the case's PX follow-up."""
        threads = reports.burst_threads(session, batch_ids=[case.batch_id for case, _ in rows
                                                            if case.batch_id])
        about_px = {case.id for case, _ in rows
                    if px or (reader is not None and case.px_claimant_id == reader)}
        windows = list_queries.px_windows(session, case_ids=about_px)
        # Elsewhere, a line whose next deadline is not PX's says when PX's is due too.
        px_due = list_queries.open_window_due(
            session, case_ids=[case.id for case, _ in rows
                               if case.escalated_at and case.id not in about_px],
            kind=WindowKind.PX_FOLLOWUP)
        return [case_line(case, review, self.config,
                          card_url=self.links.card(case, threads, px=case.id in about_px)
                          if self.links else None,
                          px_due_at=px_due.get(case.id or 0),
                          px=case.id in about_px, px_window=windows.get(case.id or 0))
                for case, review in rows]

    def page(self, which: OpenCases, *, limit: int, offset: int = 0,
             reader: str | None = None) -> CaseList:
        """`limit` of the open cases `which` holds from `offset`, by deadline, and how many;
        lines of cases whose PX follow-up `reader` holds show that follow-up."""
        with self.db.session() as session:
            return self.page_in(session, which, limit=limit, offset=offset, reader=reader)

    def page_in(self, session: Session, which: OpenCases, *, limit: int, offset: int = 0,
                reader: str | None = None) -> CaseList:
        """The same, read in the caller's transaction (a hand-off lists the open cases in the
        one that records it)."""
        rows, total = list_queries.open_page(session, which, limit=limit, offset=offset)
        return CaseList(tuple(self._lines(session, rows, reader=reader)), total)

    def sections(self, user: str, now: datetime, pages: Mapping[Section, int], *, size: int,
                 duties: Duties | None = None) -> dict[Section, tuple[CaseList, int]]:
        """Each of `user`'s Home lists of cases at `now` (those their `duties` call for; the
        social team's without), read together: the page asked for (pages of `size`, from 0;
        the last one when the list has become shorter) and its number, in the Home's order.
        Reviewers to find have pages of page_size(Section.TO_FIND, size)."""
        shown = home_sections(duties)
        px_apart = Section.PX_MINE in shown
        which = {section: section_cases(section, user, now, self.horizon, px_apart=px_apart)
                 for section in shown if section in CASE_SECTIONS}
        found = {}
        with self.db.session() as session:
            counted = list_queries.count_open(session, which) if which else {}
            for section in shown:
                asked = max(pages.get(section, 0), 0)
                if section == Section.TO_FIND:
                    lines, total, page = self._to_find(
                        session, duties.find_sites if duties else (), asked,
                        page_size(section, size))
                elif section in PX_SECTIONS:
                    px_which = px_section_cases(section, user,
                                                duties.px_sites if duties else None)
                    rows, total = list_queries.px_page(session, px_which, limit=size,
                                                       offset=asked * size)
                    page = min(asked, max(total - 1, 0) // size)
                    if page != asked:  # the list has become shorter: its last page
                        rows, total = list_queries.px_page(session, px_which, limit=size,
                                                           offset=page * size)
                    lines = self._lines(session, rows, px=True)
                else:
                    total = sum(counted[section])
                    page = min(asked, max(total - 1, 0) // size)
                    rows, total = list_queries.open_page(session, which[section], limit=size,
                                                         offset=page * size,
                                                         counted=counted[section])
                    # With PX lists of their own, the social lists show each case's own
                    # deadline: a case held both ways is two pieces of work, each listed.
                    lines = self._lines(session, rows, reader=None if px_apart else user)
                found[section] = (CaseList(tuple(lines), total), page)
        return found

    def _to_find(self, session: Session, sites: tuple[str, ...], asked: int, size: int
                 ) -> tuple[list[CaseLine], int, int]:
        """A page of the open cases at `sites` whose reviewer, on site now, nobody has reached
        yet, its number (the last when the list has become shorter) and how many in all."""
        rows, total = list_queries.to_find_page(session, sites=sites, limit=size,
                                                offset=asked * size)
        page = min(asked, max(total - 1, 0) // size)
        if page != asked:
            rows, total = list_queries.to_find_page(session, sites=sites, limit=size,
                                                    offset=page * size)
        return self._lines(session, rows), total, page

    def listing(self, what: str, user: str, now: datetime, *, limit: int) -> CaseList:
        return self.page(listed_cases(what, user, now, self.horizon), limit=limit, reader=user)

    def next_change(self, now: datetime) -> datetime | None:
        """The next moment a list changes by time alone: a case becoming due soon, or missed,
        by its next deadline or by its PX follow-up's (which PX's lists go by)."""
        with self.db.session() as session:
            moments = [list_queries.next_moment(session, soon=Soon(now, now + self.horizon))]
            for started_at, due_at in list_queries.px_windows_ahead(session, now=now):
                moments += [due_at, due_soon_from(started_at, due_at), due_at - self.horizon]
        return min((moment for moment in moments if moment is not None and moment > now),
                   default=None)

    def find(self, text: str, limit: int) -> SearchResult:
        """Cases (open or closed) whose review's text or reviewer holds the words of `text`, or
        whose themes or labels it names: the `limit` most recently opened, and how many in all.
        A `text` with nothing to search for (no words, or only common ones) finds nothing."""
        query = parse_query(text, self.config.triage.themes)
        if not query.searchable:
            return SearchResult(query, (), 0)
        with self.db.session() as session:
            hits, total = search.find_cases(session, words=query.words, tags=query.tags,
                                            limit=limit)
            lines = self._lines(session, [(hit.case, hit.review) for hit in hits])
            found = []
            for hit, line in zip(hits, lines, strict=True):
                triage = TriageResult.from_dict(hit.review.triage or {})
                found.append(FoundCase(
                    line, snippet_parts(hit.snippet), hit.review.author,
                    labels=tuple(label for label in triage.labels if label in query.tags),
                    themes=tuple(theme for theme in triage.themes if theme in query.tags),
                    reasons=triage.reasons))
        return SearchResult(query, tuple(found), total)

    def one(self, case_id: int) -> CaseLine | None:
        with self.db.session() as session:
            found = reports.case_with_review(session, case_id=case_id)
            return self._lines(session, [found])[0] if found else None
