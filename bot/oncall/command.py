"""`/reviewdesk oncall …`: `OnCall` is the rotation service plus its slash command, which
reads the words, makes the change and answers with a message (refusals included)."""

from __future__ import annotations

import logging
from typing import Any

from bot.oncall import blocks
from bot.oncall.parse import parse_override, parse_user, words
from bot.oncall.service import RotationService
from bot.oncall.values import BadInput, OnCallRefusal, refusal
from bot.outbox import Rendered

logger = logging.getLogger(__name__)

_SHOW = {"", "show", "now", "week"}
_CHANGES = {"override", "swap", "remove", "add"}


class OnCall(RotationService):
    """The on-call rotation, as the app wires it: the service and `/reviewdesk oncall`."""

    def command(self, text: str, actor: str) -> Rendered:
        """Answer `/reviewdesk oncall …` (the text after `/reviewdesk`) for `actor`."""
        verb, args = words(text)
        try:
            if verb in _SHOW:
                return blocks.status_message(self.status())
            if verb == "help":
                return blocks.help_message(self.rotation)
            if verb in _CHANGES:
                # Say who may change the rotation before complaining about the wording.
                self.check_admin(actor)
                return self._change(verb, args, actor)
            raise refusal(BadInput, "unknown_command", text=verb)
        except OnCallRefusal as refused:
            logger.info("oncall command refused for %s: %s", actor, type(refused).__name__)
            return blocks.refusal_message(refused.message)

    def _change(self, verb: str, args: list[str], actor: str) -> Rendered:
        if verb == "override":
            now = self.clock.now()
            user, starts_at, ends_at = parse_override(args, now=now, rotation=self.rotation)
            override = self.override(actor, user, starts_at, ends_at)
            return self._done("override", user=user, starts_at=override.starts_at,
                              ends_at=override.ends_at, started=override.starts_at <= now)
        if verb == "swap":
            if len(args) != 2:
                raise refusal(BadInput, "usage", verb="swap")
            first, second = parse_user(args[0]), parse_user(args[1])
            self.swap(actor, first, second)
            return self._done("swapped", first=first, second=second)
        if len(args) != 1:
            raise refusal(BadInput, "usage", verb=verb)
        user = parse_user(args[0])
        (self.remove if verb == "remove" else self.add)(actor, user)
        return self._done("removed" if verb == "remove" else "added", user=user)

    def _done(self, action: str, **facts: Any) -> Rendered:
        return blocks.done_message(action, facts, self.status())
