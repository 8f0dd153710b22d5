"""The reviewdesk program: the wiring (app.py), the servers (server.py), the `reviewdesk`
command (cli.py; `python -m reviewdesk` runs it too) and how it logs (logs.py)."""

__version__ = "0.1.0"
