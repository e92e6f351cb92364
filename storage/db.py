"""Engine, sessions and migrations for SQLite (embedded) and PostgreSQL (scaled)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool

from storage.settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(settings: Settings) -> Engine:
    """Create the engine with the configured pool; SQLite gets WAL, a busy timeout and foreign
    keys, PostgreSQL a connect timeout and a statement timeout. A request that waits longer
    than POSTCRAFT_DB_POOL_TIMEOUT_S for a connection gets sqlalchemy's TimeoutError (503)."""
    url = settings.sqlalchemy_url
    pool = {
        "pool_size": settings.db_pool_size,
        "max_overflow": settings.db_max_overflow,
        "pool_timeout": settings.db_pool_timeout_s,
    }
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            poolclass=QueuePool,
            json_deserializer=orjson.loads,
            **pool,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    statement_ms = int(settings.db_statement_timeout_s * 1000)
    engine = create_engine(
        url,
        connect_args={"connect_timeout": 5, "options": f"-c statement_timeout={statement_ms}"},
        json_deserializer=orjson.loads,
        **pool,
    )
    event.listen(engine, "checkin", _checked_in)
    event.listen(engine, "checkout", _ping_if_idle)
    return engine


PING_IDLE_S = 1.0
"""A pooled PostgreSQL connection idle longer than this is pinged before use (a server restart
or an idle timeout may have closed it). Busy connections skip the ping: pinging each checkout
(`pool_pre_ping`) cost a round trip per request under load, when connections are never stale."""


def _checked_in(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
    idle_since = record.info.get("idle_since")
    if idle_since is None or time.monotonic() - idle_since < PING_IDLE_S:
        return
    try:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        if not dbapi_connection.autocommit:
            dbapi_connection.rollback()
    except Exception as exc:
        # The pool discards this connection and checks out another (SQLAlchemy's documented
        # pessimistic disconnect handling with a checkout event).
        raise DisconnectionError(f"a pooled connection was closed: {exc}") from exc


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")  # a writer waits its turn (writes are short)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded attributes after commit (results are read after writing)."""
    return sessionmaker(engine, expire_on_commit=False)


def make_read_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions for reading alone: every statement on its own, outside a transaction, which
    spares a read its BEGIN and its ROLLBACK (two round trips of the three a one-query read
    took). A flush through one raises: writing needs a session from `make_sessionmaker`."""
    reads = sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False
    )
    event.listen(reads, "before_flush", _refuse_writes)
    return reads


def _refuse_writes(session: Session, _context: Any, _instances: Any) -> None:
    raise RuntimeError("a read session cannot write: use the runtime's `sessions`")


@contextmanager
def transaction(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work commits on success and rolls back on any error."""
    with sessions() as session, session.begin():
        yield session


def add_in_order(session: Session, rows: Sequence[object]) -> None:
    """Insert rows in the given order (parents first): without relationships declared,
    SQLAlchemy would not know that a document must follow its source."""
    previous: type | None = None
    for row in rows:
        if previous is not None and type(row) is not previous:
            session.flush()
        session.add(row)
        previous = type(row)
    session.flush()


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest migration (safe to run on every start)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
