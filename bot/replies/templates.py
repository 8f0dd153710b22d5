"""Reply templates: public replies (templates/replies/*.txt.j2) and private follow-up messages
(templates/replies/private/*.txt.j2), each with a header saying what it is for; a site's own
wording (templates/replies/sites/<site>/…); which template fits a case first; rendering.
`bot.replies.checks.check_templates` renders every template and runs the reply guard on them.

A template's header is a Jinja comment at its top:

    {#-
    name: Wait time
    use: A long wait, in a waiting room, for a call back or for news.
    audience: public
    labels: urgent
    themes: wait_time
    -#}

A template in another language than English says so (`language: es`) and is named after the
English one with the language's code (wait_time.es.txt.j2): a review in that language gets that
language's templates first.

Templates never confirm that the reviewer is a patient, give no medical advice and move the
conversation offline; `bot.replies.checks.check_templates` holds every public one to the
guard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from difflib import SequenceMatcher
from enum import StrEnum
from pathlib import Path
from typing import Any

from bot.config import Config
from bot.text import TEMPLATES, render_plain

REPLIES = TEMPLATES / "replies"
SUFFIX = ".txt.j2"

_NOT_A_NAME = {"anonymous", "a google user", "facebook user", "private", "guest"}
_HEADER = re.compile(r"\A\{#-?(.*?)-?#\}", re.DOTALL)
_HEADER_KEYS = {"name", "title", "use", "audience", "labels", "themes", "language"}
ENGLISH = "en"


class Audience(StrEnum):
    PUBLIC = "public"  # posted under the review for everyone to read
    PRIVATE = "private"  # sent to the reviewer alone, when they have written in


# ---- which template fits a case --------------------------------------------------------------
# The one table to change when triage renames a label or theme: triage's name -> the name the
# template headers use. Names not listed are used as they are.
TRIAGE_TERMS: dict[str, str] = {}
# How much a matching label counts next to a matching theme (1 to 4): a reviewer on site now needs
# the "help right now" reply whatever they complain about.
LABEL_WEIGHTS: dict[str, int] = {"urgent": 16, "risk": 12, "clinician": 8, "past_experience": 6}
DEFAULT_LABEL_WEIGHT = 6
# Among themes, the tip sheet's most common complaints lead (wait times, billing, appointments,
# staff courtesy); "nobody told us" mostly comes along with one of them.
THEME_WEIGHTS: dict[str, int] = {"wait_time": 4, "billing": 4, "appointment_access": 3,
                                 "staff_courtesy": 3, "discharge": 2}
DEFAULT_THEME_WEIGHT = 1


@dataclass(frozen=True)
class ReplyTemplate:
    name: str  # the file name without .txt.j2; what config and the modal refer to
    title: str  # the header's name: what a person picks from
    use: str = ""
    audience: Audience = Audience.PUBLIC
    labels: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    path: str = ""  # relative to templates/
    language: str = ENGLISH  # the header's `language`: what the reply is written in

    @property
    def base_name(self) -> str:
        """The English template this one words in its language ("wait_time" for
        "wait_time.es")."""
        return self.name.removesuffix(f".{self.language}")


def family_dir(audience: Audience) -> Path:
    return REPLIES / "private" if audience is Audience.PRIVATE else REPLIES


def site_dir_of(site_id: str, audience: Audience) -> Path:
    base = REPLIES / "sites" / site_id
    return base / "private" if audience is Audience.PRIVATE else base


def split_list(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


def read_header(text: str) -> tuple[dict[str, str], list[str]]:
    """The header's fields, and problems with it (as sentences)."""
    match = _HEADER.match(text)
    if not match:
        return {}, ["has no header: start it with a {#- … -#} comment giving name, use, "
                    "audience, labels and themes (and language, when not English)"]
    fields: dict[str, str] = {}
    problems = []
    for line in match.group(1).splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if not sep or key not in _HEADER_KEYS:
            problems.append(f"header line {line.strip()!r} is not one of "
                            "name, use, audience, labels, themes, language")
            continue
        fields["name" if key == "title" else key] = value.strip()
    return fields, problems


