"""Burst summaries: more new negative reviews from one source and site within [bursts] window
than [bursts] max_cards become one summary card, with their cases in its thread."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session

from bot.config import Config
from bot.outbox import OutboxWriter
from storage import repository as repo
from storage.models import CardBatch

logger = logging.getLogger("bot.desk.ingest")  # the name its lines had before the move


class Bursts:
    """The burst summaries of one batch: a source and site flooding the channel (the first
    poll of a source brings hundreds of old reviews) get one summary card, with the new cases
    in its thread. Counted once a batch, then kept up to date as cases open."""

    def __init__(self, config: Config, outbox: OutboxWriter, session: Session, now: datetime):
        self.config = config
        self.outbox = outbox
        self.session = session
        self.now = now
        self.since = now - self.config.bursts.window
        self._recent: dict[tuple[str, str | None], int] = {}
        # Keys whose _recent starts from an upper bound, not the count: the recent cases of
        # every source and site, up to the largest id then (see _counted).
        self._bounded: dict[tuple[str, str | None], tuple[int, int]] = {}
        self._batches: dict[tuple[str, str | None], CardBatch | None] = {}
        self._updated: set[int] = set()

    def forget(self) -> None:
        """A savepoint was rolled back: read the counts again."""
        self._recent.clear()
        self._bounded.clear()
        self._batches.clear()
        self._updated.clear()

    def _counted(self, key: tuple[str, str | None]) -> int:
        """The key's recent cases, counted as at its first join, plus those joined since.
        Counting them exactly reads every review of the source (an import of many reviews
        would count again and again), so the first join takes an upper bound from the
        created_at index: while that stays under the cap the decisions are the same, and only
        when it reaches the cap are the cases as at the first join counted (those with an id
        up to the largest then: the cases opened since have larger ids)."""
        if key not in self._recent:
            bound, last_id = repo.recent_cases_bound(self.session, since=self.since)
            self._recent[key] = bound
            self._bounded[key] = (bound, last_id)
        if key in self._bounded and self._recent[key] >= self.config.bursts.max_cards - 1:
            bound, last_id = self._bounded.pop(key)
            joined = self._recent[key] - bound
            source, site_id = key
            self._recent[key] = joined + repo.count_recent_cases(
                self.session, source=source, site=site_id, since=self.since, up_to_id=last_id)
        return self._recent[key]

    def join(self, source: str, site_id: str | None) -> CardBatch | None:
        """The summary a new case goes under (None: a card of its own); counts the case."""
        key = (source, site_id)
        if key not in self._batches:
            self._batches[key] = repo.active_batch(self.session, source=source, site=site_id,
                                                   since=self.since)
        batch = self._batches[key]
        if batch is None:
            # The summary counts within the cap: max_cards - 1 cards of their own, then it.
            if self._counted(key) < self.config.bursts.max_cards - 1:
                self._recent[key] += 1
                return None
            batch = CardBatch(source=source, site=site_id,
                              channel=self.config.slack.triage_channel, opened_at=self.now,
                              last_case_at=self.now)
            self.session.add(batch)
            self.session.flush()
            self._batches[key] = batch
            self.outbox.post_batch(self.session, batch_id=batch.id)
            logger.info("burst from %s/%s: new cases go under summary %s", source, site_id,
                        batch.id)
        elif batch.id not in self._updated:
            self.outbox.update_batch(self.session, batch_id=batch.id)
        self._updated.add(batch.id)
        batch.case_count += 1
        batch.last_case_at = self.now
        self.session.add(batch)
        return batch
