"""reviewdesk without a Slack app: the local workspace.

`reviewdesk run` with no Slack tokens starts the real bot against the Slack twin (twin/webapi.py)
and serves a page on 127.0.0.1 that shows the workspace as a person sees Slack
(twin/workspace/). The configuration is the user's reviewdesk.toml (or the example), with what
a demo needs added in memory only: the people it names, or demo people where it names none, a
risk channel, and the sample sources' locations mapped to sites. The database is a separate
SQLite file unless DATABASE_URL names one; the twin's messages are kept beside it, so a restart
shows the same desk. On the first start the sample reviews come in through the real intake
paths. The clock can be moved forward from the page; the real clock never moves in Slack mode.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import secrets
import signal
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlmodel import col, func, select

from app import ReviewDesk, create_app
from bot.clock import AdjustableClock, Clock
from bot.config import Config, ConfigError, Settings, load_config, parse_config
from bot.importer import import_items, parse_mapping, read_items
from storage.db import Database, migrate
from storage.models import Nudge, Review
from twin.webapi import SlackTwin
from twin.workspace import Channel, Person, Workspace, blueprint

logger = logging.getLogger("reviewdesk.local")

ROOT = Path(__file__).resolve().parent
SAMPLES = ROOT / "samples"
EXAMPLE_CONFIG = ROOT / "reviewdesk.example.toml"
LOCAL_DATABASE_URL = "sqlite:///reviewdesk-local.db"
SAVE_EVERY_SECONDS = 2.0
BOT_USER = "U0REVIEWDESK"
TEAM = "T0LOCAL"

# Demo people, added in memory where the configuration names nobody for the part.
SOCIAL_TEAM = (("U0MARIA", "Maria"), ("U0SAM", "Sam"))
PX_NAMES = ("Pat", "Robin", "Jordan", "Casey", "Alex", "Quinn")
ON_CALL_ADMIN = ("U0LEE", "Lee")
LOCAL_RISK_CHANNEL = "C0LOCALRISK"

# Where the sample files' own ids point (samples/README.md).
SAMPLE_GOOGLE_LOCATIONS = ("accounts/108/locations/2201", "accounts/108/locations/2202")
SAMPLE_FACEBOOK_PAGE = "1122334455"
SAMPLE_PODIUM_LOCATION = "loc-north"
CSV_MAP = ("external_id=Review ID,source=Platform,site=Location Name,author=Reviewer,"
           "rating=Stars,text=Review Text,url=Review URL,created_at=Review Date")


# ---- the configuration, as the local workspace uses it ---------------------------------------


@dataclass(frozen=True)
class LocalSetup:
    config: Config
    people: list[Person]
    channels: list[Channel]
    notes: list[str] = field(default_factory=list)


def _user_name(user_id: str) -> str:
    return f"member {user_id[-4:]}"


def local_setup(config: Config) -> LocalSetup:
    """The configuration with what a demo needs (in memory), the people the person picker
    offers, the channels the page shows, and sentences saying what was added."""
    data = config.model_dump(mode="python")
    rotation_tz = config.rotation.timezone
    people: dict[str, Person] = {}
    notes: list[str] = []
    added: list[str] = []

    def add(user_id: str, name: str, role: str) -> None:
        if user_id in people:
            current = people[user_id]
            people[user_id] = dataclasses.replace(current, role=f"{current.role}, {role}")
        else:
            people[user_id] = Person(user_id, name, role, rotation_tz)

    for user_id, name in SOCIAL_TEAM:
        add(user_id, name, "Social team")
    added.append(" and ".join(name for _, name in SOCIAL_TEAM) + " (social team)")

    names = iter(PX_NAMES)
    for index, site in enumerate(data["sites"]):
        if site["px_contacts"]:
            for user_id in site["px_contacts"]:
                add(user_id, _user_name(user_id), f"PX · {site['name']}")
            continue
        name = next(names, f"PX{index + 1}")
        user_id = f"U0{name.upper()}"
        site["px_contacts"] = [user_id]
        if site.get("on_site_contact") is None:
            site["on_site_contact"] = user_id
        add(user_id, name, f"PX · {site['name']}")
        added.append(f"{name} (PX, {site['name']})")

    rotation = data["rotation"]
    if not rotation["members"]:
        admin_id, admin_name = ON_CALL_ADMIN
        rotation["members"] = [admin_id, SOCIAL_TEAM[1][0]]
        rotation["admins"] = list(dict.fromkeys([*rotation["admins"], admin_id]))
        rotation["lead"] = rotation["lead"] or admin_id
        add(admin_id, admin_name, "On call · rotation admin")
        added.append(f"{admin_name} (on call, rotation admin; {SOCIAL_TEAM[1][1]} is next)")
    else:
        for user_id in rotation["members"]:
            role = "Rotation admin" if user_id in rotation["admins"] else "On-call rotation"
            add(user_id, _user_name(user_id), role)
        for user_id in rotation["admins"]:
            if user_id not in rotation["members"]:
                add(user_id, _user_name(user_id), "Rotation admin")
    if len(added) > 1:
        notes.append("People for this run only (your configuration names none for these "
                      "parts): " + "; ".join(added) + ".")

    if not data["slack"].get("risk_channel"):
        data["slack"]["risk_channel"] = LOCAL_RISK_CHANNEL
        notes.append("#review-risk is added for this run: the configuration names no risk "
                     "channel.")

    # The sample files' locations and pages, so their reviews land on a site.
    sites = data["sites"]
    google = data["sources"]["google"]
    known = {location["name"] for location in google["locations"]}
    for location, site in zip(SAMPLE_GOOGLE_LOCATIONS, (sites[0], sites[-1]), strict=True):
        if location not in known:
            google["locations"].append({"name": location, "site": site["id"]})
    facebook = data["sources"]["facebook"]
    if not any(page["page_id"] == SAMPLE_FACEBOOK_PAGE for page in facebook["pages"]):
        facebook["pages"].append({"page_id": SAMPLE_FACEBOOK_PAGE, "site": sites[-1]["id"]})
    if config.site(SAMPLE_PODIUM_LOCATION) is None:
        sites[0]["aliases"] = [*sites[0]["aliases"], SAMPLE_PODIUM_LOCATION]

    local = parse_config(data)
    channels = [Channel(local.slack.triage_channel, "review-triage",
                        "Every new negative review, as a case card")]
    for site in local.sites:
        if all(c.id != site.px_channel for c in channels):
            channels.append(Channel(site.px_channel, f"px-{site.id}",
                                    f"Patient Experience follow-ups for {site.name}"))
    risk = local.slack.risk_channel
    if risk and all(c.id != risk for c in channels):
        channels.append(Channel(risk, "review-risk",
                                "Copies of cases with legal or medical-risk language"))
    if local.rotation.channel and all(c.id != local.rotation.channel for c in channels):
        channels.append(Channel(local.rotation.channel, "on-call", "On-call hand-offs"))
    notes.append("Nothing here reaches Slack: the Slack twin on this machine plays Slack, and "
                 "your files are not changed.")
    return LocalSetup(local, list(people.values()), channels, notes)


# ---- the clock control -----------------------------------------------------------------------


class DeskClock:
    """The page's clock control over the bot's injected clock (`twin.workspace.ClockControl`)."""

    def __init__(self, clock: AdjustableClock, service: ReviewDesk):
        self.clock = clock
        self.service = service

    def now(self) -> datetime:
        return self.clock.now()

    def ahead_by(self) -> float:
        return self.clock.offset.total_seconds()

    def next_deadline(self) -> tuple[datetime, str] | None:
        now = self.clock.now()
        with self.service.db.session() as session:
            row = session.exec(
                select(Nudge.due_at, Nudge.key).where(Nudge.status == "pending",
                                                      col(Nudge.due_at) > now)
                .order_by(col(Nudge.due_at)).limit(1)
            ).first()
        candidates: list[tuple[datetime, str]] = []
        if row is not None:
            due_at, key = row
            what = ("a window's deadline" if key == "lapse"
                    else "a reminder" if key.startswith("lead-") else "a repeat reminder")
            candidates.append((_aware(due_at), what))
        if self.service.oncall.order():
            handoff = self.service.oncall.next_wakeup()
            if handoff > now:
                candidates.append((handoff, "the on-call hand-off"))
        return min(candidates, key=lambda c: c[0]) if candidates else None

    def advance(self, step: str) -> datetime:
        if step == "1h":
            return self.clock.advance(timedelta(hours=1))
        if step == "1d":
            return self.clock.advance(timedelta(days=1))
        upcoming = self.next_deadline()
        if upcoming is None:
            return self.clock.now()
        return self.clock.advance_to(upcoming[0] + timedelta(seconds=1))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# ---- the database and the twin's saved state -----------------------------------------------


def local_database_url(settings: Settings, env: Mapping[str, str] | None = None) -> str:
    """DATABASE_URL when it is set, else the local workspace's own SQLite file."""
    env = os.environ if env is None else env
    return settings.database_url if (env.get("DATABASE_URL") or "").strip() \
        else LOCAL_DATABASE_URL


