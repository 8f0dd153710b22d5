"""Settings from the environment (secrets, addresses) and from reviewdesk.toml (the desk's rules).

Both load into typed values; anything wrong is reported as plain sentences naming the setting.
`settings` reads the environment, `schema` describes reviewdesk.toml's sections, `values` the
kinds of value written in them (durations, ids, time zones, weekdays, times of day), and `load`
reads the file and words its errors. Import from here: `from bot.config import Config, ...`.
"""

from bot.config.load import ConfigError, load_config, parse_config
from bot.config.schema import (
    Bursts,
    BusinessHours,
    Config,
    Digest,
    FacebookPage,
    FacebookSource,
    GoogleLocation,
    GoogleSource,
    Guard,
    Intake,
    PubSubPush,
    Replies,
    Roles,
    Rotation,
    Site,
    SlackChannels,
    Sources,
    Triage,
    WindowLengths,
    Windows,
    YelpSource,
)
from bot.config.settings import Settings
from bot.config.values import (
    HERE,
    WEEKDAYS,
    ChannelId,
    Duration,
    TimeZoneName,
    UserId,
    Weekday,
    clock_time,
    format_duration,
    parse_duration,
)

__all__ = [
    "HERE",
    "WEEKDAYS",
    "Bursts",
    "BusinessHours",
    "ChannelId",
    "Config",
    "ConfigError",
    "Digest",
    "Duration",
    "FacebookPage",
    "FacebookSource",
    "GoogleLocation",
    "GoogleSource",
    "Guard",
    "Intake",
    "PubSubPush",
    "Replies",
    "Roles",
    "Rotation",
    "Settings",
    "Site",
    "SlackChannels",
    "Sources",
    "TimeZoneName",
    "Triage",
    "UserId",
    "Weekday",
    "WindowLengths",
    "Windows",
    "YelpSource",
    "clock_time",
    "format_duration",
    "load_config",
    "parse_config",
    "parse_duration",
]
