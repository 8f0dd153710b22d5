"""A bot's review sources pointed at the fake Google and Yelp (seeded with the samples): the
configuration and clients the fuzz tests start their bot with."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from bot.config import Config, parse_config
from bot.intake.source_clients import SourceClients, clients_from_env
from testing.fakes.google_api import SAMPLE_LOCATION, FakeGoogle
from testing.fakes.yelp_api import SAMPLE_BUSINESS_ID, FakeYelp
from testing.workspace import config_data


@dataclass(frozen=True)
class FakeSources:
    google: FakeGoogle
    yelp: FakeYelp
    config: Config
    clients: SourceClients


@contextmanager
def fake_sources() -> Iterator[FakeSources]:
    """Google (the sample location, North campus) and Yelp (the sample business, North
    campus) served by their fakes while the block runs."""
    with FakeGoogle() as google_api, FakeYelp() as yelp_api:
        yelp_api.seed_samples()
        config = parse_config(config_data(sources={
            "google": {"enabled": True, "base_url": google_api.api_url,
                       "locations": [{"name": SAMPLE_LOCATION, "site": "north"}]},
            "yelp": {"base_url": yelp_api.base_url,
                     "businesses": {SAMPLE_BUSINESS_ID: "north"}},
        }))
        clients = clients_from_env(config, {**google_api.env(),
                                            "YELP_API_KEY": yelp_api.api_key})
        yield FakeSources(google_api, yelp_api, config, clients)