def _sqlite_file(database_url: str) -> Path | None:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def state_file(database_url: str) -> Path:
    """Where the twin's messages are kept between runs: beside the SQLite file."""
    database = _sqlite_file(database_url)
    if database is not None:
        return database.with_name(database.name + ".slack.json")
    return Path("reviewdesk-local.slack.json")


def reset_database(database_url: str) -> str | None:
    """Delete the local database and the twin's saved state; a sentence when refused."""
    database = _sqlite_file(database_url)
    if database is None:
        return ("--reset clears only a SQLite file; DATABASE_URL names another database. "
                "Clear it yourself, or unset DATABASE_URL to use the local workspace's own.")
    for path in (database, database.with_name(database.name + "-wal"),
                 database.with_name(database.name + "-shm"), state_file(database_url)):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    return None


def _load_state(path: Path, database_url: str) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        logger.warning("%s is unreadable; the workspace starts with no messages", path)
        return None
    if not isinstance(data, dict) or data.get("database_url") != database_url:
        logger.warning("%s belongs to another database; the workspace starts with no "
                       "messages (run with --reset to start afresh)", path)
        return None
    return data


def _save_state(path: Path, twin: SlackTwin, clock: AdjustableClock, database_url: str) -> None:
    data = {"database_url": database_url, "clock_ahead_seconds": clock.offset.total_seconds(),
            "workspace": twin.export_workspace()}
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(data), encoding="utf-8")
    partial.replace(path)


