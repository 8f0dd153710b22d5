"""The lines the cards are built of, each read off a CardView: the review quoted, the triage
labels and what they suggest, the deadline ("due in 58 min", "Window missed"), who did what
and the outcome, and the ⋯ menu beside the buttons."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.blocks.card_view import CardView, WindowView
from bot.blocks.ids import ActionId, MoreChoice
from bot.blocks.kit import SECTION_MAX, overflow
from bot.core.cases import HIDE_REASONS, IGNORE_REASONS, RESPONSE_WINDOWS, URGENCIES, Status
from bot.core.deadlines import due_soon_from
from bot.core.outcomes import Outcome
from bot.text import cut_mrkdwn, line, quote, word
from bot.triage import TriageResult

REVIEW_QUOTE_MAX = 2600  # leaves room in the 3,000-character section for the link
PX_REVIEW_QUOTE_MAX = 1200


def format_left(remaining: timedelta) -> str:
    """58 min, 3 h, 2 h 15 min."""
    minutes = max(int(remaining.total_seconds() // 60), 0)
    if minutes < 1:
        return "under a minute"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def review_quote(view: CardView, limit: int) -> str:
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


def _reply_line(view: CardView) -> str | None:
    """What the card says about the latest public reply beyond "Responded by": awaiting
    moderation, rejected (and why), failed, or not known to have landed."""
    if view.reply_status not in ("pending", "rejected", "failed", "unknown"):
        return None
    return str(line("card_reply", status=view.reply_status, source=view.source_name,
                    reason=view.reply_reason))


def outcome_line(view: CardView) -> str | None:
    if not (view.outcome and view.outcome_by and view.outcome_at):
        return None
    return str(line("card_outcome", outcome=_outcome_label(view.outcome), user=view.outcome_by,
                    at=view.outcome_at))


def _outcome_label(outcome: str) -> str:
    try:
        return Outcome(outcome).label
    except ValueError:
        return outcome


def more_menu(case_id: int, *, on_site: bool = False):
    """The overflow menu beside a card's buttons: the private follow-up and Log outcome, and on
    an open card not yet on site now, On site now (a person knows what triage did not)."""
    return overflow(ActionId.CASE_MORE, [
        (word("private_followup"), f"{MoreChoice.PRIVATE}:{case_id}"),
        (word("log_outcome"), f"{MoreChoice.OUTCOME}:{case_id}"),
        *([(word("mark_on_site"), f"{MoreChoice.ON_SITE}:{case_id}")] if on_site else []),
    ])


def status_lines(view: CardView) -> list[str]:
    lines = []
    if view.claimant_id and view.claimed_at:
        lines.append(line("status_claimed", user=view.claimant_id, at=view.claimed_at))
    if view.responded_by and view.responded_at:
        lines.append(line("status_responded", user=view.responded_by, at=view.responded_at,
                          reply_status=view.reply_status, source=view.source_name))
    reply = _reply_line(view)
    if reply:
        lines.append(reply)
    if view.escalated_by and view.escalated_at:
        lines.append(
            line(
                "status_escalated",
                site_name=view.px_site_name or view.site_name,
                user=view.escalated_by,
                at=view.escalated_at,
                urgency=URGENCIES.get(view.px_urgency or ""),
            )
        )
    if view.px_contacted_by and view.px_contacted_at:
        lines.append(
            line("status_px_contacted", user=view.px_contacted_by, at=view.px_contacted_at)
        )
    outcome = outcome_line(view)
    if outcome:
        lines.append(outcome)
    if view.awaiting_reach:
        lines.append(line("status_awaiting_reach"))
    return [str(text) for text in lines]


def deadline_line(view: CardView) -> str | None:
    # The latest response window: a case that came back has a new one.
    window = max((view.windows[k] for k in RESPONSE_WINDOWS if k in view.windows),
                 key=lambda w: w.started_at or w.due_at, default=None)
    if window is None:
        return None
    if window.met_at:
        return str(line("card_responded_in_time", met_at=window.met_at))
    return due_line(window, view.now) or str(line("card_respond_by", due_at=window.due_at))


def due_line(window: WindowView, now: datetime | None) -> str | None:
    """"Due in 58 min" once the deadline is near, "Window missed" once it has passed."""
    if now is None or window.met_at or window.stopped_at:
        return None
    if now >= window.due_at:
        return str(line("card_missed", due_at=window.due_at))
    if now >= due_soon_from(window.started_at or window.due_at, window.due_at):
        return str(line("card_due_soon", due_at=window.due_at,
                        left=format_left(window.due_at - now)))
    return None


def triage_lines(view: CardView, *, suggest: bool = True) -> list[str]:
    """The small labels under the review, and what the labels suggest doing (`suggest`). Who
    should find a reviewer on site now is named while the case is open."""
    if not view.triage:
        return []
    result = TriageResult.from_dict(view.triage)
    lines = []
    if result.labels or result.themes:
        lines.append(str(line(
            "card_labels", labels=list(result.labels), reasons=result.reasons,
            themes=[theme.replace("_", " ") for theme in result.themes],
            on_site_people=list(view.on_site_people)
            if "urgent" in result.labels and view.status == Status.OPEN else None,
        )))
    if not suggest:
        return lines
    if result.suggested_hide_reason:
        lines.append(str(line("card_suggestion", action="Hide",
                              reason=HIDE_REASONS[result.suggested_hide_reason])))
    elif result.suggested_ignore_reason:
        lines.append(str(line("card_suggestion", action="Ignore",
                              reason=IGNORE_REASONS[result.suggested_ignore_reason])))
    return lines


def closed_line(view: CardView) -> str:
    return str(
        line(
            "status_closed",
            status=view.status,
            reason=view.closed_reason_label or "",
            user=view.closed_by,
            # A resolved card, collapsed, still says what came of the follow-up.
            outcome=_outcome_label(view.outcome) if view.outcome else None,
        )
    )
