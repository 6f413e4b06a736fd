"""Engines and sessions for SQLite (the embedded default) and PostgreSQL (production)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlmodel import Session

CONNECT_TIMEOUT_SECONDS = 5


def create_db_engine(url: str, **kwargs: Any) -> sa.Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and real transactions."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # pre-ping replaces connections a database restart killed; a short connect timeout
        # makes an unreachable server a quick 503 rather than a hung request.
        kwargs.setdefault("connect_args", {"connect_timeout": CONNECT_TIMEOUT_SECONDS})
        return sa.create_engine(url, pool_pre_ping=True, **kwargs)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, **kwargs)
    sa.event.listen(engine, "connect", _configure_sqlite)
    sa.event.listen(engine, "begin", _begin_sqlite)
    return engine


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; take it over.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


READ_ONLY = {"wia_read_only": True}  # execution options of a unit of work that only reads


def _begin_sqlite(connection: sa.Connection) -> None:
    # A writer takes the write lock up front (IMMEDIATE), so concurrent writers queue on
    # busy_timeout instead of failing with "database is locked" when a reader turns writer.
    # Readers need no lock in WAL mode and never wait for writers.
    read_only = connection.get_execution_options().get("wia_read_only", False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


@contextmanager
def committed(session: Session) -> Iterator[Session]:
    """Commit the session's work when the block ends, or roll all of it back on any error."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


@contextmanager
def unit_of_work(engine: sa.Engine, *, read_only: bool = False) -> Iterator[Session]:
    """A session whose work is committed as one transaction, or rolled back on any error."""
    bind = engine.execution_options(**READ_ONLY) if read_only else engine
    with Session(bind, expire_on_commit=False) as session, committed(session):
        yield session
