"""What Slack accepts, as a table of rules with the page that says each one, and the checker
the twin applies them with.

Two kinds of rule:

- ``reject``: Slack refuses the payload.  `check_message` and `check_view` report these as
  `Violation`s, which the twin answers in Slack's own shape (``invalid_blocks`` with
  ``errors`` and ``response_metadata.messages`` for ``chat.*``, ``invalid_arguments`` for
  ``views.*``; ``no_text`` and ``invalid_metadata_format`` where Slack uses those), each reason
  ending in ``[json-pointer:/blocks/3/element/max_length]``.
- ``render``: Slack accepts the payload but a person would see it broken (a ``<!date`` token cut
  before its ``>``, a ``<`` that opens no token, an entity Slack won't decode, text Slack
  truncates, a message with blocks and no notification text).  The twin accepts these and
  records them as render problems on the call.

Every rule cites the Slack page it comes from (``Rule.source``), mostly
https://docs.slack.dev/reference/block-kit/...  The checker is strict where the docs are: unknown
properties are rejected, block types are checked per surface (message, modal, Home tab) and
element types per container (section accessory, actions, input, context).  Block types the
twin does not model (``alert``, ``card``, ``carousel``, ``file``...) are rejected as unsupported.
Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

# --------------------------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------------------------

_BK = "https://docs.slack.dev/reference/block-kit"
BLOCKS_PAGE = f"{_BK}/blocks"
SECTION = f"{_BK}/blocks/section-block"
HEADER = f"{_BK}/blocks/header-block"
CONTEXT = f"{_BK}/blocks/context-block"
ACTIONS = f"{_BK}/blocks/actions-block"
DIVIDER = f"{_BK}/blocks/divider-block"
INPUT = f"{_BK}/blocks/input-block"
IMAGE_BLOCK = f"{_BK}/blocks/image-block"
RICH_TEXT = f"{_BK}/blocks/rich-text-block"
MARKDOWN = f"{_BK}/blocks/markdown-block"
TABLE = f"{_BK}/blocks/table-block"
VIDEO = f"{_BK}/blocks/video-block"
BUTTON = f"{_BK}/block-elements/button-element"
CHECKBOXES = f"{_BK}/block-elements/checkboxes-element"
DATEPICKER = f"{_BK}/block-elements/date-picker-element"
DATETIMEPICKER = f"{_BK}/block-elements/datetime-picker-element"
EMAIL_INPUT = f"{_BK}/block-elements/email-input-element"
FILE_INPUT = f"{_BK}/block-elements/file-input-element"
IMAGE_ELEMENT = f"{_BK}/block-elements/image-element"
MULTI_SELECT = f"{_BK}/block-elements/multi-select-menu-element"
NUMBER_INPUT = f"{_BK}/block-elements/number-input-element"
OVERFLOW = f"{_BK}/block-elements/overflow-menu-element"
PLAIN_TEXT_INPUT = f"{_BK}/block-elements/plain-text-input-element"
RADIO = f"{_BK}/block-elements/radio-button-group-element"
RICH_TEXT_INPUT = f"{_BK}/block-elements/rich-text-input-element"
SELECT = f"{_BK}/block-elements/select-menu-element"
TIMEPICKER = f"{_BK}/block-elements/time-picker-element"
URL_INPUT = f"{_BK}/block-elements/url-input-element"
WORKFLOW_BUTTON = f"{_BK}/block-elements/workflow-button-element"
TEXT_OBJECT = f"{_BK}/composition-objects/text-object"
OPTION = f"{_BK}/composition-objects/option-object"
OPTION_GROUP = f"{_BK}/composition-objects/option-group-object"
CONFIRM = f"{_BK}/composition-objects/confirmation-dialog-object"
SLACK_FILE = f"{_BK}/composition-objects/slack-file-object"
MODAL_VIEW = "https://docs.slack.dev/reference/views/modal-views"
HOME_VIEW = "https://docs.slack.dev/reference/views/home-tab-views"
POST_MESSAGE = "https://docs.slack.dev/reference/methods/chat.postMessage"
TRUNCATION = "https://api.slack.com/changelog/2018-04-truncating-really-long-messages"
METADATA = "https://docs.slack.dev/messaging/message-metadata"
FORMATTING = "https://docs.slack.dev/messaging/formatting-message-text"
MODALS = "https://docs.slack.dev/surfaces/modals"
VIEW_SUBMISSION = "https://docs.slack.dev/reference/interaction-payloads/view-interactions-payload"

# --------------------------------------------------------------------------------------------
# The rules table
# --------------------------------------------------------------------------------------------

Kind = Literal["reject", "render"]
Surface = Literal["message", "modal", "home"]


@dataclass(frozen=True)
class Rule:
    """One thing Slack requires.  ``low``/``limit`` bound a length, a count or a number."""

    id: str
    says: str
    source: str
    limit: int | None = None
    low: int | None = None
    kind: Kind = "reject"


_TABLE: tuple[Rule, ...] = (
    # -- generic -------------------------------------------------------------------------
    Rule("json.type", "each field has its documented JSON type", BLOCKS_PAGE),
    Rule("required", "required fields are present", BLOCKS_PAGE),
    Rule("properties", "an object has only its documented fields", BLOCKS_PAGE),
    # -- surfaces ------------------------------------------------------------------------
    Rule("message.blocks", "up to 50 blocks in each message", BLOCKS_PAGE, limit=50),
    Rule("modal.blocks", "a modal view has at most 100 blocks", MODAL_VIEW, limit=100),
    Rule("home.blocks", "a Home tab view has at most 100 blocks", HOME_VIEW, limit=100),
    Rule("block.type", "a known block type that is available on the surface", BLOCKS_PAGE),
    Rule("block_id.length", "block_id is at most 255 characters", BLOCKS_PAGE, limit=255),
    Rule("block_id.unique", "block_id is unique in a message or view", BLOCKS_PAGE),
    Rule("action_id.length", "action_id is at most 255 characters", BUTTON, limit=255),
    Rule("action_id.unique", "action_id is unique among the action_ids of its containing block",
         BUTTON),
    Rule("container.element", "an element type compatible with its block (section accessory, "
         "actions elements, input element, context elements)", BLOCKS_PAGE),
    # -- text objects --------------------------------------------------------------------
    Rule("text.type", "a text object is plain_text or mrkdwn", TEXT_OBJECT),
    Rule("text.length", "a text object's text is 1-3000 characters", TEXT_OBJECT,
         limit=3000, low=1),
    Rule("text.plain_only", "this field takes a plain_text text object", TEXT_OBJECT),
    Rule("text.emoji", "emoji is only usable when type is plain_text", TEXT_OBJECT),
    Rule("text.verbatim", "verbatim is only usable when type is mrkdwn", TEXT_OBJECT),
    # -- blocks --------------------------------------------------------------------------
    Rule("section.text", "section text is at most 3000 characters", SECTION, limit=3000),
    Rule("section.fields", "section fields: at most 10 items", SECTION, limit=10, low=1),
    Rule("section.field_text", "each section field is at most 2000 characters", SECTION,
         limit=2000),
    Rule("section.text_or_fields", "a section has text or fields", SECTION),
    Rule("header.text", "header text: plain_text, at most 150 characters", HEADER, limit=150),
    Rule("context.elements", "context: 1-10 image elements and text objects", CONTEXT,
         limit=10, low=1),
    Rule("actions.elements", "actions: 1-25 interactive elements", ACTIONS, limit=25, low=1),
    Rule("input.label", "input label: plain_text, at most 2000 characters", INPUT, limit=2000),
    Rule("input.hint", "input hint: plain_text, at most 2000 characters", INPUT, limit=2000),
    Rule("image.alt_text", "image alt_text is at most 2000 characters", IMAGE_BLOCK, limit=2000),
    Rule("image.image_url", "image_url is at most 3000 characters", IMAGE_BLOCK, limit=3000),
    Rule("image.title", "image title: plain_text, at most 2000 characters", IMAGE_BLOCK,
         limit=2000),
    Rule("image.source", "an image has either image_url or slack_file, not both",
         IMAGE_BLOCK),
    Rule("markdown.text", "the cumulative limit for all markdown blocks in a payload is "
         "12,000 characters", MARKDOWN, limit=12_000),
    Rule("rich_text.elements", "rich_text holds rich_text_section/list/quote/preformatted "
         "elements of known inline types", RICH_TEXT),
    Rule("table.rows", "table: at most 100 rows", TABLE, limit=100, low=1),
    Rule("table.cells", "each table row has at most 20 cells", TABLE, limit=20, low=1),
    Rule("table.cell", "table cells are raw_text or rich_text", TABLE),
    Rule("table.column_settings", "table column_settings: at most 20 items", TABLE, limit=20),
    Rule("table.align", "column align is left, center or right", TABLE),
    Rule("table.one_per_message", "only one table block per message", TABLE, limit=1),
    Rule("video.title", "video title is less than 200 characters", VIDEO, limit=199),
    Rule("video.author_name", "video author_name is less than 50 characters", VIDEO, limit=49),
    # -- elements ------------------------------------------------------------------------
    Rule("button.text", "button text: plain_text, at most 75 characters", BUTTON, limit=75),
    Rule("button.value", "button value is at most 2000 characters", BUTTON, limit=2000),
    Rule("button.url", "button url is at most 3000 characters", BUTTON, limit=3000),
    Rule("button.style", "button style is primary or danger", BUTTON),
    Rule("button.accessibility_label", "accessibility_label is at most 75 characters",
         BUTTON, limit=75),
    Rule("placeholder.text", "placeholder: plain_text, at most 150 characters", SELECT,
         limit=150),
    Rule("select.options", "a static select has 1-100 options", SELECT, limit=100, low=1),
    Rule("select.option_groups", "a static select has 1-100 option groups", SELECT, limit=100,
         low=1),
    Rule("select.options_or_groups", "a static select has options or option_groups, not both",
         SELECT),
    Rule("select.initial_option", "initial_option exactly matches one of the options", SELECT),
    Rule("multi_select.initial_options", "initial_options exactly match options", MULTI_SELECT),
    Rule("multi_select.max_selected_items", "max_selected_items is at least 1", MULTI_SELECT,
         low=1),
    Rule("option.text", "option text is at most 75 characters (plain_text in selects and "
         "overflow menus)", OPTION, limit=75),
    Rule("option.value", "option value is required, at most 150 characters", OPTION,
         limit=150),
    Rule("option.description", "option description is at most 75 characters", OPTION,
         limit=75),
    Rule("option.url", "an option url is only available in overflow menus, at most 3000 "
         "characters", OPTION, limit=3000),
    Rule("option_group.label", "option group label: plain_text, at most 75 characters",
         OPTION_GROUP, limit=75),
    Rule("option_group.options", "an option group has 1-100 options", OPTION_GROUP,
         limit=100, low=1),
    Rule("overflow.options", "an overflow menu has up to five options", OVERFLOW, limit=5,
         low=1),
    Rule("checkboxes.options", "checkboxes: a maximum of 10 options", CHECKBOXES, limit=10,
         low=1),
    Rule("checkboxes.initial_options", "initial_options exactly match options", CHECKBOXES),
    Rule("radio_buttons.options", "radio buttons: a maximum of 10 options", RADIO, limit=10,
         low=1),
    Rule("radio_buttons.initial_option", "initial_option exactly matches one of the options",
         RADIO),
    Rule("confirm.title", "confirm title: plain_text, at most 100 characters", CONFIRM,
         limit=100),
    Rule("confirm.text", "confirm text: at most 300 characters", CONFIRM, limit=300),
    Rule("confirm.confirm", "confirm button text: plain_text, at most 30 characters", CONFIRM,
         limit=30),
    Rule("confirm.deny", "deny button text: plain_text, at most 30 characters", CONFIRM,
         limit=30),
    Rule("confirm.style", "confirm style is primary or danger", CONFIRM),
    Rule("plain_text_input.min_length", "min_length is between 0 and 3000", PLAIN_TEXT_INPUT,
         limit=3000, low=0),
    Rule("plain_text_input.max_length", "max_length is between 1 and 3000", PLAIN_TEXT_INPUT,
         limit=3000, low=1),
    Rule("plain_text_input.lengths", "min_length is not more than max_length",
         PLAIN_TEXT_INPUT),
    Rule("plain_text_input.initial_value", "initial_value fits within max_length",
         PLAIN_TEXT_INPUT, limit=3000),
    Rule("datepicker.initial_date", "initial_date is YYYY-MM-DD", DATEPICKER),
    Rule("timepicker.initial_time", "initial_time is HH:mm", TIMEPICKER),
    Rule("file_input.max_files", "max_files is between 1 and 10", FILE_INPUT, limit=10, low=1),
    Rule("rich_text_input.lines", "min_lines/max_lines are between 1 and 100",
         RICH_TEXT_INPUT, limit=100, low=1),
    # -- views ---------------------------------------------------------------------------
    Rule("view.type", "the view's type matches the method (modal or home)", MODAL_VIEW),
    Rule("modal.title", "modal title: plain_text, 1-24 characters, required", MODAL_VIEW,
         limit=24),
    Rule("modal.submit", "modal submit: plain_text, at most 24 characters", MODAL_VIEW,
         limit=24),
    Rule("modal.close", "modal close: plain_text, at most 24 characters", MODAL_VIEW, limit=24),
    Rule("modal.submit_required", "submit is required when an input block is within blocks",
         MODAL_VIEW),
    Rule("view.private_metadata", "private_metadata is at most 3000 characters", MODAL_VIEW,
         limit=3000),
    Rule("view.callback_id", "callback_id is at most 255 characters", MODAL_VIEW, limit=255),
    # -- messages ------------------------------------------------------------------------
    Rule("message.no_text", "a message has text, blocks or attachments (else no_text)",
         POST_MESSAGE),
    Rule("message.metadata", "metadata is an object with a string event_type and an object "
         "event_payload (else invalid_metadata_format)", METADATA),
    Rule("message.text_fallback", "a message with blocks has top-level text for notifications "
         "and screen readers", POST_MESSAGE, kind="render"),
    Rule("message.text_truncated", "text over 40,000 characters is truncated (posted with a "
         "message_truncated warning)", TRUNCATION, limit=40_000, kind="render"),
    # -- mrkdwn that renders wrongly -----------------------------------------------------
    Rule("mrkdwn.token", "a '<' opens a well-formed token (mention, channel, special mention, "
         "date, link) or is escaped as &lt;", FORMATTING, kind="render"),
    Rule("mrkdwn.date", "a <!date^timestamp^format[^link]|fallback> token is complete",
         FORMATTING, kind="render"),
    Rule("mrkdwn.entity", "only &amp; &lt; &gt; are decoded; other entities show raw",
         FORMATTING, kind="render"),
    # -- view_submission responses -------------------------------------------------------
    Rule("submission.response_action", "response_action is errors, update, push or clear",
         MODALS),
    Rule("submission.errors", "errors is an object keyed by block_ids of input blocks in the "
         "submitted view, each a non-empty message", MODALS),
    Rule("submission.view", "an update or push response carries a valid modal view", MODALS),
)

RULES: dict[str, Rule] = {rule.id: rule for rule in _TABLE}


@dataclass(frozen=True)
class Violation:
    """One broken rule at one place of the payload (``pointer`` is a JSON pointer)."""

    rule: Rule
    pointer: str
    reason: str

    @property
    def error(self) -> str:
        """The reason the way Slack words it: ``<reason> [json-pointer:<pointer>]``."""
        return f"{self.reason} [json-pointer:{self.pointer}]"

    def describe(self) -> str:
        """One line for a test report: the error, the rule and its source."""
        return f"{self.error} (rule {self.rule.id}: {self.rule.says}; {self.rule.source})"


# --------------------------------------------------------------------------------------------
# Tables of types
# --------------------------------------------------------------------------------------------

ALL_SURFACES: frozenset[str] = frozenset({"message", "modal", "home"})

BLOCK_SURFACES: dict[str, frozenset[str]] = {
    "actions": ALL_SURFACES,
    "context": ALL_SURFACES,
    "divider": ALL_SURFACES,
    "header": ALL_SURFACES,
    "image": ALL_SURFACES,
    "input": ALL_SURFACES,
    "rich_text": ALL_SURFACES,
    "section": ALL_SURFACES,
    "video": ALL_SURFACES,
    "markdown": frozenset({"message"}),
    "table": frozenset({"message"}),
}
"""Block types and the surfaces each is available in (each block's reference page)."""

_SELECTS = ("static_select", "external_select", "users_select", "conversations_select",
            "channels_select")
_MULTI_SELECTS = tuple(f"multi_{name}" for name in _SELECTS)

CONTAINERS: dict[str, frozenset[str]] = {
    "section": frozenset({"button", "checkboxes", "datepicker", "image", "overflow",
                          "radio_buttons", "timepicker", "workflow_button",
                          *_SELECTS, *_MULTI_SELECTS}),
    "actions": frozenset({"button", "checkboxes", "datepicker", "datetimepicker", "overflow",
                          "radio_buttons", "timepicker", "workflow_button", "rich_text_input",
                          *_SELECTS, *_MULTI_SELECTS}),
    "input": frozenset({"checkboxes", "datepicker", "datetimepicker", "email_text_input",
                        "file_input", "number_input", "plain_text_input", "radio_buttons",
                        "rich_text_input", "timepicker", "url_text_input",
                        *_SELECTS, *_MULTI_SELECTS}),
    "context": frozenset({"image", "plain_text", "mrkdwn"}),
}
"""Element types each container accepts (compatible elements on each block's page)."""

_RICH_TEXT_CONTAINERS = frozenset({"rich_text_section", "rich_text_list", "rich_text_quote",
                                   "rich_text_preformatted"})
_RICH_TEXT_INLINE = frozenset({"text", "link", "emoji", "user", "channel", "usergroup", "team",
                               "broadcast", "date", "color"})

# --------------------------------------------------------------------------------------------
# The checker
# --------------------------------------------------------------------------------------------

Check = Callable[["_Walk", Any, str], None]


@dataclass(frozen=True)
class _Spec:
    """An object's documented fields: name -> check, which are required, and the page."""

    fields: dict[str, Check]
    required: tuple[str, ...]
    source: str
    extra: Callable[[_Walk, dict[str, Any], str], None] | None = None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass
class _Walk:
    """Walks one surface (a message or a view), collecting violations and render problems."""

    surface: Surface
    violations: list[Violation] = field(default_factory=list)
    render: list[Violation] = field(default_factory=list)
    block_ids: set[str] = field(default_factory=set)
    action_ids: set[tuple[str, str]] = field(default_factory=set)  # (block, action_id)
    markdown_chars: int = 0
    tables: int = 0

    # ---- reporting ------------------------------------------------------------------------

    def fail(self, rule_id: str, pointer: str, reason: str) -> None:
        rule = RULES[rule_id]
        target = self.render if rule.kind == "render" else self.violations
        target.append(Violation(rule, pointer, reason))

    # ---- primitive checks -----------------------------------------------------------------

    def string(self, rule_id: str, value: Any, pointer: str) -> str | None:
        """A string within the rule's length bounds; return it when it is a string."""
        if not isinstance(value, str):
            self.fail("json.type", pointer, "must be a string")
            return None
        rule = RULES[rule_id]
        if rule.limit is not None and len(value) > rule.limit:
            self.fail(rule_id, pointer, f"must be less than {rule.limit + 1} characters")
        elif rule.low and len(value) < rule.low:
            self.fail(rule_id, pointer, f"must be more than {rule.low - 1} characters")
        return value

    def integer(self, rule_id: str, value: Any, pointer: str) -> int | None:
        if not _is_int(value):
            self.fail("json.type", pointer, "must be an integer")
            return None
        rule = RULES[rule_id]
        if rule.low is not None and value < rule.low:
            self.fail(rule_id, pointer, f"must be at least {rule.low}")
        elif rule.limit is not None and value > rule.limit:
            self.fail(rule_id, pointer, f"must be no more than {rule.limit}")
        return value

    def boolean(self, value: Any, pointer: str) -> None:
        if not isinstance(value, bool):
            self.fail("json.type", pointer, "must be a boolean")

    def items(self, rule_id: str, value: Any, pointer: str) -> list[Any]:
        """An array within the rule's count bounds; return it (or [] when not an array)."""
        if not isinstance(value, list):
            self.fail("json.type", pointer, "must be an array")
            return []
        rule = RULES[rule_id]
        if rule.low and len(value) < rule.low:
            self.fail(rule_id, pointer, f"must provide at least {rule.low} item"
                      + ("s" if rule.low > 1 else ""))
        elif rule.limit is not None and len(value) > rule.limit:
            self.fail(rule_id, pointer, f"must provide no more than {rule.limit} items")
        return value

    def one_of(self, rule_id: str, value: Any, pointer: str, allowed: Iterable[str]) -> None:
        allowed = tuple(allowed)
        if value not in allowed:
            self.fail(rule_id, pointer, f"must be one of {', '.join(allowed)}")

    def obj(self, spec: _Spec, value: Any, pointer: str) -> dict[str, Any] | None:
        """Check an object against its spec: type, unknown fields, required fields, fields."""
        if not isinstance(value, dict):
            self.fail("json.type", pointer, "must be an object")
            return None
        for name in value:
            if name not in spec.fields:
                self.fail("properties", f"{pointer}/{name}",
                          f"invalid additional property: {name} (see {spec.source})")
        for name in spec.required:
            if value.get(name) is None:
                self.fail("required", f"{pointer}/{name}", f"missing required field: {name}")
        for name, check in spec.fields.items():
            if value.get(name) is not None:
                check(self, value[name], f"{pointer}/{name}")
        if spec.extra is not None:
            spec.extra(self, value, pointer)
        return value

    # ---- ids ------------------------------------------------------------------------------

    def unique_id(self, kind: str, value: Any, pointer: str) -> None:
        value = self.string(f"{kind}.length", value, pointer)
        if value is None:
            return
        if kind == "block_id":
            seen: set = self.block_ids
            key: Any = value
        else:  # an action_id need only be unique within its block
            block = re.match(r".*?/blocks/\d+", pointer)
            seen, key = self.action_ids, (block.group() if block else "", value)
        if key in seen:
            self.fail(f"{kind}.unique", pointer, f"duplicate {kind} {value!r}")
        seen.add(key)

    # ---- text -----------------------------------------------------------------------------

    def text(self, rule_id: str | None, value: Any, pointer: str, *, plain: bool = False) -> None:
        """A text object; ``rule_id`` bounds its text, ``plain`` requires plain_text."""
        if not isinstance(value, dict) or value.get("type") not in ("plain_text", "mrkdwn"):
            self.fail("text.type", pointer, "must be a text object of type plain_text or mrkdwn")
            return
        for name in value:
            if name not in ("type", "text", "emoji", "verbatim"):
                self.fail("properties", f"{pointer}/{name}",
                          f"invalid additional property: {name} (see {TEXT_OBJECT})")
        kind = value["type"]
        if plain and kind != "plain_text":
            self.fail("text.plain_only", f"{pointer}/type", "must be plain_text")
        if "emoji" in value:
            self.boolean(value["emoji"], f"{pointer}/emoji")
            if kind != "plain_text":
                self.fail("text.emoji", f"{pointer}/emoji", "emoji is only usable on plain_text")
        if "verbatim" in value:
            self.boolean(value["verbatim"], f"{pointer}/verbatim")
            if kind != "mrkdwn":
                self.fail("text.verbatim", f"{pointer}/verbatim",
                          "verbatim is only usable on mrkdwn")
        text = value.get("text")
        if not isinstance(text, str):
            self.fail("required" if text is None else "json.type", f"{pointer}/text",
                      "missing required field: text" if text is None else "must be a string")
            return
        limit = RULES[rule_id].limit if rule_id else None
        if not text:
            self.fail("text.length", f"{pointer}/text", "must be more than 0 characters")
        elif rule_id and limit is not None and len(text) > limit:
            self.fail(rule_id, f"{pointer}/text", f"must be less than {limit + 1} characters")
        elif len(text) > 3000:
            self.fail("text.length", f"{pointer}/text", "must be less than 3001 characters")
        if kind == "mrkdwn":
            for problem in mrkdwn_problems(text):
                self.fail(problem.rule_id, f"{pointer}/text", problem.reason)

    # ---- blocks ---------------------------------------------------------------------------

    def blocks(self, value: Any, pointer: str, rule_id: str) -> None:
        for index, block in enumerate(self.items(rule_id, value, pointer)):
            self.block(block, f"{pointer}/{index}")

    def block(self, block: Any, pointer: str) -> None:
        if not isinstance(block, dict):
            self.fail("json.type", pointer, "must be an object")
            return
        kind = block.get("type")
        surfaces = BLOCK_SURFACES.get(kind) if isinstance(kind, str) else None
        if surfaces is None:
            self.fail("block.type", f"{pointer}/type", f"unsupported block type {kind!r}")
            return
        if self.surface not in surfaces:
            self.fail("block.type", f"{pointer}/type",
                      f"block type {kind!r} is not available in a {self.surface}")
            return
        self.obj(BLOCK_SPECS[kind], block, pointer)

    def element(self, container: str, value: Any, pointer: str) -> None:
        """A block element (or, in context, a text object) allowed in ``container``."""
        if not isinstance(value, dict) or not isinstance(value.get("type"), str):
            self.fail("json.type", pointer, "must be a block element object")
            return
        kind = value["type"]
        if kind not in CONTAINERS[container]:
            self.fail("container.element", f"{pointer}/type",
                      f"element type {kind!r} is not allowed in a {container} block")
            return
        if kind in ("plain_text", "mrkdwn"):
            self.text(None, value, pointer)
            return
        self.obj(ELEMENT_SPECS[kind], value, pointer)

    # ---- options --------------------------------------------------------------------------

    def option(self, value: Any, pointer: str, *, plain: bool, url: bool) -> None:
        if not isinstance(value, dict):
            self.fail("json.type", pointer, "must be an option object")
            return
        for name in value:
            if name not in ("text", "value", "description", "url"):
                self.fail("properties", f"{pointer}/{name}",
                          f"invalid additional property: {name} (see {OPTION})")
        if value.get("text") is None:
            self.fail("required", f"{pointer}/text", "missing required field: text")
        else:
            self.text("option.text", value["text"], f"{pointer}/text", plain=plain)
        if value.get("value") is None:
            self.fail("option.value", f"{pointer}/value", "missing required field: value")
        else:
            self.string("option.value", value["value"], f"{pointer}/value")
        if value.get("description") is not None:
            self.text("option.description", value["description"], f"{pointer}/description",
                      plain=plain)
        if value.get("url") is not None:
            if not url:
                self.fail("option.url", f"{pointer}/url",
                          "url is only available in overflow menu options")
            else:
                self.string("option.url", value["url"], f"{pointer}/url")

    def options(self, rule_id: str, value: Any, pointer: str, *, plain: bool = True,
                url: bool = False) -> None:
        for index, item in enumerate(self.items(rule_id, value, pointer)):
            self.option(item, f"{pointer}/{index}", plain=plain, url=url)

    def confirm(self, value: Any, pointer: str) -> None:
        self.obj(CONFIRM_SPEC, value, pointer)

    def mrkdwn_block_text(self, value: Any, pointer: str) -> None:
        text = self.string("markdown.text", value, pointer)
        if text is None:
            return
        self.markdown_chars += len(text)
        if self.markdown_chars > RULES["markdown.text"].limit:  # type: ignore[operator]
            self.fail("markdown.text", pointer,
                      "markdown blocks in one payload must total less than 12001 characters")


# ---- small check builders ------------------------------------------------------------------


def _str(rule_id: str) -> Check:
    return lambda walk, value, pointer: walk.string(rule_id, value, pointer)


def _text(rule_id: str | None, *, plain: bool = False) -> Check:
    return lambda walk, value, pointer: walk.text(rule_id, value, pointer, plain=plain)


def _bool(walk: _Walk, value: Any, pointer: str) -> None:
    walk.boolean(value, pointer)


def _int(rule_id: str) -> Check:
    return lambda walk, value, pointer: walk.integer(rule_id, value, pointer)


def _any(walk: _Walk, value: Any, pointer: str) -> None:
    """A field the twin accepts as documented without looking inside."""


def _any_str(walk: _Walk, value: Any, pointer: str) -> None:
    if not isinstance(value, str):
        walk.fail("json.type", pointer, "must be a string")


def _block_id(walk: _Walk, value: Any, pointer: str) -> None:
    walk.unique_id("block_id", value, pointer)


def _action_id(walk: _Walk, value: Any, pointer: str) -> None:
    walk.unique_id("action_id", value, pointer)


def _confirm(walk: _Walk, value: Any, pointer: str) -> None:
    walk.confirm(value, pointer)


def _style(rule_id: str) -> Check:
    return lambda walk, value, pointer: walk.one_of(rule_id, value, pointer,
                                                    ("primary", "danger"))


def _placeholder(walk: _Walk, value: Any, pointer: str) -> None:
    walk.text("placeholder.text", value, pointer, plain=True)


def _pattern(rule_id: str, pattern: str, shape: str) -> Check:
    compiled = re.compile(pattern)

    def check(walk: _Walk, value: Any, pointer: str) -> None:
        if not isinstance(value, str) or not compiled.fullmatch(value):
            walk.fail(rule_id, pointer, f"must be formatted {shape}")

    return check


_INTERACTIVE = {"action_id": _action_id, "confirm": _confirm, "focus_on_load": _bool}

# ---- cross-field checks --------------------------------------------------------------------


def _section_extra(walk: _Walk, block: dict[str, Any], pointer: str) -> None:
    if block.get("text") is None and not block.get("fields"):
        walk.fail("section.text_or_fields", pointer, "must provide either text or fields")


def _section_fields(walk: _Walk, value: Any, pointer: str) -> None:
    for index, item in enumerate(walk.items("section.fields", value, pointer)):
        walk.text("section.field_text", item, f"{pointer}/{index}")


def _elements(container: str, rule_id: str) -> Check:
    def check(walk: _Walk, value: Any, pointer: str) -> None:
        for index, item in enumerate(walk.items(rule_id, value, pointer)):
            walk.element(container, item, f"{pointer}/{index}")

    return check


def _single_element(container: str) -> Check:
    return lambda walk, value, pointer: walk.element(container, value, pointer)


def _image_extra(walk: _Walk, image: dict[str, Any], pointer: str) -> None:
    if (image.get("image_url") is None) == (image.get("slack_file") is None):
        walk.fail("image.source", pointer, "must provide either image_url or slack_file")


def _slack_file(walk: _Walk, value: Any, pointer: str) -> None:
    if not isinstance(value, dict) or (("url" in value) == ("id" in value)):
        walk.fail("image.source", pointer, f"must provide either url or id (see {SLACK_FILE})")


def _markdown_text(walk: _Walk, value: Any, pointer: str) -> None:
    walk.mrkdwn_block_text(value, pointer)


def _rich_text_elements(walk: _Walk, value: Any, pointer: str) -> None:
    if not isinstance(value, list):
        walk.fail("json.type", pointer, "must be an array")
        return
    for index, item in enumerate(value):
        here = f"{pointer}/{index}"
        kind = item.get("type") if isinstance(item, dict) else None
        if kind not in _RICH_TEXT_CONTAINERS:
            walk.fail("rich_text.elements", f"{here}/type",
                      f"unsupported rich text element {kind!r}")
            continue
        children = item.get("elements")
        if not isinstance(children, list):
            walk.fail("required", f"{here}/elements", "missing required field: elements")
            continue
        for child_index, child in enumerate(children):
            where = f"{here}/elements/{child_index}"
            child_kind = child.get("type") if isinstance(child, dict) else None
            allowed = ({"rich_text_section"} if kind == "rich_text_list"
                       else {"text", "link"} if kind == "rich_text_preformatted"
                       else _RICH_TEXT_INLINE)
            if child_kind not in allowed:
                walk.fail("rich_text.elements", f"{where}/type",
                          f"element type {child_kind!r} is not allowed in {kind}")
            elif child_kind == "text" and not isinstance(child.get("text"), str):
                walk.fail("required", f"{where}/text", "missing required field: text")
            elif child_kind == "link" and not isinstance(child.get("url"), str):
                walk.fail("required", f"{where}/url", "missing required field: url")
            elif child_kind == "rich_text_section":
                _rich_text_elements(walk, [child], f"{here}/elements")


def _table_rows(walk: _Walk, value: Any, pointer: str) -> None:
    for row_index, row in enumerate(walk.items("table.rows", value, pointer)):
        row_pointer = f"{pointer}/{row_index}"
        for cell_index, cell in enumerate(walk.items("table.cells", row, row_pointer)):
            here = f"{row_pointer}/{cell_index}"
            kind = cell.get("type") if isinstance(cell, dict) else None
            if kind == "raw_text":
                text = cell.get("text")
                if not isinstance(text, str) or not text:
                    walk.fail("table.cell", f"{here}/text", "must be more than 0 characters")
            elif kind == "rich_text":
                _rich_text_elements(walk, cell.get("elements"), f"{here}/elements")
            else:
                walk.fail("table.cell", f"{here}/type", "must be raw_text or rich_text")


def _column_settings(walk: _Walk, value: Any, pointer: str) -> None:
    for index, item in enumerate(walk.items("table.column_settings", value, pointer)):
        if item is None:
            continue  # a null entry leaves that column at its default
        walk.obj(COLUMN_SETTING_SPEC, item, f"{pointer}/{index}")


def _table_extra(walk: _Walk, block: dict[str, Any], pointer: str) -> None:
    walk.tables += 1
    if walk.tables > RULES["table.one_per_message"].limit:  # type: ignore[operator]
        walk.fail("table.one_per_message", pointer, "only one table is allowed per message")


def _options_of(element: dict[str, Any]) -> list[Any]:
    """All options of a select, from ``options`` or ``option_groups``."""
    found = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        if isinstance(group, dict):
            found.extend(group.get("options") or [])
    return found


def _static_select_extra(walk: _Walk, element: dict[str, Any], pointer: str) -> None:
    has_options, has_groups = "options" in element, "option_groups" in element
    if has_options == has_groups:
        walk.fail("select.options_or_groups", pointer,
                  "must provide exactly one of options or option_groups")
    options = _options_of(element)
    if element.get("initial_option") is not None and element["initial_option"] not in options:
        walk.fail("select.initial_option", f"{pointer}/initial_option",
                  "must exactly match one of the options")
    for index, initial in enumerate(element.get("initial_options") or []):
        if initial not in options:
            walk.fail("multi_select.initial_options", f"{pointer}/initial_options/{index}",
                      "must exactly match one of the options")


def _option_groups(walk: _Walk, value: Any, pointer: str) -> None:
    for index, group in enumerate(walk.items("select.option_groups", value, pointer)):
        walk.obj(OPTION_GROUP_SPEC, group, f"{pointer}/{index}")


def _plain_options(rule_id: str, *, url: bool = False) -> Check:
    return lambda walk, value, pointer: walk.options(rule_id, value, pointer, url=url)


def _mrkdwn_options(rule_id: str) -> Check:
    return lambda walk, value, pointer: walk.options(rule_id, value, pointer, plain=False)


def _initial_options(walk: _Walk, value: Any, pointer: str) -> None:
    for index, item in enumerate(walk.items("select.options", value, pointer) if value else []):
        walk.option(item, f"{pointer}/{index}", plain=False, url=False)


def _initial_option(walk: _Walk, value: Any, pointer: str) -> None:
    walk.option(value, pointer, plain=False, url=False)


def _choices_extra(rule_id: str, many: bool) -> Callable[[_Walk, dict[str, Any], str], None]:
    def extra(walk: _Walk, element: dict[str, Any], pointer: str) -> None:
        options = element.get("options") or []
        key = "initial_options" if many else "initial_option"
        chosen = element.get(key)
        if chosen is None:
            return
        for index, item in enumerate(chosen if many else [chosen]):
            if item not in options:
                where = f"{pointer}/{key}/{index}" if many else f"{pointer}/{key}"
                walk.fail(rule_id, where, "must exactly match one of the options")

    return extra


def _plain_text_input_extra(walk: _Walk, element: dict[str, Any], pointer: str) -> None:
    low, high = element.get("min_length"), element.get("max_length")
    if _is_int(low) and _is_int(high) and low > high:
        walk.fail("plain_text_input.lengths", f"{pointer}/min_length",
                  "min_length must not be more than max_length")
    initial = element.get("initial_value")
    if isinstance(initial, str):
        cap = high if _is_int(high) and 1 <= high <= 3000 else 3000
        if len(initial) > cap:
            walk.fail("plain_text_input.initial_value", f"{pointer}/initial_value",
                      f"must be less than {cap + 1} characters")


# ---- the specs -----------------------------------------------------------------------------

_BLOCK_BASE: dict[str, Check] = {"type": _any, "block_id": _block_id}

BLOCK_SPECS: dict[str, _Spec] = {
    "section": _Spec(
        {**_BLOCK_BASE, "text": _text("section.text"), "fields": _section_fields,
         "accessory": _single_element("section"), "expand": _bool},
        (), SECTION, _section_extra),
    "header": _Spec({**_BLOCK_BASE, "text": _text("header.text", plain=True)}, ("text",),
                    HEADER),
    "context": _Spec({**_BLOCK_BASE, "elements": _elements("context", "context.elements")},
                     ("elements",), CONTEXT),
    "actions": _Spec({**_BLOCK_BASE, "elements": _elements("actions", "actions.elements")},
                     ("elements",), ACTIONS),
    "divider": _Spec(dict(_BLOCK_BASE), (), DIVIDER),
    "input": _Spec(
        {**_BLOCK_BASE, "label": _text("input.label", plain=True),
         "hint": _text("input.hint", plain=True), "element": _single_element("input"),
         "optional": _bool, "dispatch_action": _bool},
        ("label", "element"), INPUT),
    "image": _Spec(
        {**_BLOCK_BASE, "alt_text": _str("image.alt_text"), "image_url": _str("image.image_url"),
         "slack_file": _slack_file, "title": _text("image.title", plain=True)},
        ("alt_text",), IMAGE_BLOCK, _image_extra),
    "markdown": _Spec({**_BLOCK_BASE, "text": _markdown_text}, ("text",), MARKDOWN),
    "rich_text": _Spec({**_BLOCK_BASE, "elements": _rich_text_elements}, ("elements",),
                       RICH_TEXT),
    "table": _Spec({**_BLOCK_BASE, "rows": _table_rows, "column_settings": _column_settings},
                   ("rows",), TABLE, _table_extra),
    "video": _Spec(
        {**_BLOCK_BASE, "video_url": _any_str, "thumbnail_url": _any_str, "alt_text": _any_str,
         "title": _text("video.title", plain=True), "title_url": _any_str,
         "author_name": _str("video.author_name"), "provider_name": _any_str,
         "provider_icon_url": _any_str, "description": _text(None, plain=True)},
        ("video_url", "thumbnail_url", "alt_text", "title"), VIDEO),
}

COLUMN_SETTING_SPEC = _Spec(
    {"align": lambda w, v, p: w.one_of("table.align", v, p, ("left", "center", "right")),
     "is_wrapped": _bool},
    (), TABLE)

CONFIRM_SPEC = _Spec(
    {"title": _text("confirm.title", plain=True), "text": _text("confirm.text", plain=True),
     "confirm": _text("confirm.confirm", plain=True), "deny": _text("confirm.deny", plain=True),
     "style": _style("confirm.style")},
    ("title", "text", "confirm", "deny"), CONFIRM)

OPTION_GROUP_SPEC = _Spec(
    {"label": _text("option_group.label", plain=True),
     "options": _plain_options("option_group.options")},
    ("label", "options"), OPTION_GROUP)

_DISPATCH = {"dispatch_action_config": _any}

ELEMENT_SPECS: dict[str, _Spec] = {
    "button": _Spec(
        {"type": _any, "text": _text("button.text", plain=True), "action_id": _action_id,
         "url": _str("button.url"), "value": _str("button.value"),
         "style": _style("button.style"), "confirm": _confirm,
         "accessibility_label": _str("button.accessibility_label")},
        ("text",), BUTTON),
    "workflow_button": _Spec(
        {"type": _any, "text": _text("button.text", plain=True), "workflow": _any,
         "style": _style("button.style"), "accessibility_label":
             _str("button.accessibility_label"), "action_id": _action_id, "confirm": _confirm},
        ("text", "workflow"), WORKFLOW_BUTTON),
    "checkboxes": _Spec(
        {"type": _any, **_INTERACTIVE, "options": _mrkdwn_options("checkboxes.options"),
         "initial_options": _initial_options},
        ("options",), CHECKBOXES, _choices_extra("checkboxes.initial_options", many=True)),
    "radio_buttons": _Spec(
        {"type": _any, **_INTERACTIVE, "options": _mrkdwn_options("radio_buttons.options"),
         "initial_option": _initial_option},
        ("options",), RADIO, _choices_extra("radio_buttons.initial_option", many=False)),
    "overflow": _Spec(
        {"type": _any, "action_id": _action_id, "confirm": _confirm,
         "options": _plain_options("overflow.options", url=True)},
        ("options",), OVERFLOW),
    "datepicker": _Spec(
        {"type": _any, **_INTERACTIVE, "placeholder": _placeholder,
         "initial_date": _pattern("datepicker.initial_date", r"\d{4}-\d{2}-\d{2}",
                                  "YYYY-MM-DD")},
        (), DATEPICKER),
    "datetimepicker": _Spec(
        {"type": _any, **_INTERACTIVE, "initial_date_time": _any}, (), DATETIMEPICKER),
    "timepicker": _Spec(
        {"type": _any, **_INTERACTIVE, "placeholder": _placeholder, "timezone": _any_str,
         "initial_time": _pattern("timepicker.initial_time", r"([01]\d|2[0-3]):[0-5]\d",
                                  "HH:mm")},
        (), TIMEPICKER),
    "image": _Spec(
        {"type": _any, "alt_text": _any_str, "image_url": _any_str, "slack_file": _slack_file},
        ("alt_text",), IMAGE_ELEMENT, _image_extra),
    "plain_text_input": _Spec(
        {"type": _any, "action_id": _action_id, "focus_on_load": _bool, **_DISPATCH,
         "placeholder": _placeholder, "initial_value": _any_str, "multiline": _bool,
         "min_length": _int("plain_text_input.min_length"),
         "max_length": _int("plain_text_input.max_length")},
        (), PLAIN_TEXT_INPUT, _plain_text_input_extra),
    "email_text_input": _Spec(
        {"type": _any, "action_id": _action_id, "focus_on_load": _bool, **_DISPATCH,
         "placeholder": _placeholder, "initial_value": _any_str},
        (), EMAIL_INPUT),
    "url_text_input": _Spec(
        {"type": _any, "action_id": _action_id, "focus_on_load": _bool, **_DISPATCH,
         "placeholder": _placeholder, "initial_value": _any_str},
        (), URL_INPUT),
    "number_input": _Spec(
        {"type": _any, "action_id": _action_id, "focus_on_load": _bool, **_DISPATCH,
         "placeholder": _placeholder, "is_decimal_allowed": _bool, "initial_value": _any_str,
         "min_value": _any_str, "max_value": _any_str},
        ("is_decimal_allowed",), NUMBER_INPUT),
    "file_input": _Spec(
        {"type": _any, "action_id": _action_id, "filetypes": _any,
         "max_files": _int("file_input.max_files")},
        (), FILE_INPUT),
    "rich_text_input": _Spec(
        {"type": _any, "action_id": _action_id, "focus_on_load": _bool, **_DISPATCH,
         "placeholder": _placeholder, "initial_value": _any,
         "min_lines": _int("rich_text_input.lines"), "max_lines": _int("rich_text_input.lines")},
        (), RICH_TEXT_INPUT),
    "static_select": _Spec(
        {"type": _any, "placeholder": _placeholder, **_INTERACTIVE,
         "options": _plain_options("select.options"), "option_groups": _option_groups,
         "initial_option": lambda w, v, p: w.option(v, p, plain=True, url=False)},
        (), SELECT, _static_select_extra),
    "multi_static_select": _Spec(
        {"type": _any, "placeholder": _placeholder, **_INTERACTIVE,
         "options": _plain_options("select.options"), "option_groups": _option_groups,
         "initial_options": _initial_options,
         "max_selected_items": _int("multi_select.max_selected_items")},
        (), MULTI_SELECT, _static_select_extra),
    "external_select": _Spec(
        {"type": _any, "placeholder": _placeholder, **_INTERACTIVE,
         "initial_option": lambda w, v, p: w.option(v, p, plain=True, url=False),
         "min_query_length": _any},
        (), SELECT),
    "multi_external_select": _Spec(
        {"type": _any, "placeholder": _placeholder, **_INTERACTIVE,
         "initial_options": _initial_options, "min_query_length": _any,
         "max_selected_items": _int("multi_select.max_selected_items")},
        (), MULTI_SELECT),
    "users_select": _Spec(
        {"type": _any, "placeholder": _placeholder, **_INTERACTIVE, "initial_user": _any_str},
        (), SELECT),
    "multi_users_select": _Spec(
        {"type": _any, "placeholder": _placeholder, **_INTERACTIVE, "initial_users": _any,
         "max_selected_items": _int("multi_select.max_selected_items")},
        (), MULTI_SELECT),
    "conversations_select": _Spec(
        {"type": _any, "placeholder": _placeholder, **_INTERACTIVE,
         "initial_conversation": _any_str, "default_to_current_conversation": _bool,
         "response_url_enabled": _bool, "filter": _any},
        (), SELECT),
    "multi_conversations_select": _Spec(
        {"type": _any, "placeholder": _placeholder, **_INTERACTIVE,
         "initial_conversations": _any, "default_to_current_conversation": _bool,
         "filter": _any, "max_selected_items": _int("multi_select.max_selected_items")},
        (), MULTI_SELECT),
    "channels_select": _Spec(
        {"type": _any, "placeholder": _placeholder, **_INTERACTIVE, "initial_channel": _any_str,
         "response_url_enabled": _bool},
        (), SELECT),
    "multi_channels_select": _Spec(
        {"type": _any, "placeholder": _placeholder, **_INTERACTIVE, "initial_channels": _any,
         "max_selected_items": _int("multi_select.max_selected_items")},
        (), MULTI_SELECT),
}

# --------------------------------------------------------------------------------------------
# mrkdwn that renders wrongly
# --------------------------------------------------------------------------------------------

DATE_TOKENS = frozenset({
    "date_num", "date", "date_short", "date_long", "date_pretty", "date_short_pretty",
    "date_long_pretty", "time", "time_secs", "ago", "day_divider_pretty", "date_slash",
    "date_long_full",
})
"""The ``{tokens}`` a ``<!date>`` format string may use (formatting-message-text)."""

_ID = r"[A-Z0-9_]+"  # Slack ids are upper-case alphanumerics; test workspaces add '_'
_LABEL = r"(?:\|[^<>|]*)?"
_TOKENS = (
    re.compile(rf"<@[UW]{_ID}{_LABEL}>"),
    re.compile(rf"<#[CGD]{_ID}{_LABEL}>"),
    re.compile(rf"<!(?:here|channel|everyone){_LABEL}>"),
    re.compile(rf"<!subteam\^S{_ID}{_LABEL}>"),
    re.compile(r"<https?://[^\s<>|]+(?:\|[^<>]*)?>"),
    re.compile(r"<mailto:[^\s<>|]+(?:\|[^<>]*)?>"),
)
_DATE = re.compile(r"<!date\^(\d+)\^([^^|<>]+)(?:\^([^|<>]+))?\|([^<>]+)>")
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")
_CUT_ENTITY = re.compile(r"&(?:a|am|amp|l|lt|g|gt)(?=…|$)")


@dataclass(frozen=True)
class _Problem:
    rule_id: str
    reason: str


def _excerpt(text: str, start: int, width: int = 30) -> str:
    return text[start:start + width].replace("\n", "\\n")


def mrkdwn_problems(text: str) -> list[_Problem]:
    """Where ``text`` (mrkdwn) would not render as meant: stray ``<``, cut or malformed
    ``<!date>`` tokens, entities Slack does not decode."""
    problems: list[_Problem] = []
    position = 0
    while (start := text.find("<", position)) != -1:
        if text.startswith("<!date", start):
            match = _DATE.match(text, start)
            if match is None:
                closing = text.find(">", start)
                reason = ("<!date token cut before its closing '>'" if closing == -1 else
                          "malformed <!date^timestamp^format[^link]|fallback> token")
                problems.append(_Problem("mrkdwn.date", f"{reason}: {_excerpt(text, start)!r}"))
                position = start + 1 if closing == -1 else closing + 1
                continue
            unknown = set(re.findall(r"\{([^}]*)\}", match.group(2))) - DATE_TOKENS
            if unknown or "{" not in match.group(2):
                problems.append(_Problem(
                    "mrkdwn.date", f"<!date format has no known {{token}}: {match.group(2)!r}"))
            position = match.end()
            continue
        match = next((m for t in _TOKENS if (m := t.match(text, start))), None)
        if match is None:
            problems.append(_Problem(
                "mrkdwn.token", f"'<' opens no Slack token (escape it as &lt;): "
                f"{_excerpt(text, start)!r}"))
            position = start + 1
        else:
            position = match.end()
    for match in _ENTITY.finditer(text):
        if match.group(1) not in ("amp", "lt", "gt"):
            problems.append(_Problem(
                "mrkdwn.entity", f"entity {match.group(0)} is not decoded by Slack and shows raw"))
    for match in _CUT_ENTITY.finditer(text):
        problems.append(_Problem(
            "mrkdwn.entity", f"entity cut short ({match.group(0)!r}) shows raw"))
    return problems


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


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


def _walk_blocks(surface: Surface, blocks: Any, pointer: str) -> _Walk:
    walk = _Walk(surface)
    walk.blocks(blocks, pointer, f"{surface}.blocks")
    return walk


def check_message(params: dict[str, Any]) -> Outcome:
    """What Slack does with a chat.postMessage / chat.update / chat.postEphemeral payload."""
    text, blocks = params.get("text"), params.get("blocks")
    outcome = Outcome()
    walk = _Walk("message")
    if not text and not blocks and not params.get("attachments"):
        walk.fail("message.no_text", "/text", "no text, blocks or attachments")
        return Outcome("no_text", walk.violations)
    if blocks is not None:
        if isinstance(blocks, str):  # undecodable JSON stays a string
            return Outcome("invalid_blocks_format")
        walk.blocks(blocks, "/blocks", "message.blocks")
        if walk.violations:
            return Outcome("invalid_blocks", walk.violations, walk.render)
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
    walk = _Walk(surface)
    if not isinstance(view, dict):
        walk.fail("json.type", "/view", "must provide an object")
        return Outcome("invalid_arguments", walk.violations)
    source = MODAL_VIEW if surface == "modal" else HOME_VIEW
    fields: dict[str, Check] = {
        "type": _any, "blocks": _any, "private_metadata": _str("view.private_metadata"),
        "callback_id": _str("view.callback_id"), "external_id": _any_str,
    }
    if surface == "modal":
        fields.update(title=_text("modal.title", plain=True),
                      submit=_text("modal.submit", plain=True),
                      close=_text("modal.close", plain=True), clear_on_close=_bool,
                      notify_on_close=_bool, submit_disabled=_bool)
    walk.obj(_Spec(fields, ("type", "blocks", "title") if surface == "modal"
                   else ("type", "blocks"), source), view, "/view")
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
    walk = _Walk("modal")
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