# ---- the sample reviews ------------------------------------------------------------------------


def _post_json(url: str, token: str, body: Any) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def load_samples(service: ReviewDesk, base_url: str, token: str,
                 samples: Path = SAMPLES) -> list[str]:
    """Send the sample reviews through the real intake paths, as sources would: canonical
    JSON, Google's, Facebook's and Podium's own JSON over HTTP, and a CSV export through
    `reviewdesk import`'s reader. Returns what was loaded, in words."""
    def lines(name: str) -> list[Any]:
        text = (samples / name).read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def document(name: str) -> Any:
        return json.loads((samples / name).read_text(encoding="utf-8"))

    posts: list[tuple[str, str, Any]] = [
        ("canonical JSON", "/intake/reviews", lines("canonical_reviews.jsonl")),
        ("Google", "/intake/google", document("google_reviews_page1.json")),
        ("Google", "/intake/google", document("google_reviews_page2.json")),
        ("Facebook", "/intake/facebook", document("facebook_feed.json")),
        # A ratings answer names no page; the poller says which page it asked.
        ("Facebook", "/intake/facebook",
         {**document("facebook_ratings.json"), "page_id": SAMPLE_FACEBOOK_PAGE}),
        ("Podium", "/intake/podium", document("podium_review.json")),
        ("canonical JSON", "/intake/reviews", lines("workspace/extra_reviews.jsonl")),
        ("Google", "/intake/google", document("workspace/google_burst.json")),
    ]
    counts: dict[str, int] = {}
    for label, path, body in posts:
        status, answer = _post_json(base_url + path, token, body)
        if status not in (200, 422):
            logger.warning("sample %s to %s: HTTP %s (%s)", label, path, status,
                           answer.get("error"))
            continue
        counts[label] = counts.get(label, 0) + int(answer.get("stored", 0))
    report = import_items(service.desk, read_items(samples / "reviews_export.csv",
                                                   parse_mapping(CSV_MAP)), progress=False)
    counts["a CSV import"] = report.created + report.updated
    return [f"{label} ({count})" for label, count in counts.items()]


