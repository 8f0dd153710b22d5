"""The reply flow behind Respond and the private follow-up: the form's values, the reply guard's
verdict on what a person submits, and the reply's way out — posted by reviewdesk to the source
(Google, Facebook, Yelp) after the modal's acknowledgement, or copied by a person and marked
posted — with what the source answered recorded on the case.

Every reply on its way is a ReplyPost row, so its words never ride in a modal's
private_metadata (ids only) and a restart loses nothing. A post whose outcome is unknown (no
answer) is looked up before anything is posted again; when the source cannot tell, a person
checks and marks it posted rather than risk a double. Google may hold a reply for moderation:
it is looked at again until it is live or rejected, and a rejection reopens the response
window and says why."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.case_changes import Change
from bot.core.case_inputs import validate_reply
from bot.core.cases import Action, Refusal, check, closed_for
from bot.core.reply_status import LANDED, UNSETTLED, Status
from bot.intake.sources.posting import PostStatus
from bot.replies import language
from bot.replies import templates as replies
from bot.replies.guard import Finding, GuardResult, check_reply
from bot.replies.guard_rules import rules_for
from bot.replies.outcomes import STALE_POSTING, ReplyOutcomes
from bot.replies.targets import Mode, hide, hide_target, reply_problem
from bot.replies.templates import PRIVATE_RULES, Audience
from bot.replies.values import HideOnSource, PostView, ReplyForm, Unposted, explain
from bot.text import line
from storage import replies as store
from storage import repository as repo
from storage.db import retry_on_conflict
from storage.models import ReplyPost

logger = logging.getLogger(__name__)

PRIVATE_DEFAULT = "ask_phone"


@dataclass(frozen=True)
class Verdict:
    """What to do with a submitted reply, from the guard's findings and what the person has
    already been shown and ticked."""

    result: GuardResult
    proceed: bool
    overridden: tuple[str, ...] = ()  # warnings the person chose to post past (rule ids)
    warned: tuple[str, ...] = ()  # warnings to show and ask about (rule ids)
    tick_needed: bool = False  # the same warnings again, without "Post anyway" ticked

    @property
    def blocked(self) -> bool:
        return self.result.blocked

    def error_text(self) -> str:
        """The blocks for the text box: each rule's explanation once, after the words of the
        reply it found (quoted), cut to ERROR_TEXT_MAX characters."""
        return explain(self.result.blocks)


def _rule_ids(findings: Sequence[Finding]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(f.rule_id for f in findings))


def judge(result: GuardResult, *, warned: Sequence[str] = (), ticked: bool = False) -> Verdict:
    """Blocks stop the reply. Warnings are shown once and posted past only with "Post anyway"
    ticked; an edit that brings a warning not shown before is shown again, unticked."""
    if result.blocked:
        return Verdict(result, proceed=False)
    warnings = _rule_ids(result.warnings)
    if not warnings:
        return Verdict(result, proceed=True)
    if set(warnings) <= set(warned):
        if ticked:
            return Verdict(result, proceed=True, overridden=warnings)
        return Verdict(result, proceed=False, warned=warnings, tick_needed=True)
    return Verdict(result, proceed=False, warned=warnings)


class ReplyFlow(ReplyOutcomes):
    """The reply flow for one desk: the form, the guard, starting a reply, hiding on the source;
    posting and what the source answers come from `ReplyOutcomes`."""

    # ---- the form ----------------------------------------------------------------------------

    def form(self, case_id: int, *, audience: Audience = Audience.PUBLIC,
             template: str | None = None, text: str | None = None) -> ReplyForm:
        """The modal's values: the templates (public ones ranked for the case), the one chosen,
        the draft (`text`, else `template` rendered, else the words last worked on, said to be
        someone's unposted words, else the best template rendered), and how the reply goes
        out."""
        review = self.desk.review_of(case_id)
        site_id = self._site_id(review)
        public = audience is Audience.PUBLIC
        if template is not None and replies.find(template, audience, site_id=site_id) is None:
            raise Refusal("unknown_template", case_id, {})
        with self.db.session() as session:
            case = repo.get_case(session, case_id=case_id)
            if case is None:
                raise Refusal("not_found", case_id, {})
            if public and closed_for(case.status, Action.RESPOND):
                check(case, Action.RESPOND, "")  # raises the "closed" refusal
            latest = store.latest(session, case_id=case_id, audience=audience)
            working = latest if latest is not None and latest.status not in (
                *LANDED, Status.SENT) else None
            unsettled = public and bool(store.unsettled(session, case_id=case_id,
                                                        statuses=UNSETTLED))
            editing = public and case.responded_by is not None
            earlier_text = case.reply_text if editing else None
            earlier_template = case.reply_template if editing else None
        if public:
            templates = replies.ranked(review.triage, site_id=site_id,
                                       default=self.config.replies.default_template,
                                       language=language.language_of(review.text))
        else:
            templates = replies.available(Audience.PRIVATE, site_id=site_id)
            templates.sort(key=lambda t: t.name != PRIVATE_DEFAULT)
        names = {t.name for t in templates}
        unposted = None
        if template is None and text is None:  # carry on with the words last worked on
            if working is not None:
                template, text = working.template, working.text
                # said in the modal, so nobody takes old words for a fresh template's
                unposted = Unposted(working.actor, working.updated_at, Status(working.status))
            elif earlier_text is not None:
                template, text = earlier_template, earlier_text
        if template in names:
            selected = template
        else:  # custom words keep no template; a fresh draft starts from the best fit
            selected = None if text is not None or not templates else templates[0].name
        if text is None:
            text = replies.render(selected, config=self.config, author=review.author,
                                  site_id=site_id, audience=audience) if selected else ""
        return ReplyForm(case_id=case_id, audience=audience, review_text=review.text,
                         templates=tuple(templates), selected=selected, draft=text,
                         editing=editing, posting=self.posting(review, audience),
                         unsettled=unsettled, unposted=unposted)

    # ---- the guard ---------------------------------------------------------------------------

    def check(self, case_id: int, text: str, *,
              audience: Audience = Audience.PUBLIC) -> GuardResult:
        """The reply guard on `text`, with the review beside it, the case's triage labels and
        how many public replies the thread already has (none when a new one replaces the old,
        as on Google). A private message is held to the rules that hold in private too."""
        review = self.desk.review_of(case_id)
        earlier = 0
        if audience is Audience.PUBLIC and not self.posting(review).replaces:
            with self.db.session() as session:
                # Replies to the reviewer's newest review only, when they wrote again.
                since = repo.latest_event_at(session, case_id=case_id,
                                             action=Action.WROTE_AGAIN)
                earlier = store.count(session, case_id=case_id, audience=Audience.PUBLIC,
                                      statuses=LANDED, since=since)
                case = repo.get_case(session, case_id=case_id)
                if not earlier and case is not None and case.responded_by:
                    earlier = 1  # recorded before replies were kept one by one
        result = check_reply(text, review_text=review.text, review_author=review.author,
                             labels=review.labels, earlier_public_replies=earlier,
                             rules=rules_for(self.config))
        if audience is Audience.PRIVATE:
            result = GuardResult(tuple(f for f in result.findings
                                       if f.rule_id in PRIVATE_RULES))
        return result

    def source_problem(self, case_id: int, text: str) -> str | None:
        """Why the source would refuse these words outright (checked before posting)."""
        return reply_problem(self.posting(self.desk.review_of(case_id)), text)

    # ---- starting a reply ------------------------------------------------------------------

    def begin(self, case_id: int, actor: str, *, text: str, template: str | None,
              audience: Audience = Audience.PUBLIC,
              overridden: Sequence[str] = ()) -> PostView:
        """Keep the reply that passed the guard: "posting" when reviewdesk posts it (call
        `send` after acknowledging the modal), "ready" when a person copies it. The warnings
        posted past are recorded as an event, with who chose to."""
        text = validate_reply(text)
        review = self.desk.review_of(case_id)
        posting = self.posting(review, audience)
        site_id = self._site_id(review)
        found = replies.find(template, audience, site_id=site_id)
        if found is not None and not replies.comes_from(
                found.name, text, config=self.config, author=review.author, site_id=site_id,
                audience=audience):
            found = None  # written afresh: the history names no template
        status = Status.POSTING if posting.mode is Mode.API else Status.READY

        def once() -> int:
            now = self.clock.now()
            with self.db.session() as session:
                case = repo.get_case(session, case_id=case_id)
                if case is None:
                    raise Refusal("not_found", case_id, {})
                if audience is Audience.PUBLIC:  # closed, or held by someone else: refused
                    check(case, Action.RESPOND, actor)
                if status is Status.POSTING and any(
                        earlier.updated_at > now - STALE_POSTING
                        for earlier in store.unsettled(session, case_id=case_id,
                                                       statuses={Status.POSTING})):
                    raise Refusal("reply_in_progress", case_id, {})
                row = ReplyPost(case_id=case_id, audience=audience, actor=actor, text=text,
                                template=found.name if found else None, source=review.source,
                                mode=posting.mode, status=status, overridden=list(overridden),
                                created_at=now, updated_at=now)
                session.add(row)
                case.updated_at = now  # one writer at a time per case: the version moves
                session.add(case)
                session.flush()
                if overridden:
                    repo.add_event(session, case_id=case_id, actor=actor,
                                   action=Action.GUARD_OVERRIDE, at=now,
                                   details={"rules": list(overridden), "post_id": row.id})
                session.commit()
                assert row.id is not None
                return row.id

        post_id = retry_on_conflict(once)
        logger.info("case %s: reply %s %s (%s)", case_id, post_id, status, posting.source)
        return self.view(post_id)

    # ---- hide on the source -------------------------------------------------------------

    def hide_choice(self, case_id: int) -> str | None:
        """The source's name when Hide can also hide the review there (a Facebook comment,
        with posting on), else None."""
        review = self.desk.review_of(case_id)
        target, _why = hide_target(self.config, self.clients, self._address(review))
        return review.source_name if target else None

    def hide_on_source(self, case_id: int, actor: str) -> HideOnSource:
        """Hide the review on its source too (after the case is hidden here); the result is an
        event and a line in the case's thread. The case stays hidden either way."""
        review = self.desk.review_of(case_id)
        target, why = hide_target(self.config, self.clients, self._address(review))
        if target is None:
            return HideOnSource(review.source_name, False, str(why))
        result = hide(self.clients, target)
        hidden = result.status is PostStatus.POSTED

        def apply(session, case, windows, now):
            return Change({"source": review.source, "code": result.error_code,
                           "http_status": result.http_status},
                          str(line("history_hidden_on_source", source=review.source_name,
                                   hidden=hidden, reason=result.reason)),
                          px_thread=True)

        self.desk.act(case_id, actor,
                      Action.HIDDEN_ON_SOURCE if hidden else Action.HIDE_ON_SOURCE_FAILED,
                      apply, checked=False)
        logger.info("case %s: hide on %s: %s", case_id, review.source, result.describe())
        return HideOnSource(review.source_name, hidden, None if hidden else result.reason)
