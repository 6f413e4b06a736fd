"""The schema comes from the Alembic migrations, and they agree with the models."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

import assessments.models  # noqa: F401  (registers the tables)
from app.cli import alembic_config
from assessments.db import create_db_engine
from tests.databases import upgrade


def _differences(engine: sa.Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        return list(compare_metadata(context, SQLModel.metadata))


def test_upgrade_head_on_empty_database_matches_the_models(tmp_database_url: str) -> None:
    engine = create_db_engine(tmp_database_url)
    try:
        upgrade(engine)
        assert _differences(engine) == []
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        with engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() == head
    finally:
        engine.dispose()


def test_downgrade_to_base_and_up_again(tmp_database_url: str) -> None:
    engine = create_db_engine(tmp_database_url)
    try:
        upgrade(engine)
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(engine)
        assert _differences(engine) == []
    finally:
        engine.dispose()


def test_migrations_form_one_line_of_history() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
