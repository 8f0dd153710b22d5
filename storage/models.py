"""The tables: reviews, cases, their windows, the append-only event log, and the Slack outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class Review(SQLModel, table=True):
    """A review as its source published it, in the canonical shape; one row per source item."""

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_reviews_source_external_id"),
        # The same reviewer writing again on a source and site finds their earlier case.
        Index("ix_reviews_source_author", "source", "author"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=40)
    external_id: str = Field(max_length=255)
    site: str | None = Field(default=None, max_length=80)
    author: str | None = Field(default=None, max_length=200)
    rating: int | None = None
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    url: str | None = Field(default=None, max_length=2000)
    recommendation: str | None = Field(default=None, max_length=16)
    created_at: datetime = Field(sa_type=UTCDateTime)
    received_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    # bot.triage.TriageResult as a dict: negative, sentiment, labels, themes, reasons.
    triage: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}")
    )


_case_version = Column("version", Integer, nullable=False)


class Case(SQLModel, table=True):
    """The work on one negative review: its state, who holds it, and where its cards are.

    `version` makes concurrent changes safe: a flush against a stale row raises StaleDataError
    (two people clicking Claim at once: exactly one wins)."""

    __tablename__ = "cases"
    __mapper_args__ = {"version_id_col": _case_version}
    # Recent cases (a burst's count) are found by when they opened, however many are stored.
    __table_args__ = (Index("ix_cases_created_at", "created_at"),
                      # The lists people work from: open cases by their next deadline, with
                      # what the lists ask about, so they are counted from the index alone.
                      Index("ix_cases_status_next_due", "status", "next_due_at",
                            "next_due_soon_at", "claimant_id", "px_claimant_id"))

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="reviews.id", unique=True)
    status: str = Field(default="open", max_length=16, index=True)
    site: str | None = Field(default=None, max_length=40)
    version: int = Field(default=None, sa_column=_case_version)

    claimant_id: str | None = Field(default=None, max_length=32)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    responded_by: str | None = Field(default=None, max_length=32)
    responded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reply_template: str | None = Field(default=None, max_length=60)
    reply_text: str | None = Field(default=None, sa_column=Column(Text))

    escalated_by: str | None = Field(default=None, max_length=32)
    escalated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    px_site: str | None = Field(default=None, max_length=40)
    px_urgency: str | None = Field(default=None, max_length=16)
    px_note: str | None = Field(default=None, sa_column=Column(Text))
    px_claimant_id: str | None = Field(default=None, max_length=32)
    px_claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    px_contacted_by: str | None = Field(default=None, max_length=32)
    px_contacted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    closed_by: str | None = Field(default=None, max_length=32)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_reason: str | None = Field(default=None, max_length=40)
    closed_note: str | None = Field(default=None, sa_column=Column(Text))

    # The latest "Log outcome" (bot.core.outcomes.Outcome); every one is also an event.
    outcome: str | None = Field(default=None, max_length=24)
    outcome_by: str | None = Field(default=None, max_length=32)
    outcome_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    # While the case is open, its earliest open window: the kind, the deadline and when it
    # counts as due soon (its last quarter, at least its last hour); None when closed or when
    # no window is open. Kept in step with the windows by bot.core.deadlines.keep_deadlines.
    next_window: str | None = Field(default=None, max_length=24)
    next_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    next_due_soon_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    batch_id: int | None = Field(default=None, foreign_key="card_batches.id")
    # The reviewer's latest words when they wrote again (a new review on the same source and
    # site) after the case was done: the card shows them, and a reply answers them. A review's
    # id, without a foreign key: adding one would rebuild the table on SQLite.
    followup_review_id: int | None = None
    card_channel: str | None = Field(default=None, max_length=32)
    card_ts: str | None = Field(default=None, max_length=32)
    px_card_channel: str | None = Field(default=None, max_length=32)
    px_card_ts: str | None = Field(default=None, max_length=32)

    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class CardBatch(SQLModel, table=True):
    """A burst of new negative reviews from one source and site, shown as one summary card
    whose thread holds the case cards."""

    __tablename__ = "card_batches"

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=40)
    site: str | None = Field(default=None, max_length=40)
    channel: str = Field(max_length=32)
    case_count: int = 0
    summary_ts: str | None = Field(default=None, max_length=32)
    opened_at: datetime = Field(sa_type=UTCDateTime)
    last_case_at: datetime = Field(sa_type=UTCDateTime)


class LookList(SQLModel, table=True):
    """One day's "Needs a look" message in a channel: the unrated reviews triage was unsure
    about, each waiting for a person to make it a case or not."""

    __tablename__ = "look_lists"
    __table_args__ = (UniqueConstraint("day", "channel", name="uq_look_lists_day_channel"),)

    id: int | None = Field(default=None, primary_key=True)
    day: str = Field(max_length=10)  # YYYY-MM-DD in the organisation's time zone
    channel: str = Field(max_length=32)
    ts: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(sa_type=UTCDateTime)


class LookItem(SQLModel, table=True):
    """An unsure review on a day's list, and what a person decided: a case, or not a
    complaint. The decisions are labelled data for the next training round."""

    __tablename__ = "look_items"

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="reviews.id", unique=True)
    list_id: int = Field(foreign_key="look_lists.id", index=True)
    added_at: datetime = Field(sa_type=UTCDateTime)
    decision: str | None = Field(default=None, max_length=16)  # "case" | "not_complaint"
    decided_by: str | None = Field(default=None, max_length=32)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id")


class SourceCursor(SQLModel, table=True):
    """Where a poller got to in one feed (a Google location, a Facebook page's feed…), so a
    restart neither misses nor repeats reviews; and how its errors are backing off."""

    __tablename__ = "source_cursors"

    key: str = Field(primary_key=True, max_length=200)  # e.g. "google:accounts/1/locations/2"
    high_water: str | None = Field(default=None, max_length=200)
    state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    last_polled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    failures: int = 0
    next_poll_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=500)


class CaseWindow(SQLModel, table=True):
    """A follow-up window of a case (first response, PX follow-up, urgent) and how it ended.

    A case has one window of a kind at a time; `round` counts the windows of that kind it had:
    a case that comes back (the reviewer wrote again, Reopen after it was done) or whose missed
    PX follow-up is escalated again gets a new round, and the earlier one keeps its verdict."""

    __tablename__ = "case_windows"
    __table_args__ = (
        UniqueConstraint("case_id", "kind", "round", name="uq_case_windows_case_kind_round"),
        Index("ix_case_windows_open_due", "met_at", "stopped_at", "due_at"),
        # A period's figures read the windows due in it (the Home tab's week, the digest).
        Index("ix_case_windows_due_at", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    kind: str = Field(max_length=24)
    round: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    started_at: datetime = Field(sa_type=UTCDateTime)
    due_at: datetime = Field(sa_type=UTCDateTime)
    met_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    met_by: str | None = Field(default=None, max_length=32)
    stopped_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    snoozed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Nudge(SQLModel, table=True):
    """One reminder of a window, planned when the window opens. The unique key makes each go
    out once, whoever sends it (a restart, a retry, two running copies of the bot)."""

    __tablename__ = "nudges"
    __table_args__ = (
        UniqueConstraint("window_id", "key", name="uq_nudges_window_key"),
        Index("ix_nudges_status_due", "status", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    window_id: int = Field(foreign_key="case_windows.id")
    case_id: int = Field(foreign_key="cases.id", index=True)
    key: str = Field(max_length=24)  # lead-0, lead-1, lapse, repeat-1, repeat-2 …
    due_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default="pending", max_length=12)  # pending|sent|skipped|cancelled
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    late: bool = False
    recipient: str | None = Field(default=None, max_length=32)  # the first one it named
    # The direct messages it calls for, as [member id, why] pairs (the lapse: each person it
    # names; a repeat naming the lead for the first time: the lead). A run of the nudges sends
    # them together, one DM a person (dm_status owed, then sent, or dropped when the case was
    # handled first), so a person missing 25 cases at once gets one message, not 25.
    dm_to: list[Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    dm_status: str | None = Field(default=None, max_length=8, index=True)


class RotationMember(SQLModel, table=True):
    """The on-call order. Removing someone keeps the row (history), inactive."""

    __tablename__ = "rotation_members"

    id: int | None = Field(default=None, primary_key=True)
    position: int
    user_id: str = Field(max_length=32, unique=True)
    active: bool = True


class RotationOverride(SQLModel, table=True):
    """Someone covers a period ("Sam covers Friday 5 pm to Monday 8 am")."""

    __tablename__ = "rotation_overrides"

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(max_length=32)
    starts_at: datetime = Field(sa_type=UTCDateTime, index=True)
    ends_at: datetime = Field(sa_type=UTCDateTime, index=True)
    created_by: str = Field(max_length=32)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Handoff(SQLModel, table=True):
    """A hand-off that was announced; unique by time, so it is announced once."""

    __tablename__ = "handoffs"

    id: int | None = Field(default=None, primary_key=True)
    handoff_at: datetime = Field(sa_type=UTCDateTime, unique=True)
    user_id: str = Field(max_length=32)
    announced_at: datetime = Field(sa_type=UTCDateTime)


class ReplyPost(SQLModel, table=True):
    """One reply on its way to the reviewer: a public reply posted to the source by its API (or
    posted by hand and marked so), or a private message sent by hand. The row holds the words
    between the modal's steps (a modal's private_metadata carries ids only), the source's
    answer, and when to look again (a reply held for moderation, an unknown outcome)."""

    __tablename__ = "reply_posts"
    __table_args__ = (Index("ix_reply_posts_next_check_at", "next_check_at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    audience: str = Field(max_length=8)  # public | private
    actor: str = Field(max_length=32)  # who wrote it
    text: str = Field(sa_column=Column(Text, nullable=False))
    template: str | None = Field(default=None, max_length=60)
    source: str = Field(max_length=40)
    mode: str = Field(max_length=8)  # api: posted by reviewdesk; manual: copied by a person
    status: str = Field(max_length=12)  # bot.replies.flow.Status
    reply_id: str | None = Field(default=None, max_length=500)  # the source's id for it
    reason: str | None = Field(default=None, max_length=1000)  # the source's words, for people
    error_code: str | None = Field(default=None, max_length=64)
    retryable: bool = False
    overridden: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    checks: int = 0  # look-ups made after the post (moderation, unknown outcome)
    next_check_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    done_by: str | None = Field(default=None, max_length=32)  # who posted or marked it
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class CaseEvent(SQLModel, table=True):
    """One line of a case's history; rows are only ever added. Reports are computed from these."""

    __tablename__ = "case_events"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    actor: str = Field(max_length=32)
    action: str = Field(max_length=32, index=True)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    request_key: str | None = Field(default=None, max_length=200, unique=True)
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)


