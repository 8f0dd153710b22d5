"""The `reviewdesk` command, run as a real process: plain sentences on failure, never a
traceback, and `import` stores what it reads."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from testing.workspace import BOT_TOKEN, INTAKE_TOKEN, PX_SOUTH, SIGNING_SECRET, config_data

SCRIPT = Path(sys.executable).parent / "reviewdesk"
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "reviewdesk"]
SAMPLES = Path(__file__).resolve().parents[1] / "samples"  # the repo's own copy

# Cleared for every run. They are set to "" rather than removed: `load_dotenv(override=False)`
# never replaces a variable that exists, and reviewdesk treats "" as unset, so a stray .env
# (which reviewdesk looks for from the working directory up) cannot leak in.
OWN_VARIABLES = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_BASE_URL",
    "INTAKE_TOKEN",
    "DATABASE_URL",
    "REVIEWDESK_CONFIG",
    "PORT",
)

SAMPLE_LINES = [
    {"source": "google", "external_id": "g-1001", "site": "north", "author": "Dana K.",
     "rating": 1, "text": "Waited five hours in the ER and nobody told us anything.",
     "url": "https://maps.example/review/g-1001", "created_at": "2026-11-20T14:03:00Z"},
    {"source": "google", "external_id": "g-1002", "site": "south", "author": "R. Patel",
     "rating": 5, "text": "The nurses on 4 West were wonderful. Thank you!",
     "url": "https://maps.example/review/g-1002", "created_at": "2026-11-20T15:10:00Z"},
    {"source": "facebook", "external_id": "fb-77_88", "site": None, "author": "Chris M.",
     "rating": None, "text": "Billed twice for the same visit, nobody calls back, and the front "
                             "desk was rude about it.",
     "url": "https://facebook.example/77_88", "created_at": "2026-11-21T09:30:00Z"},
    {"source": "yelp", "external_id": "y-xyz", "site": "north", "author": "Sam T.",
     "rating": 2, "text": "Parking is impossible and the clinic ran 90 minutes late.",
     "url": "https://yelp.example/biz/north?hrid=xyz", "created_at": "2026-11-21T18:45:00Z"},
]


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):  # an inline table
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {value!r} as TOML")


def write_config(path: Path, data: dict) -> Path:
    """Write config_data()-shaped settings as TOML (tomllib only reads)."""
    lines = [f"{key} = {_toml_value(value)}" for key, value in data.items()
             if not isinstance(value, dict | list)]
    for key, value in data.items():
        if isinstance(value, dict):
            lines.append(f"\n[{key}]")
            lines += [f"{k} = {_toml_value(v)}" for k, v in value.items()]
    for key, value in data.items():
        if isinstance(value, list):
            for table in value:
                lines.append(f"\n[[{key}]]")
                lines += [f"{k} = {_toml_value(v)}" for k, v in table.items()]
    text = "\n".join(lines) + "\n"
    assert tomllib.loads(text) == data
    path.write_text(text, encoding="utf-8")
    return path


def reviewdesk(cwd: Path, *args: str, clear: bool = True, **env: str):
    """Run the console script in `cwd` with only the variables given (plus the usual PATH...)."""
    environment = {
        name: value for name, value in os.environ.items()
        if not name.startswith("SLACK_") and name not in OWN_VARIABLES
    }
    if clear:
        environment.update(dict.fromkeys(OWN_VARIABLES, ""))
    environment.update(PYTHONIOENCODING="utf-8", LOG_LEVEL="INFO")
    environment.update(env)
    result = subprocess.run(
        [*COMMAND, *args], cwd=cwd, env=environment, capture_output=True,
        encoding="utf-8", timeout=60,
    )
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream, stream
    return result


def summary(stdout: str, path: Path | str) -> dict[str, int]:
    """The counts of import's summary line, whatever order its clauses come in."""
    line = stdout.splitlines()[0]
    assert line.startswith(f"{path}: "), line
    counts = {}
    for name, pattern in (
        ("read", r"(\d+) reviews read"),
        ("new", r"(\d+) new\b"),
        ("updated", r"(\d+) updated"),
        ("unchanged", r"(\d+) unchanged"),
        ("rejected", r"(\d+) rejected"),
        ("opened", r"(\d+) opened a case"),
    ):
        found = re.findall(pattern, line)
        assert len(found) == 1, f"no single {name!r} count in {line!r}"
        counts[name] = int(found[0])
    return counts


