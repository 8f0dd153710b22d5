"""Reading reviewdesk.toml into a `Config`, and saying what is wrong with it in plain sentences
naming the setting (`ConfigError`), never in pydantic's words."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

from pydantic import ValidationError

from bot.config.schema import Config


class ConfigError(Exception):
    """A setting is missing or wrong; the message is meant for the person running the bot."""

    def __init__(self, problems: str | list[str]):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


def _pretty_location(loc: tuple) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1] = f"{parts[-1]}[{item + 1}]" if parts else f"[{item + 1}]"
        else:
            parts.append(str(item))
    return ".".join(parts) or "(top level)"


def _plain_errors(error: ValidationError) -> list[str]:
    problems = []
    for item in error.errors():
        where = _pretty_location(item["loc"])
        if item["type"] == "missing":
            problems.append(f"{where} is missing.")
        elif item["type"] == "extra_forbidden":
            problems.append(f"{where} is not a setting reviewdesk knows; check its spelling.")
        else:
            problems.append(f"{where}: {_plain_message(item)}.")
    return problems


_TYPE_WORDS = {
    "bool_type": "true or false", "bool_parsing": "true or false",
    "string_type": "text in quotes", "int_type": "a whole number",
    "int_parsing": "a whole number", "float_type": "a number", "float_parsing": "a number",
    "list_type": "a list in [brackets]", "dict_type": "a table", "model_type": "a table",
}


def _plain_message(item: dict) -> str:
    """pydantic's error, said the way a person editing reviewdesk.toml needs it."""
    kind, context, given = item["type"], item.get("ctx") or {}, item.get("input")
    if kind in _TYPE_WORDS:
        return f"write {_TYPE_WORDS[kind]} here, not {given!r}"
    if kind in {"less_than_equal", "less_than"}:
        return f"{given!r} is too large; the most is {context.get('le', context.get('lt'))}"
    if kind in {"greater_than_equal", "greater_than"}:
        return f"{given!r} is too small; the least is {context.get('ge', context.get('gt'))}"
    if kind == "too_short":
        return f"needs at least {context.get('min_length')} entry"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"is longer than {context.get('max_length')} characters"
    if kind == "string_pattern_mismatch":
        return f"{given!r} is not in the expected form (for example lower-case letters, digits, "\
               "'-' or '_' for a site id; HH:MM for a time)"
    if kind == "literal_error":
        return f"{given!r} is not one of {context.get('expected')}"
    return str(item["msg"]).removeprefix("Value error, ")


def parse_config(data: Mapping) -> Config:
    try:
        return Config.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_plain_errors(error)) from None


def load_config(path: str | os.PathLike) -> Config:
    path = Path(path)
    if not path.exists():
        raise ConfigError(
            f"The configuration file {path} does not exist; copy reviewdesk.example.toml "
            "to it (or set REVIEWDESK_CONFIG) and edit the channels and sites."
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML: {error}.") from None
    return parse_config(data)
