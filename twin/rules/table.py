"""Slack's rules as data: the pages they come from, one `Rule` per requirement with the page that
says it, and which block types each surface takes and which elements each container takes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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
ATTACHMENTS = "https://docs.slack.dev/messaging/formatting-message-text#when-to-use-attachments"
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
    Rule("table.in_attachments", "a table block goes in the message's attachments, not its "
         "top-level blocks", TABLE),
    Rule("attachment.shape", "attachments is an array of objects; an attachment's blocks are "
         "checked like a message's", ATTACHMENTS),
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
    Rule("mrkdwn.quote", "a block quote is a '>' at the start of a line; a '>' within a line "
         "quotes nothing and shows as '>' (Basic visual styles: quote)", FORMATTING,
         kind="render"),
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

RICH_TEXT_CONTAINERS = frozenset({"rich_text_section", "rich_text_list", "rich_text_quote",
                                   "rich_text_preformatted"})
RICH_TEXT_INLINE = frozenset({"text", "link", "emoji", "user", "channel", "usergroup", "team",
                               "broadcast", "date", "color"})
