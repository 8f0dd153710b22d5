"""What the outbox sends (a rendered message, and the kinds of messages), how a delivery attempt
ended, and which of Slack's answers mean that sending again cannot help."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

METADATA_EVENT = "reviewdesk_message"  # the metadata event every post carries, with its key


@dataclass(frozen=True)
class Rendered:
    """A message ready for chat.postMessage / chat.update: notification text, blocks and
    attachments (as Slack's JSON; bot.blocks.kit.message builds them)."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    # Slack takes a table block only in a message's attachments, one table per message.
    attachments: list[dict[str, Any]] = field(default_factory=list)

    def kwargs(self) -> dict[str, Any]:
        """The text, blocks and attachments as Web API arguments."""
        kwargs: dict[str, Any] = {"text": self.text}
        if self.blocks:
            kwargs["blocks"] = self.blocks
        if self.attachments:
            kwargs["attachments"] = self.attachments
        return kwargs


class Kind(StrEnum):
    POST_CARD = "post_card"
    UPDATE_CARD = "update_card"
    POST_PX_CARD = "post_px_card"
    UPDATE_PX_CARD = "update_px_card"
    THREAD_REPLY = "thread_reply"
    MESSAGE = "message"
    POST_BATCH = "post_batch"
    UPDATE_BATCH = "update_batch"
    POST_LOOK_LIST = "post_look_list"  # the day's "Needs a look" message
    UPDATE_LOOK_LIST = "update_look_list"
    RISK_NOTICE = "risk_notice"  # a copy of a risk case for the risk channel
    CASE_DM = "case_dm"  # a direct message about a case, with a link to its card
    CASES_DM = "cases_dm"  # a direct message listing several cases, with a link to each card
    DM = "dm"  # a direct message to a person
    USERGROUP_SYNC = "usergroup_sync"  # set a Slack user group's members (the on-call group)
    UPLOAD_FILE = "upload_file"  # share a file (the digest's chart) in a channel or a DM


# Posts create a message: one whose outcome is unknown is looked up before it is sent again.
POSTS = frozenset(
    {Kind.POST_CARD, Kind.POST_PX_CARD, Kind.THREAD_REPLY, Kind.MESSAGE, Kind.POST_BATCH,
     Kind.POST_LOOK_LIST, Kind.RISK_NOTICE, Kind.CASE_DM, Kind.CASES_DM, Kind.DM,
     Kind.UPLOAD_FILE}
)
UPLOAD = "files.upload_v2"  # slack_sdk's files.getUploadURLExternal, the bytes, and
#                             files.completeUploadExternal
UPDATES = frozenset({Kind.UPDATE_CARD, Kind.UPDATE_PX_CARD})
# Others wait for these to be posted.
LOCATED = frozenset({Kind.POST_CARD, Kind.POST_PX_CARD, Kind.POST_BATCH, Kind.POST_LOOK_LIST})


class Outcome(StrEnum):
    SENT = "sent"
    WAITING = "waiting"  # not sent now; later messages of the same case must wait too
    SKIPPED = "skipped"  # another worker holds it
    PAUSED = "paused"  # rate limited: stop the pass


# Errors that say our message itself is wrong: sending it again cannot succeed.
OUR_MISTAKES = frozenset({
    "invalid_blocks", "invalid_blocks_format", "msg_too_long", "no_text", "invalid_arguments",
    "invalid_metadata_format", "invalid_metadata_schema", "metadata_too_large",
    "message_not_found", "cant_update_message", "thread_not_found",
})
# Slack's answers that say the on-call user group cannot be updated until someone changes a
# setting in Slack or in reviewdesk.toml: the sync is not tried again until the next change of
# person (usergroups.users.update; missing_scope: the app lacks usergroups:write).
GROUP_REFUSALS = frozenset({
    "no_such_subteam", "permission_denied", "invalid_users", "invalid_user", "no_users_provided",
    "failed_for_some_users", "plan_upgrade_required", "missing_scope", "not_allowed_token_type",
})


def case_key(case_id: int) -> str:
    return f"case:{case_id}"


def dm_key(user: str) -> str:
    return f"dm:{user}"


def usergroup_key(usergroup: str) -> str:
    return f"usergroup:{usergroup}"
