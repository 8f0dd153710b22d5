"""The modals behind Respond (and what the reply flow shows after it), the private follow-up,
Log outcome, Escalate, Hide and Ignore."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.blocks.ids import ActionId, BlockId, CallbackId, InputId, ModalContext
from bot.blocks.kit import (
    SECTION_MAX,
    actions,
    button,
    checkboxes,
    context,
    input_block,
    modal,
    plain_sections,
    section,
    static_select,
    text_input,
)
from bot.config import Site
from bot.core.cases import HIDE_REASONS, IGNORE_REASONS, MAX_NOTE_CHARS, MAX_REPLY_CHARS, URGENCIES
from bot.core.outcomes import Outcome
from bot.core.reply_status import Status
from bot.desk.holding import Holder
from bot.replies.guard import Finding
from bot.replies.targets import Mode
from bot.replies.templates import Audience
from bot.replies.values import PostView, ReplyForm, explain
from bot.text import line, plain_line, quote, word

POST_ANYWAY = "post_anyway"  # the value of the Post anyway box
HIDE_THERE = "hide_on_source"  # the value of the "Also hide it on Facebook" box


def reply_block_id(template_name: str | None, audience: Audience = Audience.PUBLIC) -> str:
    """A new block_id per template: Slack keeps typed text for an unchanged block_id, so a
    changed draft needs a changed id to replace what the box shows."""
    base = BlockId.PRIVATE if audience is Audience.PRIVATE else BlockId.REPLY
    return f"{base}:{template_name or 'custom'}"


# What the warnings' lines may take of their section (the rest is its heading and bullets).
WARNINGS_MAX = SECTION_MAX - 400


def respond_modal(
    form: ReplyForm,
    *,
    context_value: ModalContext,
    organization: str,
    warnings: Sequence[Finding] = (),
    held: Holder | None = None,
    viewer: str | None = None,
) -> dict[str, Any]:
    """The Respond modal (public reply) or the private follow-up modal, built from the one
    form the reply flow gives; `warnings` are the guard's, shown with a Post anyway box,
    `held` says who came to hold the case while it was open, and `viewer` (who opens it) is
    told whether an unposted draft in the box is theirs."""
    private = form.audience is Audience.PRIVATE
    picker = static_select(
        ActionId.PRIVATE_TEMPLATE if private else ActionId.REPLY_TEMPLATE,
        [(t.title, t.name) for t in form.templates],
        placeholder=word("template_placeholder"),
        initial_value=form.selected,
    )
    review = form.review_text
    blocks: list[Any] = [
        section(quote(review, 600) if review.strip() else str(line("no_review_text"))),
        context(str(line("private_explanation" if private else "rules_reminder"))),
        section(str(line("template_heading")),
                block_id=BlockId.PRIVATE_TEMPLATE if private else BlockId.TEMPLATE,
                accessory=picker),
        *_unposted_notice(form, viewer),
        input_block(
            reply_block_id(form.selected, form.audience),
            word("private_message" if private else "public_reply"),
            text_input(InputId.PRIVATE if private else InputId.REPLY,
                       initial_value=form.draft, max_length=MAX_REPLY_CHARS),
            hint=word("private_hint" if private else "public_reply_hint"),
        ),
    ]
    if not private:
        posting = form.posting
        blocks.append(context(str(line(
            "reply_posting", mode=posting.mode.value, source=posting.source_name,
            by_hand=posting.by_hand.value if posting.by_hand else None,
            organization=organization, unsettled=form.unsettled))))
    if warnings:
        # a section holds more than the text box's error: the warnings' whole explanations
        blocks.append(section(str(line("reply_warnings", lines=explain(
            warnings, limit=WARNINGS_MAX).splitlines()))))
        blocks.append(input_block(
            BlockId.POST_ANYWAY, word("post_anyway_label"),
            checkboxes(InputId.POST_ANYWAY, [(word("post_anyway"), POST_ANYWAY)]),
            optional=True,
        ))
    if private:
        title, submit = word("private_followup"), word("next")
    else:
        title = word("edit_reply_title" if form.editing else "respond_title")
        submit = (plain_line("post_submit", source=form.posting.source_name)
                  if form.posting.mode is Mode.API else word("next"))
    blocks = [*_held_notice(held, submit), *blocks]
    return modal(
        callback_id=CallbackId.PRIVATE if private else CallbackId.RESPOND,
        title=title,
        submit=submit,
        blocks=blocks,
        private_metadata=context_value.dump(),
    )


def ready_modal(post: PostView, *, context_value: ModalContext) -> dict[str, Any]:
    """Copy-ready words (a public reply to post by hand, or a private message to send), a link
    to the review, and Mark as posted (or sent) as the submit button."""
    private = post.audience is Audience.PRIVATE
    blocks: list[Any] = [context(str(line("reply_ready", source=post.posting.source_name,
                                          url=post.posting.review_url, private=private)))]
    blocks += plain_sections(post.text)
    return modal(
        callback_id=CallbackId.PRIVATE_READY if private else CallbackId.REPLY_READY,
        title=word("send_title" if private else "ready_title"),
        submit=word("mark_sent" if private else "mark_posted"),
        blocks=blocks,
        private_metadata=context_value.dump(),
    )


def reply_result_modal(post: PostView, *, context_value: ModalContext,
                       checking: bool = False) -> dict[str, Any]:
    """Posting… (or, `checking`, asking the source whether the reply is there), then what
    the source answered, with what can be done next."""
    source, url = post.posting.source_name, post.posting.review_url
    value = str(post.post_id)
    blocks: list[Any] = [section(str(line(
        "reply_result", status=post.status.value, source=source, reason=post.reason,
        retryable=post.retryable, instead=post.instead_of is not None, checking=checking)))]
    buttons = []
    if post.status is Status.FAILED:
        if post.retryable:
            buttons.append(button(word("try_again"), ActionId.REPLY_RETRY, value,
                                  style="primary"))
        buttons.append(button(word("edit_reply"), ActionId.REPLY_EDIT, value))
        if not post.retryable:  # a refusal that trying again will not cure: post by hand
            blocks.append(context(str(line("reply_by_hand", source=source, url=url))))
            blocks += plain_sections(post.text)
        buttons.append(button(word("mark_posted"), ActionId.REPLY_MARK_POSTED, value))
    elif post.status is Status.REJECTED:
        buttons.append(button(word("edit_reply"), ActionId.REPLY_EDIT, value,
                              style="primary"))
    elif post.status is Status.UNKNOWN:
        if url:
            blocks.append(context(str(line("review_link", source=source, url=url))))
        buttons += [button(word("check_again"), ActionId.REPLY_CHECK, value),
                    button(word("mark_posted"), ActionId.REPLY_MARK_POSTED, value)]
    if buttons:
        blocks.append(actions(BlockId.REPLY_RESULT, *buttons))
    return modal(
        callback_id=CallbackId.REPLY_RESULT,
        title=word("reply_title"),
        blocks=blocks,
        private_metadata=context_value.dump(),
        close=word("close"),
    )


def _outcome_inputs(current: str | None, note: str | None = None) -> list[dict[str, Any]]:
    """What came of a case (`current` chosen) and an optional note: Log outcome's and
    Resolve's inputs."""
    return [
        _pick(BlockId.OUTCOME, InputId.OUTCOME, "outcome",
              [(outcome.label, outcome.value) for outcome in Outcome], current),
        input_block(BlockId.NOTE, word("note"),
                    text_input(InputId.NOTE, max_length=MAX_NOTE_CHARS, initial_value=note),
                    optional=True),
    ]


