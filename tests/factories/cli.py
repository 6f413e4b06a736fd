"""Running the `wia` command line in tests, and reading what it wrote to the database."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner, Result

from app.cli import app
from assessments.kernel.db import create_db_engine


def wia(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def rows(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(sa.text(sql))]
    finally:
        engine.dispose()
