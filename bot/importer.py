"""Reads review files for `reviewdesk import`: JSON (one review, a list, or {"reviews": [...]}),
JSON Lines, and CSV with the canonical column names."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.reviews import ItemError


@dataclass(frozen=True)
class FileItems:
    items: list[Any]
    errors: list[ItemError]  # items that could not even be parsed


class UnreadableFile(Exception):
    pass


def _csv_value(name: str, value: str | None) -> Any:
    value = (value or "").strip()
    if name == "rating":
        return int(value) if value.isdigit() else (value or None)
    return value or None


def read_items(path: Path) -> FileItems:
    if not path.is_file():
        raise UnreadableFile(f"{path} does not exist or is not a file")
    suffix = path.suffix.lower()
    text = path.read_text(encoding="utf-8-sig")
    if suffix == ".jsonl":
        items: list[Any] = []
        errors: list[ItemError] = []
        for number, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                items.append(json.loads(raw))
            except json.JSONDecodeError as error:
                errors.append(ItemError(len(items), f"line {number}", f"not JSON: {error.msg}"))
                items.append(None)
        return FileItems(items, errors)
    if suffix == ".json":
        try:
            body = json.loads(text)
        except json.JSONDecodeError as error:
            raise UnreadableFile(f"{path} is not JSON: {error}") from None
        if isinstance(body, dict):
            body = body["reviews"] if isinstance(body.get("reviews"), list) else [body]
        if not isinstance(body, list):
            raise UnreadableFile(f"{path} holds neither a review nor a list of reviews")
        return FileItems(body, [])
    if suffix == ".csv":
        reader = csv.DictReader(text.splitlines())
        return FileItems(
            [{key: _csv_value(key, value) for key, value in row.items() if key} for row in reader],
            [],
        )
    raise UnreadableFile(f"{path}: use a .json, .jsonl or .csv file")
