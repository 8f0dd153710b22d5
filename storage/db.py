"""The database engine, sessions and migrations. One engine per process; SQLite runs in WAL mode.

Waiting on a locked database is bounded: background work (the outbox, the scheduler, intake)
waits up to SQLite's busy timeout per statement and retries a few times; what a person is
waiting for (a click) runs under a deadline (`retry_on_conflict(budget=...)`): every wait on a
lock inside it (SQLite's busy timeout, PostgreSQL's lock_timeout) is cut to the time left, and
when it runs out `DatabaseBusy` is raised, so the click is answered ("the desk is busy") and its
worker is free again, never held for the length of someone else's lock."""

from __future__ import annotations

import fcntl
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

T = TypeVar("T")
MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000


def normalise_url(url: str) -> str:
    """Accept the common spellings: postgres:// and postgresql:// use the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


# A deadline (time.monotonic()) for the work under way in this thread, if it has one.
_deadline: ContextVar[float | None] = ContextVar("reviewdesk_db_deadline", default=None)
INTERACTIVE_BUDGET_SECONDS = 5.0  # how long a click may wait on a locked database
POOL_TIMEOUT_SECONDS = 10


class DatabaseBusy(Exception):
    """The database stayed locked (or had no free connection) for the whole time allowed."""


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Bound every wait on a lock in this thread's database work to `seconds` from now."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def _time_left_ms() -> int | None:
    end = _deadline.get()
    if end is None:
        return None
    return max(1, int((end - time.monotonic()) * 1000))


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=20,
                               pool_timeout=POOL_TIMEOUT_SECONDS)

        @event.listens_for(engine, "checkout")
        def _postgres_lock_timeout(dbapi_connection, record, _proxy):
            wanted = _time_left_ms() or 0  # 0: wait as long as it takes
            if record.info.get("lock_timeout_ms", 0) != wanted:
                with dbapi_connection.cursor() as cursor:
                    cursor.execute(f"SET lock_timeout = {int(wanted)}")
                dbapi_connection.commit()
                record.info["lock_timeout_ms"] = wanted

        return engine

    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        # Connections are cheap; a click waiting for one is a click not answered.
        pool_size=20, max_overflow=40, pool_timeout=POOL_TIMEOUT_SECONDS,
    )

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        record.info["busy_ms"] = SQLITE_BUSY_TIMEOUT_MS

    @event.listens_for(engine, "checkout")
    def _sqlite_busy_timeout(dbapi_connection, record, _proxy):
        left = _time_left_ms()
        wanted = SQLITE_BUSY_TIMEOUT_MS if left is None else min(left, SQLITE_BUSY_TIMEOUT_MS)
        if record.info.get("busy_ms") != wanted:
            dbapi_connection.execute(f"PRAGMA busy_timeout={int(wanted)}")
            record.info["busy_ms"] = wanted

    return engine


MIGRATION_LOCK_ID = 0x7265766965  # any constant shared by every copy of the bot


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """One migrator at a time: several copies of the bot may start together."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as holder:  # a session-level lock, held on its own connection
            holder.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            holder.commit()
            try:
                yield
            finally:
                holder.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID})
                holder.commit()
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


_REVISION = re.compile(r"^(down_)?revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)


def _head_revision() -> str | None:
    """The newest migration, read from the migration files (without loading Alembic)."""
    revisions, parents = set(), set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        for down, value in _REVISION.findall(script.read_text(encoding="utf-8")):
            (parents if down else revisions).add(value)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        return None  # a new database


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to date (run at start-up and by the tests). A database already up
    to date is left alone without loading Alembic (a running bot does not carry it)."""
    if revision == "head":
        head = _head_revision()
        if head is not None and _current_revision(engine) == head:
            return
    from alembic import command
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    with _migration_lock(engine), engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


CONFLICTS = (StaleDataError, OperationalError)  # a row changed under us; SQLite was busy
CONFLICT_ATTEMPTS = 8


def is_busy(error: BaseException) -> bool:
    """A wait on a lock or a connection that ran out (not a lost race, not a broken query)."""
    if isinstance(error, PoolTimeout):
        return True
    if not isinstance(error, OperationalError):
        return False
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate in {"55P03", "57014"}  # lock_not_available, query_canceled
    return "locked" in str(error.orig).lower() or "busy" in str(error.orig).lower()


def retry_on_conflict(operation: Callable[[], T], *,
                      conflicts: tuple[type[Exception], ...] = CONFLICTS,
                      budget: float | None = None) -> T:
    """Run a transaction again, from its reads, when a concurrent writer got there first;
    the last conflict is raised. With a `budget` (seconds), every wait on a lock is cut to
    the time left, and DatabaseBusy is raised when it runs out."""
    if budget is None:
        for attempt in range(CONFLICT_ATTEMPTS):
            try:
                return operation()
            except conflicts:
                if attempt == CONFLICT_ATTEMPTS - 1:
                    raise
                time.sleep(0.005 * (attempt + 1))
        raise AssertionError("unreachable")

    end = time.monotonic() + budget
    races = 0
    with deadline(budget):
        while True:
            try:
                return operation()
            except (*conflicts, PoolTimeout) as error:
                busy = is_busy(error)
                if not busy:
                    races += 1
                    if races >= CONFLICT_ATTEMPTS or not isinstance(error, conflicts):
                        raise
                left = end - time.monotonic()
                if left <= 0.01:
                    if busy:
                        raise DatabaseBusy(f"the database stayed locked for {budget:.1f}s") \
                            from error
                    raise
                time.sleep(min(0.005 * (races + 1), left / 2))


def begin_for_savepoints(session: Session) -> None:
    """Open the transaction now, so that savepoints nest inside it (Python's sqlite3 opens one
    only at the first write; a SAVEPOINT before that would become the transaction, and its
    RELEASE a commit). On SQLite it takes the write lock at once (BEGIN IMMEDIATE, waiting out
    the busy timeout): a transaction that reads and then writes cannot find that another wrote
    in between."""
    connection = session.connection()
    if connection.dialect.name == "sqlite" and not connection.connection.dbapi_connection \
            .in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """The engine plus a session factory; what services hold instead of a global."""

    def __init__(self, engine: Engine, *,
                 interactive_budget: float = INTERACTIVE_BUDGET_SECONDS):
        self.engine = engine
        self.interactive_budget = interactive_budget  # seconds a click may wait on a lock

    @classmethod
    def from_url(cls, url: str, **options) -> Database:
        return cls(make_engine(url), **options)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def ping(self) -> None:
        """Raise when the database cannot answer (the health check)."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()
