"""The weekly digest for Patient Experience: at [digest] weekday and time in the organisation's
time zone (default Monday 08:00), the week that just ended against the four before it, posted
to the PX channels and sent by DM to subscribers, each followed by a chart of the trend.

Exactly once a week, whoever sends it: a digest_runs row unique by week is written in the same
transaction as the outbox rows that deliver it, so a restart, a retry or a second running copy
of the bot finds the week taken. A digest up to LATE_LIMIT late (the bot was down at the time)
still goes out; one later than that (a day-long outage, or a bot installed mid-week) is skipped
rather than sent stale, and the next goes out on time."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError

from bot.clock import Clock
from bot.config import WEEKDAYS, Config, clock_time
from bot.outbox import OutboxWriter
from bot.reports.blocks import day, digest_message
from bot.reports.digest_chart import trend_chart
from bot.reports.periods import Period, week_of, weeks_before
from bot.reports.reports import Reports
from bot.text import line, plain_line
from storage import reports as store
from storage.db import Database

logger = logging.getLogger(__name__)

LATE_LIMIT = timedelta(hours=12)


class Digest:
    def __init__(self, db: Database, config: Config, clock: Clock, outbox: OutboxWriter,
                 reports: Reports):
        self.db = db
        self.config = config
        self.clock = clock
        self.outbox = outbox
        self.reports = reports
        # Weeks whose digest this process has said it skipped: the scheduler's sweep asks
        # every 30 s, and the log should say it once.
        self._skipped: set[str] = set()

    @property
    def settings(self):
        return self.config.digest

    def send_time(self, moment: datetime) -> datetime:
        """When the digest goes out in the week (Monday to Monday, local) of `moment`."""
        zone = ZoneInfo(self.config.timezone)
        week = week_of(moment, self.config.timezone)
        day_ = week.first_day + timedelta(days=WEEKDAYS.index(self.settings.weekday))
        local = datetime.combine(day_, clock_time(self.settings.time), zone)
        return local.astimezone(ZoneInfo("UTC"))

    def week_reported(self, send_at: datetime) -> Period:
        """The week a digest sent at `send_at` reports: the last whole week before it."""
        return weeks_before(week_of(send_at, self.config.timezone), 1)[0]

    def _sent(self, week: Period) -> bool:
        with self.db.session() as session:
            return store.digest_sent(session, week_key=week.key)

    def next_due(self) -> datetime | None:
        """When run_due next has work: this week's send time, unless it is done or too late;
        else next week's."""
        if not self.settings.enabled:
            return None
        now = self.clock.now()
        send_at = self.send_time(now)
        if now < send_at:
            return send_at
        if now - send_at <= LATE_LIMIT and not self._sent(self.week_reported(send_at)):
            return send_at
        return self.send_time(send_at + timedelta(days=7))

    def run_due(self) -> int:
        """Send this week's digest if its time has come (and it is not already sent)."""
        if not self.settings.enabled:
            return 0
        now = self.clock.now()
        send_at = self.send_time(now)
        if now < send_at:
            return 0
        week = self.week_reported(send_at)
        if now - send_at > LATE_LIMIT:
            if week.key not in self._skipped and not self._sent(week):
                self._skipped.add(week.key)
                with self.db.session() as session:
                    first = not store.any_digest_sent(session)
                if first:  # a desk started after this week's time: nothing was missed
                    logger.info("no digest of the week of %s: the desk started after its time; "
                                "the next goes out on time", week.key)
                else:
                    logger.warning("digest of the week of %s skipped: %s late", week.key,
                                   now - send_at)
            return 0
        return self.send(week)

    def send(self, week: Period) -> int:
        """Write the digest of `week` to the outbox, once; 1 when this call did it."""
        if self._sent(week):
            return 0
        comparison = self.reports.comparison(week)
        trend = self.reports.trend(week, self.settings.chart_weeks)
        rendered = digest_message(self.config, comparison)
        chart = trend_chart(trend)
        filename = f"reviewdesk-digest-{week.key}.png"
        title = plain_line("digest_title", first_day=day(comparison.week),
                           last_day=f"{week.last_day.day} {week.last_day:%b %Y}")
        alt_text = plain_line("digest_chart_alt", weeks=len(trend),
                              first_day=day(trend[0]), last_day=day(trend[-1]))
        comment = str(line("digest_chart_comment", weeks=len(trend)))
        channels = self.config.digest_channels()
        subscribers = list(dict.fromkeys(self.settings.subscribers))
        with self.db.session() as session:
            try:
                store.record_digest(session, week_key=week.key, week_start=week.start,
                                    week_end=week.end, at=self.clock.now())
            except IntegrityError:
                session.rollback()
                logger.info("digest of the week of %s: another copy of the bot sent it",
                            week.key)
                return 0
            upload = {"content": chart.png, "filename": filename, "title": title,
                      "alt_text": alt_text, "comment": comment}
            for channel in channels:
                key = f"digest:{week.key}:{channel}"
                self.outbox.message(session, channel=channel, rendered=rendered,
                                    ordering_key=key)
                self.outbox.upload_file(session, channel=channel, ordering_key=key, **upload)
            for user in subscribers:
                key = f"digest:{week.key}:{user}"
                self.outbox.dm(session, user=user, rendered=rendered, ordering_key=key)
                self.outbox.upload_file(session, user=user, ordering_key=key, **upload)
            session.commit()
        logger.info("digest of the week of %s written for %s channels and %s subscribers",
                    week.key, len(channels), len(subscribers))
        self.outbox.wake()
        return 1
