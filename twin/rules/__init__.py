"""What Slack accepts, as a table of rules with the page that says each one, and the checker
the twin applies them with.

Two kinds of rule:

- ``reject``: Slack refuses the payload.  `check_message` and `check_view` report these as
  `Violation`s, which the twin answers in Slack's own shape (``invalid_blocks`` with
  ``errors`` and ``response_metadata.messages`` for ``chat.*``, ``invalid_arguments`` for
  ``views.*``; ``no_text`` and ``invalid_metadata_format`` where Slack uses those), each reason
  ending in ``[json-pointer:/blocks/3/element/max_length]``.
- ``render``: Slack accepts the payload but a person would see it broken (a ``<!date`` token cut
  before its ``>``, a ``<`` that opens no token, an entity Slack won't decode, a ``>`` quote
  marker that does not start a line, text Slack truncates, a message with blocks and no
  notification text).  The twin accepts these and
  records them as render problems on the call.

Every rule cites the Slack page it comes from (``Rule.source``), mostly
https://docs.slack.dev/reference/block-kit/...  The checker is strict where the docs are: unknown
properties are rejected, block types are checked per surface (message, modal, Home tab) and
element types per container (section accessory, actions, input, context).  Block types the
twin does not model (``alert``, ``card``, ``carousel``, ``file``...) are rejected as unsupported.
Standard library only.

The package: `twin.rules.table` (the rules and the pages they cite), `twin.rules.specs` (each
object's fields and their checks), `twin.rules.blocks` (the walker), `twin.rules.mrkdwn` (text
that renders wrongly); the entry points below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from twin.rules.blocks import Walk
from twin.rules.mrkdwn import DATE_TOKENS, mrkdwn_problems
from twin.rules.specs import view_spec
from twin.rules.table import RULES, Rule, Violation

__all__ = [
    "DATE_TOKENS", "RULES", "Outcome", "Rule", "Violation", "check_message", "check_view",
    "check_view_submission_response", "mrkdwn_problems", "view_submission_response_errors",
]


@dataclass
class Outcome:
    """What Slack would do with a payload.

    ``error`` is the API error Slack answers with (None when it accepts the payload);
    ``violations`` are the reasons behind it; ``render`` are problems a person would see in an
    accepted payload; ``warnings`` are Slack's ``response_metadata.warnings``.
    """

    error: str | None = None
    violations: list[Violation] = field(default_factory=list)
    render: list[Violation] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        return [violation.error for violation in self.violations]

    def response(self) -> dict[str, Any]:
        """The rejection body, in Slack's shape."""
        body: dict[str, Any] = {"ok": False, "error": self.error}
        if self.violations:
            messages = [f"[ERROR] {error}" for error in self.errors]
            if self.error == "invalid_blocks":
                body["errors"] = self.errors
            body["response_metadata"] = {"messages": messages}
        return body

    def problems(self) -> list[str]:
        """Lines for a report: each rejection and each render problem with its rule."""
        lines = [f"rejected {self.error}: {v.describe()}" for v in self.violations]
        if self.error and not self.violations:
            lines.append(f"rejected {self.error}")
        lines += [f"renders wrongly: {v.describe()}" for v in self.render]
        return lines


def _attachments(walk: Walk, attachments: Any) -> None:
    if not isinstance(attachments, list):
        walk.fail("attachment.shape", "/attachments", "must be an array")
        return
    walk.in_attachment = True
    for index, attachment in enumerate(attachments):
        pointer = f"/attachments/{index}"
        if not isinstance(attachment, dict):
            walk.fail("attachment.shape", pointer, "must be an object")
        elif attachment.get("blocks") is not None:
            walk.blocks(attachment["blocks"], f"{pointer}/blocks", "message.blocks")
    walk.in_attachment = False


