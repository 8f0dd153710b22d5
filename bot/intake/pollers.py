"""Reviews in from the sources' APIs: a scheduled poll per feed (a Google location, a Facebook
page's feed, a Facebook page's ratings) resuming from its cursor. (The one-review fetches a
Google Pub/Sub push or a Yelp webhook asks for are in `bot.intake.pushes`.)

A poll reads everything at or after the feed's high-water mark, stores it with `Desk.ingest`
and only then moves the mark. A crash re-reads, and ingest is idempotent, so nothing is missed
and no card is posted twice. A failing feed backs off (30s, 1m, 2m… up to
sources.max_backoff, never sooner than a Retry-After). Facebook error code 12 on /ratings
switches that page's ratings off for good (until sources.facebook.graph_version changes)."""

from __future__ import annotations

import logging
import os
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from apscheduler.schedulers.base import BaseScheduler

from bot.backoff import Backoff
from bot.clock import Clock
from bot.config import Config, format_duration
from bot.desk.desk import Desk
from bot.intake.pushes import Ingested, ingest_items
from bot.intake.source_clients import SourceClients
from bot.intake.sources import (
    ErrorKind,
    SourceError,
    facebook,
    facebook_items,
    google,
    items_of,
    obj,
    parse_time,
)
from bot.intake.sources.facebook import FacebookClient
from bot.intake.sources.google import GoogleClient
from storage import cursors

logger = logging.getLogger(__name__)

FIRST_BACKOFF = timedelta(seconds=30)
# Facebook's `since` may filter posts by creation: look back this far for new comments on
# recent posts (client-side filtering keeps only what is at or after the mark).
FEED_LOOKBACK = timedelta(days=7)
TICK = timedelta(seconds=30)

# One page of a feed: (the item's time for the high-water mark, the canonical item).
Page = list[tuple[datetime | None, Any]]


class FeedKind(StrEnum):
    GOOGLE = "google"
    FACEBOOK_FEED = "facebook_feed"
    FACEBOOK_RATINGS = "facebook_ratings"


@dataclass(frozen=True)
class Feed:
    key: str  # the cursor's key
    kind: FeedKind
    target: str  # the Google location name or the Facebook page id
    site: str
    interval: timedelta


def feeds_of(config: Config) -> list[Feed]:
    """Every feed the config turns on."""
    google_source, facebook_source = config.sources.google, config.sources.facebook
    feeds: list[Feed] = []
    if google_source.enabled:
        feeds += [Feed(f"google:{location.name}", FeedKind.GOOGLE, location.name, location.site,
                       google_source.interval) for location in google_source.locations]
    if facebook_source.enabled:
        for page in facebook_source.pages:
            feeds.append(Feed(f"facebook:feed:{page.page_id}", FeedKind.FACEBOOK_FEED,
                              page.page_id, page.site, facebook_source.interval))
            if facebook_source.ratings:
                feeds.append(Feed(f"facebook:ratings:{page.page_id}", FeedKind.FACEBOOK_RATINGS,
                                  page.page_id, page.site, facebook_source.interval))
    return feeds


# ---- polls -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PollResult:
    key: str
    fetched: int = 0
    ingested: Ingested | None = None
    error: str | None = None  # why the poll failed; the feed backs off
    off: bool = False  # the feed is switched off (Facebook ratings after error code 12)


def source_backoff(max_backoff: timedelta) -> Backoff:
    """30s, 1m, 2m, 4m… up to max_backoff (a poll's time is its cursor's: no jitter needed)."""
    return Backoff(first=FIRST_BACKOFF.total_seconds(), cap=max_backoff.total_seconds(),
                   jitter=0.0)


def _reaches(stamps: Iterable[datetime | None], mark: datetime | None) -> bool:
    """Whether a newest-first page has gone back past the mark (later pages are older)."""
    return mark is not None and any(stamp is not None and stamp < mark for stamp in stamps)


def _graph_pages(fetch: Callable[[dict[str, str] | None], dict[str, Any]], *,
                 start: dict[str, str] | None = None) -> Iterator[dict[str, Any]]:
    """Each answer of a Graph edge, following paging.next to the last page."""
    paging = start
    while True:
        answer = fetch(paging)
        yield answer
        following = facebook.next_page_params(answer)
        if following is None or following == paging:
            return
        paging = following


def _unexpected(error: Exception) -> str:
    """The type and place of an unexpected error: its message may quote a review."""
    frames = traceback.extract_tb(error.__traceback__)
    where = f" at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno}" if frames else ""
    return f"{type(error).__name__}{where}"


