"""Engines and sessions for SQLite (the embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from assessments.kernel.errors import DomainError

CONNECT_TIMEOUT_SECONDS = 5


def create_db_engine(url: str, **kwargs: Any) -> sa.Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys, real transactions and a queue for
    its single writer."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # pre-ping replaces connections a database restart killed; a short connect timeout
        # makes an unreachable server a quick 503 rather than a hung request.
        kwargs.setdefault("connect_args", {"connect_timeout": CONNECT_TIMEOUT_SECONDS})
        return sa.create_engine(url, pool_pre_ping=True, **kwargs)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, **kwargs)
    writer = _SqliteWriter()
    sa.event.listen(engine, "connect", _configure_sqlite)
    sa.event.listen(engine, "begin", writer.begin)
    for ended in ("commit", "rollback"):
        sa.event.listen(engine, ended, writer.end)
    sa.event.listen(engine, "checkin", writer.returned)  # in case a connection ends otherwise
    return engine


SQLITE_WRITE_WAIT_SECONDS = 10


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; take it over.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # The timeout first: switching a new file to WAL needs a lock another process may hold.
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_WRITE_WAIT_SECONDS * 1000}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


READ_ONLY = {"wia_read_only": True}  # execution options of a unit of work that only reads


class _SqliteWriter:
    """SQLite has one writer at a time. A writer takes the write lock up front (BEGIN
    IMMEDIATE), so that a reader turning writer never fails with "database is locked"; and,
    within this process, writers first queue on a lock of ours. SQLite's busy handler is no
    queue: waiters sleep and retry, and can lose to newcomers until busy_timeout runs out.
    (Other processes on the same file still meet busy_timeout.) Readers take no lock at all:
    in WAL mode they never wait for writers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # not an RLock: commit may run on another thread

    def begin(self, connection: sa.Connection) -> None:
        if connection.get_execution_options().get("wia_read_only", False):
            connection.exec_driver_sql("BEGIN")
            return
        if not self._lock.acquire(timeout=SQLITE_WRITE_WAIT_SECONDS):
            raise sa.exc.OperationalError(
                "BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked")
            )
        connection.info["wia_writing"] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            self._release(connection.info)
            raise

    def end(self, connection: sa.Connection) -> None:
        self._release(connection.info)

    def returned(self, _dbapi_connection: Any, record: Any) -> None:
        self._release(record.info)

    def _release(self, info: dict[Any, Any]) -> None:
        if info.pop("wia_writing", False):
            self._lock.release()


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
def unit_of_work(
    engine: sa.Engine, *, read_only: bool = False, snapshot: bool = False
) -> Iterator[Session]:
    """A session whose work is committed as one transaction, or rolled back on any error.
    A `snapshot` only reads, and sees the database as it was at its first read throughout
    (SQLite's read transactions always do; PostgreSQL needs REPEATABLE READ)."""
    bind = engine.execution_options(**READ_ONLY) if read_only or snapshot else engine
    if snapshot and engine.dialect.name == "postgresql":
        bind = bind.execution_options(isolation_level="REPEATABLE READ")
    with Session(bind, expire_on_commit=False) as session, committed(session):
        yield session


@contextmanager
def held_connection(engine: sa.Engine, *, power_cut_proof: bool = True) -> Iterator[sa.Connection]:
    """One connection, held until the block ends, for many one-statement transactions in a
    row (the worker's mark on each message it sends), each ended by commit(): on PostgreSQL
    in autocommit, each statement its own transaction, so that each is one round trip (no
    BEGIN and COMMIT, nor a checkout from the pool and its ping, each time); on SQLite a
    transaction of its own (BEGIN IMMEDIATE, in-process).

    Not `power_cut_proof`, a commit returns before it is flushed to disk (PostgreSQL's
    synchronous_commit off, SQLite's synchronous NORMAL in WAL mode): it survives the app's
    process dying and never corrupts anything, but the last second or so of them may be lost
    if the database server crashes or its machine goes down. Set back before the connection
    returns to the pool. (After a reconnection, its commits are ordinary ones.)"""
    autocommit = {"isolation_level": "AUTOCOMMIT"} if engine.dialect.name == "postgresql" else {}
    with engine.connect().execution_options(**autocommit) as connection:
        if power_cut_proof:
            yield connection
            return
        # On the driver's connection, outside any transaction (where SQLite refuses it).
        driver = connection.connection.driver_connection
        assert driver is not None
        if engine.dialect.name == "postgresql":
            unflushed, flushing = "SET synchronous_commit = off", "RESET synchronous_commit"
        else:
            before = driver.execute("PRAGMA synchronous").fetchone()[0]
            unflushed, flushing = "PRAGMA synchronous = NORMAL", f"PRAGMA synchronous = {before}"
        driver.execute(unflushed)
        try:
            yield connection
        finally:
            _set_back(connection, flushing)


def _set_back(connection: sa.Connection, setting: str) -> None:
    """`setting` on the connection now (after a reconnection, a new one, which has it already);
    one the database dropped is invalidated instead, so that the pool never has it back."""
    if connection.invalidated:  # dropped, and not made again: the pool discards it
        return
    try:
        connection.rollback()
        driver = connection.connection.driver_connection
        assert driver is not None
        driver.execute(setting)
    except (sa.exc.DBAPIError, connection.dialect.loaded_dbapi.Error):
        connection.invalidate()


def insert_unique(session: Session, row: SQLModel, clash: DomainError) -> None:
    """Insert a row; if a concurrent transaction inserted the same unique key first, raise
    `clash` (a message for the user) instead of letting the database error become a 500."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise clash from None
