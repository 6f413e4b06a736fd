"""The bench's own databases: a SQLite file under bench/scratch/, and a PostgreSQL database
named wia_bench that the bench creates and drops (never any other)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from app.settings import PROJECT_ROOT
from assessments.kernel.db import create_db_engine

SCRATCH = PROJECT_ROOT / "bench" / "scratch"
SQLITE_URL = f"sqlite:///{SCRATCH / 'wia-bench.sqlite3'}"
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/wia_bench"
WIA = str(Path(sys.executable).with_name("wia"))  # the venv's own command line


def kind(url: str) -> str:
    return "sqlite" if make_url(url).get_backend_name() == "sqlite" else "postgresql"


def _own_name(url: str) -> str:
    name = make_url(url).database or ""
    if not name.startswith("wia_bench"):  # other people's databases share this server
        raise SystemExit(f"The bench only creates and drops a database named wia_bench*: {url}")
    return name


def environment(url: str) -> dict[str, str]:
    """The environment of `wia` and the server: this database, in development."""
    return {**os.environ, "WIA_DATABASE_URL": url, "WIA_ENVIRONMENT": "development"}


def exists(url: str) -> bool:
    if kind(url) == "sqlite":
        return Path(make_url(url).database or "").exists()
    name = _own_name(url)
    server = _server(url)
    with server.connect() as conn:
        found = conn.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).first()
    server.dispose()
    return found is not None


def drop(url: str) -> None:
    """Remove the bench database (and a SQLite file's WAL and upgrade lock), if it is there."""
    if kind(url) == "sqlite":
        for suffix in ("", "-wal", "-shm", "-upgrade.lock"):
            Path(f"{make_url(url).database}{suffix}").unlink(missing_ok=True)
        return
    _on_server(url, f'DROP DATABASE IF EXISTS "{_own_name(url)}" WITH (FORCE)')


def _server(url: str, **options: str) -> sa.Engine:
    """The PostgreSQL server of `url`, outside any database of ours."""
    server = make_url(url).set(database="postgres").render_as_string(hide_password=False)
    return create_db_engine(server, **options)


def _on_server(url: str, statement: str) -> None:
    server = _server(url, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.exec_driver_sql(statement)
    server.dispose()


def create(url: str) -> None:
    """A new, empty bench database, migrated to head with the rubrics published (as `make run`
    does, through the real command line)."""
    drop(url)
    if kind(url) == "sqlite":
        SCRATCH.mkdir(parents=True, exist_ok=True)
    else:
        _on_server(url, f'CREATE DATABASE "{_own_name(url)}"')
    upgrade(url)
    subprocess.run(
        [WIA, "rubric", "publish"], env=environment(url), check=True, capture_output=True
    )


def upgrade(url: str) -> None:
    """`wia db upgrade` (also on a kept database, so that a new migration is applied)."""
    subprocess.run([WIA, "db", "upgrade"], env=environment(url), check=True, capture_output=True)
