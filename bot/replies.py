"""Reply templates: public replies (templates/replies/*.txt.j2) and private follow-up messages
(templates/replies/private/*.txt.j2), each with a header saying what it is for; a site's own
wording (templates/replies/sites/<site>/…); which template fits a case first; and
`check_templates`, which renders every template and runs the reply guard on the public ones.

A template's header is a Jinja comment at its top:

    {#-
    name: Wait time
    use: A long wait, in a waiting room, for a call back or for news.
    audience: public
    labels: urgent
    themes: wait_time
    -#}

Templates never confirm that the reviewer is a patient, give no medical advice and move the
conversation offline; `check_templates` holds every public one to the guard.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from jinja2 import TemplateError, TemplateSyntaxError

from bot import lexicon
from bot.config import Config, ConfigError
from bot.guard import Severity, check_reply, rules_for
from bot.text import TEMPLATES, render_plain
from bot.triage import LABELS

REPLIES = TEMPLATES / "replies"
SUFFIX = ".txt.j2"
# What Slack's plain-text input in the Respond modal holds; a longer draft cannot be edited there.
MODAL_TEXT_LIMIT = 3000
GOOGLE_REPLY_BYTES = 4096

_NOT_A_NAME = {"anonymous", "a google user", "facebook user", "private", "guest"}
_HEADER = re.compile(r"\A\{#-?(.*?)-?#\}", re.DOTALL)
_HEADER_KEYS = {"name", "title", "use", "audience", "labels", "themes"}


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


class CaseLike(Protocol):
    labels: Sequence[str]
    themes: Sequence[str]


def _family_dir(audience: Audience) -> Path:
    return REPLIES / "private" if audience is Audience.PRIVATE else REPLIES


def _site_dir(site_id: str, audience: Audience) -> Path:
    base = REPLIES / "sites" / site_id
    return base / "private" if audience is Audience.PRIVATE else base


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


def read_header(text: str) -> tuple[dict[str, str], list[str]]:
    """The header's fields, and problems with it (as sentences)."""
    match = _HEADER.match(text)
    if not match:
        return {}, ["has no header: start it with a {#- … -#} comment giving name, use, "
                    "audience, labels and themes"]
    fields: dict[str, str] = {}
    problems = []
    for line in match.group(1).splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if not sep or key not in _HEADER_KEYS:
            problems.append(f"header line {line.strip()!r} is not one of "
                            "name, use, audience, labels, themes")
            continue
        fields["name" if key == "title" else key] = value.strip()
    return fields, problems


def _template_from(path: Path, name: str, audience: Audience,
                   inherited: ReplyTemplate | None = None) -> ReplyTemplate:
    fields, _ = read_header(path.read_text(encoding="utf-8"))
    if not fields and inherited is not None:
        return ReplyTemplate(**{**inherited.__dict__, "path": _relative(path)})
    try:
        declared = Audience(fields.get("audience") or audience)
    except ValueError:
        declared = audience
    return ReplyTemplate(
        name=name,
        title=fields.get("name") or (inherited.title if inherited else name.replace("_", " ")),
        use=fields.get("use", inherited.use if inherited else ""),
        audience=declared,
        labels=_split_list(fields["labels"]) if "labels" in fields else
        (inherited.labels if inherited else ()),
        themes=_split_list(fields["themes"]) if "themes" in fields else
        (inherited.themes if inherited else ()),
        path=_relative(path),
    )


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(TEMPLATES.parent))
    except ValueError:
        return str(path)


def available(audience: Audience = Audience.PUBLIC, *,
              site_id: str | None = None) -> list[ReplyTemplate]:
    """The templates of one family in a stable order: the shipped ones (a site's own wording in
    their place when `site_id` has it), then templates only that site has."""
    shipped = {path.name.removesuffix(SUFFIX): path
               for path in sorted(_family_dir(audience).glob(f"*{SUFFIX}"))}
    found = [_template_from(path, name, audience) for name, path in shipped.items()]
    if site_id:
        site_dir = _site_dir(site_id, audience)
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


def ranked(case: Any, *, site_id: str | None = None,
           default: str | None = None) -> list[ReplyTemplate]:
    """Every public template, the best fit for the case's labels and themes first; templates
    that fit equally keep `default` first, then file order."""
    labels, themes = _terms(case)

    def fit(template: ReplyTemplate) -> int:
        return (sum(LABEL_WEIGHTS.get(label, DEFAULT_LABEL_WEIGHT)
                    for label in labels & set(template.labels))
                + sum(THEME_WEIGHTS.get(theme, DEFAULT_THEME_WEIGHT)
                      for theme in themes & set(template.themes)))

    templates = available(site_id=site_id)
    order = {t.name: number for number, t in enumerate(templates)}
    return sorted(templates, key=lambda t: (-fit(t), t.name != default, order[t.name]))