def _has_reviews(db: Database) -> bool:
    with db.session() as session:
        return bool(session.exec(select(func.count()).select_from(Review)).one())


# ---- starting and stopping -------------------------------------------------------------------


@dataclass
class LocalWorkspace:
    """A running local workspace: the bot, the twin, the page."""

    service: ReviewDesk
    twin: SlackTwin
    workspace: Workspace
    clock: AdjustableClock
    setup: LocalSetup
    url: str
    intake_token: str
    intake_token_generated: bool
    database_url: str
    _saver: threading.Thread | None = None
    _stopping: threading.Event = field(default_factory=threading.Event)

    def save(self) -> None:
        _save_state(state_file(self.database_url), self.twin, self.clock, self.database_url)

    def _keep_saving(self) -> None:
        saved = -1
        while not self._stopping.wait(SAVE_EVERY_SECONDS):
            if self.twin.version != saved:
                saved = self.twin.version
                try:
                    self.save()
                except OSError as error:
                    logger.warning("cannot save the workspace's messages (%s)", error)

    def stop(self) -> None:
        self._stopping.set()
        if self._saver is not None:
            self._saver.join()
        self.workspace.close()
        self.service.stop()
        try:
            self.save()
        except OSError as error:
            logger.warning("cannot save the workspace's messages (%s)", error)
        self.twin.stop()


def config_path_for(settings: Settings) -> Path:
    """The user's configuration, or the example when there is none yet."""
    path = Path(settings.config_path)
    return path if path.exists() else EXAMPLE_CONFIG


def start_local(
    settings: Settings,
    config: Config,
    *,
    database_url: str,
    port: int | None = None,
    clock_base: Clock | None = None,
    samples: bool = True,
    outbox_poll_interval: float = 1.0,
) -> LocalWorkspace:
    """Start the twin, the bot (on 127.0.0.1 only) and the page; load the samples into an
    empty database. Raises what opening the database raises."""
    setup = local_setup(config)
    saved = _load_state(state_file(database_url), database_url)
    ahead = timedelta(seconds=float(saved.get("clock_ahead_seconds", 0))) if saved else \
        timedelta(0)
    clock = AdjustableClock(clock_base, ahead)

    twin = SlackTwin(bot_token=f"xoxb-local-{secrets.token_hex(12)}", bot_user_id=BOT_USER,
                     team_id=TEAM)
    signing_secret = secrets.token_hex(32)
    workspace = Workspace(twin, signing_secret, setup.people, setup.channels, notes=setup.notes)
    if saved:
        twin.import_workspace(saved.get("workspace") or {})
    for channel in setup.channels:
        twin.add_channel(channel.id, channel.name)
    for person in setup.people:
        twin.add_user(person.id, person.name.lower(), person.name, tz=person.tz)
    twin.add_user(BOT_USER, "reviewdesk", "reviewdesk")
    twin.start()

    intake_token = settings.intake_token or secrets.token_urlsafe(24)
    local = dataclasses.replace(
        settings, slack_bot_token=twin.bot_token, slack_signing_secret=signing_secret,
        slack_app_token=None, slack_api_base_url=twin.base_url, database_url=database_url,
        intake_token=intake_token,
    )
    try:
        db = Database.from_url(database_url)
        migrate(db.engine)
        service = create_app(local, setup.config, db=db, clock=clock,
                             outbox_poll_interval=outbox_poll_interval, slack_mode="local")
    except Exception:
        twin.stop()
        raise
    desk_clock = DeskClock(clock, service)
    workspace.clock = desk_clock
    service.http.register_blueprint(blueprint(workspace))

    def after_jump() -> None:
        for job in ("nudges", "handoffs", "home", "digest"):
            service.scheduler.replan(job)
        service.outbox.wake()

    clock.on_jump(after_jump)
    try:
        bound = service.start(host="127.0.0.1", port=settings.port if port is None else port)
    except OSError:
        service.stop()
        twin.stop()
        raise
    workspace.events_url = f"http://127.0.0.1:{bound}/slack/events"
    running = LocalWorkspace(service, twin, workspace, clock, setup, f"http://127.0.0.1:{bound}/",
                             intake_token, settings.intake_token is None, database_url)
    if samples and not _has_reviews(db):
        workspace.samples = load_samples(service, f"http://127.0.0.1:{bound}", intake_token)
    running._saver = threading.Thread(target=running._keep_saving, name="workspace-save",
                                      daemon=True)
    running._saver.start()
    return running


