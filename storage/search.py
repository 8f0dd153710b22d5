"""Full-text search of cases (`/reviewdesk find`): the review's text and reviewer, stemmed, or its
triage themes and labels; newest case first, each with a snippet of its text whose matching
words are marked. Both databases answer from the table `case_search` that migration 0008 builds
and its triggers keep, one row per case: FTS5 on SQLite, a tsvector and GIN indexes on
PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session, col, select

from storage.models import Case, Review

# Around each matching word of a snippet: characters review text does not carry.
MARK_START, MARK_END = "\x02", "\x03"
# PostgreSQL's headline drops what its parser takes for HTML tags ("<3", "<b>"): < and > are
# swapped for these while it works, and back after.
_PG_ANGLES, _PG_ANGLE_STAND_INS = "<>", "\x01\x04"
_PG_ANGLES_BACK = str.maketrans(_PG_ANGLE_STAND_INS, _PG_ANGLES)
ELLIPSIS = "…"
SNIPPET_WORDS = 24

# What migration 0008 builds beside the models (Alembic's comparison leaves them alone): the
# table, FTS5's shadow tables on SQLite, the GIN indexes on PostgreSQL.
SEARCH_TABLE = "case_search"
SEARCH_OBJECTS = frozenset({
    SEARCH_TABLE,
    *(f"{SEARCH_TABLE}_{shadow}" for shadow in ("data", "idx", "content", "docsize", "config")),
    "ix_case_search_words",
    "ix_case_search_tags",
})


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """For Alembic (env.py and the migration test): everything but the search objects."""
    return name not in SEARCH_OBJECTS


@dataclass(frozen=True)
class Hit:
    case: Case
    review: Review
    snippet: str  # a part of the review's text, matching words between MARK_START and MARK_END


def _fts_string(word: str) -> str:
    """A word as an FTS5 string: whatever it holds (quotes, *, NEAR, -) is only text."""
    return '"' + word.replace('"', '""') + '"'


def fts5_query(words: Sequence[str], tags: Sequence[str]) -> str:
    """The MATCH expression: every word in the text or reviewer, or any of the tags. A case
    found by its tags also has any of the words it holds marked in its snippet (FTS5 marks
    only what a branch that matched holds; the last branch matches no case the others miss)."""
    every = "{text author} : (" + " AND ".join(_fts_string(w) for w in words) + ")"
    tagged = "tags : (" + " OR ".join(_fts_string(t) for t in tags) + ")"
    if not tags:
        return every
    if not words:
        return tagged
    some = "{text author} : (" + " OR ".join(_fts_string(w) for w in words) + ")"
    return f"{every} OR {tagged} OR ({tagged} AND {some})"


def find_cases(session: Session, *, words: Sequence[str], tags: Sequence[str] = (),
               limit: int) -> tuple[list[Hit], int]:
    """Cases whose review's text or reviewer holds every one of `words` (each stemmed, so
    "waiting" finds "waited"), or whose review's themes or labels include any of `tags`:
    the `limit` most recently opened, each with a snippet, and how many match in all."""
    if not words and not tags:
        return [], 0
    if session.get_bind().dialect.name == "postgresql":
        found, total = _postgresql(session, words, tags, limit)
    else:
        found, total = _sqlite(session, words, tags, limit)
    if not found:
        return [], total
    rows = session.exec(
        select(Case, Review).join(Review, col(Review.id) == Case.review_id)
        .where(col(Case.id).in_([case_id for case_id, _ in found]))
    ).all()
    by_id = {case.id: (case, review) for case, review in rows}
    return [Hit(*by_id[case_id], snippet) for case_id, snippet in found if case_id in by_id], total


def _sqlite(session: Session, words: Sequence[str], tags: Sequence[str],
            limit: int) -> tuple[list[tuple[int, str]], int]:
    # FTS5 returns its rows in rowid (case id) order, so the newest come first without a sort,
    # and snippet() is computed for the `limit` rows returned only.
    match = fts5_query(words, tags)
    found = session.connection().execute(text(
        f"SELECT rowid, snippet({SEARCH_TABLE}, 0, :start, :end, :ellipsis, :size) "
        f"FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH :match "
        "ORDER BY rowid DESC LIMIT :limit"
    ), {"start": MARK_START, "end": MARK_END, "ellipsis": ELLIPSIS, "size": SNIPPET_WORDS,
        "match": match, "limit": limit}).all()
    total = len(found)
    if total >= limit:
        total = session.connection().execute(text(
            f"SELECT count(*) FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH :match"
        ), {"match": match}).scalar_one()
    return [(row[0], row[1]) for row in found], total


def _postgresql(session: Session, words: Sequence[str], tags: Sequence[str],
                limit: int) -> tuple[list[tuple[int, str]], int]:
    conditions = []
    if words:
        conditions.append("words @@ plainto_tsquery('english', :words)")
    if tags:
        conditions.append("tags ?| CAST(:tags AS text[])")
    # The matches are read once, from the GIN indexes, for the page and the count. Asked for
    # the page alone, the planner walks every case newest first, testing each, hoping for an
    # early end: all 100,000 of them when no case matches.
    found = session.connection().execute(text(
        f"WITH hit AS MATERIALIZED (SELECT case_id FROM {SEARCH_TABLE} "
        f"WHERE {' OR '.join(conditions)}) "
        "SELECT case_id, (SELECT count(*) FROM hit) FROM hit ORDER BY case_id DESC LIMIT :limit"
    ), {"words": " ".join(words), "tags": list(tags), "limit": limit}).all()
    if not found:
        return [], 0
    # The headline marks any of the words (a case found by its tags may hold only some).
    named = {f"word{n}": word for n, word in enumerate(words)}
    marked = " || ".join(f"plainto_tsquery('english', :{name})" for name in named) or \
        "plainto_tsquery('english', '')"
    options = (f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={SNIPPET_WORDS}, "
               f"MinWords={SNIPPET_WORDS // 2}, ShortWord=2, HighlightAll=false")
    rows = session.connection().execute(text(
        "SELECT c.id, r.text, ts_headline('english', translate(r.text, :angles, :stand_ins), "
        f"{marked}, :options) FROM cases AS c JOIN reviews AS r ON r.id = c.review_id "
        "WHERE c.id = ANY(CAST(:ids AS integer[]))"
    ), {**named, "options": options, "angles": _PG_ANGLES, "stand_ins": _PG_ANGLE_STAND_INS,
        "ids": [case_id for case_id, _ in found]}).all()
    headlines = {case_id: _with_ellipses(full, headline.translate(_PG_ANGLES_BACK))
                 for case_id, full, headline in rows}
    return [(case_id, headlines.get(case_id, "")) for case_id, _ in found], found[0][1]


def _with_ellipses(full: str, headline: str) -> str:
    """ts_headline's part of the text, with "…" where it leaves text out (as FTS5's snippet)."""
    plain = headline.replace(MARK_START, "").replace(MARK_END, "").strip()
    at = full.find(plain)
    if at < 0:
        return headline
    before = ELLIPSIS if full[:at].strip() else ""
    after = ELLIPSIS if full[at + len(plain):].strip() else ""
    return f"{before}{headline.strip()}{after}"