def _template_from(path: Path, name: str, audience: Audience,
                   inherited: ReplyTemplate | None = None) -> ReplyTemplate:
    fields, _ = read_header(path.read_text(encoding="utf-8"))
    if not fields and inherited is not None:
        return ReplyTemplate(**{**inherited.__dict__, "path": relative_path(path)})
    try:
        declared = Audience(fields.get("audience") or audience)
    except ValueError:
        declared = audience
    return ReplyTemplate(
        name=name,
        title=fields.get("name") or (inherited.title if inherited else name.replace("_", " ")),
        use=fields.get("use", inherited.use if inherited else ""),
        audience=declared,
        labels=split_list(fields["labels"]) if "labels" in fields else
        (inherited.labels if inherited else ()),
        themes=split_list(fields["themes"]) if "themes" in fields else
        (inherited.themes if inherited else ()),
        path=relative_path(path),
        language=(fields.get("language") or (inherited.language if inherited else ENGLISH)
                  ).strip().lower(),
    )


def relative_path(path: Path) -> str:
    try:
        return str(path.relative_to(TEMPLATES.parent))
    except ValueError:
        return str(path)


def available(audience: Audience = Audience.PUBLIC, *,
              site_id: str | None = None) -> list[ReplyTemplate]:
    """The templates of one family in a stable order: the shipped ones (a site's own wording in
    their place when `site_id` has it), then templates only that site has."""
    shipped = {path.name.removesuffix(SUFFIX): path
               for path in sorted(family_dir(audience).glob(f"*{SUFFIX}"))}
    found = [_template_from(path, name, audience) for name, path in shipped.items()]
    if site_id:
        site_dir = site_dir_of(site_id, audience)
        by_name = {t.name: t for t in found}
        for path in sorted(site_dir.glob(f"*{SUFFIX}")) if site_dir.is_dir() else []:
            name = path.name.removesuffix(SUFFIX)
            template = _template_from(path, name, audience, by_name.get(name))
            if name in by_name:
                found[found.index(by_name[name])] = template
            else:
                found.append(template)
    return found


def find(name: str | None, audience: Audience = Audience.PUBLIC, *,
         site_id: str | None = None) -> ReplyTemplate | None:
    return next((t for t in available(audience, site_id=site_id) if t.name == name), None)


def _terms(case: Any) -> tuple[set[str], set[str]]:
    """(labels, themes) of a TriageResult, of anything with a `.triage`, or of a bare sequence
    of theme names (what the Respond handler passes today)."""
    source = getattr(case, "triage", case)
    if isinstance(source, str | bytes):
        source = (source,)
    if hasattr(source, "labels") or hasattr(source, "themes"):
        labels, themes = getattr(source, "labels", ()) or (), getattr(source, "themes", ()) or ()
    else:
        labels, themes = (), tuple(source or ())
    return ({TRIAGE_TERMS.get(x, x) for x in labels}, {TRIAGE_TERMS.get(x, x) for x in themes})


def ranked(case: Any, *, site_id: str | None = None, default: str | None = None,
           language: str = ENGLISH) -> list[ReplyTemplate]:
    """Every public template, the ones in the review's `language` first (English when there
    are none in it), each language's best fit for the case's labels and themes first;
    templates that fit equally keep `default` (or its counterpart in the language) first, then
    file order."""
    labels, themes = _terms(case)

    def fit(template: ReplyTemplate) -> int:
        return (sum(LABEL_WEIGHTS.get(label, DEFAULT_LABEL_WEIGHT)
                    for label in labels & set(template.labels))
                + sum(THEME_WEIGHTS.get(theme, DEFAULT_THEME_WEIGHT)
                      for theme in themes & set(template.themes)))

    templates = available(site_id=site_id)
    if not any(t.language == language for t in templates):
        language = ENGLISH
    order = {t.name: number for number, t in enumerate(templates)}
    return sorted(templates, key=lambda t: (t.language != language, -fit(t),
                                            t.base_name != default, order[t.name]))


def suggest(case: Any, *, site_id: str | None = None, language: str = ENGLISH) -> str | None:
    """The template that fits the case's labels and themes best (in the review's `language`
    when there are templates in it), or None when none fits (the config's default template
    applies then)."""
    labels, themes = _terms(case)
    best = ranked(case, site_id=site_id, language=language)
    if best and (labels & set(best[0].labels) or themes & set(best[0].themes)):
        return best[0].name
    return None


