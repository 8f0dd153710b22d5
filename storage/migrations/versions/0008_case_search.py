"""full-text search of cases (/reviewdesk find)

A table `case_search`, one row per case, of its review's words (text and reviewer, stemmed)
and triage tags (themes and labels). SQLite: an FTS5 table (rowid = the case's id), Porter
stemming. PostgreSQL: the English tsvector and the tags as jsonb, each with a GIN index.
Triggers keep it in step with every write (the ORM, the bulk import's Core inserts, raw SQL);
the cases that exist are indexed here. storage/search.py reads it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def _tags(triage: str) -> str:
    """A review's themes and labels, space-separated, from its triage JSON (none if unreadable)."""
    valid = f"CASE WHEN json_valid({triage}) THEN {triage} ELSE '{{}}' END"
    return (f"coalesce((SELECT group_concat(value, ' ') FROM json_each({valid}, '$.themes')), '')"
            f" || ' ' || "
            f"coalesce((SELECT group_concat(value, ' ') FROM json_each({valid}, '$.labels')), '')")


SQLITE_UPGRADE = [
    "CREATE VIRTUAL TABLE case_search USING fts5("
    "text, author, tags, tokenize = 'porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER case_search_opened AFTER INSERT ON cases BEGIN "
    "INSERT INTO case_search (rowid, text, author, tags) "
    f"SELECT new.id, r.text, coalesce(r.author, ''), {_tags('r.triage')} "
    "FROM reviews AS r WHERE r.id = new.review_id; END",
    "CREATE TRIGGER case_search_removed AFTER DELETE ON cases BEGIN "
    "DELETE FROM case_search WHERE rowid = old.id; END",
    "CREATE TRIGGER case_search_review_changed AFTER UPDATE OF text, author, triage ON reviews "
    "BEGIN "
    "DELETE FROM case_search WHERE rowid IN (SELECT id FROM cases WHERE review_id = new.id); "
    "INSERT INTO case_search (rowid, text, author, tags) "
    f"SELECT c.id, new.text, coalesce(new.author, ''), {_tags('new.triage')} "
    "FROM cases AS c WHERE c.review_id = new.id; END",
    "INSERT INTO case_search (rowid, text, author, tags) "
    f"SELECT c.id, r.text, coalesce(r.author, ''), {_tags('r.triage')} "
    "FROM cases AS c JOIN reviews AS r ON r.id = c.review_id",
]
SQLITE_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS case_search_review_changed",
    "DROP TRIGGER IF EXISTS case_search_removed",
    "DROP TRIGGER IF EXISTS case_search_opened",
    "DROP TABLE IF EXISTS case_search",
]

_PG_WORDS = "to_tsvector('english', coalesce({r}.author, '') || ' ' || {r}.text)"
_PG_TAGS = ("coalesce({r}.triage::jsonb -> 'themes', '[]'::jsonb) "
            "|| coalesce({r}.triage::jsonb -> 'labels', '[]'::jsonb)")


def _pg_row(r: str) -> str:
    return f"{_PG_WORDS.format(r=r)}, {_PG_TAGS.format(r=r)}"


POSTGRESQL_UPGRADE = [
    "CREATE TABLE case_search (case_id integer PRIMARY KEY, words tsvector NOT NULL, "
    "tags jsonb NOT NULL)",
    "CREATE FUNCTION case_search_of_case() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP = 'DELETE' THEN DELETE FROM case_search WHERE case_id = OLD.id; RETURN OLD; "
    "END IF; "
    f"INSERT INTO case_search (case_id, words, tags) SELECT NEW.id, {_pg_row('r')} "
    "FROM reviews AS r WHERE r.id = NEW.review_id; RETURN NEW; END $$",
    "CREATE TRIGGER case_search_opened AFTER INSERT OR DELETE ON cases "
    "FOR EACH ROW EXECUTE FUNCTION case_search_of_case()",
    "CREATE FUNCTION case_search_of_review() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"UPDATE case_search SET (words, tags) = (SELECT {_pg_row('NEW')}) "
    "WHERE case_id IN (SELECT id FROM cases WHERE review_id = NEW.id); RETURN NEW; END $$",
    "CREATE TRIGGER case_search_review_changed AFTER UPDATE OF text, author, triage ON reviews "
    "FOR EACH ROW EXECUTE FUNCTION case_search_of_review()",
    f"INSERT INTO case_search (case_id, words, tags) SELECT c.id, {_pg_row('r')} "
    "FROM cases AS c JOIN reviews AS r ON r.id = c.review_id",
    "CREATE INDEX ix_case_search_words ON case_search USING gin (words)",
    "CREATE INDEX ix_case_search_tags ON case_search USING gin (tags)",
]
POSTGRESQL_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS case_search_review_changed ON reviews",
    "DROP TRIGGER IF EXISTS case_search_opened ON cases",
    "DROP FUNCTION IF EXISTS case_search_of_review()",
    "DROP FUNCTION IF EXISTS case_search_of_case()",
    "DROP TABLE IF EXISTS case_search",
]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_UPGRADE)
    elif dialect == "postgresql":
        _run(POSTGRESQL_UPGRADE)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_DOWNGRADE)
    elif dialect == "postgresql":
        _run(POSTGRESQL_DOWNGRADE)
