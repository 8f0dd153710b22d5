"""The app's Home tab: published for a person when they open it, and again when what it shows
changes: a case's history (any new event), "Needs a look" (an item added or decided), or the
time (a window becoming due soon or missed, a hand-off, a new week), for everyone who opened
it in the last VIEWERS_FOR.

Publishing is never done inside a database transaction: the content is read, the session
closed, then views.publish is called, from the listener that got the click or from the
scheduler's "home" job. Each person's Home is published at most once every MIN_INTERVAL by
the job (a burst of changes becomes one publish; views.publish is Tier 4, 100+ a minute); a
rate limit pauses all publishing for Slack's Retry-After; a failure is retried with backoff.
The database remembers what each published Home reflected, so a restart (or a second copy of
the bot) knows which are out of date."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError

from bot.backoff import Backoff
from bot.clock import Clock
from bot.config import Config
from bot.core.case_lists import CaseLists, Section, page_size, source_name
from bot.core.roles import Roles
from bot.home.blocks import HomeContent, ListPage, OnCallNow, ReviewLine, home_view
from bot.oncall.command import OnCall
from bot.reports.figures import Figures
from bot.reports.periods import Period, week_of
from bot.reports.reports import Reports
from bot.slack_gateway import SlackGateway
from storage import reports as store
from storage.db import Database

logger = logging.getLogger(__name__)

PAGE_SIZE = 8  # lines per page of each list
VIEWERS_FOR = timedelta(days=30)  # Homes kept up to date after their person last opened them
MIN_INTERVAL = timedelta(seconds=10)  # between two refreshes of one person's Home
RETRY = Backoff(first=5.0, cap=timedelta(minutes=10).total_seconds())
# views.publish answers that say our view or the app is wrong: publishing again cannot help.
_FOR_GOOD = frozenset({"not_enabled", "invalid_arguments", "view_too_large", "user_not_found",
                       "invalid_blocks", "missing_scope", "not_allowed_token_type"})


class Home:
    def __init__(self, db: Database, config: Config, clock: Clock, slack: SlackGateway, *,
                 lists: CaseLists, reports: Reports, oncall: OnCall, roles: Roles):
        self.db = db
        self.config = config
        self.clock = clock
        self.slack = slack
        self.lists = lists
        self.reports = reports
        self.oncall = oncall
        self.roles = roles
        self._locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()
        self._failures: dict[str, int] = {}
        self._retry_at: dict[str, datetime] = {}
        self._paused_until: datetime | None = None
        self._figures: dict[tuple, Figures] = {}  # by week, sites and what they reflect
        self._figures_lock = threading.Lock()

    # ---- what people do ----------------------------------------------------------------------

    def opened(self, user: str) -> None:
        """`user` opened the Home tab: back to the first page of each list, published now."""
        with self.db.session() as session:
            store.home_opened(session, user_id=user, at=self.clock.now())
            session.commit()
        self.publish(user)

    def turn_page(self, user: str, section: str, page: int) -> None:
        if section not in {s.value for s in Section}:
            raise ValueError(f"section {section!r} is not one of the Home tab's lists")
        with self.db.session() as session:
            view = (store.home_view(session, user_id=user)
                    or store.home_opened(session, user_id=user, at=self.clock.now()))
            view.pages = {**view.pages, section: max(page, 0)}
            view.stale = True
            session.add(view)
            session.commit()
        self.publish(user)

    def tell(self, user: str, text: str) -> None:
        """Show `text` (mrkdwn) at the top of `user`'s Home until its next refresh."""
        with self.db.session() as session:
            view = store.home_view(session, user_id=user)
            if view is None:
                return
            view.notice, view.stale = text, True
            session.add(view)
            session.commit()
        self.publish(user)

    # ---- what the Home shows -----------------------------------------------------------------

    def content(self, user: str, marks: tuple[int, str] | None = None
                ) -> tuple[HomeContent, datetime | None]:
        """What `user`'s Home shows now, and when it next changes by time alone. `marks`: the
        latest case event and "Needs a look" change it reflects, when already read."""
        now = self.clock.now()
        if marks is None:
            with self.db.session() as session:
                marks = (store.latest_event_id(session), store.looks_mark(session))
        with self.db.session() as session:
            view = store.home_view(session, user_id=user)
            pages = dict(view.pages) if view else {}
            notice = view.notice if view else None
        status = self.oncall.status()
        # PX staff see their follow-ups, not the social team's work; people in both roles, both.
        duties = self.roles.duties(user, rotation=status.order)
        asked = {section: _page(pages.get(section), None) for section in Section}
        lists = [ListPage(section, cases.lines, cases.total, page, page_size(section, PAGE_SIZE))
                 for section, (cases, page) in self.lists.sections(
                     user, now, asked, size=PAGE_SIZE, duties=duties).items()]
        if duties.social:
            lists.append(self._needs_a_look(_page(pages.get(Section.NEEDS_A_LOOK), None)))

        on_call = OnCallNow(status.on_call, status.base,
                            status.covering.ends_at if status.covering else None,
                            status.next_on_call, status.next_at, self.config.rotation.timezone)
        own_sites = self.config.px_sites_of(user)
        week = week_of(now, self.config.timezone)
        figures = self._week_figures(week, tuple(s.id for s in own_sites), marks, now)
        changes = [moment for moment in (self.lists.next_change(now), status.next_at, week.end,
                                         status.covering.ends_at if status.covering else None)
                   if moment is not None and moment > now]
        content = HomeContent(user=user, now=now, on_call=on_call, week=figures,
                              week_sites=tuple(s.name for s in own_sites),
                              lists=tuple(lists), notice=notice, duties=duties,
                              px_site_names=tuple(
                                  site.name for site in self.config.sites
                                  if duties.px_sites is not None and site.id in duties.px_sites
                                  and len(duties.px_sites) < len(self.config.sites)),
                              find_site_names=tuple(site.name for site in self.config.sites
                                                    if site.id in duties.find_sites))
        return content, min(changes, default=None)

    def _week_figures(self, week: Period, sites: tuple[str, ...], marks: tuple[int, str],
                      now: datetime) -> Figures:
        """The week's figures for `sites` (() for every site), computed once for all the
        Homes that show them until they change: a case event, a "Needs a look" change, or a
        window's deadline passing. Every change refreshes every open Home, which would each
        read the whole week again."""
        with self.db.session() as session:
            key = (week.start, sites, marks, store.latest_deadline(session, now=now))
        with self._figures_lock:
            if key in self._figures:
                return self._figures[key]
        figures = self.reports.figures(week, sites=list(sites) or None)
        with self._figures_lock:
            self._figures = {kept: found for kept, found in self._figures.items()
                             if kept[:2] != key[:2]}  # only the latest of each
            self._figures[key] = figures
        return figures

    def _needs_a_look(self, page: int) -> ListPage:
        with self.db.session() as session:
            rows, total = store.pending_looks(session, limit=PAGE_SIZE, offset=page * PAGE_SIZE)
            if page and not rows and total:  # the page asked for is gone: back to the first
                page = 0
                rows, total = store.pending_looks(session, limit=PAGE_SIZE)
        reviews = []
        for _item, review in rows:
            site = self.config.site(review.site)
            reviews.append(ReviewLine(review.id or 0, source_name(review.source), review.rating,
                                      site.name if site else review.site, review.text,
                                      review.url, review.received_at))
        return ListPage(Section.NEEDS_A_LOOK, tuple(reviews), total, page, PAGE_SIZE)

    # ---- publishing --------------------------------------------------------------------------

    def _lock(self, user: str) -> threading.Lock:
        with self._locks_lock:
            return self._locks.setdefault(user, threading.Lock())

    def publish(self, user: str) -> bool:
        """Publish `user`'s Home as it is now; True when Slack took it."""
        with self._lock(user):
            with self.db.session() as session:
                marks = (store.latest_event_id(session), store.looks_mark(session))
            content, refresh_at = self.content(user, marks)
            try:
                self.slack.publish_home(user, home_view(content))
            except SlackApiError as error:
                return self._failed(user, error, marks, refresh_at, content.notice)
            except OSError as error:
                logger.warning("views.publish for %s failed (%s); retrying later", user,
                               type(error).__name__)
                self._retry_later(user)
                return False
            self._failures.pop(user, None)
            self._retry_at.pop(user, None)
            self._mark(user, marks, refresh_at, content.notice)
            logger.info("home published for %s", user)
            return True

    def _mark(self, user: str, marks: tuple[int, str], refresh_at: datetime | None,
              notice: str | None) -> None:
        with self.db.session() as session:
            store.set_home_published(session, user_id=user, at=self.clock.now(),
                                     event_id=marks[0], looks=marks[1],
                                     refresh_at=refresh_at, shown_notice=notice)
            session.commit()

    def _retry_later(self, user: str, retry_after: float | None = None) -> None:
        failures = self._failures.get(user, 0) + 1
        self._failures[user] = failures
        delay = RETRY.delay(failures, retry_after=retry_after)
        self._retry_at[user] = self.clock.now() + timedelta(seconds=delay)

    def _failed(self, user: str, error: SlackApiError, marks: tuple[int, str],
                refresh_at: datetime | None, notice: str | None) -> bool:
        code = error.response.get("error") or f"http_{error.response.status_code}"
        if error.response.status_code == 429:
            retry_after = float(error.response.headers.get("Retry-After", "1") or 1)
            self._paused_until = self.clock.now() + timedelta(seconds=retry_after)
            logger.warning("views.publish rate limited; Home refreshes paused for %.0fs",
                           retry_after)
            self._retry_later(user, retry_after)
        elif code in _FOR_GOOD:
            # Counted as published, so it is not tried in a loop; the next change tries again.
            logger.error("views.publish for %s refused: %s", user, code)
            self._mark(user, marks, refresh_at, notice)
        else:
            logger.warning("views.publish for %s failed: %s; retrying later", user, code)
            self._retry_later(user)
        return False

    # ---- the scheduler's job -------------------------------------------------------------------

    def _due(self, now: datetime) -> list[tuple[str, datetime]]:
        """(person, when their Home should be published next) for every out-of-date Home."""
        with self.db.session() as session:
            latest = store.latest_event_id(session)
            looks = store.looks_mark(session)
            viewers = store.home_viewers(session, since=now - VIEWERS_FOR)
        due = []
        for view in viewers:
            if (view.stale or view.published_at is None or view.published_event_id < latest
                    or view.published_looks != looks):
                earliest = (view.published_at + MIN_INTERVAL if view.published_at else now)
            elif view.refresh_at is not None:
                earliest = view.refresh_at
            else:
                continue
            if view.user_id in self._retry_at:
                earliest = max(earliest, self._retry_at[view.user_id])
            if self._paused_until:
                earliest = max(earliest, self._paused_until)
            due.append((view.user_id, earliest))
        return due

    def next_due(self) -> datetime | None:
        return min((when for _user, when in self._due(self.clock.now())), default=None)

    def refresh_due(self) -> int:
        """Publish every Home that is out of date and may be published now."""
        now = self.clock.now()
        published = 0
        for user, when in self._due(now):
            if when <= now and (self._paused_until is None or self._paused_until <= now):
                published += self.publish(user)
        return published


def _page(asked: object, total: int | None) -> int:
    """The page asked for, within the list (None: the total is not known yet)."""
    page = asked if isinstance(asked, int) and asked > 0 else 0
    if total is not None and page * PAGE_SIZE >= total:
        page = max((total - 1) // PAGE_SIZE, 0)
    return page
