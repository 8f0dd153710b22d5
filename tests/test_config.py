"""Settings from the environment and from reviewdesk.toml: typed values when right, plain
sentences naming the setting when wrong."""

from __future__ import annotations

import copy
import re
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import BaseModel

from bot.config import (
    Config,
    ConfigError,
    Settings,
    format_duration,
    load_config,
    parse_config,
    parse_duration,
)
from testing.workspace import PX_NORTH, TRIAGE, config_data

EXAMPLE_TOML = Path(__file__).resolve().parents[1] / "reviewdesk.example.toml"

# Words that only make sense to someone who knows pydantic.
JARGON = (
    "validation error",
    "Input should",
    "String should",
    "List should",
    "Value error",
    "type=",
    "pydantic",
    "errors.pydantic.dev",
    "model_",
    "instance of",
    "[1 item",
)


def problems_of(data: dict) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    problems = caught.value.problems
    assert problems, "a ConfigError must carry at least one problem"
    assert str(caught.value) == "\n".join(problems)
    return problems


def assert_plain(problem: str) -> None:
    for word in JARGON:
        assert word.lower() not in problem.lower(), f"jargon {word!r} in {problem!r}"
    assert "\n" not in problem
    assert problem.endswith("."), problem


# ---- durations --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("30m", timedelta(minutes=30)),
        ("24h", timedelta(hours=24)),
        ("3d", timedelta(days=3)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1d2h", timedelta(days=1, hours=2)),
        (" 2H ", timedelta(hours=2)),
        (90, timedelta(seconds=90)),
        (1.5, timedelta(seconds=1.5)),
        (timedelta(minutes=5), timedelta(minutes=5)),
    ],
)
def test_parse_duration_reads_units_combinations_and_numbers(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "24 hours", "-1h", "abc", "1x", "h"])
def test_parse_duration_rejects_nonsense_and_says_how_to_write_it(text):
    with pytest.raises(ValueError) as caught:
        parse_duration(text)
    message = str(caught.value)
    assert repr(text) in message
    assert "write it like" in message
    for example in ("90s", "30m", "24h", "3d"):
        assert example in message


@pytest.mark.parametrize("value", ["0s", "0h0m", 0, -5])
def test_parse_duration_rejects_zero_and_negative_lengths(value):
    with pytest.raises(ValueError, match="must be longer than zero"):
        parse_duration(value)


def test_parse_duration_rejects_booleans():
    with pytest.raises(ValueError, match="is not a duration"):
        parse_duration(True)


@pytest.mark.parametrize(
    ("duration", "text"),
    [
        (timedelta(seconds=90), "1m30s"),
        (timedelta(minutes=30), "30m"),
        (timedelta(hours=24), "1d"),
        (timedelta(days=3), "3d"),
        (timedelta(hours=1, minutes=30), "1h30m"),
        (timedelta(days=1, hours=2, minutes=3, seconds=4), "1d2h3m4s"),
    ],
)
def test_format_duration_round_trips(duration, text):
    assert format_duration(duration) == text
    assert parse_duration(text) == duration


@pytest.mark.parametrize("text", ["90s", "30m", "24h", "3d", "1h30m", "36h", "100m"])
def test_parse_then_format_then_parse_is_stable(text):
    duration = parse_duration(text)
    assert parse_duration(format_duration(duration)) == duration


# ---- the shipped example ----------------------------------------------------------------------


def test_the_shipped_example_config_loads_without_problems():
    config = load_config(EXAMPLE_TOML)
    assert config.organization == "Example Health"
    assert config.slack.triage_channel == "C0000TRIAGE"
    assert config.windows.first_response == timedelta(hours=24)
    assert config.windows.px_followup == timedelta(hours=72)
    assert config.windows.urgent == timedelta(hours=2)
    assert config.triage.negative_max_rating == 2
    assert config.replies.default_template == "apology_offline"
    assert [site.id for site in config.sites] == ["north", "south"]
    assert config.site("Northside Hospital").id == "north"
    assert config.site("south clinic").id == "south"


def _setting_names(model: type[BaseModel], prefix: str = "") -> list[str]:
    names = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        inner = getattr(annotation, "__args__", (annotation,))
        nested = [a for a in inner if isinstance(a, type) and issubclass(a, BaseModel)]
        if nested:
            names += _setting_names(nested[0], f"{prefix}{name}.")
        else:
            names.append(f"{prefix}{name}")
    return names