def check_message(params: dict[str, Any]) -> Outcome:
    """What Slack does with a chat.postMessage / chat.update / chat.postEphemeral payload."""
    text, blocks = params.get("text"), params.get("blocks")
    outcome = Outcome()
    walk = Walk("message")
    if not text and not blocks and not params.get("attachments"):
        walk.fail("message.no_text", "/text", "no text, blocks or attachments")
        return Outcome("no_text", walk.violations)
    if blocks is not None:
        if isinstance(blocks, str):  # undecodable JSON stays a string
            return Outcome("invalid_blocks_format")
        walk.blocks(blocks, "/blocks", "message.blocks")
        if walk.violations:
            return Outcome("invalid_blocks", walk.violations, walk.render)
    attachments = params.get("attachments")
    if attachments is not None:
        _attachments(walk, attachments)
        if walk.violations:
            return Outcome("invalid_attachments", walk.violations, walk.render)
    metadata = params.get("metadata")
    if metadata is not None and not (
        isinstance(metadata, dict)
        and isinstance(metadata.get("event_type"), str)
        and metadata["event_type"]
        and isinstance(metadata.get("event_payload"), dict)
    ):
        walk.fail("message.metadata", "/metadata", "must have event_type and event_payload")
        return Outcome("invalid_metadata_format", walk.violations, walk.render)
    if blocks and not (isinstance(text, str) and text.strip()):
        walk.fail("message.text_fallback", "/text",
                  "blocks without top-level text: notifications and screen readers get none")
    if isinstance(text, str):
        limit = RULES["message.text_truncated"].limit
        assert limit is not None
        if len(text) > limit:
            walk.fail("message.text_truncated", "/text",
                      f"text of {len(text)} characters is truncated to {limit}")
            outcome.warnings.append("message_truncated")
        for problem in mrkdwn_problems(text[:limit]):
            walk.fail(problem.rule_id, "/text", problem.reason)
    outcome.render = walk.render
    return outcome


def check_view(view: Any, surface: Literal["modal", "home"]) -> Outcome:
    """What Slack does with the ``view`` of views.open/push/update (modal) or views.publish
    (home): ``invalid_arguments`` with the reasons, or acceptance with render problems."""
    walk = Walk(surface)
    if not isinstance(view, dict):
        walk.fail("json.type", "/view", "must provide an object")
        return Outcome("invalid_arguments", walk.violations)
    walk.obj(view_spec(surface), view, "/view")
    if view.get("type") not in (None, surface):
        walk.fail("view.type", "/view/type", f"must be {surface}")
    blocks = view.get("blocks")
    if blocks is not None:
        walk.blocks(blocks, "/view/blocks", f"{surface}.blocks")
    if surface == "modal" and view.get("submit") is None and isinstance(blocks, list) and any(
        isinstance(block, dict) and block.get("type") == "input" for block in blocks
    ):
        walk.fail("modal.submit_required", "/view/submit",
                  "must be provided when the view has input blocks")
    if walk.violations:
        return Outcome("invalid_arguments", walk.violations, walk.render)
    return Outcome(None, [], walk.render)


def check_view_submission_response(view: dict[str, Any], body: Any) -> list[Violation]:
    """What is wrong with the body an app acked a ``view_submission`` of ``view`` with.

    An empty body closes the modal.  ``errors`` must be an object keyed by the block_ids of
    *input* blocks in the submitted view, each a non-empty message (Slack documents no length
    limit for these); ``update``/``push`` views are checked as modals.
    """
    if body in (None, "", {}):
        return []
    walk = Walk("modal")
    if not isinstance(body, dict):
        walk.fail("json.type", "", "must be an object")
        return walk.violations
    action = body.get("response_action")
    walk.one_of("submission.response_action", action, "/response_action",
                ("errors", "update", "push", "clear"))
    render: list[Violation] = []
    if action == "errors":
        errors = body.get("errors")
        inputs = {block.get("block_id") for block in view.get("blocks") or []
                  if isinstance(block, dict) and block.get("type") == "input"}
        if not isinstance(errors, dict) or not errors:
            walk.fail("submission.errors", "/errors", "must be a non-empty object")
        else:
            for key, message in errors.items():
                if key not in inputs:
                    walk.fail("submission.errors", f"/errors/{key}",
                              f"{key!r} is not the block_id of an input block in the view")
                elif not isinstance(message, str) or not message.strip():
                    walk.fail("submission.errors", f"/errors/{key}",
                              "must be a non-empty string")
    elif action in ("update", "push"):
        outcome = check_view(body.get("view"), "modal")
        for violation in outcome.violations:
            walk.fail("submission.view", violation.pointer, violation.reason)
        render = outcome.render
    return walk.violations + render


def view_submission_response_errors(view: dict[str, Any], body: Any) -> list[str]:
    """`check_view_submission_response` as report lines (empty when Slack takes the ack)."""
    return [f"bad view_submission response: {violation.describe()}"
            for violation in check_view_submission_response(view, body)]
