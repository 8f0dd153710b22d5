"""The outbox: everything the bot posts to Slack is a row written in the same transaction as the
change it announces (writer), and one delivery loop (delivery) sends the rows in order per
case, exactly once: calls are prepared from the rows (calls), posts of unknown outcome are
looked up before anything is sent again (lookup), and short renewed leases let several copies
share the work (leases)."""

from bot.outbox.delivery import Outbox
from bot.outbox.kinds import METADATA_EVENT, Kind, Outcome

__all__ = ["METADATA_EVENT", "Kind", "Outbox", "Outcome"]