def _mentioned(setting: str, text: str) -> bool:
    """Is the setting in the example, set or shown commented out ("# risk_channel = ...")?"""

    def header(name: str) -> bool:
        return re.search(rf"^[ \t]*(#[ \t]*)?\[\[?{re.escape(name)}\]\]?", text, re.M) is not None

    *sections, key = setting.split(".")
    if header(setting):  # a table of its own, like [triage.themes]
        return True
    if sections and not header(".".join(sections)):
        return False
    return re.search(rf"^[ \t]*(#[ \t]*)?{re.escape(key)}[ \t]*=", text, re.M) is not None


def test_the_shipped_example_mentions_every_setting():
    text = EXAMPLE_TOML.read_text(encoding="utf-8")
    settings = _setting_names(Config)
    assert "slack.triage_channel" in settings
    assert "sites.px_channel" in settings
    missing = [setting for setting in settings if not _mentioned(setting, text)]
    assert missing == [], f"reviewdesk.example.toml does not mention {', '.join(missing)}"


# ---- parse_config: problems in plain words -----------------------------------------------------


def test_the_fixture_config_is_valid():
    config = parse_config(config_data())
    assert config.slack.triage_channel == TRIAGE
    assert config.sites[0].px_channel == PX_NORTH


def test_a_missing_triage_channel_is_named():
    data = config_data(slack={})
    problems = problems_of(data)
    assert problems == ["slack.triage_channel is missing."]
    assert_plain(problems[0])


def test_a_misspelled_section_is_named_and_called_unknown():
    data = config_data()
    data["windws"] = {"first_response": "24h"}
    problems = problems_of(data)
    assert len(problems) == 1
    assert problems[0].startswith("windws ")
    assert "not a setting reviewdesk knows" in problems[0]
    assert "spelling" in problems[0]
    assert_plain(problems[0])


def test_a_misspelled_key_inside_a_section_is_named_with_its_section():
    data = config_data(windows={"first_responce": "24h"})
    problems = problems_of(data)
    assert len(problems) == 1
    assert problems[0].startswith("windows.first_responce ")
    assert_plain(problems[0])


def test_a_channel_name_instead_of_an_id_is_explained():
    problems = problems_of(config_data(slack={"triage_channel": "#general"}))
    assert len(problems) == 1
    problem = problems[0]
    assert problem.startswith("slack.triage_channel:")
    assert "'#general' is not a Slack channel id" in problem
    assert "starts with C" in problem
    assert_plain(problem)


def test_a_bad_px_channel_names_the_site_by_position():
    data = config_data()
    data["sites"][1]["px_channel"] = "px-south"
    problems = problems_of(data)
    assert len(problems) == 1
    assert problems[0].startswith("sites[2].px_channel:")
    assert_plain(problems[0])


def test_a_duration_that_is_not_one_is_explained():
    problems = problems_of(config_data(windows={"first_response": "soon"}))
    assert len(problems) == 1
    problem = problems[0]
    assert problem.startswith("windows.first_response:")
    assert "'soon' is not a duration" in problem
    assert "24h" in problem
    assert_plain(problem)


def test_duplicate_site_ids_are_named():
    data = config_data()
    data["sites"][1]["id"] = "north"
    problems = problems_of(data)
    assert len(problems) == 1
    problem = problems[0]
    assert "sites" in problem
    assert "'north'" in problem
    assert "twice" in problem
    assert_plain(problem)


def test_an_alias_naming_two_sites_is_explained():
    data = config_data()
    data["sites"][1]["aliases"] = ["North Campus"]
    problems = problems_of(data)
    assert len(problems) == 1
    problem = problems[0]
    assert "'North Campus'" in problem
    assert "'north'" in problem
    assert "'south'" in problem
    assert_plain(problem)


def test_an_alias_naming_two_sites_names_the_setting():
    data = config_data()
    data["sites"][1]["aliases"] = ["North Campus"]
    (problem,) = problems_of(data)
    assert "(top level)" not in problem
    assert "aliases" in problem


def test_every_problem_is_reported_at_once():
    data = config_data(slack={"triage_channel": "#general"}, windows={"urgent": "soon"})
    data["windws"] = {}
    problems = problems_of(data)
    assert len(problems) == 3
    joined = "\n".join(problems)
    for setting in ("slack.triage_channel", "windows.urgent", "windws"):
        assert setting in joined
    for problem in problems:
        assert_plain(problem)


def test_an_empty_file_names_the_required_sections():
    problems = problems_of({})
    assert problems == ["slack is missing.", "sites is missing."]


@pytest.mark.parametrize(
    "change",
    [
        lambda data: data.update(slack={"triage_channel": 123}),
        lambda data: data["sites"][0].update(px_contacts=[42]),
    ],
    ids=["channel-is-a-number", "member-is-a-number"],
)
def test_a_number_where_an_id_belongs_is_a_config_error(change):
    data = copy.deepcopy(config_data())
    change(data)
    problems_of(data)


