"""The outbox's old address: `from bot.slack_out import Outbox` keeps working. The code is in
the package bot.outbox."""

from bot.outbox import METADATA_EVENT, Kind, Outbox, Outcome

__all__ = ["METADATA_EVENT", "Kind", "Outbox", "Outcome"]