# ---- rendering ---------------------------------------------------------------------------------


def greeting_name(author: str | None) -> str | None:
    """The reviewer's public first name, when they gave one that reads as a name."""
    if not author or author.strip().casefold() in _NOT_A_NAME:
        return None
    first = author.strip().split()[0].rstrip(".,")
    return first if len(first) > 1 and first[0].isalpha() else None


def spoken_duration(duration: timedelta) -> str:
    """72h -> "72 hours", 3d -> "3 days", 90m -> "90 minutes": how a message says a window."""
    seconds = int(duration.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0 and (unit != "day" or seconds > 86400 * 2):
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    hours = seconds / 3600
    return f"{hours:g} hours"


def context_for(config: Config, *, author: str | None, site_id: str | None,
                language: str = ENGLISH) -> dict[str, Any]:
    """What every template may use; the sign-off is the one for the template's `language`."""
    site = config.site(site_id)
    return {
        "greeting_name": greeting_name(author),
        "organization": config.organization,
        "site_name": site.name if site else config.organization,
        "contact_phone": (site.px_phone if site and site.px_phone
                          else config.replies.contact_phone) or "our main number",
        "signature": config.replies.signature_for(language),
        "px_followup": spoken_duration(config.windows.length("px_followup", site=site_id)),
        # the number alone (None when there is none), for wording the fallback in a language
        "phone": (site.px_phone if site and site.px_phone else config.replies.contact_phone)
        or None,
    }


def template_path(name: str, audience: Audience = Audience.PUBLIC, *,
                  site_id: str | None = None) -> str:
    """The file (relative to templates/) that renders `name` for the site: its own wording
    when it has one."""
    if site_id:
        own = site_dir_of(site_id, audience) / f"{name}{SUFFIX}"
        if own.is_file():
            return str(own.relative_to(TEMPLATES))
    return str((family_dir(audience) / f"{name}{SUFFIX}").relative_to(TEMPLATES))


def render(name: str, *, config: Config, author: str | None, site_id: str | None,
           audience: Audience = Audience.PUBLIC) -> str:
    found = find(name, audience, site_id=site_id)
    return render_plain(template_path(name, audience, site_id=site_id),
                        **context_for(config, author=author, site_id=site_id,
                                      language=found.language if found else ENGLISH))


# A reply still comes from its template while at least this share of the template's words stand
# in it, in order: an edited draft keeps the template's name, words written afresh do not.
KEPT_SHARE = 0.5
_WORD = re.compile(r"\w+")


def kept_share(template_text: str, reply: str) -> float:
    """The share of `template_text`'s words still in `reply`, in order (0 to 1)."""
    ours = _WORD.findall(template_text.casefold())
    if not ours:
        return 0.0
    theirs = _WORD.findall(reply.casefold())
    matcher = SequenceMatcher(None, ours, theirs, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(ours)


def comes_from(name: str, reply: str, *, config: Config, author: str | None,
               site_id: str | None, audience: Audience = Audience.PUBLIC) -> bool:
    """Whether `reply` is still template `name`'s words (as rendered for this review), so the
    history may say it came from it."""
    rendered = render(name, config=config, author=author, site_id=site_id, audience=audience)
    return kept_share(rendered, reply) >= KEPT_SHARE


def draft(name: str, *, config: Config, author: str | None, site_id: str | None) -> str:
    """A public reply draft from template `name` (the Respond modal's starting text)."""
    site = config.site(site_id)
    return render(name, config=config, author=author, site_id=site.id if site else site_id)


# ---- what the templates are checked against (bot.replies.checks) -----------------------------

# The review every public template is checked against: a complaint that names nobody and gives
# no detail a template could echo.
SAMPLE_REVIEW = ("We waited hours and nobody told us anything. The staff at the desk were short "
                 "with us, and the bill that came later made no sense. Not what I expected.")
SAMPLE_AUTHORS = ("Sam Rivera", None)
# Rules that hold for a private message too (it may speak of the reader's own visit).
PRIVATE_RULES = frozenset({"medical_advice", "record_number", "identifies_reviewer",
                           "staff_name"})