class OutboxMessage(SQLModel, table=True):
    """Something the bot must send to Slack. Rows are written in the same transaction as the
    change they announce, and a worker delivers them in order per case, exactly once."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_id", "status", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=64, unique=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    ordering_key: str = Field(max_length=64)
    kind: str = Field(max_length=32)
    channel: str | None = Field(default=None, max_length=32)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    # The last attempt of a post ended without an answer: before anything else of its case is
    # sent, it is looked up where it would have landed (lookup_channel, lookup_thread_ts),
    # between uncertain_since and attempted_at (bot.delivery.lookup).
    uncertain: bool = False
    attempted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    uncertain_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lookup_channel: str | None = Field(default=None, max_length=32)
    lookup_thread_ts: str | None = Field(default=None, max_length=32)
    next_attempt_at: datetime = Field(sa_type=UTCDateTime)
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=500)
    result_channel: str | None = Field(default=None, max_length=32)
    result_ts: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DigestRun(SQLModel, table=True):
    """A weekly digest that was written to the outbox; unique by week, so each week's digest
    goes out once, whoever sends it (a restart, a late start, two running copies of the bot)."""

    __tablename__ = "digest_runs"

    id: int | None = Field(default=None, primary_key=True)
    week_key: str = Field(max_length=16, unique=True)  # the week's Monday, "2026-11-23"
    week_start: datetime = Field(sa_type=UTCDateTime)
    week_end: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)


class HomeView(SQLModel, table=True):
    """Someone who opened the app's Home tab: which pages of its lists they are on, and what
    their last published Home showed (so it is published again when that changes)."""

    __tablename__ = "home_views"

    user_id: str = Field(primary_key=True, max_length=32)
    opened_at: datetime = Field(sa_type=UTCDateTime, index=True)
    pages: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    notice: str | None = Field(default=None, sa_column=Column(Text))
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_event_id: int = 0  # the newest case event the published Home reflects
    published_looks: str = Field(default="", max_length=32)  # and the "Needs a look" items
    refresh_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # time changes it
    stale: bool = True  # a page turn or a notice is waiting to be shown
