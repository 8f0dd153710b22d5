"""The local workspace as the tests start it: the example configuration, the clock stopped at
`START` (or `at`), a fast outbox, and Bolt giving listeners the tests' wait to ack (a loaded
machine is not Slack's 3-second clock)."""

from __future__ import annotations

from datetime import datetime

from bot.clock import ManualClock
from bot.config import Settings, load_config
from local import EXAMPLE_CONFIG, LocalWorkspace, start_local
from testing.workspace import START
from twin.queries import WAIT


def start_test_local(database_url: str, *, samples: bool, at: datetime = START,
                     intake_token: str = "local-test-token") -> LocalWorkspace:
    return start_local(Settings(port=0, intake_token=intake_token), load_config(EXAMPLE_CONFIG),
                       database_url=database_url, port=0, clock_base=ManualClock(at),
                       samples=samples, outbox_poll_interval=0.1, ack_timeout=WAIT)
