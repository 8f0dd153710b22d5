"""The review sources' API clients the configuration turns on, their secrets read from the
environment: the polls, the pushes and the webhooks use them."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from bot.config import Config
from bot.intake.sources import build_clients
from bot.intake.sources.facebook import FacebookClient
from bot.intake.sources.google import GoogleClient
from bot.intake.sources.yelp import YelpClient


@dataclass(frozen=True)
class SourceClients:
    """The API clients of the sources the config turns on (None for the others)."""

    google: GoogleClient | None = None
    facebook: FacebookClient | None = None
    yelp: YelpClient | None = None


def clients_from_env(config: Config, env: Mapping[str, str] | None = None) -> SourceClients:
    """A client for each source the config turns on, its secrets read from the environment;
    ConfigError naming every missing secret at once."""
    env = os.environ if env is None else env
    sources = config.sources
    return SourceClients(**build_clients({
        "google": (sources.google.enabled,
                   lambda: GoogleClient.from_env(env, base_url=sources.google.base_url)),
        "facebook": (sources.facebook.enabled,
                     lambda: FacebookClient.from_env(env, source=sources.facebook)),
        "yelp": (bool(sources.yelp.businesses),
                 lambda: YelpClient.from_env(env, base_url=sources.yelp.base_url)),
    }))
