"""Private answers to one person: why an action was refused, and what went wrong."""

from __future__ import annotations

from bot.blocks.ids import ActionId
from bot.blocks.kit import actions, button, message, section
from bot.core.cases import Offer, Refusal
from bot.outbox import Rendered
from bot.text import line, word

_OFFER_BUTTONS = {
    Offer.TAKE_OVER: ("take_over", ActionId.TAKE_OVER),
    Offer.PX_TAKE_OVER: ("take_over", ActionId.PX_TAKE_OVER),
    Offer.REOPEN: ("reopen", ActionId.REOPEN),
}


def refusal(refused: Refusal) -> Rendered:
    text = str(line("refusal", reason=refused.reason, facts=refused.facts))
    blocks = [section(text)]
    if refused.offer is Offer.TAKE_OVER_AND_CONTINUE and refused.case_id is not None:
        # What the person pressed rides in the button, to open its modal once they hold it.
        blocks.append(actions(
            "refusal_offer",
            button(word("take_over_continue"), ActionId.TAKE_OVER_AND_CONTINUE,
                   f"{refused.case_id}:{refused.facts['action']}", style="primary"),
            button(word("cancel"), ActionId.OFFER_CANCEL, str(refused.case_id))))
    elif refused.offer and refused.case_id is not None:
        label, action_id = _OFFER_BUTTONS[refused.offer]
        blocks.append(actions("refusal_offer",
                              button(word(label), action_id, str(refused.case_id))))
    return message(text, blocks)


def internal_error(reference: str) -> Rendered:
    text = str(line("internal_error", reference=reference))
    return message(text, [section(text)])


def hide_on_source_failed(source: str, reason: str | None) -> Rendered:
    """Hide worked here but not on the source (a Facebook comment)."""
    text = str(line("hide_on_source_failed", source=source, reason=reason))
    return message(text, [section(text)])


def request_refused(reason: str) -> Rendered:
    """Why a request was not carried out at all (another workspace, a channel the desk does not
    use, a button that does not match its card, data that could not be read)."""
    text = str(line("request_refused", reason=reason))
    return message(text, [section(text)])