def error_lines(stderr: str) -> list[str]:
    """stderr without the log records (which start with a date)."""
    return [line for line in stderr.splitlines() if line.strip() and not line[:2].isdigit()]


@pytest.fixture
def config_file(tmp_path) -> Path:
    return write_config(tmp_path / "desk.toml", config_data())


@pytest.fixture
def samples(tmp_path) -> Path:
    target = tmp_path / "canonical_reviews.jsonl"
    shutil.copyfile(SAMPLES / "canonical_reviews.jsonl", target)
    return target


# ---- run --------------------------------------------------------------------------------------


def test_run_without_a_bot_token_says_so_in_one_sentence(tmp_path, config_file):
    # With no Slack token at all, `run` starts the local workspace (tests/test_local_workspace.py);
    # an app token without the bot token is a half-made Slack set-up.
    result = reviewdesk(
        tmp_path, "run", REVIEWDESK_CONFIG=str(config_file), SLACK_APP_TOKEN="xapp-1-test",
        SLACK_SIGNING_SECRET=SIGNING_SECRET, INTAKE_TOKEN=INTAKE_TOKEN,
    )
    assert result.returncode != 0
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("SLACK_BOT_TOKEN is not set:")
    assert line.endswith("in the environment or in .env.")


def test_run_with_a_missing_config_file_names_it(tmp_path):
    missing = tmp_path / "nowhere.toml"
    result = reviewdesk(
        tmp_path, "run", REVIEWDESK_CONFIG=str(missing), SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET, INTAKE_TOKEN=INTAKE_TOKEN,
    )
    assert result.returncode != 0
    (line,) = result.stderr.splitlines()
    assert f"The configuration file {missing} does not exist" in line
    assert "reviewdesk.example.toml" in line


def test_run_reads_dotenv_from_the_working_directory(tmp_path):
    (tmp_path / ".env").write_text("REVIEWDESK_CONFIG=from-dotenv.toml\n", encoding="utf-8")
    environment = {
        "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "INTAKE_TOKEN": INTAKE_TOKEN, "SLACK_APP_TOKEN": "", "DATABASE_URL": "", "PORT": "",
    }
    result = reviewdesk(tmp_path, "run", clear=False, **environment)
    assert result.returncode != 0
    assert "from-dotenv.toml does not exist" in result.stderr


# ---- import ---------------------------------------------------------------------------------


def _count(database: Path, sql: str) -> int:
    with sqlite3.connect(database) as connection:
        return connection.execute(sql).fetchone()[0]


def test_import_stores_reviews_opens_cases_and_is_idempotent(tmp_path, config_file, samples):
    database = tmp_path / "desk.db"
    env = {"DATABASE_URL": f"sqlite:///{database}", "REVIEWDESK_CONFIG": str(config_file)}

    first = reviewdesk(tmp_path, "import", samples.name, **env)
    assert first.returncode == 0, first.stderr
    assert summary(first.stdout, samples.name) == {
        "read": 4, "new": 4, "updated": 0, "unchanged": 0, "rejected": 0, "opened": 3,
    }
    assert "The running bot posts the new cards to Slack." in first.stdout
    assert error_lines(first.stderr) == []

    assert _count(database, "SELECT count(*) FROM reviews") == 4
    assert _count(database, "SELECT count(*) FROM cases") == 3
    assert _count(database, "SELECT count(*) FROM outbox WHERE kind = 'post_card'") == 3
    with sqlite3.connect(database) as connection:
        without_case = connection.execute(
            "SELECT r.external_id, r.rating FROM reviews r "
            "LEFT JOIN cases c ON c.review_id = r.id WHERE c.id IS NULL"
        ).fetchall()
    assert without_case == [("g-1002", 5)]

    second = reviewdesk(tmp_path, "import", str(samples), **env)
    assert second.returncode == 0, second.stderr
    assert summary(second.stdout, samples) == {
        "read": 4, "new": 0, "updated": 0, "unchanged": 4, "rejected": 0, "opened": 0,
    }
    assert len(second.stdout.splitlines()) == 1  # no "posts the new cards" line
    assert _count(database, "SELECT count(*) FROM reviews") == 4
    assert _count(database, "SELECT count(*) FROM cases") == 3
    assert _count(database, "SELECT count(*) FROM outbox") == 3


