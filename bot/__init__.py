"""reviewdesk's domain: cases, windows, Block Kit rendering and the outbox. No slack_bolt here."""
