"""The review formats POST /intake accepts, each turned into canonical review items for
`validate_batch`. An item that cannot be mapped stays in the list, shaped so that validation
names the field that is wrong: nothing is dropped silently."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.config import Config
from bot.intake.shapes import list_at
from bot.intake.sources import facebook_items, google, podium


def _canonical(body: Any, config: Config) -> list[Any]:
    """A canonical review, a list of them, or {"reviews": [...]}."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict) and "reviews" in body:
        return list_at(body, "reviews") or []
    return [body]


_FORMATS: dict[str, Callable[[Any, Config], list[Any]]] = {
    "canonical": _canonical,
    "facebook": facebook_items.canonical_items,
    "google": google.canonical_items,
    "podium": podium.canonical_items,
}
FORMATS = tuple(sorted(_FORMATS))


def to_canonical(format: str, body: Any, config: Config) -> list[Any]:
    """The items of `body`, in `format`, as canonical review dicts (ValueError if the format is
    not one of FORMATS)."""
    convert = _FORMATS.get(format)
    if convert is None:
        raise ValueError(f"unknown review format {format!r}; use one of {', '.join(FORMATS)}")
    return convert(body, config)
