"""Alembic environment: migrates the database named by the settings, or a connection passed in."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import assessments.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from app.settings import get_settings
from assessments.db import create_db_engine

target_metadata = SQLModel.metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_db_engine(get_settings().database_url)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite can only ALTER a table by copying it
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
