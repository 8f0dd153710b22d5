"""Reply drafts from templates/replies/*.txt.j2: which exist, their titles, and a draft for a case.

Drafts never confirm that the reviewer is a patient, give no medical advice, and move the
conversation offline; the wording lives in the templates so the team can edit it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.config import Config
from bot.text import TEMPLATES, render_plain

_TITLE = re.compile(r"\{#-?\s*title:\s*(.+?)\s*-?#\}")
_NOT_A_NAME = {"anonymous", "a google user", "facebook user", "private", "guest"}


@dataclass(frozen=True)
class ReplyTemplate:
    name: str
    title: str


def available() -> list[ReplyTemplate]:
    """The reply templates, in a stable order, with the title each declares on its first line."""
    found = []
    for path in sorted((TEMPLATES / "replies").glob("*.txt.j2")):
        name = path.name.removesuffix(".txt.j2")
        match = _TITLE.search(path.read_text(encoding="utf-8").split("\n", 1)[0])
        found.append(ReplyTemplate(name, match.group(1) if match else name.replace("_", " ")))
    return found


def find(name: str | None) -> ReplyTemplate | None:
    return next((template for template in available() if template.name == name), None)


# A theme whose complaint has a template of its own; the first theme found wins.
_THEME_TEMPLATES = {"billing": "billing", "wait_time": "wait_time"}


def suggest(themes: tuple[str, ...] | list[str]) -> str | None:
    """The template that fits the review's themes, if one exists."""
    for theme in themes:
        name = _THEME_TEMPLATES.get(theme)
        if name and find(name):
            return name
    return None


def greeting_name(author: str | None) -> str | None:
    """The reviewer's public first name, when they gave one that reads as a name."""
    if not author or author.strip().casefold() in _NOT_A_NAME:
        return None
    first = author.strip().split()[0].rstrip(".,")
    return first if len(first) > 1 and first[0].isalpha() else None


def draft(name: str, *, config: Config, author: str | None, site_id: str | None) -> str:
    site = config.site(site_id)
    return render_plain(
        f"replies/{name}.txt.j2",
        greeting_name=greeting_name(author),
        organization=config.organization,
        site_name=site.name if site else config.organization,
        contact_phone=(site.px_phone if site and site.px_phone else config.replies.contact_phone)
        or "our main number",
        signature=config.replies.signature,
    )
