"""The app's Home tab for one person, from typed values (bot/home/home.py): who is on call, the
week's figures for their team, then the reviewers on site now they are asked to find (whoever
is), My cases, Missed, Due soon, Unclaimed and Needs a look (the social team), or their PX
follow-ups and those nobody has taken at their sites (Patient Experience), or both, a page of
each with "Show more". Always within Slack's 100 blocks for a Home tab."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from blockkit.core import Component

from bot.blocks.kit import (
    SURFACE_BLOCKS_MAX,
    actions,
    button,
    context,
    divider,
    header,
    home,
    section,
)
from bot.blocks.lists import case_line
from bot.core.case_lists import PX_SECTIONS, CaseLine, Section
from bot.core.roles import Duties
from bot.oncall.blocks import local_time
from bot.reports.figures import Figures, format_share, format_span
from bot.text import line, word

HOME_CLAIM = "home_claim"
HOME_RELEASE = "home_release"
HOME_TAKE_OVER = "home_take_over"
HOME_PX_CONTACTED = "home_px_contacted"
HOME_PX_CLAIM = "home_px_claim"  # take a PX follow-up nobody holds
HOME_RESOLVE = "home_resolve"  # a PX follow-up whose reviewer was contacted
HOME_OUTCOME = "home_outcome"  # Log outcome: someone reached a reviewer on site now (or tried)
HOME_LINK = "home_link"  # link buttons: Slack opens the address; the click is only acknowledged
HOME_PAGE = "home_page"
HOME_MAKE_CASE = "home_make_case"  # "Needs a look": make the review a case
HOME_NOT_COMPLAINT = "home_not_complaint"  # or not


@dataclass(frozen=True)
class ReviewLine:
    """A review triage was unsure about, with no case."""

    review_id: int
    source_name: str
    rating: int | None
    site_name: str | None
    text: str
    url: str | None
    received_at: datetime


@dataclass(frozen=True)
class ListPage:
    """One page of one of the Home tab's lists."""

    section: Section
    lines: tuple[CaseLine | ReviewLine, ...]
    total: int
    page: int  # from 0
    size: int

    @property
    def first(self) -> int:
        return self.page * self.size + 1

    @property
    def last(self) -> int:
        return self.page * self.size + len(self.lines)

    @property
    def more(self) -> bool:
        return self.last < self.total


@dataclass(frozen=True)
class OnCallNow:
    on_call: str | None
    base: str | None
    covering_until: datetime | None
    next_on_call: str | None
    next_at: datetime
    timezone: str


SOCIAL_ONLY = Duties(social=True)


@dataclass(frozen=True)
class HomeContent:
    user: str
    now: datetime
    on_call: OnCallNow
    week: Figures
    week_sites: tuple[str, ...]  # names of the sites the figures are for; () for every site
    lists: tuple[ListPage, ...]
    notice: str | None = None
    duties: Duties = SOCIAL_ONLY
    px_site_names: tuple[str, ...] = ()  # the sites whose PX follow-ups they take; (): all
    find_site_names: tuple[str, ...] = ()  # the sites whose reviewers on site now they find


def action_id(prefix: str, *parts: object) -> str:
    """A Home button's action_id: unique in the view (Slack keys clicks by it), e.g.
    "home_claim:42" or "home_page:unclaimed:2"."""
    return ":".join([prefix, *(str(part) for part in parts)])


def _px_button(case: CaseLine, user: str) -> Component:
    """A PX list's button: take the follow-up, mark the reviewer contacted, or resolve."""
    value = str(case.case_id)
    if case.px_claimant_id is None:
        return button(word("claim"), action_id(HOME_PX_CLAIM, value), value, style="primary")
    if case.px_contacted:
        return button(word("resolve"), action_id(HOME_RESOLVE, value), value)
    return button(word("mark_contacted"), action_id(HOME_PX_CONTACTED, value), value)


def _outcome_button(case: CaseLine) -> Component:
    """A reviewer to find: Log outcome, as the card's ⋯ menu has it (any outcome says someone
    reached them, or tried)."""
    value = str(case.case_id)
    return button(word("log_outcome"), action_id(HOME_OUTCOME, value), value, style="primary")


def _case_button(case: CaseLine, user: str) -> Component | None:
    """The key button of a case's line for `user`. Whoever holds a case's PX follow-up (and
    not the case) is offered PX's next step, Mark contacted, while the follow-up is open, and
    nothing after: never the social team's claim of the case."""
    value = str(case.case_id)
    if case.px_claimant_id == user and case.claimant_id != user:
        if case.window == "px_followup" or case.px_due_at is not None:
            return button(word("mark_contacted"), action_id(HOME_PX_CONTACTED, value), value)
        return None
    if case.claimant_id is None:
        return button(word("claim"), action_id(HOME_CLAIM, value), value, style="primary")
    if case.claimant_id == user:
        return button(word("release"), action_id(HOME_RELEASE, value), value)
    return button(word("take_over"), action_id(HOME_TAKE_OVER, value), value)


