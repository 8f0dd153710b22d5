"""The Block Kit pieces we use, built with `blockkit`, which checks Slack's limits as it builds.

Text that would be too long is cut here, on purpose, with "…" (mrkdwn never inside a `<…>`
token or an `&amp;` entity), so the library's checks only ever catch our own mistakes, in
tests, never a long review at 2 a.m.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import blockkit as bk
from blockkit.core import ColumnSettings, Component, RawText, Table

from bot.outbox import Rendered
from bot.text import cut_mrkdwn, word

TEXT_MAX = 3000  # any text object
HEADER_MAX = 150
SECTION_MAX = 3000
FIELD_MAX = 2000
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
PLACEHOLDER_MAX = 150
LABEL_MAX = 2000
MODAL_TITLE_MAX = 24
CONTEXT_ELEMENTS_MAX = 10
ACTIONS_ELEMENTS_MAX = 25
SELECT_OPTIONS_MAX = 100
OVERFLOW_OPTIONS_MAX = 5
CHECKBOX_OPTIONS_MAX = 10
INPUT_MAX = 3000  # plain_text_input max_length
MESSAGE_BLOCKS_MAX = 50
SURFACE_BLOCKS_MAX = 100
NOTIFICATION_MAX = 3000  # Slack allows 40,000; a notification never needs more
PRIVATE_METADATA_MAX = 3000
TABLE_ROWS_MAX = 100
TABLE_CELLS_MAX = 20
TABLE_CELL_MAX = 10000



def cut(text: str, limit: int) -> str:
    """Plain text cut to `limit` characters, ending in "…" when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def plain(text: str, limit: int = TEXT_MAX) -> bk.Text:
    return bk.Text(cut(text, limit), type="plain_text", emoji=True)


def mrkdwn(text: str, limit: int = TEXT_MAX) -> bk.Text:
    return bk.Text(cut_mrkdwn(text, limit), type="mrkdwn")


def header(text: str) -> bk.Header:
    return bk.Header(plain(text, HEADER_MAX))


def section(text: str, *, block_id: str | None = None,
            accessory: Component | None = None) -> bk.Section:
    return bk.Section(mrkdwn(text, SECTION_MAX), accessory=accessory, block_id=block_id)


def sections(lines: Iterable[str], *, limit: int = SECTION_MAX) -> list[bk.Section]:
    """Lines joined into as few sections as the length limit allows, never splitting a line
    (a line longer than a section is cut on its own)."""
    blocks: list[bk.Section] = []
    current = ""
    for text in lines:
        if current and len(current) + 1 + len(text) > limit:
            blocks.append(section(current))
            current = ""
        current = f"{current}\n{text}" if current else text
    if current:
        blocks.append(section(current))
    return blocks


def plain_sections(text: str, *, limit: int = SECTION_MAX) -> list[bk.Section]:
    """Text shown exactly as written (plain_text: no mrkdwn, no escaping), for words a person
    copies elsewhere; split at line ends into sections of up to `limit` characters."""
    blocks: list[bk.Section] = []
    current = ""
    for piece in text.splitlines(keepends=True) or [""]:
        while len(piece) > limit:  # one line longer than a section
            if current:
                blocks.append(bk.Section(plain(current, limit)))
                current = ""
            blocks.append(bk.Section(plain(piece[:limit], limit)))
            piece = piece[limit:]
        if len(current) + len(piece) > limit:
            blocks.append(bk.Section(plain(current, limit)))
            current = ""
        current += piece
    if current.strip():
        blocks.append(bk.Section(plain(current.rstrip("\n"), limit)))
    return blocks


def fields(*texts: str) -> bk.Section:
    return bk.Section(fields=[mrkdwn(text, FIELD_MAX) for text in texts[:10]])


def table(rows: Sequence[Sequence[str]], *, align: Sequence[str] = ()) -> Table:
    """A table (messages only, one per message, which `message` moves into the attachments, where
    Slack takes it) of plain-text cells; an empty cell shows "—".
    `align` gives the columns' alignment (left, center, right), in order."""
    cells = [[RawText(cut(text, TABLE_CELL_MAX) if text else "—")
              for text in row[:TABLE_CELLS_MAX]] for row in rows[:TABLE_ROWS_MAX]]
    settings = [ColumnSettings(align=side)  # type: ignore[arg-type]
                for side in align[:TABLE_CELLS_MAX]]
    return Table(rows=cells, column_settings=settings or None)


def context(*texts: str) -> bk.Context:
    return bk.Context(elements=[mrkdwn(text) for text in texts[:CONTEXT_ELEMENTS_MAX]])


