"""Words the bot says, from Jinja2 templates in templates/: message lines (mrkdwn, with user text
escaped) and reply drafts (plain text, as they will be posted publicly)."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from bot.shipped import shipped

TEMPLATES = shipped("templates")


# What a cut must not split: <@U…>, <#C…>, <!date^…|…>, <https://…|label>, and entities.
_UNSPLITTABLE = re.compile(r"<[^<>\n]*>|&(?:amp|lt|gt);")


def escape_mrkdwn(text: str) -> str:
    """Slack decodes only these three entities; anything else would show literally."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# Slack ids as Slack writes them: a member (U…, W…), a user group (S…), a channel (C…, G…, D…).
_MEMBER_ID = re.compile(r"[UW][A-Z0-9]{2,}")
_GROUP_ID = re.compile(r"S[A-Z0-9]{2,}")
_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,}")

URL_MAX = 2000
# What may not stand in a URL inside Slack markup: `|` starts a link's label, `<` and `>` end
# or open a token, and whitespace or control characters end the link early.
_URL_UNSAFE = re.compile(r"[|<>\"\\^`{}\s\x00-\x1f\x7f\u0080-\u009f\u2028\u2029]")


def web_url(url: str | None) -> str | None:
    """`url` fit to stand in a link or a link button: an http(s) address with a host, at most
    URL_MAX characters, with any character that could end or relabel a Slack link
    percent-encoded; None for anything else (a javascript: or data: address, a bare word)."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if scheme.lower() not in {"http", "https"} or not host or "@" in host:
        return None
    safe = _URL_UNSAFE.sub(lambda match: "".join(f"%{byte:02X}" for byte in
                                                 match.group(0).encode("utf-8")), url)
    return safe if len(safe) <= URL_MAX else None


def cut_mrkdwn(text: str, limit: int) -> str:
    """mrkdwn cut to `limit` characters, ending in "…" when cut, never inside a token or an
    entity (a cut `<!date^…` shows Slack's raw markup; a cut `&amp;` a stray "&am")."""
    if len(text) <= limit:
        return text
    end = limit - 1
    for token in _UNSPLITTABLE.finditer(text, 0, limit + 3000):
        if token.start() >= end:
            break
        if token.end() > end:
            end = token.start()
            break
    return text[:end].rstrip() + "…"


def _finalize(value: Any) -> Any:
    if isinstance(value, Markup):
        return value
    return escape_mrkdwn(str(value)) if value is not None else ""


def mention(user_id: str | None) -> Markup:
    """A member (<@U…>) or a user group (<!subteam^S…>) as Slack mentions them; anything that is
    not a Slack id is shown as escaped text, never as markup."""
    if not user_id:
        return Markup("nobody")
    if _MEMBER_ID.fullmatch(user_id):
        return Markup(f"<@{user_id}>")
    if _GROUP_ID.fullmatch(user_id):
        return Markup(f"<!subteam^{user_id}>")
    return Markup(escape_mrkdwn(user_id))


def channel_link(channel_id: str | None) -> Markup:
    if not channel_id:
        return Markup("its channel")
    if _CHANNEL_ID.fullmatch(channel_id):
        return Markup(f"<#{channel_id}>")
    return Markup(escape_mrkdwn(channel_id))


def link_url(url: str | None) -> Markup:
    """A URL for the inside of a <url|label> link: made safe by `web_url`, then escaped."""
    return Markup(escape_mrkdwn(web_url(url) or ""))


def slack_date(moment: datetime, token_format: str = "{date_short_pretty} at {time}") -> Markup:
    """Slack's <!date> syntax: every reader sees the time in their own zone."""
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return Markup(f"<!date^{int(moment.timestamp())}^{token_format}|{fallback}>")


def ago(moment: datetime) -> Markup:
    return slack_date(moment, "{ago}")


def quote(text: str, limit: int | None = None) -> Markup:
    """User text as a mrkdwn block quote, escaped, then cut to `limit` characters of mrkdwn
    (escaping first, so what Slack receives is within the limit)."""
    lines = escape_mrkdwn(text.strip()).splitlines() or [""]
    quoted = "\n".join(f">{line}" for line in lines)
    return Markup(cut_mrkdwn(quoted, limit) if limit is not None else quoted)


def stars(rating: int | None) -> str:
    return "★" * rating + "☆" * (5 - rating) if rating else "no rating"


@cache
def _mrkdwn_env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(
        mention=mention, channel=channel_link, date=slack_date, ago=ago, quote=quote, stars=stars,
        url=link_url,
    )
    return env


@cache
def _plain_env() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def line(name: str, **context: Any) -> Markup:
    """One mrkdwn message line: the macro `name` of templates/messages/lines.j2."""
    macro = getattr(_mrkdwn_env().get_template("messages/lines.j2").module, name)
    return Markup(str(macro(**context)).strip())


def plain_line(name: str, **context: Any) -> str:
    """The same line for a plain_text field or a notification (no mrkdwn markup)."""
    macro = getattr(_plain_env().get_template("messages/plain.j2").module, name)
    return str(macro(**context)).strip()


def notification(name: str, **context: Any) -> str:
    """A plain line as a message's notification `text`, which Slack reads as mrkdwn: escaped, so
    a site or source named `<!channel>` shows as those characters and mentions nobody."""
    return escape_mrkdwn(plain_line(name, **context))


def word(name: str) -> str:
    """A short plain-text label (a button, a modal title): `WORDS` in messages/plain.j2."""
    return _plain_env().get_template("messages/plain.j2").module.WORDS[name]


def render_plain(template: str, **context: Any) -> str:
    return _plain_env().get_template(template).render(**context).strip()