@pytest.mark.parametrize(
    ("change", "setting"),
    [
        (lambda data: data.update(triage={"negative_max_rating": 9}),
         "triage.negative_max_rating"),
        (lambda data: data.update(triage={"post_unrated": "maybe"}), "triage.post_unrated"),
        (lambda data: data.update(sites=[]), "sites"),
        (lambda data: data["sites"][0].update(id="North Campus"), "sites[1].id"),
        (lambda data: data.update(organization=["x"]), "organization"),
    ],
    ids=["rating-out-of-range", "not-a-boolean", "no-sites", "bad-site-id", "not-a-string"],
)
def test_other_wrong_values_are_explained_without_jargon(change, setting):
    data = copy.deepcopy(config_data())
    change(data)
    (problem,) = problems_of(data)
    assert problem.startswith(setting)
    assert_plain(problem)


# ---- who is told when nobody else is -----------------------------------------------------------


def test_the_shipped_example_falls_back_to_here_and_keeps_no_user_group():
    rotation = load_config(EXAMPLE_TOML).rotation
    assert rotation.members == [] and rotation.lead is None
    assert rotation.fallback == "@here"
    assert rotation.usergroup is None


@pytest.mark.parametrize(("written", "read"), [
    ("@here", "@here"), ("here", "@here"), ("<!here>", "@here"), (" S0123ABCD ", "S0123ABCD"),
])
def test_the_fallback_is_here_or_a_user_group(written, read):
    config = parse_config(config_data(rotation={"fallback": written, "usergroup": "S0ONCALL"}))
    assert config.rotation.fallback == read
    assert config.rotation.usergroup == "S0ONCALL"
    assert parse_config(config_data()).rotation.fallback == "@here"  # never empty


@pytest.mark.parametrize(("rotation", "setting", "words"), [
    ({"fallback": "@channel"}, "rotation.fallback", 'neither "@here" nor a Slack user group id'),
    ({"fallback": ""}, "rotation.fallback", 'neither "@here" nor a Slack user group id'),
    ({"usergroup": "@reviewdesk-oncall"}, "rotation.usergroup", "not a Slack user group id"),
    ({"usergroup": "U0123ABCD"}, "rotation.usergroup", "it starts with S"),
])
def test_a_wrong_fallback_or_user_group_is_named(rotation, setting, words):
    (problem,) = problems_of(config_data(rotation=rotation))
    assert problem.startswith(f"{setting}: ")
    assert words in problem
    assert_plain(problem)


# ---- load_config --------------------------------------------------------------------------------


def test_load_config_on_a_missing_file_gives_one_plain_sentence(tmp_path):
    path = tmp_path / "nowhere.toml"
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    (problem,) = caught.value.problems
    assert str(path) in problem
    assert "does not exist" in problem
    assert "reviewdesk.example.toml" in problem
    assert_plain(problem)


def test_load_config_on_invalid_toml_gives_one_plain_sentence(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('[slack]\ntriage_channel = "C0TRIAGE\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    (problem,) = caught.value.problems
    assert str(path) in problem
    assert "is not valid TOML" in problem
    assert "line 2" in problem
    assert_plain(problem)


def test_load_config_reports_what_is_wrong_inside_a_valid_toml_file(tmp_path):
    path = tmp_path / "reviewdesk.toml"
    text = EXAMPLE_TOML.read_text(encoding="utf-8").replace('first_response = "24h"',
                                                            'first_response = "a day"')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    (problem,) = caught.value.problems
    assert problem.startswith("windows.first_response:")
    assert "'a day' is not a duration" in problem


# ---- Settings.from_env ---------------------------------------------------------------------------


COMPLETE_ENV = {
    "SLACK_BOT_TOKEN": "xoxb-1-2-3",
    "SLACK_SIGNING_SECRET": "secret",
    "INTAKE_TOKEN": "intake",
}


def test_settings_defaults():
    settings = Settings.from_env({})
    assert settings.database_url == "sqlite:///reviewdesk.db"
    assert settings.port == 3000
    assert settings.config_path == "reviewdesk.toml"
    assert settings.slack_api_base_url is None
    assert settings.socket_mode is False


def test_blank_variables_count_as_unset():
    settings = Settings.from_env(
        {"DATABASE_URL": "  ", "PORT": "", "REVIEWDESK_CONFIG": "", "SLACK_APP_TOKEN": " "}
    )
    assert settings.database_url == "sqlite:///reviewdesk.db"
    assert settings.port == 3000
    assert settings.config_path == "reviewdesk.toml"
    assert settings.socket_mode is False


def test_settings_read_from_the_environment():
    settings = Settings.from_env(
        {
            **COMPLETE_ENV,
            "DATABASE_URL": "postgresql://desk@db/reviewdesk",
            "PORT": "8080",
            "REVIEWDESK_CONFIG": "/etc/reviewdesk.toml",
        }
    )
    assert settings.slack_bot_token == "xoxb-1-2-3"
    assert settings.slack_signing_secret == "secret"
    assert settings.intake_token == "intake"
    assert settings.database_url == "postgresql://desk@db/reviewdesk"
    assert settings.port == 8080
    assert settings.config_path == "/etc/reviewdesk.toml"
    assert settings.missing_for_run() == []


def test_an_app_token_means_socket_mode_and_no_signing_secret():
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "INTAKE_TOKEN": "intake", "SLACK_APP_TOKEN": "xapp-1"}
    settings = Settings.from_env(env)
    assert settings.socket_mode is True
    assert settings.missing_for_run() == []
    # without it, the same environment lacks the signing secret
    del env["SLACK_APP_TOKEN"]
    problems = Settings.from_env(env).missing_for_run()
    assert len(problems) == 1
    assert problems[0].startswith("SLACK_SIGNING_SECRET is not set")


@pytest.mark.parametrize("port", ["abc", "-1", "65536", "30 00", "3000.0"])
def test_a_port_that_is_not_a_number_is_a_config_error(port):
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"PORT": port})
    (problem,) = caught.value.problems
    assert problem.startswith("PORT is ")
    assert repr(port.strip()) in problem
    assert "port number like 3000" in problem


