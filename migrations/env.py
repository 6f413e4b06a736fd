"""Alembic environment: migrates the database named by the settings, or a connection passed in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

import assessments.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from app.settings import get_settings
from assessments.db import create_db_engine

target_metadata = SQLModel.metadata
MIGRATION_LOCK = 0x57_49_41  # 'WIA': any fixed number, the same for every instance
SQLITE_MIGRATION_WAIT_SECONDS = 300


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        with _sqlite_foreign_keys_off(connection):
            _run(connection)
        return
    engine = create_db_engine(get_settings().database_url)
    with engine.connect() as connection, _sqlite_foreign_keys_off(connection):
        if connection.dialect.name == "sqlite":
            # Another `wia db upgrade` holds SQLite's write lock for the whole of its migration:
            # wait for it (then there is nothing left to do) rather than fail after the
            # service's usual busy timeout. PostgreSQL waits on MIGRATION_LOCK instead.
            raw = connection.connection.dbapi_connection
            assert raw is not None
            raw.execute(f"PRAGMA busy_timeout={SQLITE_MIGRATION_WAIT_SECONDS * 1000}")
        _run(connection)
    engine.dispose()


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
