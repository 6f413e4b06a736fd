"""Alembic environment: migrates the database named by the settings, or a connection passed in."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager

from alembic import context
from sqlalchemy import Connection, make_url
from sqlmodel import SQLModel

import assessments.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from app.settings import get_settings
from assessments.kernel.db import create_db_engine

target_metadata = SQLModel.metadata
MIGRATION_LOCK = 0x57_49_41  # 'WIA': any fixed number, the same for every instance
SQLITE_MIGRATION_WAIT_SECONDS = 300


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        with _sqlite_foreign_keys_off(connection):
            _run(connection)
        return
    url = get_settings().database_url
    engine = create_db_engine(url)
    with (
        _one_upgrader_at_a_time(url),
        engine.connect() as connection,
        _sqlite_foreign_keys_off(connection),
    ):
        if connection.dialect.name == "sqlite":
            # The running service may be writing: wait for it rather than fail after its
            # usual busy timeout.
            raw = connection.connection.dbapi_connection
            assert raw is not None
            raw.execute(f"PRAGMA busy_timeout={SQLITE_MIGRATION_WAIT_SECONDS * 1000}")
        _run(connection)
        if connection.dialect.name == "sqlite":
            # SQLite's planner knows only the statistics ANALYZE gathers (PostgreSQL's
            # autovacuum keeps its own): refresh them at every upgrade, which every start
            # runs. Without them a register text search read 100,000 versions in trust order,
            # 3x slower than the plan they lead to. At that size it takes half a second.
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
    engine.dispose()


@contextmanager
def _one_upgrader_at_a_time(url: str) -> Iterator[None]:
    """Instances starting together each run `wia db upgrade`: on SQLite, where each migration
    commits on its own, they take turns on a lock file beside the database, so the second
    finds the schema at head instead of migrating it again from what it read at the start.
    (PostgreSQL's upgraders take turns on MIGRATION_LOCK in the one transaction of `_run`.)"""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}-upgrade.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        yield


@contextmanager
def _sqlite_foreign_keys_off(connection: Connection) -> Iterator[None]:
    """SQLite changes a table's constraints by rebuilding it, which means dropping a table
    others point at: switch the checks off for the migration (only possible outside a
    transaction), then check every reference once it is done."""
    if connection.dialect.name != "sqlite" or connection.in_transaction():
        yield
        return
    raw = connection.connection.dbapi_connection
    assert raw is not None
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys=ON")
    broken = raw.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"The migration left rows pointing at nothing: {broken}")


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite can only ALTER a table by copying it
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Instances starting together each run `wia db upgrade`: one migrates, the others
            # wait here for it, then find the schema at head and have nothing to do.
            context.execute(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        context.run_migrations()


run_migrations()
