"""Backups of the embedded SQLite database, taken with SQLite's online backup API: a consistent
copy made while the service keeps running and writing. Each copy is checked (SQLite's integrity
check and every audit chain) before it gets its final name, and again when it is restored.
PostgreSQL is backed up with its own tools; see PG_DUMP_HINT."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlmodel import Session

from assessments.kernel import audit

PG_DUMP_HINT = (
    "The database is PostgreSQL: back it up with pg_dump and restore with pg_restore, e.g.\n"
    '  pg_dump --format=custom --file=wia.dump "$DATABASE"\n'
    '  pg_restore --clean --if-exists --no-owner --dbname="$DATABASE" wia.dump\n'
    "where DATABASE is WIA_DATABASE_URL without '+psycopg' (see README, Backups)."
)


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


def sqlite_file(database_url: str) -> Path:
    """The SQLite file of `database_url`, or a BackupError saying how to back up PostgreSQL."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupError(PG_DUMP_HINT)
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory database cannot be backed up")
    return Path(url.database)


def backup(database_url: str, target: Path) -> list[audit.Verification]:
    """Copy the live database to a new file `target` and check the copy."""
    source = sqlite_file(database_url)
    if not source.is_file():
        raise BackupError(f"There is no database at {source}")
    if target.exists():
        raise BackupError(f"{target} already exists: choose a new file, so no backup is lost")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        _copy(source, partial)
        # One self-contained file (no -wal beside it), which opens read-only anywhere.
        with closing(sqlite3.connect(partial)) as copy:
            copy.execute("PRAGMA journal_mode=DELETE")
        checked = check(partial)
        partial.replace(target)  # only a complete, checked copy gets the name asked for
    finally:
        partial.unlink(missing_ok=True)
    return checked


def restore(backup_file: Path, database_url: str, *, replace: bool) -> list[audit.Verification]:
    """Copy a checked backup over the configured database (stop the service first)."""
    target = sqlite_file(database_url)
    if not backup_file.is_file():
        raise BackupError(f"There is no backup at {backup_file}")
    check(backup_file)  # a damaged or tampered backup is refused before anything is touched
    if _holds_data(target) and not replace:
        raise BackupError(
            f"{target} already holds a register: stop the service, then run again with "
            "--replace to overwrite it with the backup"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    _copy(backup_file, target)
    with closing(sqlite3.connect(target)) as restored:
        restored.execute("PRAGMA journal_mode=WAL")  # as the service runs it
    return check(target)


def check(path: Path) -> list[audit.Verification]:
    """SQLite's own integrity check, then every audit chain, read without changing the file."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        try:
            result = connection.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{path} is not a readable SQLite database: {exc}") from None
    if result != "ok":
        raise BackupError(f"{path} is damaged: {result}")
    engine = sa.create_engine(
        "sqlite://", creator=lambda: sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    )
    try:
        with Session(engine) as session:
            verifications = audit.verify_all(session)
    except sa.exc.OperationalError:
        raise BackupError(f"{path} is not a Workload Impact Register database") from None
    finally:
        engine.dispose()
    for verification in verifications:
        if not verification.intact:
            raise BackupError(
                f"{path}: the audit trail is broken at event {verification.broken_at} of "
                f"{audit.chain_label(verification.chain)}: {verification.problem}"
            )
    return verifications


def _copy(source: Path, target: Path) -> None:
    with (
        closing(sqlite3.connect(source)) as from_db,
        closing(sqlite3.connect(target)) as to_db,
    ):
        from_db.backup(to_db)


def _holds_data(path: Path) -> bool:
    if not path.is_file() or path.stat().st_size == 0:
        return False
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        tables = connection.execute("SELECT count(*) FROM sqlite_master WHERE type='table'")
        return bool(tables.fetchone()[0])