def _say(line: str) -> None:
    print(line, flush=True)  # at once, even into a pipe


def run_local(settings: Settings, *, reset: bool, out: Callable[[str], None] = _say) -> int:
    """`reviewdesk run` without Slack tokens: the local workspace until SIGTERM or Ctrl-C."""
    if not (os.environ.get("LOG_LEVEL") or "").strip():
        logging.getLogger().setLevel(logging.WARNING)  # the lines below say what matters
    database_url = local_database_url(settings)
    stopping = threading.Event()  # a signal during start-up stops right after it
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    if settings.port:
        out(f"reviewdesk local workspace (no Slack app): http://127.0.0.1:{settings.port}/")
    if reset:
        refused = reset_database(database_url)
        if refused:
            out(refused)
            return 2
    path = config_path_for(settings)
    try:
        config = load_config(path)
    except ConfigError as error:
        for problem in error.problems:
            out(problem)
        return 2
    try:
        running = start_local(settings, config, database_url=database_url)
    except OSError as error:
        out(f"Cannot serve on 127.0.0.1:{settings.port} ({error.strerror or error}); "
            "set PORT to a free port.")
        return 2
    except Exception as error:  # the database or a migration: one plain sentence
        first_line = (str(error).splitlines() or [""])[0]
        out(f"Cannot open the database {database_url} ({type(error).__name__}: {first_line}).")
        return 2
    if not settings.port:
        out(f"reviewdesk local workspace (no Slack app): {running.url}")
    which = f"{path} (there is no {settings.config_path} yet)" if path == EXAMPLE_CONFIG \
        else str(path)
    out(f"Open {running.url} in a browser: the whole desk, with no Slack app. "
        f"Configuration: {which}; database: {database_url}.")
    if running.intake_token_generated:
        out(f"INTAKE_TOKEN for this run: {running.intake_token}")
    out(f"Try: curl -X POST {running.url}intake/reviews -H 'Authorization: Bearer "
        f"{running.intake_token}' -H 'Content-Type: application/json' -d "
        "'{\"source\": \"google\", \"external_id\": \"g-9001\", "
        f"\"site\": \"{running.setup.config.sites[0].id}\", \"rating\": 1, "
        "\"text\": \"Nobody called me back.\"}'")
    for note in running.setup.notes:
        out(note)
    if running.workspace.samples:
        out("Sample reviews loaded: " + ", ".join(running.workspace.samples) + ".")
    out("Stop with Ctrl-C. Start afresh with `reviewdesk run --reset`.")
    stopping.wait()
    logger.info("stopping the local workspace")
    running.stop()
    return 0