def test_import_reports_bad_items_and_still_stores_the_good_ones(tmp_path, config_file):
    database = tmp_path / "desk.db"
    reviews = tmp_path / "mixed.jsonl"
    lines = [
        json.dumps(SAMPLE_LINES[0]),
        "{this is not json",
        "",
        json.dumps({**SAMPLE_LINES[3], "external_id": "y-seven", "rating": 7}),
        json.dumps(SAMPLE_LINES[2]),
    ]
    reviews.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = reviewdesk(
        tmp_path, "import", str(reviews),
        DATABASE_URL=f"sqlite:///{database}", REVIEWDESK_CONFIG=str(config_file),
    )
    assert result.returncode == 1
    assert summary(result.stdout, reviews) == {
        "read": 4, "new": 2, "updated": 0, "unchanged": 0, "rejected": 2, "opened": 2,
    }
    problems = error_lines(result.stderr)
    assert len(problems) == 2, result.stderr
    # the bad JSON is the second item, on line 2; the rating 7 the third, on line 4
    assert problems[0].startswith("  item 2: line 2 not JSON:")
    assert problems[1] == "  item 3 (y-seven): rating must be between 1 and 5 or null, not 7"

    with sqlite3.connect(database) as connection:
        stored = connection.execute("SELECT external_id FROM reviews ORDER BY id").fetchall()
    assert stored == [("g-1001",), ("fb-77_88",)]
    assert _count(database, "SELECT count(*) FROM cases") == 2


def test_import_of_a_missing_file_says_so(tmp_path, config_file):
    result = reviewdesk(
        tmp_path, "import", "nothere.jsonl",
        DATABASE_URL=f"sqlite:///{tmp_path / 'desk.db'}", REVIEWDESK_CONFIG=str(config_file),
    )
    assert result.returncode != 0
    assert result.stderr.splitlines() == ["nothere.jsonl does not exist or is not a file"]
    assert not (tmp_path / "desk.db").exists()


def test_import_with_an_unusable_database_url_says_so(tmp_path, config_file, samples):
    result = reviewdesk(
        tmp_path, "import", str(samples),
        DATABASE_URL="nosuchdb://somewhere/desk", REVIEWDESK_CONFIG=str(config_file),
    )
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


# ---- check-config -----------------------------------------------------------------------------


def check_config(tmp_path: Path, slack, config: dict, token: str = BOT_TOKEN):
    config_file = write_config(tmp_path / "desk.toml", config)
    return reviewdesk(
        tmp_path, "check-config",
        REVIEWDESK_CONFIG=str(config_file),
        SLACK_API_BASE_URL=slack.base_url.rstrip("/"),  # reviewdesk adds the slash itself
        SLACK_BOT_TOKEN=token,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        INTAKE_TOKEN=INTAKE_TOKEN,
    )


def test_check_config_passes_when_every_channel_is_in_place(tmp_path, slack):
    result = check_config(tmp_path, slack, config_data())
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    assert lines == [
        f"✓ {tmp_path / 'desk.toml'} is valid (2 sites)",
        "✓ 23 reply templates render for every site and pass the reply guard",
        "✓ Slack accepted the bot token",
        "✓ slack.triage_channel: #review-triage",
        "✓ the PX channel of site 'north': #px-north",
        "✓ the PX channel of site 'south': #px-south",
        "⚠ The rotation has no members: reminders for cases nobody has claimed will go to "
        "@here in the case's channel. Name people in [rotation] members, or add them with "
        "/reviewdesk oncall add @name.",
        "ℹ No [roles] are set: anyone in the triage and PX channels may hide, ignore and act "
        "on Patient Experience follow-ups (as before roles existed); only [rotation] admins "
        "may change the rotation.",
        "Everything needed to run is in place.",
    ]
    assert len(slack.calls_to("auth.test")) == 1
    asked = [call.params["channel"] for call in slack.calls_to("conversations.info")]
    assert asked == ["C0TRIAGE", "C0PXNORTH", PX_SOUTH]