def outcome_modal(*, context_value: ModalContext, current: str | None) -> dict[str, Any]:
    return modal(
        callback_id=CallbackId.OUTCOME,
        title=word("log_outcome"),
        submit=word("log_outcome"),
        private_metadata=context_value.dump(),
        blocks=[
            context(str(line("outcome_explanation"))),
            *_outcome_inputs(current),
        ],
    )


def resolve_modal(*, context_value: ModalContext, current: str | None,
                  held: Holder | None = None, note: str | None = None) -> dict[str, Any]:
    """Resolve a PX follow-up: what came of it (the latest outcome logged, if any, chosen), and
    a note."""
    return modal(
        callback_id=CallbackId.RESOLVE,
        title=word("resolve"),
        submit=word("resolve"),
        private_metadata=context_value.dump(),
        blocks=[
            *_held_notice(held, word("resolve")),
            context(str(line("resolve_explanation"))),
            *_outcome_inputs(current, note),
        ],
    )


def escalate_modal(
    *, context_value: ModalContext, sites: list[Site], site_id: str | None,
    urgency: str | None = "routine", note: str | None = None, held: Holder | None = None,
    px_site_name: str | None = None, px_due_at: datetime | None = None,
    urgent_reasons: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Escalate: the site, the urgency (chosen for the case: urgent when on site now or risk,
    with a warning against less), a note. When PX already has the case, escalating again
    changes its urgency."""
    explanation = (line("escalate_again_explanation", site_name=px_site_name, due_at=px_due_at)
                   if px_site_name else line("escalate_explanation"))
    warning = ([context(str(line("escalate_urgent_warning", reasons=urgent_reasons)))]
               if urgent_reasons else [])
    return modal(
        callback_id=CallbackId.ESCALATE,
        title=word("escalate_title"),
        submit=word("escalate_submit"),
        private_metadata=context_value.dump(),
        blocks=[
            *_held_notice(held, word("escalate_submit")),
            context(str(explanation)),
            _pick(BlockId.SITE, InputId.SITE, "site", [(site.name, site.id) for site in sites],
                  site_id),
            _pick(BlockId.URGENCY, InputId.URGENCY, "urgency",
                  [(label, value) for value, label in URGENCIES.items()], urgency),
            *warning,
            input_block(
                BlockId.NOTE,
                word("px_note"),
                text_input(InputId.NOTE, max_length=MAX_NOTE_CHARS, initial_value=note,
                           placeholder=word("px_note_placeholder")),
                optional=True,
            ),
        ],
    )


def _pick(block_id: str, input_id: str, name: str, options: Sequence[tuple[str, str]],
          initial: str | None) -> dict[str, Any]:
    """A required pick from a list: labelled word(name), with word(name + "_placeholder")."""
    return input_block(block_id, word(name),
                       static_select(input_id, options,
                                     placeholder=word(f"{name}_placeholder"),
                                     initial_value=initial))


def _reason_modal(
    *,
    callback_id: str,
    title: str,
    submit: str,
    explanation: str,
    reasons: dict[str, str],
    context_value: ModalContext,
    suggested: str | None,
    extra: Sequence[Any] = (),
    note: str | None = None,
    held: Holder | None = None,
) -> dict[str, Any]:
    return modal(
        callback_id=callback_id,
        title=title,
        submit=submit,
        private_metadata=context_value.dump(),
        blocks=[
            *_held_notice(held, submit),
            context(explanation),
            _pick(BlockId.REASON, InputId.REASON, "reason",
                  [(label, value) for value, label in reasons.items()], suggested),
            *extra,
            input_block(
                BlockId.NOTE,
                word("note"),
                text_input(InputId.NOTE, max_length=MAX_NOTE_CHARS, initial_value=note),
                optional=True,
            ),
        ],
    )


def hide_modal(*, context_value: ModalContext, suggested: str | None = None,
               on_source: str | None = None, hide_there: bool = True, note: str | None = None,
               held: Holder | None = None) -> dict[str, Any]:
    """Hide, asking why; `on_source` (a source's name) offers to hide it there too, ticked
    unless `hide_there` is False."""
    extra = []
    if on_source:
        extra.append(input_block(
            BlockId.HIDE_ON_SOURCE, word("hide_on_source_label"),
            checkboxes(InputId.HIDE_ON_SOURCE,
                       [(plain_line("hide_on_source", source=on_source), HIDE_THERE)],
                       checked=[HIDE_THERE] if hide_there else []),
            optional=True,
        ))
    return _reason_modal(
        callback_id=CallbackId.HIDE,
        title=word("hide_title"),
        submit=word("hide"),
        explanation=str(line("hide_explanation", on_source=on_source)),
        reasons=HIDE_REASONS,
        context_value=context_value,
        suggested=suggested,
        extra=extra,
        note=note,
        held=held,
    )


def ignore_modal(*, context_value: ModalContext, suggested: str | None = None,
                 note: str | None = None, held: Holder | None = None) -> dict[str, Any]:
    return _reason_modal(
        callback_id=CallbackId.IGNORE,
        title=word("ignore_title"),
        submit=word("ignore"),
        explanation=str(line("ignore_explanation")),
        reasons=IGNORE_REASONS,
        context_value=context_value,
        suggested=suggested,
        note=note,
        held=held,
    )


def _unposted_notice(form: ReplyForm, viewer: str | None) -> list[Any]:
    """Whose words the box holds, when they are someone's unposted draft rather than a
    template's: nobody should post them believing they are the template."""
    found = form.unposted
    if found is None:
        return []
    return [context(str(line("unposted_draft", actor=found.actor, at=found.at,
                             status=found.status.value, yours=found.actor == viewer,
                             private=form.audience is Audience.PRIVATE)))]


def _held_notice(held: Holder | None, submit: str) -> list[Any]:
    """Who came to hold the case while the modal was open, above everything else."""
    if held is None:
        return []
    return [section(str(line("held_notice", holder=held.user_id, since=held.since,
                             submit=submit, px=held.px)))]
