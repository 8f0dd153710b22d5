"""Slack's rules (twin/rules/) on their own: for every rule, a hand-made payload that breaks it
is rejected (or flagged as rendering wrongly) at the right JSON pointer, and the nearest good
payload is accepted clean."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from twin.rules import (
    RULES,
    Violation,
    check_message,
    check_view,
    check_view_submission_response,
    mrkdwn_problems,
)


def plain(text: str = "Go") -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def md(text: str = "hello") -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def msg(*blocks: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"text": "fallback", "blocks": list(blocks), **extra}


def att(*blocks: dict[str, Any]) -> dict[str, Any]:
    """A message whose blocks are in an attachment (where Slack takes a table)."""
    return {"text": "fallback", "attachments": [{"blocks": list(blocks)}]}


def modal(*blocks: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "modal", "title": plain("Title"), "submit": plain("OK"),
            "blocks": list(blocks), **extra}


def home(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"type": "home", "blocks": list(blocks)}


def section(text: str = "hello", **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": md(text), **extra}


def actions(*elements: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "actions", "elements": list(elements), **extra}


def button(action_id: str = "go", **extra: Any) -> dict[str, Any]:
    return {"type": "button", "text": plain("Go"), "action_id": action_id, **extra}


def opt(text: str = "A", value: str = "a", **extra: Any) -> dict[str, Any]:
    return {"text": plain(text), "value": value, **extra}


def select(**extra: Any) -> dict[str, Any]:
    return {"type": "static_select", "action_id": "pick", "placeholder": plain("Pick"),
            "options": [opt()], **extra}


def grouped(groups: list[dict[str, Any]]) -> dict[str, Any]:
    """A static select whose options come in option_groups."""
    element = select(option_groups=groups)
    del element["options"]
    return element


def field_input(element: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "input", "block_id": "field", "label": plain("Label"), "element": element,
            **extra}


def text_input(**extra: Any) -> dict[str, Any]:
    return {"type": "plain_text_input", "action_id": "text", **extra}


def divider(**extra: Any) -> dict[str, Any]:
    return {"type": "divider", **extra}


def table(rows: list[list[dict[str, Any]]] | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "table", "rows": rows or [[{"type": "raw_text", "text": "x"}]], **extra}


def cell(text: str = "x") -> dict[str, Any]:
    return {"type": "raw_text", "text": text}


def confirm(**overrides: Any) -> dict[str, Any]:
    return {"title": plain("Sure?"), "text": plain("Really."), "confirm": plain("Yes"),
            "deny": plain("No"), **overrides}


def image(**extra: Any) -> dict[str, Any]:
    return {"type": "image", "alt_text": "a cat", "image_url": "https://x.example/cat.png",
            **extra}


def video(**extra: Any) -> dict[str, Any]:
    return {"type": "video", "video_url": "https://v.example/1", "thumbnail_url":
            "https://v.example/1.png", "alt_text": "clip", "title": plain("Clip"), **extra}


def checkboxes(count: int = 1, **extra: Any) -> dict[str, Any]:
    return {"type": "checkboxes", "action_id": "boxes",
            "options": [{"text": md(f"*{i}*"), "value": str(i)} for i in range(count)], **extra}


def radios(count: int = 1, **extra: Any) -> dict[str, Any]:
    return {"type": "radio_buttons", "action_id": "radio",
            "options": [opt(str(i), str(i)) for i in range(count)], **extra}


def overflow(count: int = 2, **extra: Any) -> dict[str, Any]:
    return {"type": "overflow", "action_id": "more",
            "options": [opt(str(i), str(i)) for i in range(count)], **extra}


def buttons(count: int) -> list[dict[str, Any]]:
    return [button(f"b{i}") for i in range(count)]


SUBMITTED = modal(section("intro", block_id="intro"), field_input(text_input()))


@dataclass(frozen=True)
class Case:
    """A rule, the surface it is judged on, a good payload, a bad one and where it breaks."""

    name: str
    rule: str
    surface: str  # message | modal | home | submission
    good: Any
    bad: Any
    pointer: str


X = "x"
CASES = [
    # ---- generic -----------------------------------------------------------------------
    Case("value-not-a-string", "json.type", "message", msg(actions(button(value="v"))),
         msg(actions(button(value=12))), "/blocks/0/elements/0/value"),
    Case("header-without-text", "required", "message",
         msg({"type": "header", "text": plain("Hi")}), msg({"type": "header"}),
         "/blocks/0/text"),
    Case("unknown-block-property", "properties", "message", msg(section()),
         msg(section(colour="red")), "/blocks/0/colour"),
    Case("unknown-text-property", "properties", "message", msg(section()),
         msg({"type": "section", "text": {**md(), "bold": True}}), "/blocks/0/text/bold"),
    Case("unknown-element-property", "properties", "message", msg(actions(button())),
         msg(actions(button(colour="red"))), "/blocks/0/elements/0/colour"),
    # ---- surfaces ----------------------------------------------------------------------
    Case("message-50-blocks", "message.blocks", "message", msg(*[divider()] * 50),
         msg(*[divider()] * 51), "/blocks"),
    Case("modal-100-blocks", "modal.blocks", "modal", modal(*[divider()] * 100),
         modal(*[divider()] * 101), "/view/blocks"),
    Case("home-100-blocks", "home.blocks", "home", home(*[divider()] * 100),
         home(*[divider()] * 101), "/view/blocks"),
    Case("unknown-block-type", "block.type", "message", msg(divider()),
         msg({"type": "carousel"}), "/blocks/0/type"),
    Case("markdown-block-not-in-modal", "block.type", "modal",
         modal(section()), modal({"type": "markdown", "text": "**hi**"}), "/view/blocks/0/type"),
    Case("table-block-not-in-home", "block.type", "home", home(divider()), home(table()),
         "/view/blocks/0/type"),
    Case("block-id-255", "block_id.length", "message", msg(divider(block_id=X * 255)),
         msg(divider(block_id=X * 256)), "/blocks/0/block_id"),
    Case("block-id-unique", "block_id.unique", "message",
         msg(divider(block_id="a"), divider(block_id="b")),
         msg(divider(block_id="a"), divider(block_id="a")), "/blocks/1/block_id"),
    Case("action-id-255", "action_id.length", "message", msg(actions(button(X * 255))),
         msg(actions(button(X * 256))), "/blocks/0/elements/0/action_id"),
    Case("action-id-unique", "action_id.unique", "message",
         msg(actions(button("a")), actions(button("a"))),  # in different blocks: fine
         msg(actions(button("a"), button("a"))), "/blocks/0/elements/1/action_id"),
    Case("text-input-not-in-actions", "container.element", "modal",
         modal(field_input(text_input())), modal(actions(text_input())),
         "/view/blocks/0/elements/0/type"),
    Case("button-not-in-context", "container.element", "message", msg(actions(button())),
         msg({"type": "context", "elements": [button()]}), "/blocks/0/elements/0/type"),
    Case("button-not-an-input-element", "container.element", "modal",
         modal(field_input(text_input())), modal(field_input(button())),
         "/view/blocks/0/element/type"),
    Case("text-input-not-an-accessory", "container.element", "message",
         msg(section(accessory=button())), msg(section(accessory=text_input())),
         "/blocks/0/accessory/type"),
    Case("unknown-element-type", "container.element", "message", msg(actions(button())),
         msg(actions({"type": "slider", "action_id": "s"})), "/blocks/0/elements/0/type"),
    # ---- text objects ------------------------------------------------------------------
    Case("text-type", "text.type", "message", msg(section()),
         msg({"type": "section", "text": {"type": "markdown", "text": "x"}}), "/blocks/0/text"),
    Case("text-empty", "text.length", "message", msg(section("x")), msg(section("")),
         "/blocks/0/text/text"),
    Case("context-text-3000", "text.length", "message",
         msg({"type": "context", "elements": [md(X * 3000)]}),
         msg({"type": "context", "elements": [md(X * 3001)]}), "/blocks/0/elements/0/text"),
    Case("header-is-plain-text", "text.plain_only", "message",
         msg({"type": "header", "text": plain("Hi")}), msg({"type": "header", "text": md("Hi")}),
         "/blocks/0/text/type"),
    Case("emoji-only-on-plain-text", "text.emoji", "message",
         msg({"type": "section", "text": {**plain("hi"), "emoji": True}}),
         msg({"type": "section", "text": {**md("hi"), "emoji": True}}), "/blocks/0/text/emoji"),
    Case("verbatim-only-on-mrkdwn", "text.verbatim", "message",
         msg({"type": "section", "text": {**md("hi"), "verbatim": True}}),
         msg({"type": "section", "text": {**plain("hi"), "verbatim": True}}),
         "/blocks/0/text/verbatim"),
    # ---- blocks ------------------------------------------------------------------------
    Case("section-text-3000", "section.text", "message", msg(section(X * 3000)),
         msg(section(X * 3001)), "/blocks/0/text/text"),
    Case("section-10-fields", "section.fields", "message",
         msg({"type": "section", "fields": [md()] * 10}),
         msg({"type": "section", "fields": [md()] * 11}), "/blocks/0/fields"),
    Case("section-field-2000", "section.field_text", "message",
         msg({"type": "section", "fields": [md(X * 2000)]}),
         msg({"type": "section", "fields": [md(X * 2001)]}), "/blocks/0/fields/0/text"),
    Case("section-text-or-fields", "section.text_or_fields", "message",
         msg(section(accessory=button())), msg({"type": "section", "accessory": button()}),
         "/blocks/0"),
    Case("header-150", "header.text", "message",
         msg({"type": "header", "text": plain(X * 150)}),
         msg({"type": "header", "text": plain(X * 151)}), "/blocks/0/text/text"),
    Case("context-10-elements", "context.elements", "message",
         msg({"type": "context", "elements": [md()] * 10}),
         msg({"type": "context", "elements": [md()] * 11}), "/blocks/0/elements"),
    Case("context-empty", "context.elements", "message",
         msg({"type": "context", "elements": [md()]}), msg({"type": "context", "elements": []}),
         "/blocks/0/elements"),
    Case("actions-25-elements", "actions.elements", "message", msg(actions(*buttons(25))),
         msg(actions(*buttons(26))), "/blocks/0/elements"),
    Case("actions-empty", "actions.elements", "message", msg(actions(button())),
         msg(actions()), "/blocks/0/elements"),
    Case("input-label-2000", "input.label", "modal",
         modal(field_input(text_input(), label=plain(X * 2000))),
         modal(field_input(text_input(), label=plain(X * 2001))), "/view/blocks/0/label/text"),
    Case("input-hint-2000", "input.hint", "modal",
         modal(field_input(text_input(), hint=plain(X * 2000))),
         modal(field_input(text_input(), hint=plain(X * 2001))), "/view/blocks/0/hint/text"),
    Case("image-alt-text-2000", "image.alt_text", "message", msg(image(alt_text=X * 2000)),
         msg(image(alt_text=X * 2001)), "/blocks/0/alt_text"),
    Case("image-url-3000", "image.image_url", "message",
         msg(image(image_url="https://x.example/" + X * 2982)),
         msg(image(image_url="https://x.example/" + X * 2983)), "/blocks/0/image_url"),
    Case("image-title-2000", "image.title", "message", msg(image(title=plain(X * 2000))),
         msg(image(title=plain(X * 2001))), "/blocks/0/title/text"),
    Case("image-url-or-slack-file", "image.source", "message", msg(image()),
         msg(image(slack_file={"id": "F1"})), "/blocks/0"),
    Case("markdown-12000-in-all", "markdown.text", "message",
         msg({"type": "markdown", "text": X * 6000}, {"type": "markdown", "text": X * 6000}),
         msg({"type": "markdown", "text": X * 6000}, {"type": "markdown", "text": X * 6001}),
         "/blocks/1/text"),
    Case("rich-text-element-types", "rich_text.elements", "message",
         msg({"type": "rich_text", "elements": [
             {"type": "rich_text_section", "elements": [{"type": "text", "text": "hi"}]}]}),
         msg({"type": "rich_text", "elements": [
             {"type": "paragraph", "elements": [{"type": "text", "text": "hi"}]}]}),
         "/blocks/0/elements/0/type"),
    Case("table-100-rows", "table.rows", "message", att(table([[cell()]] * 100)),
         att(table([[cell()]] * 101)), "/attachments/0/blocks/0/rows"),
    Case("table-20-cells", "table.cells", "message", att(table([[cell()] * 20])),
         att(table([[cell()] * 21])), "/attachments/0/blocks/0/rows/0"),
    Case("table-cell-type", "table.cell", "message", att(table([[cell()]])),
         att(table([[md()]])), "/attachments/0/blocks/0/rows/0/0/type"),
    Case("table-20-column-settings", "table.column_settings", "message",
         att(table(column_settings=[{"align": "left"}] * 20)),
         att(table(column_settings=[{"align": "left"}] * 21)),
         "/attachments/0/blocks/0/column_settings"),
    Case("table-align", "table.align", "message",
         att(table(column_settings=[{"align": "right"}])),
         att(table(column_settings=[{"align": "justify"}])),
         "/attachments/0/blocks/0/column_settings/0/align"),
    Case("one-table-per-message", "table.one_per_message", "message", att(table()),
         att(table(), table()), "/attachments/0/blocks/1"),
    Case("table-in-attachments", "table.in_attachments", "message", att(table()),
         msg(table()), "/blocks/0"),
    Case("attachments-are-objects", "attachment.shape", "message", att(divider()),
         msg(divider(), attachments=["a table"]), "/attachments/0"),
    Case("video-title-under-200", "video.title", "message", msg(video(title=plain(X * 199))),
         msg(video(title=plain(X * 200))), "/blocks/0/title/text"),
    Case("video-author-under-50", "video.author_name", "message", msg(video(author_name=X * 49)),
         msg(video(author_name=X * 50)), "/blocks/0/author_name"),
    # ---- elements ----------------------------------------------------------------------
    Case("button-text-75", "button.text", "message",
         msg(actions(button(text=plain(X * 75)))), msg(actions(button(text=plain(X * 76)))),
         "/blocks/0/elements/0/text/text"),
    Case("button-value-2000", "button.value", "message", msg(actions(button(value=X * 2000))),
         msg(actions(button(value=X * 2001))), "/blocks/0/elements/0/value"),
    Case("button-url-3000", "button.url", "message",
         msg(actions(button(url="https://" + X * 2992))),
         msg(actions(button(url="https://" + X * 2993))), "/blocks/0/elements/0/url"),
    Case("button-style", "button.style", "message", msg(actions(button(style="danger"))),
         msg(actions(button(style="purple"))), "/blocks/0/elements/0/style"),
    Case("button-accessibility-label-75", "button.accessibility_label", "message",
         msg(actions(button(accessibility_label=X * 75))),
         msg(actions(button(accessibility_label=X * 76))),
         "/blocks/0/elements/0/accessibility_label"),
    Case("placeholder-150", "placeholder.text", "message",
         msg(actions(select(placeholder=plain(X * 150)))),
         msg(actions(select(placeholder=plain(X * 151)))),
         "/blocks/0/elements/0/placeholder/text"),
    Case("select-no-options", "select.options", "message", msg(actions(select())),
         msg(actions(select(options=[]))), "/blocks/0/elements/0/options"),
    Case("select-100-options", "select.options", "message",
         msg(actions(select(options=[opt(str(i), str(i)) for i in range(100)]))),
         msg(actions(select(options=[opt(str(i), str(i)) for i in range(101)]))),
         "/blocks/0/elements/0/options"),
    Case("select-100-option-groups", "select.option_groups", "message",
         msg(actions(grouped([{"label": plain("G"), "options": [opt()]}] * 100))),
         msg(actions(grouped([{"label": plain("G"), "options": [opt()]}] * 101))),
         "/blocks/0/elements/0/option_groups"),
    Case("select-options-or-groups", "select.options_or_groups", "message",
         msg(actions(select())),
         msg(actions(select(option_groups=[{"label": plain("G"), "options": [opt()]}]))),
         "/blocks/0/elements/0"),
    Case("select-initial-option-among-options", "select.initial_option", "message",
         msg(actions(select(initial_option=opt()))),
         msg(actions(select(initial_option=opt("B", "b")))),
         "/blocks/0/elements/0/initial_option"),
    Case("multi-select-initial-options", "multi_select.initial_options", "modal",
         modal(field_input({**select(), "type": "multi_static_select",
                            "initial_options": [opt()]})),
         modal(field_input({**select(), "type": "multi_static_select",
                            "initial_options": [opt("B", "b")]})),
         "/view/blocks/0/element/initial_options/0"),
    Case("multi-select-max-selected-items", "multi_select.max_selected_items", "modal",
         modal(field_input({**select(), "type": "multi_static_select",
                            "max_selected_items": 1})),
         modal(field_input({**select(), "type": "multi_static_select",
                            "max_selected_items": 0})),
         "/view/blocks/0/element/max_selected_items"),
    Case("option-text-75", "option.text", "message",
         msg(actions(select(options=[opt(X * 75)]))),
         msg(actions(select(options=[opt(X * 76)]))),
         "/blocks/0/elements/0/options/0/text/text"),
    Case("option-value-150", "option.value", "message",
         msg(actions(select(options=[opt(value=X * 150)]))),
         msg(actions(select(options=[opt(value=X * 151)]))),
         "/blocks/0/elements/0/options/0/value"),
    Case("option-value-required", "option.value", "message", msg(actions(select())),
         msg(actions(select(options=[{"text": plain("A")}]))),
         "/blocks/0/elements/0/options/0/value"),
    Case("option-description-75", "option.description", "message",
         msg(actions(select(options=[opt(description=plain(X * 75))]))),
         msg(actions(select(options=[opt(description=plain(X * 76))]))),
         "/blocks/0/elements/0/options/0/description/text"),
    Case("option-url-only-in-overflow", "option.url", "message",
         msg(actions(overflow(options=[opt(url="https://x.example"), opt("B", "b")]))),
         msg(actions(select(options=[opt(url="https://x.example")]))),
         "/blocks/0/elements/0/options/0/url"),
    Case("option-url-3000", "option.url", "message",
         msg(actions(overflow(options=[opt(url="https://" + X * 2992), opt("B", "b")]))),
         msg(actions(overflow(options=[opt(url="https://" + X * 2993), opt("B", "b")]))),
         "/blocks/0/elements/0/options/0/url"),
    Case("option-group-label-75", "option_group.label", "message",
         msg(actions(grouped([{"label": plain(X * 75), "options": [opt()]}]))),
         msg(actions(grouped([{"label": plain(X * 76), "options": [opt()]}]))),
         "/blocks/0/elements/0/option_groups/0/label/text"),
    Case("option-group-needs-options", "option_group.options", "message",
         msg(actions(grouped([{"label": plain("G"), "options": [opt()]}]))),
         msg(actions(grouped([{"label": plain("G"), "options": []}]))),
         "/blocks/0/elements/0/option_groups/0/options"),
    Case("overflow-5-options", "overflow.options", "message", msg(actions(overflow(5))),
         msg(actions(overflow(6))), "/blocks/0/elements/0/options"),
    Case("overflow-no-options", "overflow.options", "message", msg(actions(overflow(1))),
         msg(actions(overflow(0))), "/blocks/0/elements/0/options"),
    Case("checkboxes-10-options", "checkboxes.options", "modal",
         modal(field_input(checkboxes(10))), modal(field_input(checkboxes(11))),
         "/view/blocks/0/element/options"),
    Case("checkboxes-initial-options", "checkboxes.initial_options", "modal",
         modal(field_input(checkboxes(2, initial_options=[{"text": md("*0*"), "value": "0"}]))),
         modal(field_input(checkboxes(2, initial_options=[{"text": md("*9*"), "value": "9"}]))),
         "/view/blocks/0/element/initial_options/0"),
    Case("radio-buttons-10-options", "radio_buttons.options", "modal",
         modal(field_input(radios(10))), modal(field_input(radios(11))),
         "/view/blocks/0/element/options"),
    Case("radio-buttons-initial-option", "radio_buttons.initial_option", "modal",
         modal(field_input(radios(2, initial_option=opt("0", "0")))),
         modal(field_input(radios(2, initial_option=opt("9", "9")))),
         "/view/blocks/0/element/initial_option"),
    Case("confirm-title-100", "confirm.title", "message",
         msg(actions(button(confirm=confirm(title=plain(X * 100))))),
         msg(actions(button(confirm=confirm(title=plain(X * 101))))),
         "/blocks/0/elements/0/confirm/title/text"),
    Case("confirm-text-300", "confirm.text", "message",
         msg(actions(button(confirm=confirm(text=plain(X * 300))))),
         msg(actions(button(confirm=confirm(text=plain(X * 301))))),
         "/blocks/0/elements/0/confirm/text/text"),
    Case("confirm-confirm-30", "confirm.confirm", "message",
         msg(actions(button(confirm=confirm(confirm=plain(X * 30))))),
         msg(actions(button(confirm=confirm(confirm=plain(X * 31))))),
         "/blocks/0/elements/0/confirm/confirm/text"),
    Case("confirm-deny-30", "confirm.deny", "message",
         msg(actions(button(confirm=confirm(deny=plain(X * 30))))),
         msg(actions(button(confirm=confirm(deny=plain(X * 31))))),
         "/blocks/0/elements/0/confirm/deny/text"),
    Case("confirm-style", "confirm.style", "message",
         msg(actions(button(confirm=confirm(style="danger")))),
         msg(actions(button(confirm=confirm(style="purple")))),
         "/blocks/0/elements/0/confirm/style"),
    Case("text-input-min-length-3000", "plain_text_input.min_length", "modal",
         modal(field_input(text_input(min_length=3000))),
         modal(field_input(text_input(min_length=3001))), "/view/blocks/0/element/min_length"),
    Case("text-input-min-length-negative", "plain_text_input.min_length", "modal",
         modal(field_input(text_input(min_length=0))),
         modal(field_input(text_input(min_length=-1))), "/view/blocks/0/element/min_length"),
    Case("text-input-max-length-3000", "plain_text_input.max_length", "modal",
         modal(field_input(text_input(max_length=3000))),
         modal(field_input(text_input(max_length=4000))), "/view/blocks/0/element/max_length"),
    Case("text-input-max-length-zero", "plain_text_input.max_length", "modal",
         modal(field_input(text_input(max_length=1))),
         modal(field_input(text_input(max_length=0))), "/view/blocks/0/element/max_length"),
    Case("text-input-min-not-above-max", "plain_text_input.lengths", "modal",
         modal(field_input(text_input(min_length=5, max_length=5))),
         modal(field_input(text_input(min_length=6, max_length=5))),
         "/view/blocks/0/element/min_length"),
    Case("text-input-initial-value-fits", "plain_text_input.initial_value", "modal",
         modal(field_input(text_input(initial_value=X * 10, max_length=10))),
         modal(field_input(text_input(initial_value=X * 11, max_length=10))),
         "/view/blocks/0/element/initial_value"),
    Case("datepicker-initial-date", "datepicker.initial_date", "modal",
         modal(field_input({"type": "datepicker", "initial_date": "2026-11-24"})),
         modal(field_input({"type": "datepicker", "initial_date": "24/11/2026"})),
         "/view/blocks/0/element/initial_date"),
    Case("timepicker-initial-time", "timepicker.initial_time", "modal",
         modal(field_input({"type": "timepicker", "initial_time": "23:59"})),
         modal(field_input({"type": "timepicker", "initial_time": "24:00"})),
         "/view/blocks/0/element/initial_time"),
    Case("file-input-10-files", "file_input.max_files", "modal",
         modal(field_input({"type": "file_input", "max_files": 10})),
         modal(field_input({"type": "file_input", "max_files": 11})),
         "/view/blocks/0/element/max_files"),
    Case("rich-text-input-lines", "rich_text_input.lines", "modal",
         modal(field_input({"type": "rich_text_input", "min_lines": 1})),
         modal(field_input({"type": "rich_text_input", "min_lines": 0})),
         "/view/blocks/0/element/min_lines"),
    # ---- views -------------------------------------------------------------------------
    Case("view-type-matches-method", "view.type", "modal", modal(section()),
         {**modal(section()), "type": "home"}, "/view/type"),
    Case("modal-title-24", "modal.title", "modal", modal(section(), title=plain(X * 24)),
         modal(section(), title=plain(X * 25)), "/view/title/text"),
    Case("modal-title-required", "required", "modal", modal(section()),
         {"type": "modal", "blocks": [section()]}, "/view/title"),
    Case("modal-submit-24", "modal.submit", "modal", modal(section(), submit=plain(X * 24)),
         modal(section(), submit=plain(X * 25)), "/view/submit/text"),
    Case("modal-close-24", "modal.close", "modal", modal(section(), close=plain(X * 24)),
         modal(section(), close=plain(X * 25)), "/view/close/text"),
    Case("modal-submit-with-inputs", "modal.submit_required", "modal",
         modal(field_input(text_input())),
         {"type": "modal", "title": plain("T"), "blocks": [field_input(text_input())]},
         "/view/submit"),
    Case("private-metadata-3000", "view.private_metadata", "modal",
         modal(section(), private_metadata=X * 3000),
         modal(section(), private_metadata=X * 3001), "/view/private_metadata"),
    Case("callback-id-255", "view.callback_id", "home",
         {**home(section()), "callback_id": X * 255},
         {**home(section()), "callback_id": X * 256}, "/view/callback_id"),
    Case("unknown-view-property", "properties", "home", home(section()),
         {**home(section()), "title": plain("Home")}, "/view/title"),
    # ---- messages ----------------------------------------------------------------------
    Case("message-needs-some-text", "message.no_text", "message", {"text": "hi"},
         {"text": "", "blocks": []}, "/text"),
    Case("metadata-shape", "message.metadata", "message",
         {"text": "hi", "metadata": {"event_type": "case", "event_payload": {"id": 1}}},
         {"text": "hi", "metadata": {"event_type": "case"}}, "/metadata"),
    Case("blocks-need-fallback-text", "message.text_fallback", "message", msg(section()),
         {"blocks": [section()]}, "/text"),
    Case("text-truncated-at-40000", "message.text_truncated", "message", {"text": X * 40_000},
         {"text": X * 40_001}, "/text"),
    # ---- mrkdwn that renders wrongly ----------------------------------------------------
    Case("stray-less-than", "mrkdwn.token", "message", msg(section("1 &lt; 2")),
         msg(section("1 < 2")), "/blocks/0/text/text"),
    Case("stray-less-than-in-fallback", "mrkdwn.token", "message", {"text": "a &lt;b&gt;"},
         {"text": "a <b>"}, "/text"),
    Case("date-token-cut", "mrkdwn.date", "message",
         msg(section("due <!date^1764000000^{date_short_pretty} at {time}|Nov 24>")),
         msg(section("due <!date^1764000000^{date_short_pretty} at {ti")),
         "/blocks/0/text/text"),
    Case("date-token-in-modal", "mrkdwn.date", "modal",
         modal(section("<!date^1764000000^{date}|Nov 24>")),
         modal(section("<!date^1764000000^{date}>")), "/view/blocks/0/text/text"),
    Case("undecoded-entity", "mrkdwn.entity", "message", msg(section("Tom &amp; Jerry")),
         msg(section("Tom &quot;Jerry&quot;")), "/blocks/0/text/text"),
    Case("quote-marker-starts-a-line", "mrkdwn.quote", "message",
         msg(section("*Google* · <https://x.example/r|open>\n>My mother waited")),
         msg(section("*Google* · <https://x.example/r|open>>My mother waited")),
         "/blocks/0/text/text"),
    Case("quote-marker-in-fallback", "mrkdwn.quote", "message",
         {"text": "Reply to post:\n>Thank you"}, {"text": "Reply to post: >Thank you"}, "/text"),
    # ---- view_submission responses ------------------------------------------------------
    Case("response-action", "submission.response_action", "submission",
         {"response_action": "clear"}, {"response_action": "close"}, "/response_action"),
    Case("errors-keyed-by-input-blocks", "submission.errors", "submission",
         {"response_action": "errors", "errors": {"field": "Too short"}},
         {"response_action": "errors", "errors": {"intro": "Too short"}}, "/errors/intro"),
    Case("errors-not-empty", "submission.errors", "submission",
         {"response_action": "errors", "errors": {"field": "Too short"}},
         {"response_action": "errors", "errors": {"field": ""}}, "/errors/field"),
    Case("update-view-is-a-modal", "submission.view", "submission",
         {"response_action": "update", "view": modal(section())},
         {"response_action": "update", "view": modal(section(), title=plain(X * 25))},
         "/view/title/text"),
]

EXPECTED_ERROR = {"message.no_text": "no_text", "message.metadata": "invalid_metadata_format"}


def judge(surface: str, payload: Any) -> tuple[str | None, list[Violation]]:
    """(the API error Slack answers with, every violation and render problem)."""
    if surface == "submission":
        return None, check_view_submission_response(SUBMITTED, payload)
    outcome = (check_message(payload) if surface == "message"
               else check_view(payload, surface))  # type: ignore[arg-type]
    return outcome.error, outcome.violations + outcome.render


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_rule_rejects_the_bad_payload_and_accepts_the_good(case: Case) -> None:
    _error, found = judge(case.surface, case.good)
    assert found == [], [violation.describe() for violation in found]

    error, found = judge(case.surface, case.bad)
    hits = [v for v in found if v.rule.id == case.rule]
    assert hits, f"{case.rule} not reported; got {[v.describe() for v in found]}"
    assert case.pointer in [v.pointer for v in hits], [v.error for v in hits]
    rule = RULES[case.rule]
    if case.surface == "submission":
        return
    if rule.kind == "render":
        assert error is None  # Slack accepts it; a person would see it broken
    elif case.surface == "message":
        in_attachments = case.pointer.startswith("/attachments")
        assert error == EXPECTED_ERROR.get(
            case.rule, "invalid_attachments" if in_attachments else "invalid_blocks")
    else:
        assert error == "invalid_arguments"


def test_every_rule_has_a_case_and_a_source() -> None:
    tested = {case.rule for case in CASES}
    assert set(RULES) - tested == set()
    for rule in RULES.values():
        assert rule.source.startswith("https://"), rule


def test_rejection_reasons_are_worded_like_slack() -> None:
    outcome = check_view(modal(field_input(text_input(max_length=4000))), "modal")
    [violation] = outcome.violations
    assert violation.error == (
        "must be no more than 3000 [json-pointer:/view/blocks/0/element/max_length]"
    )
    body = outcome.response()
    assert body == {
        "ok": False,
        "error": "invalid_arguments",
        "response_metadata": {"messages": [f"[ERROR] {violation.error}"]},
    }
    outcome = check_message(msg({"type": "header", "text": plain(X * 151)}))
    assert outcome.response()["errors"] == [
        "must be less than 151 characters [json-pointer:/blocks/0/text/text]"
    ]
    assert outcome.response()["response_metadata"]["messages"] == [
        "[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]"
    ]


def test_every_violation_is_reported_not_only_the_first() -> None:
    outcome = check_message(msg(actions(button(style="purple", value=X * 2001)), section("")))
    assert {v.pointer for v in outcome.violations} == {
        "/blocks/0/elements/0/style", "/blocks/0/elements/0/value", "/blocks/1/text/text",
    }


WELL_FORMED = [
    "<@U0MARIA>", "<@U123ABC|sam>", "<#C0TRIAGE>", "<#C123|px-north>", "<!here>", "<!channel>",
    "<!everyone>", "<!subteam^S123ABC>", "<!date^1764000000^{date_short_pretty} at {time}|Nov 24>",
    "<!date^1764000000^{date_num}^https://x.example/case/1|2026-11-24>", "<https://x.example/r?id=1>",
    "<https://x.example/r|Read the full review>", "<mailto:px@x.example|PX team>",
    "a &amp; b &lt;c&gt;", "plain text with > and & alone", ">a quote\n>on two lines",
    "<https://x.example/r|open>\n>My mother", "5 &gt; 3", "`a>b` and ```\nx -> y\n```",
]
BROKEN = [
    ("<script>alert(1)", "mrkdwn.token"),
    ("5 < 6", "mrkdwn.token"),
    ("<http://x.example|unclosed", "mrkdwn.token"),
    ("<!date^1764000000^{date}", "mrkdwn.date"),
    ("<!date^1764000000^{date}>", "mrkdwn.date"),
    ("<!date^1764000000^no tokens|Nov 24>", "mrkdwn.date"),
    ("<!date^1764000000^{bogus}|Nov 24>", "mrkdwn.date"),
    ("<!date^soon^{date}|Nov 24>", "mrkdwn.date"),
    ("don&#39;t", "mrkdwn.entity"),
    ("a&nbsp;b", "mrkdwn.entity"),
    ("Tom &am…", "mrkdwn.entity"),
    ("Tom &l", "mrkdwn.entity"),
    ("<https://x.example/r|open>>My mother", "mrkdwn.quote"),
    ("Reply: >Thank you", "mrkdwn.quote"),
    ("first line\n  >not a quote", "mrkdwn.quote"),
    ("a -> b", "mrkdwn.quote"),
]


@pytest.mark.parametrize("text", WELL_FORMED)
def test_well_formed_mrkdwn_renders(text: str) -> None:
    assert mrkdwn_problems(text) == []


@pytest.mark.parametrize(("text", "rule"), BROKEN)
def test_broken_mrkdwn_is_flagged(text: str, rule: str) -> None:
    assert [problem.rule_id for problem in mrkdwn_problems(text)] == [rule]


def test_plain_text_is_not_parsed_as_mrkdwn() -> None:
    assert check_message(msg({"type": "header", "text": plain("1 < 2 & <!date")})).render == []


def test_the_suite_guard_fails_a_test_whose_own_twin_saw_a_bad_payload(tmp_path: Path) -> None:
    """The guard in tests/conftest.py covers twins a test creates itself, lists the problems,
    and lets ``@pytest.mark.slack_rejects`` tests through."""
    (tmp_path / "test_guarded.py").write_text(textwrap.dedent("""
        import pytest
        from slack_sdk import WebClient
        from slack_sdk.errors import SlackApiError
        from twin.webapi import C_TRIAGE, SlackTwin

        BAD = [{"type": "actions", "elements": [{"type": "button", "style": "purple",
                "text": {"type": "plain_text", "text": "Go"}}]}]

        def post(blocks):
            with SlackTwin() as slack:
                client = WebClient(token=slack.bot_token, base_url=slack.base_url)
                try:
                    client.chat_postMessage(channel=C_TRIAGE, text="t", blocks=blocks)
                except SlackApiError:
                    pass

        def test_unmarked():
            post(BAD)

        @pytest.mark.slack_rejects
        def test_marked():
            post(BAD)

        def test_clean():
            post([{"type": "divider"}])
    """))
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.conftest", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), str(tmp_path / "test_guarded.py")],
        cwd=root, capture_output=True, text=True, timeout=60,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "3 passed, 1 error" in output, output  # the body passed; teardown fails it
    assert "ERROR" in output and "test_unmarked" in output, output
    assert "chat.postMessage: rejected invalid_blocks" in output, output
    assert "json-pointer:/blocks/0/elements/0/style" in output, output
