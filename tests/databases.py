"""Making test databases: the run's migrated database, and scratch ones for tests that need
an empty database of their own (migrations, a server in another process)."""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.cli_support import alembic_config
from assessments.kernel.db import create_db_engine, unit_of_work
from tests.factories.trusts import make_local_trust, publish_default_rubric


def session_on(connection: sa.Connection) -> Session:
    """A session inside the connection's transaction: commits in the code under test release a
    savepoint, and the transaction stays open for the test to roll back."""
    return Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def for_worker(url: str) -> str:
    """The database of this pytest-xdist worker (gw0, gw1 …): `url` with the worker's name
    added (a file of its own for SQLite, a database of its own, made if missing, for
    PostgreSQL), so that workers never wipe or lock each other's. Without xdist, `url`."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    parsed = make_url(url)
    if is_sqlite(url):
        path = Path(parsed.database or "test.sqlite3")
        return parsed.set(database=str(path.with_stem(f"{path.stem}_{worker}"))).render_as_string(
            hide_password=False
        )
    name = f"{parsed.database}_{worker}"
    server = create_db_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        found = connection.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).first()
        if found is None:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    server.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Run the real Alembic migrations on `engine`'s database."""
    config = alembic_config()
    with engine.connect() as connection:  # migrations/env.py runs them in a transaction
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def wipe(url: str) -> None:
    """Empty a test database completely, whatever an earlier run left in it."""
    if is_sqlite(url):
        database = make_url(url).database
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        return
    engine = create_db_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


def migrated_engine(url: str) -> sa.Engine:
    """An engine on `url`, wiped and migrated to head."""
    wipe(url)
    engine = create_db_engine(url)
    upgrade(engine)
    return engine


@contextmanager
def scratch_database(url: str, folder: Path, *, copy_of: str | None = None) -> Iterator[str]:
    """A new database beside `url` (a new file for SQLite), dropped afterwards: empty, or a
    copy of the database `copy_of` (on the same server), which nothing may be connected to."""
    if is_sqlite(url):
        path = folder / f"scratch-{secrets.token_hex(4)}.sqlite3"
        if copy_of is not None:
            _copy_sqlite(make_url(copy_of).database or "", path)
        yield f"sqlite:///{path}"
        return
    name = f"wia_scratch_{secrets.token_hex(4)}"
    template = f' TEMPLATE "{make_url(copy_of).database}"' if copy_of is not None else ""
    server = create_db_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"{template}')
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.dispose()


def _copy_sqlite(source: str, target: Path) -> None:
    """SQLite's own backup: a consistent copy whatever its write-ahead log still holds."""
    with closing(sqlite3.connect(source)) as original, closing(sqlite3.connect(target)) as copy:
        original.backup(copy)


def prepared_engine(url: str) -> sa.Engine:
    """An engine on the empty database `url`, migrated, with the test trust (tests.factories)
    and the default rubric published, as `make run` would leave it."""
    engine = create_db_engine(url)
    upgrade(engine)
    with unit_of_work(engine) as session:
        make_local_trust(session)
        publish_default_rubric(session)
    return engine
