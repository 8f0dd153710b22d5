"""Messages that list cases (the /reviewdesk command)."""

from __future__ import annotations

from bot.blocks.kit import Rendered, context, message, section, sections
from bot.case_lists import CaseLine, CaseList
from bot.text import line


def help_message() -> Rendered:
    text = str(line("command_help"))
    return message("reviewdesk help", [section(text)])


def _case_line(case: CaseLine) -> str:
    return str(line("case_list_line", case=case))


def open_cases_message(cases: CaseList) -> Rendered:
    if not cases.total:
        text = str(line("no_open_cases"))
        return message(text, [section(text)])
    footer = str(line("case_list_footer", shown=cases.shown, total=cases.total))
    return message(footer, [*sections(_case_line(case) for case in cases.lines),
                            context(footer)])