def divider() -> bk.Divider:
    return bk.Divider()


def actions(block_id: str, *elements: Component) -> bk.Actions:
    return bk.Actions(elements=list(elements[:ACTIONS_ELEMENTS_MAX]), block_id=block_id)


def button(
    text: str,
    action_id: str,
    value: str | None = None,
    *,
    style: str | None = None,
    url: str | None = None,
) -> bk.Button:
    return bk.Button(plain(text, BUTTON_TEXT_MAX), action_id=action_id, value=value,
                     style=style, url=url)  # type: ignore[arg-type]


def option(text: str, value: str) -> bk.Option:
    return bk.Option(plain(text, OPTION_TEXT_MAX), value)


def static_select(
    action_id: str,
    choices: Sequence[tuple[str, str]],
    *,
    placeholder: str,
    initial_value: str | None = None,
) -> bk.StaticSelect:
    """A menu of (label, value) choices; `initial_value` is chosen when it is among them."""
    kept = list(choices[:SELECT_OPTIONS_MAX])
    initial = next((option(label, value) for label, value in kept if value == initial_value),
                   None)
    return bk.StaticSelect(action_id, options=[option(label, value) for label, value in kept],
                           initial_option=initial,
                           placeholder=plain(placeholder, PLACEHOLDER_MAX))


def overflow(action_id: str, choices: Sequence[tuple[str, str]]) -> bk.Overflow:
    """A "⋯" menu of (label, value) choices (Slack allows one to five)."""
    return bk.Overflow(action_id, options=[option(label, value)
                                           for label, value in choices[:OVERFLOW_OPTIONS_MAX]])


def checkboxes(action_id: str, choices: Sequence[tuple[str, str]], *,
               checked: Sequence[str] = ()) -> bk.Checkboxes:
    """Tick boxes for (label, value) choices; the values in `checked` start ticked."""
    kept = [option(label, value) for label, value in choices[:CHECKBOX_OPTIONS_MAX]]
    initial = [item for item, (_label, value) in zip(kept, choices, strict=False)
               if value in checked]
    return bk.Checkboxes(action_id, options=kept, initial_options=initial or None)


def text_input(
    action_id: str,
    *,
    multiline: bool = True,
    initial_value: str | None = None,
    max_length: int | None = None,
    placeholder: str | None = None,
) -> bk.PlainTextInput:
    if max_length is not None:
        max_length = min(max_length, INPUT_MAX)
    limit = max_length or INPUT_MAX
    return bk.PlainTextInput(
        action_id,
        initial_value=cut(initial_value, limit) if initial_value else None,
        multiline=multiline,
        max_length=max_length,
        placeholder=plain(placeholder, PLACEHOLDER_MAX) if placeholder else None,
    )


def input_block(
    block_id: str, label: str, element: Component, *, optional: bool = False, hint: str = ""
) -> bk.Input:
    return bk.Input(plain(label, LABEL_MAX), element, optional=optional, block_id=block_id,
                    hint=plain(hint, LABEL_MAX) if hint else None)


def message(text: str, blocks: Sequence[Component], *,
            more: str = "…and more not shown") -> Rendered:
    """Build a message: the notification `text` and Slack's JSON for `blocks`, keeping within
    50 blocks (the last one says what was left out)."""
    kept = [block for block in blocks if not isinstance(block, Table)]
    tables = [block for block in blocks if isinstance(block, Table)][:1]
    if len(kept) > MESSAGE_BLOCKS_MAX:
        kept = [*kept[: MESSAGE_BLOCKS_MAX - 1], context(more)]
    return Rendered(text=cut(text, NOTIFICATION_MAX), blocks=[block.build() for block in kept],
                    attachments=[{"blocks": [table.build()]} for table in tables])


def modal(
    *,
    callback_id: str,
    title: str,
    blocks: Sequence[Component],
    private_metadata: str,
    submit: str | None = None,
    close: str | None = None,
) -> dict[str, Any]:
    view = bk.Modal(
        title=plain(title, MODAL_TITLE_MAX),
        blocks=list(blocks[:SURFACE_BLOCKS_MAX]),
        submit=plain(submit, MODAL_TITLE_MAX) if submit else None,
        close=plain(close or word("cancel"), MODAL_TITLE_MAX),
        private_metadata=private_metadata or None,
        callback_id=callback_id,
    )
    return view.build()


def home(blocks: Sequence[Component], *, private_metadata: str | None = None) -> dict[str, Any]:
    return bk.Home(blocks=list(blocks[:SURFACE_BLOCKS_MAX]),
                   private_metadata=private_metadata).build()
