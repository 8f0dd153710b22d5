"""mrkdwn that Slack accepts but shows broken: a ``<`` that opens no token, a cut or malformed
``<!date>`` token, an HTML entity Slack does not decode, a ``>`` quote marker that does not
start a line."""

from __future__ import annotations

import re
from dataclasses import dataclass

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
_STRAY_PAIR = re.compile(r"<[^<>\n]*>")  # a '<' that opens no token, up to its own '>'
_CODE = re.compile(r"```.*?```|`[^`\n]+`", re.DOTALL)  # Slack shows code as typed


@dataclass(frozen=True)
class _Problem:
    rule_id: str
    reason: str


def _excerpt(text: str, start: int, width: int = 30) -> str:
    return text[start:start + width].replace("\n", "\\n")


def _glued_quote_markers(text: str, markup: list[tuple[int, int]]) -> list[_Problem]:
    """A raw ``>`` is a block quote marker only where it starts a line; elsewhere Slack shows
    it as a literal ``>`` glued to the text (``open>My mother…`` when the line break before a
    quote is lost).  A ``>`` standing alone between spaces reads as the sign it is."""
    covered = markup + [match.span() for match in _CODE.finditer(text)]
    problems: list[_Problem] = []
    for index, char in enumerate(text):
        if char != ">" or index == 0 or text[index - 1] == "\n":
            continue
        if any(start <= index < end for start, end in covered):
            continue
        before, after = text[index - 1], text[index + 1:index + 2]
        if before in " \t" and (after == "" or after.isspace()):
            continue
        problems.append(_Problem(
            "mrkdwn.quote", f"'>' does not start a line, so it quotes nothing and shows as "
            f"'>' (a lost line break?): {_excerpt(text, max(0, index - 15))!r}"))
    return problems


def mrkdwn_problems(text: str) -> list[_Problem]:
    """Where ``text`` (mrkdwn) would not render as meant: stray ``<``, cut or malformed
    ``<!date>`` tokens, entities Slack does not decode, ``>`` quote markers within a line."""
    problems: list[_Problem] = []
    markup: list[tuple[int, int]] = []  # spans of tokens, whose '>' closes them
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
                markup.append((start, position))
                continue
            unknown = set(re.findall(r"\{([^}]*)\}", match.group(2))) - DATE_TOKENS
            if unknown or "{" not in match.group(2):
                problems.append(_Problem(
                    "mrkdwn.date", f"<!date format has no known {{token}}: {match.group(2)!r}"))
            position = match.end()
            markup.append(match.span())
            continue
        match = next((m for t in _TOKENS if (m := t.match(text, start))), None)
        if match is None:
            problems.append(_Problem(
                "mrkdwn.token", f"'<' opens no Slack token (escape it as &lt;): "
                f"{_excerpt(text, start)!r}"))
            position = start + 1
            if stray := _STRAY_PAIR.match(text, start):  # its '>' is told with the '<'
                markup.append(stray.span())
        else:
            position = match.end()
            markup.append(match.span())
    for match in _ENTITY.finditer(text):
        if match.group(1) not in ("amp", "lt", "gt"):
            problems.append(_Problem(
                "mrkdwn.entity", f"entity {match.group(0)} is not decoded by Slack and shows raw"))
    for match in _CUT_ENTITY.finditer(text):
        problems.append(_Problem(
            "mrkdwn.entity", f"entity cut short ({match.group(0)!r}) shows raw"))
    return problems + _glued_quote_markers(text, markup)