def suggest(case: Any, *, site_id: str | None = None) -> str | None:
    """The template that fits the case's labels and themes best, or None when none fits (the
    config's default template applies then)."""
    labels, themes = _terms(case)
    best = ranked(case, site_id=site_id)
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


def context_for(config: Config, *, author: str | None, site_id: str | None) -> dict[str, Any]:
    """What every template may use."""
    site = config.site(site_id)
    return {
        "greeting_name": greeting_name(author),
        "organization": config.organization,
        "site_name": site.name if site else config.organization,
        "contact_phone": (site.px_phone if site and site.px_phone
                          else config.replies.contact_phone) or "our main number",
        "signature": config.replies.signature,
        "px_followup": spoken_duration(config.windows.length("px_followup", site=site_id)),
    }


def template_path(name: str, audience: Audience = Audience.PUBLIC, *,
                  site_id: str | None = None) -> str:
    """The file (relative to templates/) that renders `name` for the site: its own wording
    when it has one."""
    if site_id:
        own = _site_dir(site_id, audience) / f"{name}{SUFFIX}"
        if own.is_file():
            return str(own.relative_to(TEMPLATES))
    return str((_family_dir(audience) / f"{name}{SUFFIX}").relative_to(TEMPLATES))


def render(name: str, *, config: Config, author: str | None, site_id: str | None,
           audience: Audience = Audience.PUBLIC) -> str:
    return render_plain(template_path(name, audience, site_id=site_id),
                        **context_for(config, author=author, site_id=site_id))


def draft(name: str, *, config: Config, author: str | None, site_id: str | None) -> str:
    """A public reply draft from template `name` (the Respond modal's starting text)."""
    site = config.site(site_id)
    return render(name, config=config, author=author, site_id=site.id if site else site_id)


# ---- check-config --------------------------------------------------------------------------

# The review every public template is checked against: a complaint that names nobody and gives
# no detail a template could echo.
SAMPLE_REVIEW = ("We waited hours and nobody told us anything. The staff at the desk were short "
                 "with us, and the bill that came later made no sense. Not what I expected.")
SAMPLE_AUTHORS = ("Sam Rivera", None)
# Rules that hold for a private message too (it may speak of the reader's own visit).
PRIVATE_RULES = frozenset({"medical_advice", "record_number", "identifies_reviewer",
                           "staff_name"})


@dataclass(frozen=True)
class TemplateProblem:
    path: str  # relative to the project, e.g. templates/replies/billing.txt.j2
    line: int | None
    message: str
    severity: str = "error"  # "error": must be fixed; "warning": worth a look

    def __str__(self) -> str:
        where = f"{self.path}, line {self.line}" if self.line else self.path
        return f"{where}: {self.message}"


def _error_line(error: BaseException, path: Path) -> int | None:
    if isinstance(error, TemplateSyntaxError):
        return error.lineno
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename and Path(frame.filename).resolve() == path.resolve():
            return frame.lineno
    return None


def _known_terms(config: Config) -> tuple[set[str], set[str]]:
    labels = {TRIAGE_TERMS.get(x, x) for x in LABELS}
    themes = {TRIAGE_TERMS.get(x, x) for x in (*lexicon.THEMES, *config.triage.themes)}
    return labels, themes


def _template_files(config: Config) -> Iterable[tuple[Path, Audience, str | None]]:
    for audience in Audience:
        for path in sorted(_family_dir(audience).glob(f"*{SUFFIX}")):
            yield path, audience, None
    sites_dir = REPLIES / "sites"
    for site_dir in sorted(p for p in sites_dir.iterdir() if p.is_dir()) \
            if sites_dir.is_dir() else []:
        for audience in Audience:
            directory = _site_dir(site_dir.name, audience)
            for path in sorted(directory.glob(f"*{SUFFIX}")) if directory.is_dir() else []:
                yield path, audience, site_dir.name


