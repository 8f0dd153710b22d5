"""The outbox: everything the bot posts to Slack is a row written in the same transaction as the
change it announces (writer); the rendered message the renderers hand it, and what kinds of rows
there are (kinds). Sending them is bot/delivery/'s, which only the app's wiring sees."""

from bot.outbox.kinds import METADATA_EVENT, Kind, Outcome, Rendered
from bot.outbox.writer import OutboxWriter

__all__ = ["METADATA_EVENT", "Kind", "OutboxWriter", "Outcome", "Rendered"]
