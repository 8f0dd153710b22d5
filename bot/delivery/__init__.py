"""Delivering the outbox: one loop (loop) sends the rows in order per case, exactly once: calls
are prepared from the rows (calls) and made to Slack (sender), posts of unknown outcome are
looked up before anything is sent again (lookup), and short renewed leases let several copies
share the work (leases). Only the app's wiring starts it; code that makes messages writes them
with bot/outbox/."""

from bot.delivery.loop import Outbox
from bot.outbox.kinds import METADATA_EVENT, Kind, Outcome

__all__ = ["METADATA_EVENT", "Kind", "Outbox", "Outcome"]
