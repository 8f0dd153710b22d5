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

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.backoff import Backoff
from bot.blocks.home import HomeContent, ListPage, OnCallNow, ReviewLine, home_view
from bot.case_lists import CASE_SECTIONS, CaseLists, Section, next_change, sections, source_name
from bot.clock import Clock
from bot.config import Config
from bot.oncall.command import OnCall
from bot.periods import week_of
from bot.reports import Reports
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
    def __init__(self, db: Database, config: Config, clock: Clock, client: WebClient, *,
                 lists: CaseLists, reports: Reports, oncall: OnCall):
        self.db = db
        self.config = config
        self.clock = clock
        self.client = client
        self.lists = lists
        self.reports = reports
        self.oncall = oncall
        self._locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()
        self._failures: dict[str, int] = {}
        self._retry_at: dict[str, datetime] = {}
        self._paused_until: datetime | None = None

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

    def content(self, user: str) -> tuple[HomeContent, datetime | None]:
        """What `user`'s Home shows now, and when it next changes by time alone."""
        now = self.clock.now()
        with self.db.session() as session:
            view = store.home_view(session, user_id=user)
            pages = dict(view.pages) if view else {}
            notice = view.notice if view else None
        lines = self.lists.open_lines()
        grouped = sections(lines, user, now)
        lists = []
        for section in CASE_SECTIONS:
            found = grouped[section]
            page = _page(pages.get(section), len(found))
            lists.append(ListPage(section, tuple(found[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]),
                                  len(found), page, PAGE_SIZE))
        lists.append(self._needs_a_look(_page(pages.get(Section.NEEDS_A_LOOK), None)))

        status = self.oncall.status()
        on_call = OnCallNow(status.on_call, status.base,
                            status.covering.ends_at if status.covering else None,
                            status.next_on_call, status.next_at, self.config.rotation.timezone)
        own_sites = self.config.px_sites_of(user)
        week = week_of(now, self.config.timezone)
        figures = self.reports.figures(week, sites=[s.id for s in own_sites] or None)
        changes = [moment for moment in (next_change(lines, now), status.next_at, week.end,
                                         status.covering.ends_at if status.covering else None)
                   if moment is not None and moment > now]
        content = HomeContent(user=user, now=now, on_call=on_call, week=figures,
                              week_sites=tuple(s.name for s in own_sites),
                              lists=tuple(lists), notice=notice)
        return content, min(changes, default=None)

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
            content, refresh_at = self.content(user)
            try:
                self.client.views_publish(user_id=user, view=home_view(content))
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
