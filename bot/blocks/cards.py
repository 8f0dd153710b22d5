"""The case card in the triage channel and the PX card in a site's PX channel, from a CardView;
also the copy for the risk channel, what Show reveals and a burst's summary. Their lines are
bot/blocks/card_lines.py's."""

from __future__ import annotations

from bot.blocks.card_lines import (
    PX_REVIEW_QUOTE_MAX,
    REVIEW_QUOTE_MAX,
    closed_line,
    deadline_line,
    due_line,
    more_menu,
    outcome_line,
    review_quote,
    status_lines,
    triage_lines,
)
from bot.blocks.card_view import CardView
from bot.blocks.ids import ActionId, BlockId
from bot.blocks.kit import actions, button, context, header, message, section
from bot.core.case_changes import ON_SITE, URGENT_LABELS
from bot.core.case_lists import source_name
from bot.core.cases import CLOSED, URGENCIES, Status, WindowKind
from bot.outbox import Rendered
from bot.text import line, notification, plain_line, quote, stars, word


def case_card(view: CardView) -> Rendered:
    """The triage card: full while the case is open, one line once hidden, ignored or resolved."""
    value = str(view.case_id)
    if view.status == Status.DONE:
        return _done_card(view)
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
                section(f"{summary}\n{closed_line(view)}"),
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
    # Escalating again changes the urgency PX works to.
    buttons.append(button(word("escalate"), ActionId.ESCALATE, value))
    buttons += [
        button(word("hide"), ActionId.HIDE, value, style="danger"),
        button(word("ignore"), ActionId.IGNORE, value),
    ]
    if view.url:
        buttons.append(button(word("view_review"), ActionId.OPEN_REVIEW, value, url=view.url))
    buttons.append(more_menu(view.case_id,
                              on_site=ON_SITE not in (view.triage.get("labels") or ())))

    blocks = _review_blocks(view)
    labels = triage_lines(view)
    if labels:
        blocks.append(context(*labels))
    deadline = deadline_line(view)
    if deadline:
        blocks.append(context(deadline))
    status = status_lines(view)
    blocks.append(context(*status) if status else context(str(line("status_unclaimed"))))
    blocks.append(actions(BlockId.CASE_ACTIONS, *buttons))
    return message(
        notification(
            "new_case", source=view.source_name, rating=view.rating, site_name=view.site_name
        ),
        blocks=blocks,
    )


def _review_blocks(view: CardView) -> list[dict]:
    """The card's head: the source and stars, who wrote it where, their words, and their newer
    words when they wrote again."""
    blocks = [
        header(plain_line("card_header", source=view.source_name, stars=stars(view.rating))),
        context(str(line("card_byline", site_name=view.site_name, author=view.author,
                         posted_at=view.posted_at))),
    ]
    if view.followup_text is None:
        blocks.append(section(review_quote(view, REVIEW_QUOTE_MAX)))
        return blocks
    # Both reviews share the section's room; the newer words matter more.
    older = review_quote(view, PX_REVIEW_QUOTE_MAX)
    newer = f"{line('card_wrote_again', rating=view.followup_rating)}\n" + str(
        quote(view.followup_text, REVIEW_QUOTE_MAX - PX_REVIEW_QUOTE_MAX - 200))
    blocks += [section(older), section(newer)]
    return blocks


def _done_card(view: CardView) -> Rendered:
    """A case whose work has ended: the review stays readable, the card says who answered,
    when and where, and Edit reply, Escalate and Reopen stay at hand."""
    value = str(view.case_id)
    buttons = [button(word("edit_reply"), ActionId.RESPOND, value),
               button(word("escalate"), ActionId.ESCALATE, value),
               button(word("reopen"), ActionId.REOPEN, value)]
    if view.url:
        buttons.append(button(word("view_review"), ActionId.OPEN_REVIEW, value, url=view.url))
    buttons.append(more_menu(view.case_id))
    blocks = _review_blocks(view)
    labels = triage_lines(view, suggest=False)
    if labels:
        blocks.append(context(*labels))
    deadline = deadline_line(view)
    if deadline:
        blocks.append(context(deadline))
    reached = bool(view.outcome) and "urgent" in view.windows
    blocks += [context(str(line("status_done", reached=reached)), *status_lines(view)),
               actions(BlockId.CASE_ACTIONS, *buttons)]
    return message(
        notification("case_update", source=view.source_name, site_name=view.site_name,
                     status=view.status),
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
            section(review_quote(view, REVIEW_QUOTE_MAX)),
            context(closed_line(view), *status_lines(view)),
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
        section(review_quote(view, PX_REVIEW_QUOTE_MAX)),
    ]
    labels = triage_lines(view)
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


def _below_urgent(view: CardView) -> str | None:
    """On the PX card of a risk or on-site case escalated below Urgent: said, as in its thread
    (a second first morning found a lawyer's case shown to PX as plain Routine)."""
    if view.px_urgency == "urgent" or view.status != Status.OPEN:
        return None
    reasons = view.triage.get("reasons") or {}
    found = {label: reasons.get(label, "") for label in view.triage.get("labels") or ()
             if label in URGENT_LABELS}
    return str(line("history_below_urgent", reasons=found)) if found else None


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
            + "\n" + review_quote(view, PX_REVIEW_QUOTE_MAX)
        ),
    ]
    labels = triage_lines(view, suggest=False)  # PX sees someone on site now, or risk, too
    below = _below_urgent(view)
    if labels or below:
        blocks.append(context(*labels, *([below] if below else [])))
    if view.px_note:
        blocks.append(section(str(line("px_note", note=view.px_note))))
    facts = []
    window = view.windows.get(WindowKind.PX_FOLLOWUP)
    if window and not window.met_at and view.status == Status.OPEN:
        facts.append(due_line(window, view.now)
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
    outcome = outcome_line(view)
    if outcome:
        status.append(outcome)
    if view.status in CLOSED:
        status.append(closed_line(view))
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
    buttons.append(more_menu(view.case_id))
    blocks.append(actions(BlockId.PX_ACTIONS, *buttons))
    return message(
        notification("px_case", site_name=view.px_site_name or view.site_name, urgency=urgency),
        blocks=blocks,
    )
