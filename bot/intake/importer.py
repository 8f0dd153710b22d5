"""Reads review files for `reviewdesk import`: JSON (one review, a list, or {"reviews": [...]}),
JSON Lines, and CSV, with canonical field names or others named by a --map."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.core.reviews import CanonicalReview, ItemError, validate_batch

if TYPE_CHECKING:
    from bot.config import Config
    from bot.desk.desk import Desk
    from bot.triage import TriageResult


@dataclass(frozen=True)
class FileItems:
    items: list[Any]
    errors: list[ItemError]  # items that could not even be parsed


class UnreadableFile(Exception):
    pass


CANONICAL_FIELDS = ("source", "external_id", "site", "author", "rating", "text", "url",
                    "created_at", "recommendation")


def parse_mapping(text: str | None) -> dict[str, str]:
    """`--map "external_id=Review ID,source=Platform"`: canonical field -> the file's name."""
    if not text:
        return {}
    mapping = {}
    for part in text.split(","):
        name, sep, column = part.partition("=")
        name, column = name.strip(), column.strip()
        if not sep or not column:
            raise UnreadableFile(f"--map: {part.strip()!r} is not field=Column")
        if name not in CANONICAL_FIELDS:
            raise UnreadableFile(
                f"--map: {name!r} is not a review field; use {', '.join(CANONICAL_FIELDS)}"
            )
        mapping[name] = column
    return mapping


def _renamed(item: Any, mapping: dict[str, str]) -> Any:
    if not mapping or not isinstance(item, dict):
        return item
    out = {key: value for key, value in item.items() if key not in mapping.values()}
    for name, column in mapping.items():
        if column in item:
            out[name] = item[column]
    return out


def _csv_value(value: str | None) -> str | None:
    return (value or "").strip() or None


def _csv_typed(item: dict[str, Any]) -> dict[str, Any]:
    """CSV has only text: a rating of digits is a number (anything else stays, to be
    reported by validation as the wrong type)."""
    rating = item.get("rating")
    if isinstance(rating, str) and rating.isdigit():
        item["rating"] = int(rating)
    return item


def read_items(path: Path, mapping: dict[str, str] | None = None) -> FileItems:
    """The file's items with canonical field names; unparseable JSON Lines are errors."""
    file_items = _read(path)
    mapping = mapping or {}
    items = [_renamed(item, mapping) for item in file_items.items]
    if path.suffix.lower() == ".csv":
        items = [_csv_typed(item) for item in items]
    return FileItems(items, file_items.errors)


def _read(path: Path) -> FileItems:
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
        reader = csv.DictReader(io.StringIO(text, newline=""))
        return FileItems(
            [{key: _csv_value(value) for key, value in row.items() if key} for row in reader],
            [],
        )
    raise UnreadableFile(f"{path}: use a .json, .jsonl or .csv file")


PROGRESS_FROM = 200  # items; smaller files finish before a bar would help
CHUNK = 100


@dataclass
class ImportReport:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    opened: int = 0
    errors: list[ItemError] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len({error.index for error in self.errors})


PARALLEL_FROM = 2_000  # reviews; fewer are triaged in this process
_worker_config: Config | None = None


def _start_worker(config: Config) -> None:
    global _worker_config
    _worker_config = config


def _triage_chunk(chunk: list[tuple[int, CanonicalReview]], received_at: datetime
                  ) -> list[TriageResult]:
    from bot.triage import triage

    assert _worker_config is not None
    return [triage(review, _worker_config, received_at=received_at) for _index, review in chunk]


@contextmanager
def _triage_ahead(config: Config, chunks: list[list[tuple[int, CanonicalReview]]], *,
                  parallel: bool, received_at: datetime
                  ) -> Iterator[Iterator[list[TriageResult] | None]]:
    """Each chunk's triage (None: the desk triages it itself). A large import triages in
    worker processes, chunks ahead of the one being stored: triage is most of an import's
    work, and the database writes happen meanwhile in this process."""
    reviews = sum(len(chunk) for chunk in chunks)
    workers = min(os.cpu_count() or 1, 4)
    if not parallel or reviews < PARALLEL_FROM or workers < 2:
        yield iter([None] * len(chunks))
        return
    # spawn, not fork: this process holds database connections a child must not inherit
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                             initializer=_start_worker, initargs=(config,)) as pool:
        yield pool.map(partial(_triage_chunk, received_at=received_at), chunks, chunksize=4)


def import_items(desk: Desk, file_items: FileItems, *, dry_run: bool = False,
                 progress: bool = True) -> ImportReport:
    """Validate every item, then store the good ones in chunks (or only say what would
    happen). Re-running the same file changes nothing: storage is idempotent."""
    unparsed = {error.index for error in file_items.errors}
    batch = validate_batch(file_items.items, config=desk.config, now=desk.clock.now())
    report = ImportReport(
        read=len(file_items.items),
        errors=sorted(file_items.errors + [e for e in batch.errors if e.index not in unparsed],
                      key=lambda e: e.index),
    )
    from tqdm import tqdm  # the bar is for `reviewdesk import`, not for a running bot

    chunks = [batch.reviews[start:start + CHUNK] for start in range(0, len(batch.reviews), CHUNK)]
    with tqdm(total=len(batch.reviews), unit="review", disable=None if progress else True,
              delay=0 if len(batch.reviews) >= PROGRESS_FROM else 3600) as bar, \
            _triage_ahead(desk.config, chunks, parallel=not dry_run,
                          received_at=desk.clock.now()) as triaged:
        for chunk, results in zip(chunks, triaged, strict=True):
            outcomes = (desk.ingestor.preview(chunk) if dry_run
                        else desk.ingestor.ingest(chunk, triaged=results))
            for outcome in outcomes:
                if outcome.outcome == "failed":  # the database refused it; the rest are stored
                    report.errors.append(ItemError(outcome.index, "item",
                                                   "was refused by the database (see the log)",
                                                   outcome.external_id))
                    continue
                setattr(report, outcome.outcome, getattr(report, outcome.outcome) + 1)
                report.opened += int(outcome.opened_case)
            bar.update(len(chunk))
    report.errors.sort(key=lambda error: error.index)
    return report
