"""Settings from the environment (or .env): the Slack tokens, the database, the port, the intake
token; secrets never come from code or reviewdesk.toml."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from bot.config.load import ConfigError


@dataclass(frozen=True)
class Settings:
    """What comes from the environment (or .env): secrets and addresses, never from code."""

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_base_url: str | None = None
    database_url: str = "sqlite:///reviewdesk.db"
    config_path: str = "reviewdesk.toml"
    port: int = 3000
    intake_token: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env

        def value(name: str) -> str | None:
            return (env.get(name) or "").strip() or None

        port_text = value("PORT") or "3000"
        if not port_text.isdigit() or not 0 <= int(port_text) < 65536:
            raise ConfigError(f"PORT is {port_text!r}; it must be a port number like 3000.")
        base_url = value("SLACK_API_BASE_URL")
        if base_url and not base_url.endswith("/"):
            base_url += "/"
        return cls(
            slack_bot_token=value("SLACK_BOT_TOKEN"),
            slack_signing_secret=value("SLACK_SIGNING_SECRET"),
            slack_app_token=value("SLACK_APP_TOKEN"),
            slack_api_base_url=base_url,
            database_url=value("DATABASE_URL") or cls.database_url,
            config_path=value("REVIEWDESK_CONFIG") or cls.config_path,
            port=int(port_text),
            intake_token=value("INTAKE_TOKEN"),
        )

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    def missing_for_run(self) -> list[str]:
        """Plain sentences, one per variable the bot cannot start without."""
        needed = {
            "SLACK_BOT_TOKEN": (
                self.slack_bot_token, "the bot token (xoxb-…) from OAuth & Permissions"
            ),
            "INTAKE_TOKEN": (
                self.intake_token,
                "a long random secret that review sources send as a bearer token",
            ),
        }
        if not self.socket_mode:
            needed["SLACK_SIGNING_SECRET"] = (
                self.slack_signing_secret,
                "the signing secret from the Slack app's Basic Information page",
            )
        problems = [
            f"{name} is not set: put {what} in the environment or in .env."
            for name, (current, what) in needed.items()
            if not current
        ]
        if self.slack_bot_token and not self.slack_bot_token.startswith("xoxb-"):
            problems.append("SLACK_BOT_TOKEN must be a bot token starting with xoxb-.")
        if self.slack_app_token and not self.slack_app_token.startswith("xapp-"):
            problems.append("SLACK_APP_TOKEN must be an app-level token starting with xapp-.")
        return problems
