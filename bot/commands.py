"""`/reviewdesk …`: reads the words and answers with a private message. `open`, `mine`, `due`,
`missed`, `find TEXT`, `case ID`, `stats [7d|30d|90d] [site]`, `oncall …` and `help`; anything
else gets the help text. handlers/commands.py acknowledges first and posts what this returns."""

from __future__ import annotations

import logging
import re

from bot.blocks import lists as blocks
from bot.card_views import CardViews, CaseNotFound
from bot.clock import Clock
from bot.config import Config
from bot.core.case_lists import LISTS, CaseLists
from bot.core.cases import CLOSED
from bot.oncall.command import OnCall
from bot.outbox import Rendered
from bot.reports.blocks import stats_message
from bot.reports.periods import last_days
from bot.reports.reports import Reports
from bot.text import line
from storage import repository as repo
from storage.db import Database

logger = logging.getLogger(__name__)

LIST_LIMIT = 20  # lines in a list answer; the footer says how many there are in all
STATS_DAYS = (7, 30, 90)
FIND_MAX_CHARS = 200
_DAYS = re.compile(r"^(\d+)d$", re.IGNORECASE)
_CASE_ID = re.compile(r"^#?(\d{1,9})$")


def _unescape(text: str) -> str:
    """Slack escapes &, < and > in a command's text."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


class Commands:
    def __init__(self, db: Database, config: Config, clock: Clock, *, lists: CaseLists,
                 views: CardViews, reports: Reports, oncall: OnCall):
        self.db = db
        self.config = config
        self.clock = clock
        self.lists = lists
        self.views = views
        self.reports = reports
        self.oncall = oncall

    def answer(self, text: str, user: str, *, home_url: str | None = None) -> Rendered:
        """The private answer to `/reviewdesk <text>` typed by `user`."""
        text = (text or "").strip()
        verb, _, rest = text.partition(" ")
        verb, rest = verb.lower(), rest.strip()
        logger.info("/reviewdesk %s by %s", verb or "(help)", user)
        if verb in ("", "help"):
            return blocks.help_message()
        if verb == "oncall":
            return self.oncall.command(text, user)
        if verb in LISTS and not rest:
            return self._list(verb, user, home_url)
        if verb == "find":
            return self._find(_unescape(rest))
        if verb == "case":
            return self._case(rest)
        if verb == "stats":
            return self._stats(_unescape(rest))
        return blocks.help_message(unknown=text)

    def _list(self, what: str, user: str, home_url: str | None) -> Rendered:
        now = self.clock.now()
        return blocks.case_list_message(what, self.lists.listing(what, user, now,
                                                                 limit=LIST_LIMIT),
                                        now=now, home_url=home_url)

    def _find(self, words: str) -> Rendered:
        words = " ".join(words.split())[:FIND_MAX_CHARS]
        found = self.lists.find(words, LIST_LIMIT)
        if not found.query.searchable:
            return blocks.note(str(line("find_usage", words=words)))
        return blocks.find_message(found, now=self.clock.now(), words=words)

    def _case(self, rest: str) -> Rendered:
        match = _CASE_ID.match(rest)
        if not match:
            return blocks.note(str(line("case_usage")))
        case_id = int(match[1])
        try:
            facts = self.views.load(case_id)
        except CaseNotFound:
            return blocks.note(str(line("case_not_found", case_id=case_id)))
        card = (self.views.expanded if facts.status in CLOSED else self.views.case_card)(case_id)
        with self.db.session() as session:
            events = [(e.action, e.actor, e.created_at, dict(e.details or {}))
                      for e in repo.events_of(session, case_id=case_id)]
        return blocks.case_message(card, case_id, events)

    def _stats(self, rest: str) -> Rendered:
        tokens = rest.split()
        days = 7
        if tokens and (match := _DAYS.match(tokens[0])):
            days = int(match[1])
            tokens = tokens[1:]
            if days not in STATS_DAYS:
                return blocks.note(str(line("stats_usage")))
        site = None
        if tokens:
            site = self.config.site(" ".join(tokens))
            if site is None:
                return blocks.note(str(line("stats_unknown_site", text=" ".join(tokens),
                                            sites=list(self.config.sites))))
        period = last_days(self.clock.now(), days, self.config.timezone)
        figures = self.reports.figures(period, sites=[site.id] if site else None)
        return stats_message(self.config, figures, days=days,
                             site_name=site.name if site else None)


def home_link(app_id: str | None, team_id: str | None) -> str | None:
    """A link that opens the app in Slack (its Home tab is a click away): Slack's documented
    app_redirect address (docs.slack.dev, "Deep linking into Slack")."""
    if not app_id:
        return None
    return f"https://slack.com/app_redirect?app={app_id}" + (f"&team={team_id}" if team_id
                                                             else "")
