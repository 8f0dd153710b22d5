"""A claim means something: who else holds a case a person is about to act on, the take-over
they agreed to before acting, and the claim a public reply makes on an unclaimed case."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.core.cases import PX_HOLDER_ONLY, Action, Offer, Refusal, check
from storage import repository as repo

if TYPE_CHECKING:
    from bot.desk.desk import Desk

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Holder:
    """Who holds a case, and since when (the claim or the take-over); `px`: its PX follow-up,
    which PX's own steps need held."""

    user_id: str
    since: datetime | None
    px: bool = False

    @classmethod
    def of(cls, refused: Refusal) -> Holder | None:
        """The holder a refusal names when it offers to take the case over and continue."""
        if refused.offer is not Offer.TAKE_OVER_AND_CONTINUE:
            return None
        if refused.reason == "px_held_by_other":
            return cls(refused.facts["px_claimant"], refused.facts.get("px_claimed_at"),
                       px=True)
        return cls(refused.facts["claimant"], refused.facts.get("claimed_at"))


def holder_besides(desk: Desk, case_id: int, actor: str, action: Action) -> Holder | None:
    """Who holds the case when it is someone other than `actor`, about to do `action`; None
    when nobody else does. Roles and the case's state are checked first and refused as
    everywhere (a Refusal)."""
    try:
        desk.check_allowed(case_id, action, actor)
    except Refusal as refused:
        holder = Holder.of(refused)
        if holder is None:
            raise
        return holder
    return None


def holder_on_record(desk: Desk, case_id: int, actor: str, action: Action) -> Holder | None:
    """The same, from the case alone, refusing nothing: what a submission reads before it
    answers Slack, which may not wait on roles (a user group's members are asked of Slack) or
    on anything the action itself refuses when it runs."""
    with desk.db.session() as session:
        case = repo.get_case(session, case_id=case_id)
        if case is None:
            return None
        try:
            check(case, action, actor)
        except Refusal as refused:
            return Holder.of(refused)
    return None


def make_way(desk: Desk, case_id: int, actor: str, action: Action, *,
             taking_from: str | None, request_key: str) -> None:
    """Right before `actor` does `action`: take the case over when `taking_from` (the holder
    they were shown and chose to take it from) still holds it. Anyone else holding it is
    refused with the offer to take over and continue; `request_key` keeps a repeated request
    from taking it over twice."""
    try:
        desk.check_allowed(case_id, action, actor)
    except Refusal as refused:
        holder = Holder.of(refused)
        if holder is None or holder.user_id != taking_from:
            raise
        take_over_for(desk, case_id, actor, action, request_key=f"{request_key}:take_over")


def take_over_for(desk: Desk, case_id: int, actor: str, action: Action, *,
                  request_key: str) -> None:
    """Take over what `action` needs held: the PX follow-up for PX's steps (the PX thread says
    so), else the case (its thread says so)."""
    if action in PX_HOLDER_ONLY:
        desk.px_take_over(case_id, actor, request_key=request_key)
    else:
        desk.take_over(case_id, actor, request_key=request_key)


# Answering a case publicly makes it yours when nobody holds it: what follows a reply (the
# source's moderation, a rejection reopening the window, the reviewer writing back) then
# reminds the person who wrote it rather than whoever is on call. Only a reply that is out
# counts (posted, held for the source's moderation, or marked posted): pressing Next and then
# cancelling leaves the case as it was, so its reminders still go to whoever is on call.
# Escalating hands the work to PX's own claim, and Hide and Ignore close the case, so they
# leave the claim as it is.
def claim_for_reply(desk: Desk, case_id: int, actor: str, *, request_key: str) -> None:
    """Make an unclaimed case the replier's. Called once the reply is out, just before it is
    recorded, which nothing here may stop: a case claimed (or closed) a moment before is left
    as it is, and the reply, posted while nobody held the case, is recorded all the same."""
    try:
        if desk.check_allowed(case_id, Action.RESPOND, actor).claimant_id is None:
            desk.claim(case_id, actor, request_key=f"{request_key}:claim")
    except Refusal as refused:
        logger.info("case %s: not claimed for the reply of %s (%s)", case_id, actor,
                    refused.reason)
