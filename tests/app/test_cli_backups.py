"""Backups: `wia backup` / `wia restore` for SQLite, and the documented pg_dump / pg_restore for
PostgreSQL, each proved by backing up, wiping the database, restoring and checking the audit
chain and the register."""

from __future__ import annotations

import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.app.test_cli_exports import seeded
from tests.databases import is_sqlite, wipe
from tests.factories.cli import wia


def take_backup(url: str, file: Path) -> None:
    """The backup the README documents for the database's kind."""
    if is_sqlite(url):
        result = wia("backup", file)
        assert result.exit_code == 0, result.output
        assert "audit trail intact" in result.stdout
    else:
        subprocess.run(["pg_dump", "--format=custom", f"--file={file}", _libpq(url)], check=True)


def restore_backup(url: str, file: Path) -> None:
    if is_sqlite(url):
        result = wia("restore", file)
        assert result.exit_code == 0, result.output
    else:
        command = ["pg_restore", "--clean", "--if-exists", "--no-owner", f"--dbname={_libpq(url)}"]
        subprocess.run([*command, str(file)], check=True)


def _libpq(url: str) -> str:
    """The URL as PostgreSQL's own tools take it (no SQLAlchemy driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def test_a_backup_survives_the_database_being_wiped(migrated: str, tmp_path: Path) -> None:
    seeded(migrated)
    register = wia("export", "register", "--format", "csv").stdout
    chain = wia("audit", "verify").stdout
    backup_file = tmp_path / "backup"

    take_backup(migrated, backup_file)
    wipe(migrated)
    assert wia("audit", "verify").exit_code != 0  # the register is gone
    restore_backup(migrated, backup_file)

    assert wia("audit", "verify").stdout == chain
    assert wia("export", "register", "--format", "csv").stdout == register
    assert wia("db", "upgrade").exit_code == 0  # and the schema carries on from where it was


@pytest.fixture
def sqlite_register(tmp_path: Path, fresh_settings: pytest.MonkeyPatch) -> Path:
    """A SQLite register with the demo trust in it, whichever database the suite runs on."""
    database = tmp_path / "wia.sqlite3"
    fresh_settings.setenv("WIA_DATABASE_URL", f"sqlite:///{database}")
    assert wia("db", "upgrade").exit_code == 0
    seeded(f"sqlite:///{database}")
    return database


def test_a_backup_never_overwrites_a_file(sqlite_register: Path, tmp_path: Path) -> None:
    existing = tmp_path / "earlier-backup"
    existing.write_text("last week's backup")

    result = wia("backup", existing)

    assert result.exit_code == 1
    assert "already exists: choose a new file" in result.stderr
    assert existing.read_text() == "last week's backup"


def test_restore_refuses_to_overwrite_a_register_unless_told(
    sqlite_register: Path, tmp_path: Path
) -> None:
    backup_file = tmp_path / "backup"
    assert wia("backup", backup_file).exit_code == 0

    refused = wia("restore", backup_file)
    replaced = wia("restore", "--replace", backup_file)

    assert refused.exit_code == 1
    assert "already holds a register: stop the service" in refused.stderr
    assert replaced.exit_code == 0, replaced.output
    assert replaced.stdout.startswith(f"Restored {backup_file}; audit trail intact: ")


def test_a_tampered_or_broken_backup_is_refused_and_nothing_is_touched(
    sqlite_register: Path, tmp_path: Path
) -> None:
    backup_file, junk = tmp_path / "backup", tmp_path / "junk"
    assert wia("backup", backup_file).exit_code == 0
    with closing(sqlite3.connect(backup_file)) as copy, copy:
        copy.execute("UPDATE audit_event SET actor_name = 'Someone else' WHERE seq = 3")
    junk.write_bytes(b"not a database at all" * 100)
    before = sqlite_register.read_bytes()

    tampered = wia("restore", "--replace", backup_file)
    broken = wia("restore", "--replace", junk)
    missing = wia("restore", tmp_path / "no-such-file")

    assert tampered.exit_code == broken.exit_code == missing.exit_code == 1
    assert "the audit trail is broken at event 3" in tampered.stderr
    assert "is not a readable SQLite database" in broken.stderr
    assert "There is no backup at" in missing.stderr
    assert sqlite_register.read_bytes() == before


def test_postgresql_is_backed_up_with_pg_dump(fresh_settings: pytest.MonkeyPatch) -> None:
    fresh_settings.setenv("WIA_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1/wia")

    result = wia("backup", "wia.dump")

    assert result.exit_code == 1
    assert "pg_dump --format=custom" in result.stderr
    assert not Path("wia.dump").exists()
