"""The schema comes from the Alembic migrations, and they agree with the models."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

import assessments.models  # noqa: F401  (registers the tables)
from app.cli_support import alembic_config
from assessments.kernel.db import create_db_engine
from tests import servers
from tests.databases import upgrade
from tests.migrations.test_audit_rechaining import COLUMNS, GENESIS, old_hash


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


def test_versions_recorded_before_they_carried_their_trust_get_their_policys(
    tmp_database_url: str,
) -> None:
    """The register filters versions by the trust and school each one carries; versions from
    before (approved ones too, which triggers freeze) are given their policy's."""
    engine = create_db_engine(tmp_database_url)
    try:
        upgrade(engine, "2bb5bac8d349")
        now = "CURRENT_TIMESTAMP"
        with engine.begin() as connection:
            for statement in (
                f"INSERT INTO trust (id, name, created_at) VALUES (1, 'North', {now})",
                "INSERT INTO school (id, name, trust_id) VALUES (7, 'Riverside', 1)",
                "INSERT INTO rubric_version (id, rubric_id, version, title, content,"
                f" content_hash, published_at) VALUES (1, 'r', 1, 'R', '{{}}', 'h', {now})",
                "INSERT INTO policy (id, trust_id, reference, title, category, owner, school_id,"
                f" review_cycle_months, status, created_at) VALUES (1, 1, 'TL-1', 'Marking',"
                f" 'other', 'Head', 7, 12, 'in-force', {now})",
                f"INSERT INTO assessment (id, policy_id, created_at) VALUES (1, 1, {now})",
                "INSERT INTO assessment_version (id, assessment_id, number, rubric_version_id,"
                " status, author, revision, decided_by, decision_reason, net_hours_per_year,"
                f" open_actions, created_at, updated_at) VALUES (1, 1, 1, 1, 'approved', 'Ann',"
                f" 3, 'Bob', '', 0, 0, {now}, {now})",
            ):
                connection.execute(sa.text(statement))
        upgrade(engine)
        with engine.connect() as connection:
            owners = connection.execute(
                sa.text("SELECT trust_id, school_id FROM assessment_version")
            ).all()
            assert [tuple(o) for o in owners] == [(1, 7)]
        with pytest.raises(sa.exc.DatabaseError, match="cannot be changed"), engine.begin() as c:
            c.execute(sa.text("UPDATE assessment_version SET author = 'Eve' WHERE id = 1"))
        assert _differences(engine) == []
    finally:
        engine.dispose()


def test_an_upgrade_leaves_sqlite_the_statistics_its_planner_needs(tmp_path: Path) -> None:
    """Without ANALYZE's statistics SQLite planned a register text search 3x slower."""
    url = f"sqlite:///{tmp_path / 'wia.sqlite3'}"
    subprocess.run([*servers.WIA, "db", "upgrade"], env=servers.environment(url), check=True)
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            tables = set(connection.execute(sa.text("SELECT name FROM sqlite_master")).scalars())
        assert "sqlite_stat1" in tables
    finally:
        engine.dispose()