def test_check_config_warns_about_people_and_groups_slack_does_not_know(tmp_path, slack):
    slack.add_usergroup("S0ONCALL", "reviewdesk-oncall", ["U0SAM"])
    data = config_data(rotation={"members": ["U0SAM", "U0NOBODY"], "admins": ["U0SAM"],
                                 "lead": "U0GONE", "usergroup": "S0ONCALL",
                                 "fallback": "S0NOPE"})
    result = check_config(tmp_path, slack, data)
    assert result.returncode == 0, result.stdout  # warnings never fail the check
    warnings = [line for line in result.stdout.splitlines() if line.startswith("⚠")]
    assert warnings == [
        "⚠ rotation.members names U0NOBODY, whom Slack does not know: nobody would get their "
        "reminders. Copy the member id from their profile.",
        "⚠ rotation.lead names U0GONE, whom Slack does not know: nobody would get their "
        "reminders. Copy the member id from their profile.",
        "⚠ rotation.fallback is S0NOPE, a user group Slack does not know; copy the id from the "
        "group's page in Slack.",
    ]
    assert result.stdout.splitlines()[-1] == "Everything needed to run is in place."
    assert sorted(call.params["user"] for call in slack.calls_to("users.info")) == [
        "U0GONE", "U0NOBODY", "U0SAM"]


def test_check_config_names_the_lead_when_the_rotation_is_empty(tmp_path, slack):
    result = check_config(tmp_path, slack, config_data(rotation={"lead": "U0PAT"}),
                          token="xoxb-wrong-token")
    assert result.returncode == 1  # the token, not the warning
    assert ("⚠ The rotation has no members: reminders for cases nobody has claimed will go to "
            "the rotation's lead, U0PAT.") in result.stdout
    assert slack.calls_to("users.info") == []  # Slack refused the token: nobody looked up


def test_check_config_asks_to_invite_the_bot_to_a_channel_it_is_not_in(tmp_path, slack):
    slack.add_channel("C0OTHER", "other", is_member=False)
    data = config_data()
    data["sites"][1]["px_channel"] = "C0OTHER"
    result = check_config(tmp_path, slack, data)
    assert result.returncode == 1
    failures = [line for line in result.stdout.splitlines() if line.startswith("✗")]
    assert failures == [
        "✗ the PX channel of site 'south' C0OTHER (#other): the bot is not a member; "
        "invite it with /invite @reviewdesk."
    ]
    assert "Everything needed to run is in place." not in result.stdout


def test_check_config_names_a_channel_slack_does_not_know(tmp_path, slack):
    data = config_data()
    data["sites"][1]["px_channel"] = "C0NOWHERE"
    result = check_config(tmp_path, slack, data)
    assert result.returncode == 1
    failures = [line for line in result.stdout.splitlines() if line.startswith("✗")]
    assert len(failures) == 1
    assert "C0NOWHERE" in failures[0]
    assert "channel_not_found" in failures[0]
    assert "check the channel id" in failures[0]
    assert "✓ slack.triage_channel: #review-triage" in result.stdout


@pytest.fixture
def north_templates() -> Iterator[Path]:
    """templates/replies/sites/north, removed again after the test (a real override folder)."""
    from bot.replies.templates import REPLIES

    path = REPLIES / "sites" / "north"
    assert not path.exists(), "a real override for site north would be overwritten"
    path.mkdir(parents=True)
    yield path
    shutil.rmtree(path)


def test_check_config_fails_on_a_public_template_the_reply_guard_blocks(tmp_path, slack,
                                                                         north_templates):
    (north_templates / "billing.txt.j2").write_text(
        "Thank you for telling us.\n"
        "We are sorry about what happened during your visit.\n"
        "Please call {{ contact_phone }}.\n", encoding="utf-8")
    (north_templates / "wait_time.txt.j2").write_text(
        "Thank you.\nPlease call {{ contact_phone ", encoding="utf-8")

    result = check_config(tmp_path, slack, config_data())

    assert result.returncode == 1
    failures = [line for line in result.stdout.splitlines() if line.startswith("✗")]
    assert ("✗ templates/replies/sites/north/billing.txt.j2, line 2: the reply guard blocks it "
            "(confirms_care): \u201cduring your visit\u201d: This confirms the reader was cared "
            "for here") in "\n".join(failures)
    assert any(line.startswith("✗ templates/replies/sites/north/wait_time.txt.j2, line 2: "
                               "does not render") for line in failures)
    assert "reply templates render" not in result.stdout
    assert "Everything needed to run is in place." not in result.stdout


