"""The case desk: reviews stored and cases opened (ingest, bursts), "Needs a look", the nudges
before a window closes, Desk, the transaction every click's change goes through (with PX's
follow-up steps in px_followup), and who holds a case (holding)."""
