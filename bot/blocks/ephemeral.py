"""Private answers to one person: why an action was refused, and what went wrong."""

from __future__ import annotations

from bot.blocks.kit import Rendered, actions, button, message, section
from bot.cases import Offer, Refusal
from bot.ids import ActionId
from bot.text import line, word

_OFFER_BUTTONS = {
    Offer.TAKE_OVER: ("take_over", ActionId.TAKE_OVER),
    Offer.PX_TAKE_OVER: ("take_over", ActionId.PX_TAKE_OVER),
    Offer.REOPEN: ("reopen", ActionId.REOPEN),
}


def refusal(refused: Refusal) -> Rendered:
    text = str(line("refusal", reason=refused.reason, facts=refused.facts))
    blocks = [section(text)]
    if refused.offer and refused.case_id is not None:
        label, action_id = _OFFER_BUTTONS[refused.offer]
        blocks.append(actions("refusal_offer",
                              button(word(label), action_id, str(refused.case_id))))
    return message(text, blocks)


def internal_error(reference: str) -> Rendered:
    text = str(line("internal_error", reference=reference))
    return message(text, [section(text)])


def request_refused(reason: str) -> Rendered:
    """Why a request was not carried out at all (another workspace, a channel the desk does not
    use, a button that does not match its card, data that could not be read)."""
    text = str(line("request_refused", reason=reason))
    return message(text, [section(text)])
