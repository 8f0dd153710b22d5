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

from local.demo_config import LocalSetup, local_setup
from local.run import EXAMPLE_CONFIG, LocalWorkspace, config_path_for, run_local, start_local
from local.saved import local_database_url, reset_database, state_file

__all__ = [
    "EXAMPLE_CONFIG", "LocalSetup", "LocalWorkspace", "config_path_for", "local_database_url",
    "local_setup", "reset_database", "run_local", "start_local", "state_file",
]
