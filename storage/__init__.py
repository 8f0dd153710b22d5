"""Persistence: SQLModel tables, the engine and sessions, queries, and Alembic migrations."""
