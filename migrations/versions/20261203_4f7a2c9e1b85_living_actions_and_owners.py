"""living actions and owners: an approved version's actions keep a progress record, owners
are the trust's people

Revision ID: 4f7a2c9e1b85
Revises: 3b8f0d6e5a21
Create Date: 2026-12-03 09:00:00

An approved version's content stays frozen, but its actions are carried out after approval:
each action of an approved (or superseded) version gets a row of action_progress, starting
from the status it was approved with. Two columns of an approved version are living, so the
register lists them without reading every action: how many actions are still open, and the
rating once the actions done so far are counted (rating_done); the freezing trigger lets only
those change. An action's and a policy's owner may now be one of the trust's accounts.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4f7a2c9e1b85"
down_revision: str | None = "3b8f0d6e5a21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FROZEN = "('approved', 'superseded')"
REFUSAL = "approved assessment versions cannot be changed"
SQLITE_TRIGGER, PG_FUNCTION = "assessment_version_frozen_update", "assessment_version_frozen"
# Every column of an approved version but these never changes again; its status may still go
# from approved to superseded (with its revision and updated_at), as before.
LIVING = ("open_actions", "rating_done")
# Frozen in the superseding update too (revision a4f1c2e9b7d3's list).
CONTENT = (
    "assessment_id",
    "number",
    "rubric_version_id",
    "author",
    "author_user_id",
    "content_hash",
    "submitted_at",
    "decided_at",
    "decided_by",
    "decided_by_user_id",
    "decision_reason",
    "review_due",
    "created_at",
)
# Frozen in a living update: everything else.
ALL_BUT_LIVING = (
    *CONTENT,
    "id",
    "status",
    "updated_at",
    "revision",
    "overall_score",
    "rating",
    "rating_after",
    "net_hours_per_year",
    "trust_id",
    "school_id",
    "prepared_by",
    "submitted_by",
)


def upgrade() -> None:
    for table in ("mitigating_action", "policy"):
        _add_account_column(table, "owner_user_id")
    op.create_index("ix_mitigating_action_owner_user_id", "mitigating_action", ["owner_user_id"])
    op.add_column("assessment_version", sa.Column("rating_done", sa.String(40), nullable=True))
    op.create_table(
        "action_progress",
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("evidence_url", sa.String(length=2000), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("updated_by_user_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["action_id"], ["mitigating_action.id"]),
        sa.ForeignKeyConstraint(["version_id"], ["assessment_version.id"]),
        sa.ForeignKeyConstraint(["updated_by_user_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("action_id"),
    )
    op.create_index("ix_action_progress_version_id", "action_progress", ["version_id"])
    _let_living_columns_change()
    _backfill(op.get_bind())


def downgrade() -> None:
    _freeze_whole_rows()
    op.drop_index("ix_action_progress_version_id", table_name="action_progress")
    op.drop_table("action_progress")
    op.drop_index("ix_mitigating_action_owner_user_id", table_name="mitigating_action")
    with _triggers_paused():
        for table, column in (
            ("assessment_version", "rating_done"),
            ("policy", "owner_user_id"),
            ("mitigating_action", "owner_user_id"),
        ):
            with op.batch_alter_table(table) as batch_op:
                batch_op.drop_column(column)


def _add_account_column(table: str, column: str) -> None:
    """A nullable reference to an account, by a plain ADD COLUMN: a batch copy of the table
    would lose its triggers on SQLite, which can add a reference but not through Alembic."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} INTEGER REFERENCES user_account (id)")
        return
    op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
    op.create_foreign_key(None, table, "user_account", [column], ["id"])


def _same(columns: Sequence[str], sqlite: bool) -> str:
    same = "NEW.{0} IS OLD.{0}" if sqlite else "NEW.{0} IS NOT DISTINCT FROM OLD.{0}"
    return " AND ".join(same.format(c) for c in columns)


def _refused_unless(*, living: bool, sqlite: bool) -> str:
    """The condition on which an update of an approved version goes ahead."""
    superseding = (
        f"OLD.status = 'approved' AND NEW.status = 'superseded' AND {_same(CONTENT, sqlite)}"
    )
    if not living:
        return superseding
    return f"({superseding}) OR ({_same(ALL_BUT_LIVING, sqlite)})"


