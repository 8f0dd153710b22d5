"""What `reviewdesk check-config` says about replies: every reply template rendered against a
sample case and read by the reply guard (a public template the guard blocks fails the check,
with its file and line), the secrets posting back needs, and how each source's replies go out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.case_lists import source_name
from bot.config import Config, ConfigError
from bot.replies import Audience, available, check_templates
from bot.reply_targets import API_SOURCES, reply_clients_from_env


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