def test_the_slack_api_base_url_gains_a_trailing_slash():
    settings = Settings.from_env({"SLACK_API_BASE_URL": "http://127.0.0.1:9999/api"})
    assert settings.slack_api_base_url == "http://127.0.0.1:9999/api/"
    settings = Settings.from_env({"SLACK_API_BASE_URL": "https://slack-gov.com/api/"})
    assert settings.slack_api_base_url == "https://slack-gov.com/api/"


def test_missing_for_run_names_each_missing_variable():
    problems = Settings.from_env({}).missing_for_run()
    assert len(problems) == 3
    for name, problem in zip(
        ("SLACK_BOT_TOKEN", "INTAKE_TOKEN", "SLACK_SIGNING_SECRET"), problems, strict=True
    ):
        assert problem.startswith(f"{name} is not set:")
        assert ".env" in problem
        assert_plain(problem)


@pytest.mark.parametrize("missing", sorted(COMPLETE_ENV))
def test_missing_for_run_names_only_what_is_missing(missing):
    env = {name: value for name, value in COMPLETE_ENV.items() if name != missing}
    (problem,) = Settings.from_env(env).missing_for_run()
    assert problem.startswith(f"{missing} is not set")


def test_missing_for_run_rejects_tokens_of_the_wrong_kind():
    env = {**COMPLETE_ENV, "SLACK_BOT_TOKEN": "xoxp-user-token", "SLACK_APP_TOKEN": "xoxb-1"}
    problems = Settings.from_env(env).missing_for_run()
    assert problems == [
        "SLACK_BOT_TOKEN must be a bot token starting with xoxb-.",
        "SLACK_APP_TOKEN must be an app-level token starting with xapp-.",
    ]


# ---- the reply guard and posting replies back ---------------------------------------------------


def test_posting_replies_is_off_until_a_source_turns_it_on():
    config = parse_config(config_data())
    sources = config.sources
    assert not (sources.google.post_replies or sources.facebook.post_replies
                or sources.yelp.post_replies)
    assert sources.yelp.token_url == "https://api.yelp.com/oauth2/token"
    config = parse_config(config_data(sources={"google": {"post_replies": True},
                                               "yelp": {"post_replies": True}}))
    assert config.sources.google.post_replies and config.sources.yelp.post_replies
    assert config.guard.rules_file is None


def test_post_replies_must_be_true_or_false():
    (problem,) = problems_of(config_data(sources={"facebook": {"post_replies": "yes please"}}))
    assert problem.startswith("sources.facebook.post_replies: write true or false here")
    assert_plain(problem)


def test_a_guard_rules_file_must_exist(tmp_path):
    rules = tmp_path / "ours.toml"
    rules.write_text("[vocab]\nstaff_names = []\n", encoding="utf-8")
    assert parse_config(config_data(guard={"rules_file": str(rules)})).guard.rules_file == \
        str(rules)
    (problem,) = problems_of(config_data(guard={"rules_file": str(tmp_path / "missing.toml")}))
    assert problem.startswith("guard.rules_file: ")
    assert "is not a file" in problem
    assert_plain(problem)