def _review_blocks(review: ReviewLine) -> list[Component]:
    """A review waiting for a look, with Make a case, Not a complaint and a link to it."""
    text = str(line("home_review_line", source=review.source_name, rating=review.rating,
                    site_name=review.site_name, text=review.text, url=review.url,
                    received_at=review.received_at))
    value = str(review.review_id)
    buttons = [button(word("make_case"), action_id(HOME_MAKE_CASE, value), value,
                      style="primary"),
               button(word("not_a_complaint"), action_id(HOME_NOT_COMPLAINT, value), value)]
    if review.url:
        buttons.append(button(word("view_review"), action_id(HOME_LINK, "review", value),
                              url=review.url))
    return [section(text), actions(f"home_look_{value}", *buttons)]


def _list_blocks(page: ListPage, content: HomeContent) -> list[Component]:
    user, now, site_names = content.user, content.now, content.px_site_names
    px = page.section in PX_SECTIONS
    finding = page.section == Section.TO_FIND
    # Nothing at their site is said to be covered while a reviewer there waits to be found.
    to_find = sum(other.total for other in content.lists if other.section == Section.TO_FIND)
    if finding:
        heading = str(line("home_to_find_heading", total=page.total,
                           site_names=list(content.find_site_names)))
    elif px:
        heading = str(line("home_px_heading", section=page.section, total=page.total,
                           site_names=list(site_names)))
    else:
        heading = str(line("home_section_heading", section=page.section, total=page.total))
    if page.total > page.size:
        heading += " · " + str(line("home_page", first=page.first, last=page.last,
                                    total=page.total))
    if finding and page.total:
        heading += "\n" + str(line("home_to_find_note"))
    blocks: list[Component] = [section(heading)]
    if not page.total:
        if finding:
            empty = line("home_to_find_empty", site_names=list(content.find_site_names))
        elif px:
            empty = line("home_px_empty", section=page.section, site_names=list(site_names),
                         to_find=to_find)
        else:
            empty = line("home_section_empty", section=page.section)
        blocks.append(context(str(empty)))
    for item in page.lines:
        if isinstance(item, ReviewLine):
            blocks += _review_blocks(item)
        else:
            accessory = (_outcome_button(item) if finding else _px_button(item, user) if px
                         else _case_button(item, user))
            blocks.append(section(case_line(item, now), accessory=accessory))
    pager = []
    if page.page > 0:
        pager.append(button(word("first_page"), action_id(HOME_PAGE, page.section, 0), "0"))
    if page.more:
        pager.append(button(word("show_more"), action_id(HOME_PAGE, page.section,
                                                         page.page + 1), str(page.page + 1)))
    if pager:
        blocks.append(actions(f"home_pager_{page.section}", *pager))
    return blocks


def _week_line(content: HomeContent) -> str:
    week = content.week
    if not content.duties.social:  # PX's week: what reached them and how their follow-ups went
        return str(line("home_px_week", start=week.period.start, opened=week.opened,
                        escalations=week.escalations,
                        px_in_time=format_share(week.window("px_followup")),
                        site_names=list(content.week_sites)))
    return str(line("home_week", start=week.period.start, opened=week.opened,
                    replies_in_time=format_share(week.response_windows),
                    median_to_claim=format_span(week.median_to_claim),
                    escalations=week.escalations, site_names=list(content.week_sites)))


def home_view(content: HomeContent) -> dict:
    """The Home tab view (views.publish's `view`)."""
    on_call = content.on_call
    head = [str(line("oncall_now", user=on_call.on_call, base=on_call.base,
                     covering_until_local=local_time(on_call.covering_until, on_call.timezone)
                     if on_call.covering_until else None))]
    if on_call.next_on_call:
        head.append(str(line("oncall_next", user=on_call.next_on_call,
                             at_local=local_time(on_call.next_at, on_call.timezone))))
    blocks: list[Component] = [header(word("home_title")), section("\n".join(head)),
                               context(_week_line(content))]
    if content.notice:
        blocks.append(section(str(line("home_notice", text=content.notice))))
    for page in content.lists:
        blocks.append(divider())
        blocks += _list_blocks(page, content)
    duties = content.duties
    finding = bool(duties.find_sites)
    footer = (line("home_footer", now=content.now, finding=finding) if not duties.px
              else line("home_px_footer", now=content.now, social=duties.social,
                        finding=finding))
    blocks.append(context(str(footer)))
    assert len(blocks) <= SURFACE_BLOCKS_MAX, f"a Home tab of {len(blocks)} blocks"
    return home(blocks)