def check_templates(config: Config) -> list[TemplateProblem]:
    """Render every reply template (shipped and per site) for every site, with and without a
    reviewer's first name; report what fails to render, with its file and line, and run the
    reply guard on each rendered public reply (a block is an error, a warning a warning). For
    private messages only the rules in PRIVATE_RULES apply."""
    problems: list[TemplateProblem] = []
    try:
        guard_rules = rules_for(config)
    except ConfigError as error:
        return [TemplateProblem(config.guard.rules_file or "bot/guard_rules.toml", None, p)
                for p in error.problems]
    known_labels, known_themes = _known_terms(config)
    default = find(config.replies.default_template)
    if default is None:
        problems.append(TemplateProblem(
            "reviewdesk.toml", None,
            f"replies.default_template is {config.replies.default_template!r}, which is not a "
            f"public template in templates/replies/"))
    for site in config.sites:
        if not site.px_phone and not config.replies.contact_phone:
            problems.append(TemplateProblem(
                "reviewdesk.toml", None, f"site {site.id!r} has no px_phone and "
                "replies.contact_phone is empty: its replies can only say \"our main number\"",
                "warning"))
    for path, audience, site_dir in _template_files(config):
        relative = _relative(path)
        if site_dir is not None and config.site(site_dir) is None:
            problems.append(TemplateProblem(relative, None, f"sites/{site_dir} is not the id of a "
                                            "site in [[sites]]; no one will see this template",
                                            "warning"))
            continue
        text = path.read_text(encoding="utf-8")
        fields, header_problems = read_header(text)
        shipped = (_family_dir(audience) / path.name).is_file()
        if site_dir is not None and not fields and shipped:
            header_problems = []  # a site's wording may inherit the shipped header
        problems += [TemplateProblem(relative, 1, p) for p in header_problems]
        if fields:
            if not fields.get("name"):
                problems.append(TemplateProblem(relative, 1, "the header gives no name"))
            if fields.get("audience") != audience.value:
                problems.append(TemplateProblem(
                    relative, 1, f"the header says audience {fields.get('audience')!r} but the "
                    f"file is in the {audience.value} family's folder"))
            for label in _split_list(fields.get("labels", "")):
                if label not in known_labels:
                    problems.append(TemplateProblem(
                        relative, 1, f"label {label!r} is not a label triage gives; "
                        f"known: {', '.join(sorted(known_labels))}", "warning"))
            for theme in _split_list(fields.get("themes", "")):
                if theme not in known_themes:
                    problems.append(TemplateProblem(
                        relative, 1, f"theme {theme!r} is not a theme triage gives (map a "
                        "renamed theme in bot.replies.TRIAGE_TERMS)", "warning"))
        sites = [config.site(site_dir)] if site_dir else list(config.sites)
        seen: set[str] = set()
        for site in sites:
            for author in SAMPLE_AUTHORS:
                try:
                    rendered = render_plain(
                        str(path.relative_to(TEMPLATES)),
                        **context_for(config, author=author, site_id=site.id))
                except (TemplateError, TypeError, ValueError) as error:
                    problem = TemplateProblem(relative, _error_line(error, path),
                                              f"does not render: {error}")
                    if str(problem) not in seen:
                        problems.append(problem)
                        seen.add(str(problem))
                    continue
                problems += _check_rendered(rendered, relative, audience, guard_rules,
                                            site.id, seen, source=text)
    return problems


def _line_of(words: str, source: str) -> int | None:
    """The line of the template's source where `words` (a guard finding's quote) are written,
    when they are written there rather than filled in."""
    if not words:
        return None
    start = source.casefold().find(" ".join(words.split()[:4]).casefold())
    return source.count("\n", 0, start) + 1 if start >= 0 else None


def _check_rendered(rendered: str, relative: str, audience: Audience, guard_rules: Any,
                    site_id: str, seen: set[str], *, source: str = "") -> list[TemplateProblem]:
    found: list[TemplateProblem] = []

    def add(message: str, severity: str = "error", line: int | None = None) -> None:
        problem = TemplateProblem(relative, line, message, severity)
        if str(problem) not in seen:
            seen.add(str(problem))
            found.append(problem)

    if not rendered.strip():
        add(f"renders to nothing for site {site_id!r}")
        return found
    if len(rendered) > MODAL_TEXT_LIMIT:
        add(f"renders to {len(rendered)} characters for site {site_id!r}; the Respond box holds "
            f"{MODAL_TEXT_LIMIT}")
    if audience is Audience.PUBLIC and len(rendered.encode()) > GOOGLE_REPLY_BYTES:
        add(f"renders to {len(rendered.encode())} bytes; Google takes replies up to "
            f"{GOOGLE_REPLY_BYTES}", "warning")
    result = check_reply(rendered, review_text=SAMPLE_REVIEW, review_author=SAMPLE_AUTHORS[0],
                         rules=guard_rules)
    for finding in result.findings:
        if audience is Audience.PRIVATE and finding.rule_id not in PRIVATE_RULES:
            continue
        severity = "error" if finding.severity is Severity.BLOCK else "warning"
        add(f"the reply guard {'blocks' if severity == 'error' else 'warns about'} it "
            f"({finding.rule_id}): {finding.message}", severity,
            _line_of(finding.quote, source))
    return found