def _replace_trigger(*, living: bool) -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP TRIGGER {SQLITE_TRIGGER}")
        op.execute(
            f"CREATE TRIGGER {SQLITE_TRIGGER} BEFORE UPDATE ON assessment_version "
            f"WHEN OLD.status IN {FROZEN} AND NOT ({_refused_unless(living=living, sqlite=True)}) "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
        )
        return
    allowed = _refused_unless(living=living, sqlite=False)
    op.execute(f"""
        CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF OLD.status IN {FROZEN} AND NOT (TG_OP = 'UPDATE' AND ({allowed})) THEN
            RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'integrity_constraint_violation';
          END IF;
          RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        END $$""")


def _let_living_columns_change() -> None:
    _replace_trigger(living=True)


def _freeze_whole_rows() -> None:
    _replace_trigger(living=False)


class _triggers_paused:
    """Dropping a column rebuilds an SQLite table, which loses its triggers: they are set
    aside and put back around it."""

    def __enter__(self) -> None:
        bind = op.get_bind()
        if bind.dialect.name == "sqlite":
            self.saved = (
                bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'trigger'"))
                .scalars()
                .all()
            )
            for sql in self.saved:
                name = sql.split()[2]
                op.execute(f"DROP TRIGGER {name}")

    def __exit__(self, *exc: object) -> None:
        if op.get_bind().dialect.name == "sqlite":
            for sql in self.saved:
                op.execute(sql)


def _backfill(bind: sa.Connection) -> None:
    """Each action of an approved or superseded version starts from the status it was approved
    with; each version's rating after the actions done is computed from its content."""
    bind.execute(
        sa.text(
            "INSERT INTO action_progress (action_id, version_id, status, note, done_on,"
            " evidence_url, revision, updated_by, updated_by_user_id, updated_at)"
            " SELECT a.id, a.version_id, a.status, '', NULL, '', 1, v.decided_by,"
            " v.decided_by_user_id, COALESCE(v.decided_at, v.updated_at)"
            " FROM mitigating_action a JOIN assessment_version v ON v.id = a.version_id"
            " WHERE v.status IN ('approved', 'superseded')"
        )
    )
    _rate_actions_done(bind)


def _rate_actions_done(bind: sa.Connection) -> None:
    # The scoring is the application's own pure function: a stored rating must agree with it.
    from decimal import Decimal

    from assessments.rubrics.schema import Rubric
    from assessments.rubrics.scoring import WorkloadInput, compute_results

    rubrics: dict[int, Rubric | None] = {}
    versions = bind.execute(sa.text("SELECT id, rubric_version_id FROM assessment_version"))
    for version_id, rubric_version_id in versions.all():
        if rubric_version_id not in rubrics:
            content = bind.execute(
                sa.text("SELECT content FROM rubric_version WHERE id = :id"),
                {"id": rubric_version_id},
            ).scalar_one()
            try:
                rubrics[rubric_version_id] = Rubric.model_validate_json(content)
            except ValueError:  # not a rubric this code can read: the version stays unrated
                rubrics[rubric_version_id] = None
        rubric = rubrics[rubric_version_id]
        if rubric is None:
            continue
        answers: dict[str, str] = dict(
            bind.execute(
                sa.text("SELECT question_id, value FROM answer WHERE version_id = :v"),
                {"v": version_id},
            ).all()
        )
        residual: dict[str, int] = {}
        done = bind.execute(
            sa.text(
                "SELECT question_ids, residual_impact FROM mitigating_action"
                " WHERE version_id = :v AND status = 'done'"
            ),
            {"v": version_id},
        )
        for question_ids, impact in done.all():
            ids = question_ids if isinstance(question_ids, list) else _json(question_ids)
            for qid in ids:
                residual[qid] = min(residual.get(qid, impact), impact)
        estimates = [
            WorkloadInput(group, Decimal(str(hours)), count)
            for group, hours, count in bind.execute(
                sa.text(
                    "SELECT staff_group, hours_per_term, staff_count FROM workload_estimate"
                    " WHERE version_id = :v"
                ),
                {"v": version_id},
            ).all()
        ]
        rating = compute_results(rubric, answers, estimates, residual).rating
        bind.execute(
            sa.text("UPDATE assessment_version SET rating_done = :r WHERE id = :v"),
            {"r": rating.id if rating else None, "v": version_id},
        )


def _json(text: str) -> list[str]:
    import json

    value = json.loads(text)
    return [str(v) for v in value] if isinstance(value, list) else []