class Pollers:
    """Polls the feeds the config turns on; `register_pollers` schedules `poll_if_due`."""

    def __init__(self, *, desk: Desk, config: Config, clock: Clock, clients: SourceClients):
        self.desk = desk
        self.config = config
        self.clock = clock
        self.clients = clients
        self.feeds = {feed.key: feed for feed in feeds_of(config)}
        for feed in self.feeds.values():
            needs = clients.google if feed.kind is FeedKind.GOOGLE else clients.facebook
            if needs is None:
                raise ValueError(f"feed {feed.key} is enabled but no client was given for it")

    @property
    def _google(self) -> GoogleClient:
        assert self.clients.google is not None  # checked in __init__
        return self.clients.google

    @property
    def _facebook(self) -> FacebookClient:
        assert self.clients.facebook is not None  # checked in __init__
        return self.clients.facebook

    def poll_if_due(self, key: str) -> PollResult | None:
        """The scheduled job: poll the feed when its cursor's next_poll_at has passed."""
        try:
            with self.desk.db.session() as session:
                cursor = cursors.get_cursor(session, key=key)
                due_at = cursor.next_poll_at if cursor else None
        except Exception as error:  # the job must survive; the next tick tries again
            logger.warning("poll %s: cannot read its cursor (%s)", key, type(error).__name__)
            return None
        if due_at is not None and due_at > self.clock.now():
            return None
        return self.poll_once(self.feeds[key])

    def poll_once(self, feed: Feed) -> PollResult:
        """Read the feed from its mark, store what is new, then move the mark (or back off)."""
        with self.desk.db.session() as session:
            cursor = cursors.get_cursor(session, key=feed.key)
            mark = parse_time(cursor.high_water) if cursor else None
            state = dict(cursor.state) if cursor else {}
            failures = cursor.failures if cursor else 0
        if self._switched_off(feed, state):
            return PollResult(feed.key, off=True)
        try:
            collected, failure = self._collect(feed, mark)
            fresh = [item for stamp, item in collected
                     if mark is None or stamp is None or stamp >= mark]
            ingested = ingest_items(self.desk, fresh, where=f"poll {feed.key}")
        except Exception as error:  # the database, or a bug: back off as for a source error
            return self._failed(feed, failures, error)
        if failure is not None:
            if feed.kind is FeedKind.FACEBOOK_RATINGS and failure.kind is ErrorKind.DEPRECATED:
                return self._switch_off(feed, state)
            return self._failed(feed, failures, failure, fetched=len(collected),
                                ingested=ingested)
        stamps = [stamp for stamp, _ in collected if stamp is not None]
        self._succeeded(feed, max([*stamps, mark] if mark else stamps, default=None), failures)
        news = ingested.errors or any(o.outcome != "unchanged" for o in ingested.outcomes)
        logger.log(logging.INFO if news else logging.DEBUG, "poll %s: %s fetched, %s",
                   feed.key, len(collected), ingested.summary())
        return PollResult(feed.key, len(collected), ingested)

    def _collect(self, feed: Feed, mark: datetime | None) -> tuple[Page, SourceError | None]:
        """Every page from the feed, and the source error that stopped the reading early."""
        pages = {
            FeedKind.GOOGLE: self._google_pages,
            FeedKind.FACEBOOK_FEED: self._facebook_feed_pages,
            FeedKind.FACEBOOK_RATINGS: self._facebook_ratings_pages,
        }[feed.kind]
        collected: Page = []
        try:
            for page in pages(feed, mark):
                collected += page
        except SourceError as error:
            return collected, error
        return collected, None

    def _google_pages(self, feed: Feed, mark: datetime | None) -> Iterator[Page]:
        page_token = None
        while True:
            answer = self._google.list_reviews(feed.target, page_token=page_token)
            page = [(parse_time(obj(review).get("updateTime")),
                     google.review_to_canonical(review, site=feed.site))
                    for review in items_of(answer, "reviews")]
            yield page
            page_token = answer.get("nextPageToken")
            if not page_token or _reaches((stamp for stamp, _ in page), mark):
                return

    def _facebook_feed_pages(self, feed: Feed, mark: datetime | None) -> Iterator[Page]:
        since = int(((mark or self.clock.now()) - FEED_LOOKBACK).timestamp())
        for answer in _graph_pages(
            lambda paging: self._facebook.feed_page(feed.target, since=since, paging=paging)
        ):
            page: Page = []
            for post in items_of(answer, "data"):
                comments = self._comments(feed.target, post, mark)
                page += [(parse_time(obj(item).get("created_at")), item)
                         for item in facebook_items.feed_items(
                             post, page_id=feed.target, site=feed.site, comments=comments)]
            yield page

    def _comments(self, page_id: str, post: Any, mark: datetime | None) -> list[Any]:
        """A post's comments, newest first: the inline page, then further pages until one
        goes back past the mark."""
        post = obj(post)
        comments = list(facebook_items.comments_of(post))
        more = facebook.next_page_params(obj(post.get("comments")))
        post_id = post.get("id")
        if more is None or not isinstance(post_id, str) or self._comments_reach(comments, mark):
            return comments
        for answer in _graph_pages(
            lambda paging: self._facebook.comments_page(page_id, post_id, paging=paging),
            start=more,
        ):
            page = items_of(answer, "data")
            comments += page
            if self._comments_reach(page, mark):
                break
        return comments

    @staticmethod
    def _comments_reach(comments: list[Any], mark: datetime | None) -> bool:
        return _reaches((parse_time(obj(c).get("created_time")) for c in comments), mark)

    def _facebook_ratings_pages(self, feed: Feed, mark: datetime | None) -> Iterator[Page]:
        for answer in _graph_pages(
            lambda paging: self._facebook.ratings_page(feed.target, paging=paging)
        ):
            page = [(parse_time(obj(rating).get("created_time")),
                     facebook_items.rating_to_canonical(rating, page_id=feed.target,
                                                        site=feed.site))
                    for rating in items_of(answer, "data")]
            yield page
            if _reaches((stamp for stamp, _ in page), mark):
                return

    # ---- the cursor ---------------------------------------------------------------------

    def _succeeded(self, feed: Feed, mark: datetime | None, failures: int) -> None:
        now = self.clock.now()
        with self.desk.db.session() as session:
            cursors.record_success(session, key=feed.key,
                                   high_water=mark.isoformat() if mark else None,
                                   polled_at=now, next_poll_at=now + feed.interval)
            session.commit()
        if failures:
            logger.info("poll %s: working again after %s failures", feed.key, failures)

    def _failed(self, feed: Feed, failures: int, error: Exception, *, fetched: int = 0,
                ingested: Ingested | None = None) -> PollResult:
        now = self.clock.now()
        failures += 1
        source_error = error if isinstance(error, SourceError) else None
        reason = source_error.describe() if source_error else _unexpected(error)
        delay = timedelta(seconds=source_backoff(self.config.sources.max_backoff).delay(
            failures, retry_after=source_error.retry_after if source_error else None))
        with self.desk.db.session() as session:
            cursors.record_failure(session, key=feed.key, failures=failures, error=reason,
                                   polled_at=now, next_poll_at=now + delay)
            session.commit()
        logger.warning("poll %s failed: %s; next try in %s (%s in a row)", feed.key, reason,
                       format_duration(delay), failures)
        return PollResult(feed.key, fetched, ingested, error=reason)

    def _switched_off(self, feed: Feed, state: dict[str, Any]) -> bool:
        return (feed.kind is FeedKind.FACEBOOK_RATINGS
                and obj(state.get("ratings_off")).get("graph_version")
                == self.config.sources.facebook.graph_version)

    def _switch_off(self, feed: Feed, state: dict[str, Any]) -> PollResult:
        version = self.config.sources.facebook.graph_version
        off = {"graph_version": version, "since": self.clock.now().isoformat()}
        with self.desk.db.session() as session:
            cursors.set_state(session, key=feed.key, state={**state, "ratings_off": off})
            session.commit()
        logger.warning(
            "facebook page %s: Graph API %s no longer serves page ratings (error code 12); "
            "ratings polling for this page is now off (its posts and comments are still "
            "polled). Set sources.facebook.ratings = false to say so in the config.",
            feed.target, version,
        )
        return PollResult(feed.key, off=True)


def register_pollers(scheduler: BaseScheduler, *, desk: Desk, config: Config, clock: Clock,
                     clients: SourceClients, tick: timedelta = TICK) -> Pollers:
    """One interval job per enabled feed, ticking every `tick` and polling when the feed's
    cursor is due; the first tick runs at once."""
    pollers = Pollers(desk=desk, config=config, clock=clock, clients=clients)
    seconds = tick.total_seconds()
    for key in pollers.feeds:
        scheduler.add_job(
            pollers.poll_if_due, "interval", seconds=seconds, args=[key], id=f"poll:{key}",
            name=f"poll {key}", coalesce=True, max_instances=1,
            misfire_grace_time=max(1, int(seconds)), replace_existing=True,
            next_run_time=datetime.now(UTC),
        )
    return pollers
