"""What a hand-off sends, inside the transaction that records it: the announcement (with the
open cases) in the rotation's channel and by DM, and the on-call user group set to the new
person, all as outbox rows so each goes out once, after restarts and Slack outages alike."""

from __future__ import annotations

import logging

from sqlmodel import Session

from bot.config import Config
from bot.core.case_lists import CaseList, CaseLists, OpenCases
from bot.oncall.blocks import handoff_message
from bot.oncall.values import Handoff
from bot.outbox import OutboxWriter

logger = logging.getLogger(__name__)

HANDOFF_CASES = 15  # open cases listed in a hand-off message; the rest are counted
ORDERING_KEY = "oncall"


def open_cases(session: Session, lists: CaseLists) -> CaseList:
    """The open cases a hand-off lists, as `/reviewdesk open` lists them (missed first, then
    the earliest deadline), and how many are open. Its lines go without links to the cards:
    finding the workspace's address may ask Slack, which the transaction recording the
    hand-off must not wait on."""
    return lists.page_in(session, OpenCases(), limit=HANDOFF_CASES)


def announce(session: Session, outbox: OutboxWriter, config: Config, handoff: Handoff) -> None:
    """The hand-off message in the rotation's channel (default: the triage channel), and the
    same, worded for them, by DM to the new on-call person."""
    channel = config.rotation.channel or config.slack.triage_channel
    announcement = handoff_message(handoff)
    outbox.message(session, channel=channel, rendered=announcement, ordering_key=ORDERING_KEY)
    outbox.dm(session, user=handoff.on_call, rendered=handoff_message(handoff, direct=True),
              ordering_key=ORDERING_KEY)


def keep_group_in_step(session: Session, outbox: OutboxWriter, usergroup: str | None,
                       on_call: str | None) -> None:
    """Like Grafana OnCall's Slack user group: when [rotation] usergroup is set and its members
    were last asked to be someone else, ask Slack to make it `on_call` (usergroups.users.update,
    through the outbox). Nobody on call leaves the group as it is: Slack cannot empty one."""
    if usergroup is None or on_call is None:
        return
    if outbox.requested_usergroup(session, usergroup=usergroup) == [on_call]:
        return
    outbox.usergroup_sync(session, usergroup=usergroup, users=[on_call])
    logger.info("on-call user group %s: asking Slack to make it %s", usergroup, on_call)
