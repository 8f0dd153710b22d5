"""A reply's state, kept by the reply flow (bot/replies/) and told on the case's card: which
states mean the words reached the source, which are not settled yet, and which the card shows."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    READY = "ready"  # passed the guard; a person copies it to the source, then marks it
    POSTING = "posting"  # reviewdesk is sending it now
    POSTED = "posted"  # live on the source
    PENDING = "pending"  # accepted, held for the source's moderation
    REJECTED = "rejected"  # the source refused the words
    FAILED = "failed"  # not posted
    UNKNOWN = "unknown"  # sent, no answer, and the source could not say whether it landed
    MARKED = "marked"  # a person posted it by hand and said so
    SENT = "sent"  # a private message a person sent by hand
    SUPERSEDED = "superseded"  # failed or rejected, and a later reply got there


LANDED = frozenset({Status.POSTED, Status.PENDING, Status.MARKED})
UNSETTLED = frozenset({Status.POSTING, Status.UNKNOWN})
# What the card tells about the latest public reply (a draft waiting to be copied, or a post
# under way, shows nothing).
SHOWN_ON_CARD = frozenset({Status.POSTED, Status.PENDING, Status.REJECTED, Status.FAILED,
                           Status.UNKNOWN, Status.MARKED})
