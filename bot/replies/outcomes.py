"""A reply's way out after it passed the guard: posted by reviewdesk to the source (Google,
Facebook, Yelp), or copied by a person and marked posted, with what the source answered recorded
on the post and the case; posts whose outcome is unknown, and replies Google holds for
moderation, are looked at again (`run_checks`). `bot.replies.flow.ReplyFlow` builds on this."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.core.case_changes import Change, reopen_response, respond
from bot.core.cases import SYSTEM, Action, Refusal
from bot.core.reply_status import LANDED, UNSETTLED, Status
from bot.desk.desk import Desk, ReviewFacts
from bot.desk.holding import claim_for_reply
from bot.intake.sources.posting import LookupStatus, PostResult, PostStatus, ReplyLookup, failed
from bot.replies import templates as replies
from bot.replies.targets import (
    ByHand,
    Mode,
    Posting,
    ReplyClients,
    ReviewAddress,
    lookup,
    post,
    posting_for,
)
from bot.replies.templates import Audience
from bot.replies.values import PostView
from bot.text import line, plain_line
from storage import replies as store
from storage.models import ReplyPost

logger = logging.getLogger(__name__)


# A post still "posting" after this long was cut off (a restart mid-call): its outcome is
# unknown, and it no longer stops someone else from posting.
STALE_POSTING = timedelta(minutes=2)
# How often a reply held for moderation, or one whose outcome is unknown, is looked at again:
# doubling from the first, up to the cap; an unknown outcome is left to a person after
# LOOKUPS tries.
FIRST_CHECK = timedelta(minutes=15)
CHECK_CAP = timedelta(hours=6)
LOOKUPS = 6


class ReplyOutcomes:
    """Posts, records and looks again at replies (ReplyPost rows), for one desk."""

    def __init__(self, desk: Desk, clients: ReplyClients | None = None):
        self.desk = desk
        self.db = desk.db
        self.config = desk.config
        self.clock = desk.clock
        self.clients = clients or ReplyClients()
        self.on_change: Callable[[], None] = lambda: None  # the look-ups were re-planned

    # ---- where a reply goes ----------------------------------------------------------------

    def _address(self, review: ReviewFacts) -> ReviewAddress:
        return ReviewAddress(review.source, review.external_id, self._site_id(review),
                             review.url, review.recommendation)

    def _site_id(self, review: ReviewFacts) -> str | None:
        site = self.config.site(review.site_id)
        return site.id if site else review.site_id

    def posting(self, review: ReviewFacts, audience: Audience = Audience.PUBLIC) -> Posting:
        if audience is Audience.PRIVATE:  # sent by a person, in the platform's messages
            return Posting(review.source, Mode.MANUAL, None, ByHand.NO_API, review.url)
        return posting_for(self.config, self.clients, self._address(review))

    # ---- posting -----------------------------------------------------------------------------

    def send(self, post_id: int, actor: str) -> PostView:
        """Post a reply `begin` left "posting" (after the modal's acknowledgement: the call can
        take seconds). An earlier post of the case whose outcome is unknown is looked up first;
        if it is there (or the source cannot tell), nothing new is posted."""
        row = self._load(post_id)
        if row.status != Status.POSTING:
            return self.view(post_id)  # someone else finished it
        review = self.desk.review_of(row.case_id)
        posting = self.posting(review)
        if posting.target is None:
            return self._record(post_id, failed(row.source, plain_line(
                "reply_not_set_up", source=posting.source_name, hide=False)), actor)
        with self.db.session() as session:
            earlier = [p.id for p in store.unsettled(session, case_id=row.case_id,
                                                     statuses=UNSETTLED, other_than=post_id)]
        for earlier_id in earlier:
            settled = self._look_up(earlier_id, actor)
            if settled.status is Status.UNKNOWN or (settled.status in LANDED
                                                    and not posting.replaces):
                why = plain_line("reply_not_posted", earlier_there=settled.status in LANDED)
                self._record(post_id, failed(row.source, why), actor)
                return self.view(earlier_id, instead_of=post_id)
        result = post(self.clients, posting.target, row.text)
        if result.status is PostStatus.UNKNOWN:
            logger.info("case %s: reply %s got no answer; looking it up", row.case_id, post_id)
            result = self._lookup_result(lookup(self.clients, posting.target, row.text), result)
        return self._record(post_id, result, actor)

    def retry(self, post_id: int, actor: str) -> PostView:
        """Try Again on a post that failed (two clicks post once)."""
        with self.db.session() as session:
            claimed = store.claim(session, post_id=post_id, expected={Status.FAILED},
                                  status=Status.POSTING, at=self.clock.now())
            session.commit()
        return self.send(post_id, actor) if claimed else self.view(post_id)

    def check_again(self, post_id: int, actor: str) -> PostView:
        """Look up a post whose outcome is unknown."""
        return self._look_up(post_id, actor)

    def _look_up(self, post_id: int, actor: str) -> PostView:
        row = self._load(post_id)
        if row.status not in UNSETTLED:
            return self.view(post_id)
        target = self.posting(self.desk.review_of(row.case_id)).target
        if target is None:
            return self.view(post_id)
        unknown = PostResult(PostStatus.UNKNOWN, row.source, reason=row.reason)
        return self._record(post_id, self._lookup_result(lookup(self.clients, target, row.text),
                                                         unknown), actor)

    @staticmethod
    def _lookup_result(found: ReplyLookup, unknown: PostResult) -> PostResult:
        if found.status is LookupStatus.FOUND and found.result is not None:
            return found.result
        if found.status is LookupStatus.ABSENT:
            return failed(unknown.source, plain_line("reply_absent"), retryable=True)
        return PostResult(PostStatus.UNKNOWN, unknown.source,
                          reason=found.reason or unknown.reason)

    def mark_posted(self, post_id: int, actor: str) -> PostView:
        """A person posted the reply by hand (or found it there): the case is responded. For a
        private message: it was sent."""
        row = self._load(post_id)
        if row.audience == Audience.PRIVATE:
            return self._mark_sent(row, actor)
        if row.status not in (Status.READY, Status.UNKNOWN, Status.FAILED):
            return self.view(post_id)
        return self._record(post_id, PostResult(PostStatus.POSTED, row.source), actor,
                            by_hand=True)

    def _mark_sent(self, row: ReplyPost, actor: str) -> PostView:
        assert row.id is not None
        if row.status != Status.READY:
            return self.view(row.id)
        found = replies.find(row.template, Audience.PRIVATE)

        def apply(session, case, windows, now):
            current = store.get(session, post_id=row.id)
            assert current is not None
            current.status, current.done_by, current.updated_at = Status.SENT, actor, now
            session.add(current)
            return Change({"post_id": row.id, "template": row.template, "chars": len(row.text)},
                          str(line("history_private_sent", user=actor,
                                   template_title=found.title if found else None)),
                          px_thread=True)

        self.desk.act(row.case_id, actor, Action.PRIVATE_SENT, apply)
        return self.view(row.id)

    # ---- recording what the source said -------------------------------------------------

    def _record(self, post_id: int, result: PostResult, actor: str, *,
                by_hand: bool = False) -> PostView:
        """Record a post's outcome on the post, the case, its event log, card and thread."""
        row = self._load(post_id)
        review = self.desk.review_of(row.case_id)
        source = review.source_name
        found = replies.find(row.template)
        status = {PostStatus.POSTED: Status.MARKED if by_hand else Status.POSTED,
                  PostStatus.PENDING: Status.PENDING, PostStatus.REJECTED: Status.REJECTED,
                  PostStatus.FAILED: Status.FAILED,
                  PostStatus.UNKNOWN: Status.UNKNOWN}[result.status]

        def update_post(session: Session, now: datetime) -> ReplyPost:
            current = store.get(session, post_id=post_id)
            assert current is not None
            current.status, current.updated_at = status, now
            current.reply_id = result.reply_id or current.reply_id
            current.reason = (result.reason or "")[:1000] or None
            current.error_code = str(result.error_code)[:64] if result.error_code else None
            current.retryable = result.retryable
            if status in LANDED:
                current.done_by = person
            if status in (Status.PENDING, Status.UNKNOWN):
                current.next_check_at = now + FIRST_CHECK
                current.checks = 0
            else:
                current.next_check_at = None
            session.add(current)
            return current

        # What the source says later (a look-up) is recorded by the system, but the reply is
        # still the person's.
        person = row.actor if actor == SYSTEM else actor
        if status in LANDED:
            if row.audience == Audience.PUBLIC:  # out now: an unclaimed case is the replier's
                claim_for_reply(self.desk, row.case_id, person, request_key=f"reply:{post_id}")

            def apply(session, case, windows, now):
                update_post(session, now)
                store.supersede(session, case_id=row.case_id, other_than=post_id,
                                statuses={Status.FAILED, Status.REJECTED},
                                status=Status.SUPERSEDED, at=now)
                edited = respond(session, case, windows, person, now, text=row.text,
                                 template=row.template)
                return Change(
                    {"template": row.template, "chars": len(row.text), "edited": edited,
                     "via": "by_hand" if by_hand else row.source, "state": status.value,
                     "reply_id": result.reply_id, "post_id": post_id,
                     "overridden": list(row.overridden)},
                    str(line("history_responded", user=person, reply=row.text, edited=edited,
                             template_title=found.title if found else None,
                             via=not by_hand, state=status.value, source=source)),
                )
            action = Action.RESPOND
        elif status is Status.REJECTED:
            def apply(session, case, windows, now):
                update_post(session, now)
                reopened = reopen_response(session, case, windows)
                return Change({"post_id": post_id, "source": row.source,
                               "code": result.error_code, "reopened": reopened},
                              str(line("history_reply_rejected", source=source,
                                       reason=result.reason)))
            action = Action.REPLY_REJECTED
        else:
            def apply(session, case, windows, now):
                update_post(session, now)
                return Change({"post_id": post_id, "source": row.source,
                               "http_status": result.http_status, "code": result.error_code,
                               "retryable": result.retryable}, None)
            action = Action.REPLY_FAILED if status is Status.FAILED else Action.REPLY_UNKNOWN

        self.desk.act(row.case_id, actor, action, apply, checked=False)
        logger.info("case %s: reply %s %s (%s)", row.case_id, post_id, status,
                    result.describe())
        if status in (Status.PENDING, Status.UNKNOWN):
            self.on_change()
        return self.view(post_id)

    # ---- looking again: moderation, unknown outcomes ---------------------------------------

    def next_check(self) -> datetime | None:
        with self.db.session() as session:
            return store.next_check(session)

    def run_checks(self) -> int:
        """Look again at each post whose look-up is due: a reply Google holds for moderation
        (live, still held, or rejected: then the response window opens again), and a post
        whose outcome was unknown. Returns how many were looked at."""
        now = self.clock.now()
        with self.db.session() as session:
            due = list(store.due_checks(session, now=now))
        for post_id in due:
            try:
                self._check_one(post_id)
            except Exception:
                logger.exception("reply %s: look-up failed; trying again later", post_id)
                self._later(post_id)
        return len(due)

    def _check_one(self, post_id: int) -> None:
        row = self._load(post_id)
        target = self.posting(self.desk.review_of(row.case_id)).target
        if target is None or row.status not in (Status.PENDING, Status.UNKNOWN):
            self._later(post_id, stop=True)
            return
        if row.status == Status.UNKNOWN:
            settled = self._look_up(post_id, SYSTEM)
            if settled.status is Status.UNKNOWN:
                self._later(post_id, stop=row.checks + 1 >= LOOKUPS)
            return
        found = lookup(self.clients, target, None)  # the reply there, whoever wrote it
        state = found.result.status if found.status is LookupStatus.FOUND and found.result \
            else None
        if state is PostStatus.PENDING or found.status is LookupStatus.CANNOT_TELL:
            self._later(post_id)
        elif state is PostStatus.POSTED:
            self._published(post_id)
        elif state is PostStatus.REJECTED and found.result is not None:
            self._record(post_id, found.result, SYSTEM)
        else:
            source = self.desk.review_of(row.case_id).source_name
            self._record(post_id, PostResult(PostStatus.REJECTED, row.source,
                                             reason=plain_line("reply_gone", source=source)),
                         SYSTEM)

    def _later(self, post_id: int, *, stop: bool = False) -> None:
        now = self.clock.now()
        with self.db.session() as session:
            row = store.get(session, post_id=post_id)
            if row is None:
                return
            row.checks += 1
            wait = min(FIRST_CHECK * (2 ** row.checks), CHECK_CAP)
            row.next_check_at = None if stop else now + wait
            session.add(row)
            session.commit()
        self.on_change()

    def _published(self, post_id: int) -> None:
        row = self._load(post_id)
        source = self.desk.review_of(row.case_id).source_name

        def apply(session, case, windows, now):
            current = store.get(session, post_id=post_id)
            assert current is not None
            current.status, current.next_check_at, current.updated_at = Status.POSTED, None, now
            current.reason = None
            session.add(current)
            return Change({"post_id": post_id, "source": row.source},
                          str(line("history_reply_published", source=source)))

        self.desk.act(row.case_id, SYSTEM, Action.REPLY_PUBLISHED, apply, checked=False)

    # ---- reading ------------------------------------------------------------------------------

    def _load(self, post_id: int) -> ReplyPost:
        with self.db.session() as session:
            row = store.get(session, post_id=post_id)
            if row is None:
                raise Refusal("not_found", None, {})
            session.expunge(row)
            return row

    def view(self, post_id: int, *, instead_of: int | None = None) -> PostView:
        row = self._load(post_id)
        assert row.id is not None
        audience = Audience(row.audience)
        posting = self.posting(self.desk.review_of(row.case_id), audience)
        status = Status(row.status)
        if status is Status.POSTING and row.updated_at < self.clock.now() - STALE_POSTING:
            status = Status.UNKNOWN
        return PostView(post_id=row.id, case_id=row.case_id, audience=audience, status=status,
                        posting=posting, text=row.text, template=row.template,
                        reason=row.reason,
                        retryable=row.retryable, instead_of=instead_of)