def test_check_config_names_the_secrets_posting_back_needs(tmp_path, slack):
    data = config_data(sources={"yelp": {"post_replies": True,
                                         "businesses": {"north-biz": "north"}}})
    result = check_config(tmp_path, slack, data)
    assert result.returncode == 1
    failures = [line for line in result.stdout.splitlines() if line.startswith("✗")]
    assert failures[-1:] == [
        "✗ sources.yelp.post_replies is on but YELP_CLIENT_ID, YELP_CLIENT_SECRET, "
        "YELP_REFRESH_TOKEN_NORTH_BIZ are not set: put the partner app's client id and secret "
        "and each business user's refresh token (or YELP_REFRESH_TOKEN) in the environment or "
        ".env."]
    assert ("✓ replies are posted on Yelp; other sources get copy-ready text and Mark as "
            "posted") in result.stdout


def test_check_config_says_slack_refused_a_wrong_token(tmp_path, slack):
    result = check_config(tmp_path, slack, config_data(), token="xoxb-wrong-token")
    assert result.returncode == 1
    failures = [line for line in result.stdout.splitlines() if line.startswith("✗")]
    assert len(failures) == 1
    assert failures[0].startswith("✗ Slack refused SLACK_BOT_TOKEN (invalid_auth);")
    assert "OAuth & Permissions" in failures[0]
    assert "✓ Slack accepted" not in result.stdout
    assert slack.calls_to("conversations.info") == []


EXPORT_MAP = ("external_id=Review ID,source=Platform,site=Location Name,author=Reviewer,"
              "rating=Stars,text=Review Text,url=Review URL,created_at=Review Date")
EXPORT_CSV = """Review ID,Platform,Location Name,Reviewer,Stars,Review Text,Review URL,Review Date
RT-5501,Google,North Campus,Lee W.,1,"I have been sitting in your emergency room for 6 hours \
right now, my son is in pain",https://maps.example/r/5501,2026-11-22 21:14
RT-5502,Healthgrades,South Clinic,Anonymous,2,"Dr. Morrison was dismissive and rushed.
Felt like a number.",https://healthgrades.example/r/5502,2026-11-22 08:02
RT-5503,Google,North Campus,Jamie P.,4,"Good care overall, long wait for labs.",\
https://maps.example/r/5503,2026-11-21 11:40
"""


def test_import_of_an_export_with_other_column_names_dry_run_first(tmp_path, config_file):
    export = tmp_path / "reviews_export.csv"
    shutil.copyfile(SAMPLES / "reviews_export.csv", export)
    database = tmp_path / "desk.db"
    env = {"DATABASE_URL": f"sqlite:///{database}", "REVIEWDESK_CONFIG": str(config_file)}

    dry = reviewdesk(tmp_path, "import", export.name, "--map", EXPORT_MAP, "--dry-run", **env)
    assert dry.returncode == 0, dry.stderr
    assert "3 reviews read; 3 would be new" in dry.stdout and "2 would open a case" in dry.stdout
    assert "Dry run: nothing was stored." in dry.stdout
    assert _count(database, "SELECT count(*) FROM reviews") == 0

    real = reviewdesk(tmp_path, "import", export.name, "--map", EXPORT_MAP, **env)
    assert real.returncode == 0, real.stderr
    assert summary(real.stdout, export.name)["opened"] == 2
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT r.external_id, r.source, r.site, c.site FROM reviews r "
            "LEFT JOIN cases c ON c.review_id = r.id ORDER BY r.external_id").fetchall()
    assert rows == [("RT-5501", "google", "North Campus", "north"),
                    ("RT-5502", "healthgrades", "South Clinic", "south"),
                    ("RT-5503", "google", "North Campus", None)]

    again = reviewdesk(tmp_path, "import", export.name, "--map", EXPORT_MAP, "--dry-run", **env)
    assert "3 unchanged" in again.stdout and "0 would open a case" in again.stdout


def test_import_with_a_wrong_map_says_which_field(tmp_path, config_file):
    export = tmp_path / "x.csv"
    export.write_text(EXPORT_CSV)
    result = reviewdesk(tmp_path, "import", export.name, "--map", "stars=Stars",
                        REVIEWDESK_CONFIG=str(config_file))
    assert result.returncode == 2
    assert "'stars' is not a review field" in result.stderr
