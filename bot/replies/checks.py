"""What `reviewdesk check-config` says about replies: every reply template rendered against a
sample case and read by the reply guard (a public template the guard blocks fails the check,
with its file and line), the secrets posting back needs, and how each source's replies go out."""

from __future__ import annotations

import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import TemplateError, TemplateSyntaxError

from bot.config import Config, ConfigError
from bot.core.case_lists import source_name
from bot.replies.guard import Severity, check_reply
from bot.replies.guard_rules import rules_for
from bot.replies.targets import API_SOURCES, reply_clients_from_env
from bot.replies.templates import (
    ENGLISH,
    PRIVATE_RULES,
    REPLIES,
    SAMPLE_AUTHORS,
    SAMPLE_REVIEW,
    SUFFIX,
    TRIAGE_TERMS,
    Audience,
    available,
    context_for,
    family_dir,
    find,
    read_header,
    relative_path,
    site_dir_of,
    split_list,
)
from bot.text import TEMPLATES, render_plain
from bot.triage import LABELS, lexicon

# What Slack's plain-text input in the Respond modal holds; a longer draft cannot be edited there.
MODAL_TEXT_LIMIT = 3000
GOOGLE_REPLY_BYTES = 4096


@dataclass
class ReplyReport:
    passed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def reply_report(config: Config, env: Mapping[str, str] | None = None) -> ReplyReport:
    report = ReplyReport()
    found = check_templates(config)
    report.problems += [str(p) for p in found if p.severity == "error"]
    report.warnings += [str(p) for p in found if p.severity != "error"]
    if not report.problems:
        count = sum(len(available(audience)) for audience in Audience)
        report.passed.append(f"{count} reply templates render for every site and pass the "
                             "reply guard")
    try:
        reply_clients_from_env(config, env)
    except ConfigError as error:
        report.problems += error.problems
    posted = [name for name in sorted(API_SOURCES)
              if getattr(config.sources, name).post_replies]
    if posted:
        report.passed.append("replies are posted on " + ", ".join(map(source_name, posted))
                             + "; other sources get copy-ready text and Mark as posted")
    return report


# ---- the templates ---------------------------------------------------------------------------


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
        for path in sorted(family_dir(audience).glob(f"*{SUFFIX}")):
            yield path, audience, None
    sites_dir = REPLIES / "sites"
    for site_dir in sorted(p for p in sites_dir.iterdir() if p.is_dir()) \
            if sites_dir.is_dir() else []:
        for audience in Audience:
            directory = site_dir_of(site_dir.name, audience)
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
        return [TemplateProblem(config.guard.rules_file or "bot/replies/guard_rules.toml", None, p)
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
        relative = relative_path(path)
        if site_dir is not None and config.site(site_dir) is None:
            problems.append(TemplateProblem(relative, None, f"sites/{site_dir} is not the id of a "
                                            "site in [[sites]]; no one will see this template",
                                            "warning"))
            continue
        text = path.read_text(encoding="utf-8")
        fields, header_problems = read_header(text)
        shipped = (family_dir(audience) / path.name).is_file()
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
            for label in split_list(fields.get("labels", "")):
                if label not in known_labels:
                    problems.append(TemplateProblem(
                        relative, 1, f"label {label!r} is not a label triage gives; "
                        f"known: {', '.join(sorted(known_labels))}", "warning"))
            for theme in split_list(fields.get("themes", "")):
                if theme not in known_themes:
                    problems.append(TemplateProblem(
                        relative, 1, f"theme {theme!r} is not a theme triage gives (map a "
                        "renamed theme in bot.replies.templates.TRIAGE_TERMS)", "warning"))
        sites = [config.site(site_dir)] if site_dir else list(config.sites)
        seen: set[str] = set()
        for site in sites:
            # signed off as it will be: in the template's language
            found = find(path.name.removesuffix(SUFFIX), audience, site_id=site.id)
            language = fields.get("language") or (found.language if found else ENGLISH)
            for author in SAMPLE_AUTHORS:
                try:
                    rendered = render_plain(
                        str(path.relative_to(TEMPLATES)),
                        **context_for(config, author=author, site_id=site.id,
                                      language=language))
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
