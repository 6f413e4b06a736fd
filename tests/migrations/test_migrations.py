"""The schema comes from the Alembic migrations, and they agree with the models."""

from __future__ import annotations

import subprocess

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

import assessments.models  # noqa: F401  (registers the tables)
from app.cli import alembic_config
from assessments.db import create_db_engine
from tests import servers
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


def test_schools_and_policies_recorded_before_trusts_join_one_trust(tmp_database_url: str) -> None:
    engine = create_db_engine(tmp_database_url)
    try:
        upgrade(engine, "d7a823fb5a63")  # people exist; schools and policies have no trust yet
        with engine.begin() as connection:
            connection.execute(sa.text("INSERT INTO school (name) VALUES ('Riverside Academy')"))
            connection.execute(
                sa.text(
                    "INSERT INTO policy (reference, title, category, owner, school_id,"
                    " review_cycle_months, status, created_at) VALUES ('TL-004', 'Marking',"
                    " 'other', 'Head', 1, 12, 'new', CURRENT_TIMESTAMP)"
                )
            )
        upgrade(engine)
        with engine.connect() as connection:
            trusts = connection.execute(sa.text("SELECT id, name FROM trust")).all()
            assert [tuple(t) for t in trusts] == [(1, "Local trust")]
            for table in ("school", "policy"):
                owners = connection.execute(sa.text(f"SELECT trust_id FROM {table}")).all()
                assert [tuple(o) for o in owners] == [(1,)], table
        assert _differences(engine) == []
    finally:
        engine.dispose()


def test_a_policy_reference_is_unique_within_a_trust_not_across_trusts(
    tmp_database_url: str,
) -> None:
    engine = create_db_engine(tmp_database_url)
    try:
        upgrade(engine)
        insert_policy = sa.text(
            "INSERT INTO policy (trust_id, reference, title, category, owner,"
            " review_cycle_months, status, created_at) VALUES (:trust, 'TL-004', 'Marking',"
            " 'other', 'Head', 12, 'new', CURRENT_TIMESTAMP)"
        )
        with engine.begin() as connection:
            for name in ("North Trust", "South Trust"):
                connection.execute(
                    sa.text("INSERT INTO trust (name, created_at) VALUES (:n, CURRENT_TIMESTAMP)"),
                    {"n": name},
                )
            connection.execute(insert_policy, {"trust": 1})
            connection.execute(insert_policy, {"trust": 2})  # another trust's own TL-004
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
            connection.execute(insert_policy, {"trust": 1})
    finally:
        engine.dispose()


def test_instances_starting_together_migrate_once_without_failing(tmp_database_url: str) -> None:
    """Each container runs `wia db upgrade` at start; two at once must both succeed."""
    env = servers.environment(tmp_database_url)
    upgrades = [
        subprocess.Popen([*servers.WIA, "db", "upgrade"], env=env, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    said = [(p.communicate(timeout=120)[1], p.returncode) for p in upgrades]
    failures = [stderr for stderr, code in said if code != 0]

    assert failures == []
    engine = create_db_engine(tmp_database_url)
    try:
        assert _differences(engine) == []
    finally:
        engine.dispose()
