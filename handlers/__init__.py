"""Bolt listeners and the HTTP routes beside them: thin, they parse and call bot/."""
