"""The case card in the triage channel and the PX card in a site's PX channel, from a CardView."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.blocks.kit import (
    SECTION_MAX,
    Rendered,
    actions,
    button,
    context,
    header,
    message,
    section,
)
from bot.case_lists import source_name
from bot.cases import (
    CLOSED,
    HIDE_REASONS,
    IGNORE_REASONS,
    RESPONSE_WINDOWS,
    URGENCIES,
    Status,
    WindowKind,
    closed_reason_label,
)
from bot.ids import ActionId, BlockId
from bot.text import cut_mrkdwn, line, notification, plain_line, quote, stars, word
from bot.triage import TriageResult

DUE_SOON = timedelta(hours=1)
REVIEW_QUOTE_MAX = 2600  # leaves room in the 3,000-character section for the link
PX_REVIEW_QUOTE_MAX = 1200



@dataclass(frozen=True)
class WindowView:
    due_at: datetime
    met_at: datetime | None
    stopped_at: datetime | None
    started_at: datetime | None = None


@dataclass(frozen=True)
class CardView:
    """Everything a card shows, read from the database in one go."""

    case_id: int
    status: str
    source: str
    rating: int | None
    author: str | None
    text: str
    url: str | None
    posted_at: datetime
    site_name: str
    claimant_id: str | None
    claimed_at: datetime | None
    responded_by: str | None
    responded_at: datetime | None
    escalated_by: str | None
    escalated_at: datetime | None
    px_site_name: str | None
    px_urgency: str | None
    px_note: str | None
    px_contacts: tuple[str, ...]
    px_claimant_id: str | None
    px_contacted_by: str | None
    px_contacted_at: datetime | None
    closed_by: str | None
    closed_reason: str | None
    windows: dict[str, WindowView]
    triage: dict = field(default_factory=dict)  # bot.triage.TriageResult.as_dict()
    on_site_contact: str | None = None
    now: datetime | None = None  # when the card is rendered (for "due in 58 min")

    @property
    def source_name(self) -> str:
        return source_name(self.source)

    @property
    def closed_reason_label(self) -> str | None:
        return closed_reason_label(self.status, self.closed_reason)


def format_left(remaining: timedelta) -> str:
    """58 min, 3 h, 2 h 15 min."""
    minutes = max(int(remaining.total_seconds() // 60), 0)
    if minutes < 1:
        return "under a minute"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def _review_quote(view: CardView, limit: int) -> str:
    """The review as a block quote; when it is cut, a link to the whole review follows."""
    if not view.text.strip():
        return str(line("card_no_text"))
    full = str(quote(view.text))
    if len(full) <= limit:
        return full
    read_more = str(line("card_read_more", url=view.url)) if view.url else ""
    if len(read_more) > SECTION_MAX // 3:
        read_more = ""  # a monstrous URL is not worth the room
    shown = cut_mrkdwn(full, min(limit, SECTION_MAX - len(read_more) - 1))
    return f"{shown}\n{read_more}" if read_more else shown


def _status_lines(view: CardView) -> list[str]:
    lines = []
    if view.claimant_id and view.claimed_at:
        lines.append(line("status_claimed", user=view.claimant_id, at=view.claimed_at))
    if view.responded_by and view.responded_at:
        lines.append(line("status_responded", user=view.responded_by, at=view.responded_at))
    if view.escalated_by and view.escalated_at:
        lines.append(
            line(
                "status_escalated",
                site_name=view.px_site_name or view.site_name,
                user=view.escalated_by,
                at=view.escalated_at,
            )
        )
    if view.px_contacted_by and view.px_contacted_at:
        lines.append(
            line("status_px_contacted", user=view.px_contacted_by, at=view.px_contacted_at)
        )
    return [str(text) for text in lines]


def _deadline_line(view: CardView) -> str | None:
    window = next((view.windows[k] for k in RESPONSE_WINDOWS if k in view.windows), None)
    if window is None:
        return None
    if window.met_at:
        return str(line("card_responded_in_time", met_at=window.met_at))
    return _due_line(window, view.now) or str(line("card_respond_by", due_at=window.due_at))


def _due_line(window: WindowView, now: datetime | None) -> str | None:
    """"Due in 58 min" once the deadline is near, "Window missed" once it has passed."""
    if now is None or window.met_at or window.stopped_at:
        return None
    if now >= window.due_at:
        return str(line("card_missed", due_at=window.due_at))
    remaining = window.due_at - now
    length = window.due_at - (window.started_at or window.due_at)
    if remaining <= max(DUE_SOON, length / 4):
        return str(line("card_due_soon", due_at=window.due_at, left=format_left(remaining)))
    return None


def _triage_lines(view: CardView) -> list[str]:
    """The small labels under the review, and what the labels suggest doing."""
    if not view.triage:
        return []
    result = TriageResult.from_dict(view.triage)
    lines = []
    if result.labels or result.themes:
        lines.append(str(line(
            "card_labels", labels=list(result.labels), reasons=result.reasons,
            themes=[theme.replace("_", " ") for theme in result.themes],
            on_site_contact=view.on_site_contact if "urgent" in result.labels else None,
        )))
    if result.suggested_hide_reason:
        lines.append(str(line("card_suggestion", action="Hide",
                              reason=HIDE_REASONS[result.suggested_hide_reason])))
    elif result.suggested_ignore_reason:
        lines.append(str(line("card_suggestion", action="Ignore",
                              reason=IGNORE_REASONS[result.suggested_ignore_reason])))
    return lines


def _closed_line(view: CardView) -> str:
    return str(
        line(
            "status_closed",
            status=view.status,
            reason=view.closed_reason_label or "",
            user=view.closed_by,
        )
    )


def case_card(view: CardView) -> Rendered:
    """The triage card: full while the case is open, one line once hidden, ignored or resolved."""
    value = str(view.case_id)
    if view.status in CLOSED:
        summary = line(
            "collapsed_summary",
            source=view.source_name,
            rating=view.rating,
            site_name=view.site_name,
            author=view.author,
        )
        return message(
            notification("case_update", source=view.source_name, site_name=view.site_name,
                       status=view.status),
            blocks=[
                section(f"{summary}\n{_closed_line(view)}"),
                actions(
                    BlockId.CASE_ACTIONS,
                    button(word("show"), ActionId.SHOW, value),
                    button(word("reopen"), ActionId.REOPEN, value),
                ),
            ],
        )

    buttons = [
        button(word("release"), ActionId.RELEASE, value)
        if view.claimant_id
        else button(word("claim"), ActionId.CLAIM, value, style="primary"),
        button(word("edit_reply" if view.responded_by else "respond"), ActionId.RESPOND, value),
    ]
    if not view.escalated_by:
        buttons.append(button(word("escalate"), ActionId.ESCALATE, value))
    buttons += [
        button(word("hide"), ActionId.HIDE, value, style="danger"),
        button(word("ignore"), ActionId.IGNORE, value),
    ]
    if view.url:
        buttons.append(button(word("view_review"), ActionId.OPEN_REVIEW, value, url=view.url))

    blocks = [
        header(plain_line("card_header", source=view.source_name, stars=stars(view.rating))),
        context(str(line("card_byline", site_name=view.site_name, author=view.author,
                         posted_at=view.posted_at))),
        section(_review_quote(view, REVIEW_QUOTE_MAX)),
    ]
    labels = _triage_lines(view)
    if labels:
        blocks.append(context(*labels))
    deadline = _deadline_line(view)
    if deadline:
        blocks.append(context(deadline))
    status = _status_lines(view)
    blocks.append(context(*status) if status else context(str(line("status_unclaimed"))))
    blocks.append(actions(BlockId.CASE_ACTIONS, *buttons))
    return message(
        notification(
            "new_case", source=view.source_name, rating=view.rating, site_name=view.site_name
        ),
        blocks=blocks,
    )


def expanded_card(view: CardView) -> Rendered:
    """What "Show" reveals of a collapsed card, privately to the person who asked."""
    return message(
        notification("review_for", source=view.source_name, site_name=view.site_name),
        blocks=[
            header(plain_line("card_header", source=view.source_name, stars=stars(view.rating))),
            context(str(line("card_byline", site_name=view.site_name, author=view.author,
                             posted_at=view.posted_at))),
            section(_review_quote(view, REVIEW_QUOTE_MAX)),
            context(_closed_line(view), *_status_lines(view)),
            actions(BlockId.CASE_ACTIONS,
                    button(word("reopen"), ActionId.REOPEN, str(view.case_id))),
        ],
    )


def risk_notice(view: CardView, *, triage_channel: str) -> Rendered:
    """The copy of a risk case for the risk channel (risk management and legal)."""
    blocks = [
        section(str(line("risk_notice", case_id=view.case_id, triage_channel=triage_channel))),
        context(str(line("card_byline", site_name=view.site_name, author=view.author,
                         posted_at=view.posted_at))),
        section(_review_quote(view, PX_REVIEW_QUOTE_MAX)),
    ]
    labels = _triage_lines(view)
    if labels:
        blocks.append(context(labels[0]))
    return message(notification("risk_case", source=view.source_name, site_name=view.site_name),
                   blocks=blocks)


def batch_summary(*, source: str, site_name: str | None, count: int) -> Rendered:
    name = source_name(source)
    text = str(line("batch_summary", count=count, source=name, site_name=site_name))
    return message(
        notification("batch_case", count=count, source=name, site_name=site_name),
        blocks=[section(text)],
    )


def px_card(view: CardView) -> Rendered:
    """The Patient Experience card: the review, the escalation note, and PX's own buttons."""
    value = str(view.case_id)
    urgency = URGENCIES.get(view.px_urgency or "", view.px_urgency or "Routine")
    blocks = [
        header(plain_line("px_card_header", site_name=view.px_site_name or view.site_name)),
        section(str(line("px_escalated_by", user=view.escalated_by, at=view.escalated_at,
                         urgency=urgency))),
        section(
            str(line("px_review_summary", source=view.source_name, rating=view.rating,
                     author=view.author, posted_at=view.posted_at))
            + "\n" + _review_quote(view, PX_REVIEW_QUOTE_MAX)
        ),
    ]
    if view.px_note:
        blocks.append(section(str(line("px_note", note=view.px_note))))
    facts = []
    window = view.windows.get(WindowKind.PX_FOLLOWUP)
    if window and not window.met_at and view.status == Status.OPEN:
        facts.append(_due_line(window, view.now)
                     or str(line("px_follow_up_by", due_at=window.due_at)))
    if view.px_contacts:
        facts.append(str(line("px_contacts", users=list(view.px_contacts))))
    if facts:
        blocks.append(context(*facts))
    status = []
    if view.px_claimant_id:
        status.append(str(line("status_px_claimed", user=view.px_claimant_id)))
    if view.px_contacted_by and view.px_contacted_at:
        status.append(str(line("status_px_contacted", user=view.px_contacted_by,
                               at=view.px_contacted_at)))
    if view.status in CLOSED:
        status.append(_closed_line(view))
    if status:
        blocks.append(context(*status))

    if view.status in CLOSED:
        buttons = [button(word("reopen"), ActionId.REOPEN, value)]
    else:
        buttons = []
        if not view.px_claimant_id:
            buttons.append(button(word("claim"), ActionId.PX_CLAIM, value, style="primary"))
        if not view.px_contacted_by:
            buttons.append(button(word("mark_contacted"), ActionId.PX_CONTACTED, value))
        buttons.append(button(word("resolve"), ActionId.PX_RESOLVE, value))
    blocks.append(actions(BlockId.PX_ACTIONS, *buttons))
    return message(
        notification("px_case", site_name=view.px_site_name or view.site_name, urgency=urgency),
        blocks=blocks,
    )
