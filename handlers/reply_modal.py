"""The reply's result modal kept up to date: used by the buttons inside it (actions.py) and by
the Respond submission that opens it (views.py)."""

from __future__ import annotations

import dataclasses
import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.ids import ModalContext
from bot.replies.modals import reply_result_modal
from bot.replies.values import PostView

logger = logging.getLogger("reviewdesk.handlers")


def show_post(client: WebClient, view_id: str, post: PostView, context: ModalContext, *,
              view_hash: str | None = None, checking: bool = False) -> None:
    """Show a reply's state in its modal (views.update). The person may have closed the modal
    meanwhile: the card and its thread tell the same, so a refusal here is only logged."""
    shown = dataclasses.replace(context, post_id=post.post_id, warned=())
    try:
        client.views_update(view_id=view_id, hash=view_hash,
                            view=reply_result_modal(post, context_value=shown,
                                                    checking=checking))
    except SlackApiError as error:
        logger.info("reply %s: the modal could not be updated (%s)", post.post_id,
                    error.response.get("error"))
