"""Alembic environment: migrates the connection handed in by storage.db.migrate, or DATABASE_URL."""

import os

from alembic import context
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from storage.db import make_engine
from storage.search import include_name

target_metadata = SQLModel.metadata


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        include_name=include_name,  # the search index is built by hand (0008), not modelled
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    engine = make_engine(os.environ.get("DATABASE_URL", "sqlite:///reviewdesk.db"))
    with engine.begin() as own_connection:
        run_migrations(own_connection)
