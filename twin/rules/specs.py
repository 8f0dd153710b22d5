"""Each block's and element's documented fields and how each field is checked (`Spec`), with the
small check builders and cross-field checks they are made of; `twin.rules.blocks` walks them."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Literal

from twin.rules.table import (
    ACTIONS,
    BUTTON,
    CHECKBOXES,
    CONFIRM,
    CONTEXT,
    DATEPICKER,
    DATETIMEPICKER,
    DIVIDER,
    EMAIL_INPUT,
    FILE_INPUT,
    HEADER,
    HOME_VIEW,
    IMAGE_BLOCK,
    IMAGE_ELEMENT,
    INPUT,
    MARKDOWN,
    MODAL_VIEW,
    MULTI_SELECT,
    NUMBER_INPUT,
    OPTION_GROUP,
    OVERFLOW,
    PLAIN_TEXT_INPUT,
    RADIO,
    RICH_TEXT,
    RICH_TEXT_CONTAINERS,
    RICH_TEXT_INLINE,
    RICH_TEXT_INPUT,
    RULES,
    SECTION,
    SELECT,
    SLACK_FILE,
    TABLE,
    TIMEPICKER,
    URL_INPUT,
    VIDEO,
    WORKFLOW_BUTTON,
)
from twin.rules.walker import Check, Spec, Walker, is_int

# ---- small check builders ------------------------------------------------------------------


def _str(rule_id: str) -> Check:
    return lambda walk, value, pointer: walk.string(rule_id, value, pointer)


def _text(rule_id: str | None, *, plain: bool = False) -> Check:
    return lambda walk, value, pointer: walk.text(rule_id, value, pointer, plain=plain)


def _bool(walk: Walker, value: Any, pointer: str) -> None:
    walk.boolean(value, pointer)


def _int(rule_id: str) -> Check:
    return lambda walk, value, pointer: walk.integer(rule_id, value, pointer)


def _any(walk: Walker, value: Any, pointer: str) -> None:
    """A field the twin accepts as documented without looking inside."""


def _any_str(walk: Walker, value: Any, pointer: str) -> None:
    if not isinstance(value, str):
        walk.fail("json.type", pointer, "must be a string")


def _block_id(walk: Walker, value: Any, pointer: str) -> None:
    walk.unique_id("block_id", value, pointer)


def _action_id(walk: Walker, value: Any, pointer: str) -> None:
    walk.unique_id("action_id", value, pointer)


def _confirm(walk: Walker, value: Any, pointer: str) -> None:
    walk.confirm(value, pointer)


def _style(rule_id: str) -> Check:
    return lambda walk, value, pointer: walk.one_of(rule_id, value, pointer,
                                                    ("primary", "danger"))


def _placeholder(walk: Walker, value: Any, pointer: str) -> None:
    walk.text("placeholder.text", value, pointer, plain=True)


def _pattern(rule_id: str, pattern: str, shape: str) -> Check:
    compiled = re.compile(pattern)

    def check(walk: Walker, value: Any, pointer: str) -> None:
        if not isinstance(value, str) or not compiled.fullmatch(value):
            walk.fail(rule_id, pointer, f"must be formatted {shape}")

    return check


_INTERACTIVE = {"action_id": _action_id, "confirm": _confirm, "focus_on_load": _bool}

# ---- cross-field checks --------------------------------------------------------------------


def _section_extra(walk: Walker, block: dict[str, Any], pointer: str) -> None:
    if block.get("text") is None and not block.get("fields"):
        walk.fail("section.text_or_fields", pointer, "must provide either text or fields")


def _section_fields(walk: Walker, value: Any, pointer: str) -> None:
    for index, item in enumerate(walk.items("section.fields", value, pointer)):
        walk.text("section.field_text", item, f"{pointer}/{index}")


def _elements(container: str, rule_id: str) -> Check:
    def check(walk: Walker, value: Any, pointer: str) -> None:
        for index, item in enumerate(walk.items(rule_id, value, pointer)):
            walk.element(container, item, f"{pointer}/{index}")

    return check


def _single_element(container: str) -> Check:
    return lambda walk, value, pointer: walk.element(container, value, pointer)


def _image_extra(walk: Walker, image: dict[str, Any], pointer: str) -> None:
    if (image.get("image_url") is None) == (image.get("slack_file") is None):
        walk.fail("image.source", pointer, "must provide either image_url or slack_file")


def _slack_file(walk: Walker, value: Any, pointer: str) -> None:
    if not isinstance(value, dict) or (("url" in value) == ("id" in value)):
        walk.fail("image.source", pointer, f"must provide either url or id (see {SLACK_FILE})")


def _markdown_text(walk: Walker, value: Any, pointer: str) -> None:
    walk.mrkdwn_block_text(value, pointer)


def _rich_text_elements(walk: Walker, value: Any, pointer: str) -> None:
    if not isinstance(value, list):
        walk.fail("json.type", pointer, "must be an array")
        return
    for index, item in enumerate(value):
        here = f"{pointer}/{index}"
        kind = item.get("type") if isinstance(item, dict) else None
        if kind not in RICH_TEXT_CONTAINERS:
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
                       else RICH_TEXT_INLINE)
            if child_kind not in allowed:
                walk.fail("rich_text.elements", f"{where}/type",
                          f"element type {child_kind!r} is not allowed in {kind}")
            elif child_kind == "text" and not isinstance(child.get("text"), str):
                walk.fail("required", f"{where}/text", "missing required field: text")
            elif child_kind == "link" and not isinstance(child.get("url"), str):
                walk.fail("required", f"{where}/url", "missing required field: url")
            elif child_kind == "rich_text_section":
                _rich_text_elements(walk, [child], f"{here}/elements")


def _table_rows(walk: Walker, value: Any, pointer: str) -> None:
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


def _column_settings(walk: Walker, value: Any, pointer: str) -> None:
    for index, item in enumerate(walk.items("table.column_settings", value, pointer)):
        if item is None:
            continue  # a null entry leaves that column at its default
        walk.obj(COLUMN_SETTING_SPEC, item, f"{pointer}/{index}")


def _table_extra(walk: Walker, block: dict[str, Any], pointer: str) -> None:
    if not walk.in_attachment:
        walk.fail("table.in_attachments", pointer,
                  "a table block is only taken in the message's attachments")
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


def _static_select_extra(walk: Walker, element: dict[str, Any], pointer: str) -> None:
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


def _option_groups(walk: Walker, value: Any, pointer: str) -> None:
    for index, group in enumerate(walk.items("select.option_groups", value, pointer)):
        walk.obj(OPTION_GROUP_SPEC, group, f"{pointer}/{index}")


def _plain_options(rule_id: str, *, url: bool = False) -> Check:
    return lambda walk, value, pointer: walk.options(rule_id, value, pointer, url=url)


def _mrkdwn_options(rule_id: str) -> Check:
    return lambda walk, value, pointer: walk.options(rule_id, value, pointer, plain=False)


def _initial_options(walk: Walker, value: Any, pointer: str) -> None:
    for index, item in enumerate(walk.items("select.options", value, pointer) if value else []):
        walk.option(item, f"{pointer}/{index}", plain=False, url=False)


def _initial_option(walk: Walker, value: Any, pointer: str) -> None:
    walk.option(value, pointer, plain=False, url=False)


def _choices_extra(rule_id: str, many: bool) -> Callable[[Walker, dict[str, Any], str], None]:
    def extra(walk: Walker, element: dict[str, Any], pointer: str) -> None:
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


def _plain_text_input_extra(walk: Walker, element: dict[str, Any], pointer: str) -> None:
    low, high = element.get("min_length"), element.get("max_length")
    if is_int(low) and is_int(high) and low > high:
        walk.fail("plain_text_input.lengths", f"{pointer}/min_length",
                  "min_length must not be more than max_length")
    initial = element.get("initial_value")
    if isinstance(initial, str):
        cap = high if is_int(high) and 1 <= high <= 3000 else 3000
        if len(initial) > cap:
            walk.fail("plain_text_input.initial_value", f"{pointer}/initial_value",
                      f"must be less than {cap + 1} characters")


# ---- the specs -----------------------------------------------------------------------------

_BLOCK_BASE: dict[str, Check] = {"type": _any, "block_id": _block_id}

BLOCK_SPECS: dict[str, Spec] = {
    "section": Spec(
        {**_BLOCK_BASE, "text": _text("section.text"), "fields": _section_fields,
         "accessory": _single_element("section"), "expand": _bool},
        (), SECTION, _section_extra),
    "header": Spec({**_BLOCK_BASE, "text": _text("header.text", plain=True)}, ("text",),
                    HEADER),
    "context": Spec({**_BLOCK_BASE, "elements": _elements("context", "context.elements")},
                     ("elements",), CONTEXT),
    "actions": Spec({**_BLOCK_BASE, "elements": _elements("actions", "actions.elements")},
                     ("elements",), ACTIONS),
    "divider": Spec(dict(_BLOCK_BASE), (), DIVIDER),
    "input": Spec(
        {**_BLOCK_BASE, "label": _text("input.label", plain=True),
         "hint": _text("input.hint", plain=True), "element": _single_element("input"),
         "optional": _bool, "dispatch_action": _bool},
        ("label", "element"), INPUT),
    "image": Spec(
        {**_BLOCK_BASE, "alt_text": _str("image.alt_text"), "image_url": _str("image.image_url"),
         "slack_file": _slack_file, "title": _text("image.title", plain=True)},
        ("alt_text",), IMAGE_BLOCK, _image_extra),
    "markdown": Spec({**_BLOCK_BASE, "text": _markdown_text}, ("text",), MARKDOWN),
    "rich_text": Spec({**_BLOCK_BASE, "elements": _rich_text_elements}, ("elements",),
                       RICH_TEXT),
    "table": Spec({**_BLOCK_BASE, "rows": _table_rows, "column_settings": _column_settings},
                   ("rows",), TABLE, _table_extra),
    "video": Spec(
        {**_BLOCK_BASE, "video_url": _any_str, "thumbnail_url": _any_str, "alt_text": _any_str,
         "title": _text("video.title", plain=True), "title_url": _any_str,
         "author_name": _str("video.author_name"), "provider_name": _any_str,
         "provider_icon_url": _any_str, "description": _text(None, plain=True)},
        ("video_url", "thumbnail_url", "alt_text", "title"), VIDEO),
}

COLUMN_SETTING_SPEC = Spec(
    {"align": lambda w, v, p: w.one_of("table.align", v, p, ("left", "center", "right")),
     "is_wrapped": _bool},
    (), TABLE)

CONFIRM_SPEC = Spec(
    {"title": _text("confirm.title", plain=True), "text": _text("confirm.text", plain=True),
     "confirm": _text("confirm.confirm", plain=True), "deny": _text("confirm.deny", plain=True),
     "style": _style("confirm.style")},
    ("title", "text", "confirm", "deny"), CONFIRM)

OPTION_GROUP_SPEC = Spec(
    {"label": _text("option_group.label", plain=True),
     "options": _plain_options("option_group.options")},
    ("label", "options"), OPTION_GROUP)

_DISPATCH = {"dispatch_action_config": _any}

ELEMENT_SPECS: dict[str, Spec] = {
    "button": Spec(
        {"type": _any, "text": _text("button.text", plain=True), "action_id": _action_id,
         "url": _str("button.url"), "value": _str("button.value"),
         "style": _style("button.style"), "confirm": _confirm,
         "accessibility_label": _str("button.accessibility_label")},
        ("text",), BUTTON),
    "workflow_button": Spec(
        {"type": _any, "text": _text("button.text", plain=True), "workflow": _any,
         "style": _style("button.style"), "accessibility_label":
             _str("button.accessibility_label"), "action_id": _action_id, "confirm": _confirm},
        ("text", "workflow"), WORKFLOW_BUTTON),
    "checkboxes": Spec(
        {"type": _any, **_INTERACTIVE, "options": _mrkdwn_options("checkboxes.options"),
         "initial_options": _initial_options},
        ("options",), CHECKBOXES, _choices_extra("checkboxes.initial_options", many=True)),
    "radio_buttons": Spec(
        {"type": _any, **_INTERACTIVE, "options": _mrkdwn_options("radio_buttons.options"),
         "initial_option": _initial_option},
        ("options",), RADIO, _choices_extra("radio_buttons.initial_option", many=False)),
    "overflow": Spec(
        {"type": _any, "action_id": _action_id, "confirm": _confirm,
         "options": _plain_options("overflow.options", url=True)},
        ("options",), OVERFLOW),
    "datepicker": Spec(
        {"type": _any, **_INTERACTIVE, "placeholder": _placeholder,
         "initial_date": _pattern("datepicker.initial_date", r"\d{4}-\d{2}-\d{2}",
                                  "YYYY-MM-DD")},
        (), DATEPICKER),
    "datetimepicker": Spec(
        {"type": _any, **_INTERACTIVE, "initial_date_time": _any}, (), DATETIMEPICKER),
    "timepicker": Spec(
        {"type": _any, **_INTERACTIVE, "placeholder": _placeholder, "timezone": _any_str,
         "initial_time": _pattern("timepicker.initial_time", r"([01]\d|2[0-3]):[0-5]\d",
                                  "HH:mm")},
        (), TIMEPICKER),
    "image": Spec(
        {"type": _any, "alt_text": _any_str, "image_url": _any_str, "slack_file": _slack_file},
        ("alt_text",), IMAGE_ELEMENT, _image_extra),
    "plain_text_input": Spec(
        {"type": _any, "action_id": _action_id, "focus_on_load": _bool, **_DISPATCH,
         "placeholder": _placeholder, "initial_value": _any_str, "multiline": _bool,
         "min_length": _int("plain_text_input.min_length"),
         "max_length": _int("plain_text_input.max_length")},
        (), PLAIN_TEXT_INPUT, _plain_text_input_extra),
    "email_text_input": Spec(
        {"type": _any, "action_id": _action_id, "focus_on_load": _bool, **_DISPATCH,
         "placeholder": _placeholder, "initial_value": _any_str},
        (), EMAIL_INPUT),
    "url_text_input": Spec(
        {"type": _any, "action_id": _action_id, "focus_on_load": _bool, **_DISPATCH,
         "placeholder": _placeholder, "initial_value": _any_str},
        (), URL_INPUT),
    "number_input": Spec(
        {"type": _any, "action_id": _action_id, "focus_on_load": _bool, **_DISPATCH,
         "placeholder": _placeholder, "is_decimal_allowed": _bool, "initial_value": _any_str,
         "min_value": _any_str, "max_value": _any_str},
        ("is_decimal_allowed",), NUMBER_INPUT),
    "file_input": Spec(
        {"type": _any, "action_id": _action_id, "filetypes": _any,
         "max_files": _int("file_input.max_files")},
        (), FILE_INPUT),
    "rich_text_input": Spec(
        {"type": _any, "action_id": _action_id, "focus_on_load": _bool, **_DISPATCH,
         "placeholder": _placeholder, "initial_value": _any,
         "min_lines": _int("rich_text_input.lines"), "max_lines": _int("rich_text_input.lines")},
        (), RICH_TEXT_INPUT),
    "static_select": Spec(
        {"type": _any, "placeholder": _placeholder, **_INTERACTIVE,
         "options": _plain_options("select.options"), "option_groups": _option_groups,
         "initial_option": lambda w, v, p: w.option(v, p, plain=True, url=False)},
        (), SELECT, _static_select_extra),
    "multi_static_select": Spec(
        {"type": _any, "placeholder": _placeholder, **_INTERACTIVE,
         "options": _plain_options("select.options"), "option_groups": _option_groups,
         "initial_options": _initial_options,
         "max_selected_items": _int("multi_select.max_selected_items")},
        (), MULTI_SELECT, _static_select_extra),
    "external_select": Spec(
        {"type": _any, "placeholder": _placeholder, **_INTERACTIVE,
         "initial_option": lambda w, v, p: w.option(v, p, plain=True, url=False),
         "min_query_length": _any},
        (), SELECT),
    "multi_external_select": Spec(
        {"type": _any, "placeholder": _placeholder, **_INTERACTIVE,
         "initial_options": _initial_options, "min_query_length": _any,
         "max_selected_items": _int("multi_select.max_selected_items")},
        (), MULTI_SELECT),
    "users_select": Spec(
        {"type": _any, "placeholder": _placeholder, **_INTERACTIVE, "initial_user": _any_str},
        (), SELECT),
    "multi_users_select": Spec(
        {"type": _any, "placeholder": _placeholder, **_INTERACTIVE, "initial_users": _any,
         "max_selected_items": _int("multi_select.max_selected_items")},
        (), MULTI_SELECT),
    "conversations_select": Spec(
        {"type": _any, "placeholder": _placeholder, **_INTERACTIVE,
         "initial_conversation": _any_str, "default_to_current_conversation": _bool,
         "response_url_enabled": _bool, "filter": _any},
        (), SELECT),
    "multi_conversations_select": Spec(
        {"type": _any, "placeholder": _placeholder, **_INTERACTIVE,
         "initial_conversations": _any, "default_to_current_conversation": _bool,
         "filter": _any, "max_selected_items": _int("multi_select.max_selected_items")},
        (), MULTI_SELECT),
    "channels_select": Spec(
        {"type": _any, "placeholder": _placeholder, **_INTERACTIVE, "initial_channel": _any_str,
         "response_url_enabled": _bool},
        (), SELECT),
    "multi_channels_select": Spec(
        {"type": _any, "placeholder": _placeholder, **_INTERACTIVE, "initial_channels": _any,
         "max_selected_items": _int("multi_select.max_selected_items")},
        (), MULTI_SELECT),
}


def view_spec(surface: Literal["modal", "home"]) -> Spec:
    """A modal's or a Home tab's own fields (views.open/push/update, views.publish)."""
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
    return Spec(fields, ("type", "blocks", "title") if surface == "modal"
                else ("type", "blocks"), source)