def test_each_versions_contributors_are_filled_in_from_its_author_and_the_audit_trail(
    tmp_database_url: str,
) -> None:
    """Version 1 (approved) was started by Ann, its answer edited by Bea and its action changed
    by Cy, and submitted by Ann; version 2 was revised from it by Dee: her and theirs."""
    engine = create_db_engine(tmp_database_url)
    try:
        upgrade(engine, "5d2e8b7c1a44")
        now = "CURRENT_TIMESTAMP"
        people = [(1, "Ann"), (2, "Bea"), (3, "Cy"), (4, "Dee")]

        chain: list[dict[str, object]] = []

        def event(
            seq: int, user: int, entity: str, entity_id: int, action: str, changes: str
        ) -> None:
            """An event of the trail as it was before the keyed chain, hashed as it was."""
            row: dict[str, object] = {
                "seq": seq,
                "occurred_at": datetime(2026, 1, seq, 10, tzinfo=UTC),
                "trust_id": 1,
                "actor_user_id": user,
                "actor_name": dict(people)[user],
                "entity": entity,
                "entity_id": entity_id,
                "action": action,
                "changes": changes,
                "prev_hash": chain[-1]["hash"] if chain else GENESIS,
            }
            row["hash"] = old_hash(row)
            chain.append(row)

        event(1, 1, "assessment_version", 1, "started", '{"number": 1}')
        event(2, 2, "answer", 1, "saved", '{"version_id": 1, "question_id": "q"}')
        event(3, 3, "mitigating_action", 9, "changed", '{"version_id": 1}')
        event(4, 1, "assessment_version", 1, "submitted", '{"content_hash": "c"}')
        event(5, 4, "assessment_version", 2, "revised", '{"from_version": 1, "number": 2}')
        event(6, 2, "answer", 5, "justified", "not json")  # names no version

        with engine.begin() as connection:
            for statement in (
                f"INSERT INTO trust (id, name, created_at) VALUES (1, 'North', {now})",
                *(
                    "INSERT INTO user_account (id, trust_id, email, name, password_hash,"
                    f" disabled, failed_sign_ins, created_at, revision) VALUES ({i}, 1,"
                    f" '{n.lower()}@x.example', '{n}', 'x', false, 0, {now}, 1)"
                    for i, n in people
                ),
                "INSERT INTO rubric_version (id, rubric_id, version, title, content,"
                f" content_hash, published_at) VALUES (1, 'r', 1, 'R', '{{}}', 'h', {now})",
                "INSERT INTO policy (id, trust_id, reference, title, category, owner,"
                f" review_cycle_months, status, created_at) VALUES (1, 1, 'TL-1', 'Marking',"
                f" 'other', 'Head', 12, 'in-force', {now})",
                f"INSERT INTO assessment (id, policy_id, created_at) VALUES (1, 1, {now})",
                *(
                    "INSERT INTO assessment_version (id, assessment_id, trust_id, number,"
                    " rubric_version_id, status, author, author_user_id, revision, decided_by,"
                    " decision_reason, net_hours_per_year, open_actions, created_at,"
                    f" updated_at) VALUES ({n}, 1, 1, {n}, 1, '{status}', '{author}', {uid}, 3,"
                    f" '', '', 0, 0, '2026-01-0{4 * n - 3} 09:00:00', {now})"
                    for n, status, author, uid in (
                        (1, "approved", "Ann", 1),
                        (2, "draft", "Dee", 4),
                    )
                ),
            ):
                connection.execute(sa.text(statement))
            connection.execute(sa.insert(sa.table("audit_event", *map(sa.column, COLUMNS))), chain)
            connection.execute(
                sa.text("UPDATE audit_head SET seq = :s, hash = :h WHERE id = 1"),
                {"s": chain[-1]["seq"], "h": chain[-1]["hash"]},
            )
        upgrade(engine)
        with engine.connect() as connection:
            found = connection.execute(
                sa.text("SELECT version_id, name FROM version_contributor ORDER BY version_id, id")
            ).all()
            kept = connection.execute(
                sa.text("SELECT prepared_by, submitted_by FROM assessment_version ORDER BY id")
            ).all()
        by_version = {v: [n for w, n in found if w == v] for v in (1, 2)}
        assert {v: sorted(names) for v, names in by_version.items()} == {
            1: ["Ann", "Bea", "Cy"],
            2: ["Ann", "Bea", "Cy", "Dee"],
        }
        assert [tuple(k) for k in kept] == [("Ann; Bea; Cy", "Ann"), ("Ann; Bea; Cy; Dee", "")]
        with pytest.raises(sa.exc.DatabaseError, match="cannot be changed"), engine.begin() as c:
            c.execute(sa.text("UPDATE assessment_version SET author = 'Eve' WHERE id = 1"))
        assert _differences(engine) == []
    finally:
        engine.dispose()
