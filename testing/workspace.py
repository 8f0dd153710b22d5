"""The tests' workspace: the ids of its channels and people, the secrets the app is started
with, the clock's start, and the desk's configuration (`config_data`). tests/conftest.py's
fixtures build on these; the benchmarks and the docs' screenshots use them too."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.config import Settings
from twin.webapi import SlackTwin

SIGNING_SECRET = "test-signing-secret"
INTAKE_TOKEN = "test-intake-token"
BOT_TOKEN = "xoxb-test-token"

TRIAGE = "C0TRIAGE"
PX_NORTH = "C0PXNORTH"
PX_SOUTH = "C0PXSOUTH"
MARIA, SAM, LEE, PAT = "U0MARIA", "U0SAM", "U0LEE", "U0PAT"

START = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def populate(fake: SlackTwin) -> SlackTwin:
    """The tests' workspace: the triage and PX channels, and the people who click."""
    fake.add_channel(TRIAGE, "review-triage")
    fake.add_channel(PX_NORTH, "px-north")
    fake.add_channel(PX_SOUTH, "px-south")
    for user, name in ((MARIA, "maria"), (SAM, "sam"), (LEE, "lee"), (PAT, "pat")):
        fake.add_user(user, name)
    return fake


def config_data(**overrides) -> dict:
    data = {
        "organization": "Example Health",
        "slack": {"triage_channel": TRIAGE},
        "windows": {"first_response": "24h", "px_followup": "72h", "urgent": "2h"},
        "replies": {"contact_phone": "555-0100", "signature": "— Patient Experience"},
        # Off unless a test turns it on (tests/test_digest.py): a test moving the clock past a
        # Monday morning would otherwise get a digest it did not ask for.
        "digest": {"enabled": False},
        "sites": [
            {"id": "north", "name": "North campus", "px_channel": PX_NORTH,
             "px_contacts": [PAT], "px_phone": "555-0101", "aliases": ["North Campus"]},
            {"id": "south", "name": "South clinic", "px_channel": PX_SOUTH,
             "px_phone": "555-0102"},
        ],
    }
    data.update(overrides)
    return data


def make_settings(slack: SlackTwin, **overrides) -> Settings:
    values = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_base_url": slack.base_url,
        "intake_token": INTAKE_TOKEN,
        "port": 0,
    }
    values.update(overrides)
    return Settings(**values)
