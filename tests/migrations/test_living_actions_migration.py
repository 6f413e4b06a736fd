"""Revision 4f7a2c9e1b85 on a database that already holds assessments: each action of an approved
(or superseded) version starts its progress where it was approved, every version is given its
rating after the actions done, and the freezing triggers let only the two living columns of an
approved version change, before and after a downgrade and upgrade again."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from app.cli_support import alembic_config
from assessments.kernel.db import create_db_engine
from assessments.rubrics.schema import canonical_json
from tests.databases import upgrade
from tests.factories.answers import THRESHOLD, high_answer, impact, low_answer
from tests.factories.trusts import RUBRIC
from tests.migrations.test_migrations import _differences

BEFORE = "3b8f0d6e5a21"  # version contributors: the revision before living actions
REFUSED = "cannot be changed"
NOW = "CURRENT_TIMESTAMP"
# Sixteen answers at their highest impact rate an assessment High (50.6). The done action takes
# the first to no impact (Medium, 45.7); the planned one, had it been counted too, seven more
# (Low, 23.5).
HIGH = [q.id for q in RUBRIC.questions() if q.required and impact(q, high_answer(q)) >= THRESHOLD][
    :16
]
ANSWERS = {
    q.id: high_answer(q) if q.id in HIGH else low_answer(q)
    for q in RUBRIC.questions()
    if q.required
}
DONE_FOR, PLANNED_FOR = HIGH[:1], [HIGH[1], *HIGH[6:12]]
# Version 1 (superseded), 2 (approved) and 3 (a draft of the next review), each answered the
# same; their actions: id → (version, status, the questions it deals with).
ACTIONS = {
    1: (1, "in-progress", DONE_FOR),
    2: (2, "done", DONE_FOR),
    3: (2, "planned", PLANNED_FOR),
    4: (3, "planned", DONE_FOR),
}
STATUSES = {1: "superseded", 2: "approved", 3: "draft"}


def _insert_assessments(connection: sa.Connection) -> None:
    """As the application wrote them before the revision: each version first as a draft with
    its content, then decided (the triggers refuse content added to a decided version)."""
    for statement in (
        f"INSERT INTO trust (id, name, created_at) VALUES (1, 'North', {NOW})",
        "INSERT INTO policy (id, trust_id, reference, title, category, owner,"
        f" review_cycle_months, status, created_at) VALUES (1, 1, 'TL-1', 'Marking',"
        f" 'other', 'Head', 12, 'in-force', {NOW})",
        f"INSERT INTO assessment (id, policy_id, created_at) VALUES (1, 1, {NOW})",
    ):
        connection.execute(sa.text(statement))
    connection.execute(
        sa.text(
            "INSERT INTO rubric_version (id, rubric_id, version, title, content, content_hash,"
            f" published_at) VALUES (1, :key, :version, :title, :content, :hash, {NOW})"
        ),
        {
            "key": RUBRIC.id,
            "version": RUBRIC.version,
            "title": RUBRIC.title,
            "content": canonical_json(RUBRIC),
            "hash": RUBRIC.content_hash(),
        },
    )
    for number in STATUSES:
        connection.execute(
            sa.text(
                "INSERT INTO assessment_version (id, assessment_id, trust_id, number,"
                " rubric_version_id, status, author, revision, decided_by, decision_reason,"
                " overall_score, rating, rating_after, net_hours_per_year, open_actions,"
                f" created_at, updated_at) VALUES (:n, 1, 1, :n, 1, 'draft', 'Ann', 3, '', '',"
                f" 50.6, 'high', 'low', 0, 1, {NOW}, {NOW})"
            ),
            {"n": number},
        )
    connection.execute(
        sa.text(
            "INSERT INTO answer (version_id, question_id, value, comment, revision, updated_by,"
            f" updated_at, justification) VALUES (:v, :q, :value, '', 1, 'Ann', {NOW}, '')"
        ),
        [{"v": v, "q": q, "value": value} for v in STATUSES for q, value in ANSWERS.items()],
    )
    for action_id, (version_id, status, question_ids) in ACTIONS.items():
        ids = ", ".join(f'"{q}"' for q in question_ids)
        connection.execute(
            sa.text(
                "INSERT INTO mitigating_action (id, version_id, description, question_ids,"
                " owner, due_date, status, residual_impact, revision, updated_by, updated_at)"
                f" VALUES (:id, :v, 'Stop the data drop', '[{ids}]', 'Head', NULL, :status,"
                f" 0, 1, 'Ann', {NOW})"
            ),
            {"id": action_id, "v": version_id, "status": status},
        )
    for version_id in (1, 2):
        connection.execute(
            sa.text(
                f"UPDATE assessment_version SET status = 'approved', decided_by = 'Bob',"
                f" decided_at = {NOW}, submitted_at = {NOW}, content_hash = 'c',"
                " review_due = '2027-12-01' WHERE id = :v"
            ),
            {"v": version_id},
        )
    connection.execute(sa.text("UPDATE assessment_version SET status = 'superseded' WHERE id = 1"))


@pytest.fixture
def engine(tmp_database_url: str) -> Iterator[sa.Engine]:
    """A scratch database at the revision before, holding the versions above."""
    engine = create_db_engine(tmp_database_url)
    try:
        upgrade(engine, BEFORE)
        with engine.begin() as connection:
            _insert_assessments(connection)
        yield engine
    finally:
        engine.dispose()


def _rows(engine: sa.Engine, query: str) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text(query))]


def _progress(engine: sa.Engine) -> list[tuple[Any, ...]]:
    return _rows(
        engine,
        "SELECT action_id, version_id, status, note, done_on, evidence_url, revision, updated_by"
        " FROM action_progress ORDER BY action_id",
    )


def _refused(engine: sa.Engine, statement: str) -> bool:
    """Whether the database refuses the statement as a change to an approved version."""
    try:
        with engine.begin() as connection:
            connection.execute(sa.text(statement))
    except sa.exc.DatabaseError as exc:
        assert REFUSED in str(exc), exc
        return True
    return False


FROZEN_CHANGES = (
    "UPDATE assessment_version SET rating = 'low' WHERE id = 2",
    "UPDATE assessment_version SET open_actions = 0, review_due = NULL WHERE id = 2",
    "UPDATE assessment_version SET rating_after = 'medium' WHERE id = 1",
    "UPDATE mitigating_action SET status = 'done' WHERE id = 3",
    "UPDATE answer SET value = 'none' WHERE version_id = 2",
    "DELETE FROM mitigating_action WHERE id = 2",
)
LIVING_CHANGE = "UPDATE assessment_version SET open_actions = 0, rating_done = 'low' WHERE id = 2"


def _downgrade(engine: sa.Engine, revision: str) -> None:
    config = alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_each_approved_action_starts_where_it_was_approved_and_versions_are_rated_by_what_is_done(
    engine: sa.Engine,
) -> None:
    upgrade(engine)

    # The superseded and the approved versions' actions; none for the draft's, which changes
    # with the draft.
    assert _progress(engine) == [
        (1, 1, "in-progress", "", None, "", 1, "Bob"),
        (2, 2, "done", "", None, "", 1, "Bob"),
        (3, 2, "planned", "", None, "", 1, "Bob"),
    ]
    # Only a done action counts: version 2 is Medium after its done one (High as answered,
    # Low had its planned one been counted); the others have none done.
    ratings = _rows(engine, "SELECT id, rating, rating_after, rating_done FROM assessment_version")
    assert sorted(ratings) == [
        (1, "high", "low", "high"),
        (2, "high", "low", "medium"),
        (3, "high", "low", "high"),
    ]
    assert _differences(engine) == []


def test_an_approved_versions_content_stays_frozen_and_only_its_living_columns_change(
    engine: sa.Engine,
) -> None:
    upgrade(engine)

    for statement in FROZEN_CHANGES:
        assert _refused(engine, statement), statement
    assert not _refused(engine, LIVING_CHANGE)
    assert not _refused(engine, "UPDATE mitigating_action SET status = 'done' WHERE id = 4")
    assert _rows(
        engine, "SELECT rating, open_actions, rating_done FROM assessment_version WHERE id = 2"
    ) == [("high", 0, "low")]


def test_a_downgrade_and_an_upgrade_again_keep_approved_versions_frozen(
    engine: sa.Engine,
) -> None:
    upgrade(engine)

    _downgrade(engine, BEFORE)

    tables = set(sa.inspect(engine).get_table_names())
    assert "action_progress" not in tables
    columns = {c["name"] for c in sa.inspect(engine).get_columns("assessment_version")}
    assert "rating_done" not in columns
    # As before the revision: the whole row is frozen again, living columns too, and the
    # triggers of the tables rebuilt to drop a column are still there.
    for statement in (
        *FROZEN_CHANGES,
        "UPDATE assessment_version SET open_actions = 0 WHERE id = 2",
    ):
        assert _refused(engine, statement), statement

    upgrade(engine)

    assert [row[:3] for row in _progress(engine)] == [
        (1, 1, "in-progress"),
        (2, 2, "done"),
        (3, 2, "planned"),
    ]
    assert _rows(engine, "SELECT rating_done FROM assessment_version WHERE id = 2") == [("medium",)]
    for statement in FROZEN_CHANGES:
        assert _refused(engine, statement), statement
    assert not _refused(engine, LIVING_CHANGE)
    assert _differences(engine) == []
