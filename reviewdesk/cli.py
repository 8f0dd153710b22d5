"""The `reviewdesk` command: run, import, check-config. Each prints plain sentences, never a
traceback, and exits non-zero when something needs fixing."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from pathlib import Path

from slack_sdk.errors import SlackApiError

from bot.config import Config, ConfigError, Settings, load_config
from bot.core import roles
from bot.intake.importer import UnreadableFile, import_items, parse_mapping, read_items
from bot.intake.source_clients import clients_from_env
from bot.oncall.checks import rotation_warnings
from bot.replies.checks import reply_report
from bot.replies.targets import reply_clients_from_env
from bot.slack_gateway import SlackGateway
from reviewdesk import __version__
from reviewdesk.app import create_app, web_client
from reviewdesk.logs import configure_logging
from reviewdesk.server import freeze_start_up_objects
from storage.db import Database, migrate

logger = logging.getLogger("reviewdesk")


def _fail(*sentences: str) -> int:
    for sentence in sentences:
        print(sentence, file=sys.stderr)
    return 2


def _open_database(settings: Settings) -> tuple[Database | None, str]:
    """The migrated database, or None and a sentence saying why not."""
    try:
        db = Database.from_url(settings.database_url)
        migrate(db.engine)
    except Exception as error:  # any driver's failure becomes one plain sentence
        first_line = (str(error).splitlines() or [""])[0]
        return None, (f"Cannot open the database named by DATABASE_URL "
                      f"({type(error).__name__}: {first_line}).")
    return db, ""


def _check_slack_token(settings: Settings) -> str | None:
    """A plain sentence when Slack refuses the token or cannot be reached, else None."""
    try:
        web_client(settings).auth_test()
    except SlackApiError as error:
        return (f"Slack refused SLACK_BOT_TOKEN ({error.response.get('error')}); "
                "copy the bot token again from the app's OAuth & Permissions page.")
    except OSError as error:
        where = settings.slack_api_base_url or "slack.com"
        return f"Cannot reach Slack at {where} ({error})."
    return None


def run(settings: Settings, *, reset: bool = False) -> int:
    if settings.slack_bot_token is None and settings.slack_app_token is None:
        from local import run_local  # no Slack app yet: the whole desk in a local browser

        return run_local(settings, reset=reset)
    if reset:
        return _fail("--reset clears the local workspace's database; with SLACK_BOT_TOKEN "
                     "set, `reviewdesk run` uses Slack and DATABASE_URL, and clears nothing.")
    problems = settings.missing_for_run()
    if problems:
        return _fail(*problems)
    try:
        config = load_config(settings.config_path)
        clients = clients_from_env(config)
        reply_clients = reply_clients_from_env(config)
    except ConfigError as error:
        return _fail(*error.problems)
    refused = _check_slack_token(settings)
    if refused:
        return _fail(refused)
    db, failure = _open_database(settings)
    if db is None:
        return _fail(failure)
    service = create_app(settings, config, db=db, clients=clients, reply_clients=reply_clients)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    port = service.start()
    freeze_start_up_objects()
    logger.info("reviewdesk is running: Slack over %s, HTTP on port %s",
                "Socket Mode" if settings.socket_mode else "/slack/events", port)
    stopping.wait()
    logger.info("stopping")
    service.stop()
    return 0


def import_file(settings: Settings, path: Path, *, mapping: str | None = None,
                dry_run: bool = False) -> int:
    try:
        config = load_config(settings.config_path)
        file_items = read_items(path, parse_mapping(mapping))
    except ConfigError as error:
        return _fail(*error.problems)
    except UnreadableFile as error:
        return _fail(str(error))
    db, failure = _open_database(settings)
    if db is None:
        return _fail(failure)
    service = create_app(settings, config, db=db)
    report = import_items(service.desk, file_items, dry_run=dry_run)
    would = "would be " if dry_run else ""
    print(f"{path}: {report.read} reviews read; {report.created} {would}new, "
          f"{report.updated} {would}updated, {report.unchanged} unchanged, "
          f"{report.rejected} rejected; {report.opened} {'would open' if dry_run else 'opened'} "
          "a case.")
    for error in report.errors:
        where = f"item {error.index + 1}"
        if error.external_id:
            where += f" ({error.external_id})"
        print(f"  {where}: {error.field} {error.message}", file=sys.stderr)
    if dry_run:
        print("Dry run: nothing was stored.")
    elif report.opened:
        print("The running bot posts the new cards to Slack.")
    db.dispose()
    return 1 if report.errors else 0


def check_config(settings: Settings) -> int:
    """Validate the environment, the config file, the reply templates (rendered, and read by
    the reply guard), the Slack token and the channels; warn (without failing) about who
    reminders will reach."""
    problems: list[str] = []
    warnings: list[str] = []
    try:
        config = load_config(settings.config_path)
        print(f"✓ {settings.config_path} is valid ({len(config.sites)} sites)")
    except ConfigError as error:
        config = None
        problems += error.problems
    problems += settings.missing_for_run()
    if config is not None:
        try:
            clients_from_env(config)
        except ConfigError as error:
            problems += error.problems
        replies = reply_report(config)
        for passed in replies.passed:
            print(f"✓ {passed}")
        warnings += replies.warnings
        problems += replies.problems
    slack = None  # set once Slack accepts the token: then people and groups are looked up
    if settings.slack_bot_token and not problems:
        refused = _check_slack_token(settings)
        if refused:
            problems.append(refused)
        elif config is not None:
            print("✓ Slack accepted the bot token")
            problems += _check_channels(settings, config)
            slack = SlackGateway(web_client(settings))
    if config is not None:
        warnings += rotation_warnings(config, slack)
        warnings += intake_warnings(config)
        warnings += roles.group_warnings(config, slack)
    for warning in warnings:
        print(f"⚠ {warning}")
    for sentence in roles.describe(config) if config is not None else []:
        print(f"ℹ {sentence}")
    for problem in problems:
        print(f"✗ {problem}")
    if not problems:
        print("Everything needed to run is in place.")
    return 1 if problems else 0


def intake_warnings(config: Config) -> list[str]:
    """Where an intake route is guarded by less than it could be."""
    if config.sources.google.enabled and not config.intake.pubsub.enabled:
        return ["Google Pub/Sub pushes to /intake/google/pubsub are let in by the ?token= in "
                "their URL alone; turn on authentication on the push subscription and set "
                "[intake.pubsub] audience and service_account to verify Google's signed token."]
    return []


def _check_channels(settings: Settings, config: Config) -> list[str]:
    client = web_client(settings)
    channels = {config.slack.triage_channel: "slack.triage_channel"}
    if config.slack.risk_channel:
        channels[config.slack.risk_channel] = "slack.risk_channel"
    for site in config.sites:
        channels.setdefault(site.px_channel, f"the PX channel of site {site.id!r}")
    problems = []
    for channel, role in channels.items():
        try:
            info = client.conversations_info(channel=channel)["channel"]
        except SlackApiError as error:
            problems.append(f"{role} {channel}: Slack says {error.response.get('error')}; "
                            "check the channel id.")
            continue
        if not info.get("is_member"):
            problems.append(f"{role} {channel} (#{info.get('name')}): the bot is not a member; "
                            "invite it with /invite @reviewdesk.")
        else:
            print(f"✓ {role}: #{info.get('name')}")
    return problems


def triage_command(settings: Settings, action: str, out: Path | None,
                   candidate: str | None = None) -> int:
    """`reviewdesk triage train [FILE]` retrains the complaint model;
    `reviewdesk triage export-feedback [FILE]` writes the "Needs a look" decisions as JSON lines
    (labelled data for the next round: saved as data/<organisation>.jsonl, training reads it
    next to the NHS files)."""
    if action == "train":
        from bot.triage.candidates import CANDIDATES, SHIPPED
        from bot.triage.train import MODEL_PATH, train

        if candidate is not None and candidate not in CANDIDATES:
            return _fail(f"--candidate: {candidate!r} is none of "
                         f"{', '.join(repr(name) for name in CANDIDATES)}.")
        try:
            report = train(out or MODEL_PATH, candidate_name=candidate or SHIPPED)
        except RuntimeError as error:
            return _fail(str(error))
        for report_line in report.lines():
            print(report_line)
        return 0
    try:
        config = load_config(settings.config_path)
    except ConfigError as error:
        return _fail(*error.problems)
    db, failure = _open_database(settings)
    if db is None:
        return _fail(failure)
    rows = create_app(settings, config, db=db).desk.looks.export()
    lines = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    if out is None:
        sys.stdout.write(lines)
    else:
        out.write_text(lines, encoding="utf-8")
        print(f"{len(rows)} decisions written to {out}. Saved in data/ as "
              "<organisation>.jsonl, `make train-triage` trains on them as that organisation.")
    db.dispose()
    return 0


def report(settings: Settings, *, since: str, until: str | None, site: str | None,
           output: str) -> int:
    """Print the figures of a period, as the digest and /reviewdesk stats count them."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from bot.clock import ManualClock
    from bot.config import parse_duration
    from bot.reports.reports import Reports, as_records, report_period, to_csv, to_json, to_markdown

    try:
        config = load_config(settings.config_path)
    except ConfigError as error:
        return _fail(*error.problems)
    try:
        length = parse_duration(since)
    except ValueError as error:
        return _fail(f"--since: {error}.")
    end = datetime.now(UTC)
    if until:
        try:
            end = datetime.fromisoformat(until)
        except ValueError:
            return _fail(f"--until: {until!r} is not a date or time; write it like 2026-11-30 "
                         "or 2026-11-30T08:00.")
        if end.tzinfo is None:  # a local date or time, in the organisation's zone
            end = end.replace(tzinfo=ZoneInfo(config.timezone))
    chosen = config.site(site) if site else None
    if site and chosen is None:
        return _fail(f"--site: {site!r} is not a site; the sites are "
                     + ", ".join(s.id for s in config.sites) + ".")
    db, failure = _open_database(settings)
    if db is None:
        return _fail(failure)
    period = report_period(end.astimezone(UTC), length, config.timezone)
    # Deadlines after --until are not judged yet: the report reads as it would have then.
    figures = Reports(db, config, ManualClock(end.astimezone(UTC))).figures(
        period, sites=[chosen.id] if chosen else None)
    db.dispose()
    if output == "md":
        sys.stdout.write(to_markdown(config, figures, site_name=chosen.name if chosen else None))
        return 0
    records = as_records(config, figures, site=chosen.id if chosen else None)
    sys.stdout.write(to_csv(records) if output == "csv" else to_json(records))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reviewdesk", description="A Slack case desk for negative reviews."
    )
    parser.add_argument("--version", action="version", version=f"reviewdesk {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    runner = sub.add_parser(
        "run", help="start the bot (Socket Mode when SLACK_APP_TOKEN is set); without Slack "
                    "tokens, the local workspace: the whole desk in a browser on 127.0.0.1")
    runner.add_argument("--reset", action="store_true",
                        help="local workspace only: start afresh with an empty database")
    importer = sub.add_parser("import", help="store reviews from a .json, .jsonl or .csv file")
    importer.add_argument("file", type=Path)
    importer.add_argument(
        "--map", metavar="FIELD=COLUMN,…",
        help='the file\'s names for review fields, e.g. "external_id=Review ID,rating=Stars"',
    )
    importer.add_argument("--dry-run", action="store_true",
                          help="report what would be stored and opened; store nothing")
    sub.add_parser("check-config", help="check the environment, reviewdesk.toml and Slack")
    triage = sub.add_parser("triage", help="retrain the complaint model, or export the "
                            "decisions people made on \"Needs a look\"")
    triage.add_argument("action", choices=["train", "export-feedback"])
    triage.add_argument("file", type=Path, nargs="?",
                        help="where to write (train: the model file; export: JSON lines)")
    triage.add_argument("--candidate", metavar="NAME",
                        help="train: another candidate of bot/triage/train.py than the shipped "
                        "one, e.g. 'tfidf+vader LR, orgs equal' (all four NHS organisations and "
                        "data/*.jsonl)")
    reporter = sub.add_parser(
        "report", help="print the figures of a period (those of the digest and /reviewdesk "
        "stats), for spreadsheets; needs only the database and reviewdesk.toml")
    reporter.add_argument("--since", default="30d", metavar="DURATION",
                          help="how far back: 7d, 30d, 90d (calendar days), 12h… (default 30d)")
    reporter.add_argument("--until", metavar="WHEN",
                          help="the end: 2026-11-30 or 2026-11-30T08:00 (the organisation's "
                               "time zone unless given), default now")
    reporter.add_argument("--site", help="one site (id, name or alias); default every site")
    reporter.add_argument("--format", dest="output", choices=("csv", "json", "md"),
                          default="csv", help="csv (default), json or md")
    return parser


def main(argv: list[str] | None = None) -> int:
    from dotenv import find_dotenv, load_dotenv

    args = _parser().parse_args(argv)
    load_dotenv(find_dotenv(usecwd=True), override=False)
    configure_logging()
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        return _fail(*error.problems)
    if args.command == "run":
        return run(settings, reset=args.reset)
    if args.command == "import":
        return import_file(settings, args.file, mapping=args.map, dry_run=args.dry_run)
    if args.command == "triage":
        return triage_command(settings, args.action, args.file, args.candidate)
    if args.command == "report":
        return report(settings, since=args.since, until=args.until, site=args.site,
                      output=args.output)
    return check_config(settings)


if __name__ == "__main__":
    sys.exit(main())
