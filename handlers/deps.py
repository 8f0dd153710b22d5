"""What the Slack listeners of actions.py and views.py work with, bound to each listener when
its module's table is registered (`functools.partial(listener, deps)`)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.card_views import CardViews
from bot.desk.desk import Desk
from bot.replies.flow import ReplyFlow


@dataclass(frozen=True)
class Deps:
    desk: Desk
    flow: ReplyFlow
    cards: CardViews  # a card as it is now (Show's expanded card)

    @property
    def organization(self) -> str:
        return self.desk.config.organization
