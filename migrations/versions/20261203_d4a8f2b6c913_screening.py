"""screening: a version's kind (the full assessment, or screened out), the author's reason
for screening it out (with its revision, for concurrent edits), and whether an approver sent
it back for the full assessment; all four frozen with the rest of an approved version

Revision ID: d4a8f2b6c913
Revises: b9c3e5a7d120
Create Date: 2026-12-03 17:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d4a8f2b6c913"
down_revision: str | None = "b9c3e5a7d120"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The freezing trigger as revision 4f7a2c9e1b85 left it, with the new columns frozen too (a
# migration is history: its lists are copied here, not imported).
FROZEN = "('approved', 'superseded')"
REFUSAL = "approved assessment versions cannot be changed"
SQLITE_TRIGGER, PG_FUNCTION = "assessment_version_frozen_update", "assessment_version_frozen"
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
NEW_CONTENT = ("screening_reason", "screening_revision", "full_required", "kind")
ALL_BUT_LIVING = (
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
    # Plain ADD COLUMNs: a batch copy of the table would lose its triggers on SQLite.
    op.add_column(
        "assessment_version",
        sa.Column("screening_reason", sa.Text(), nullable=False, server_default=""),
    )
    op.add_column(
        "assessment_version",
        sa.Column("screening_revision", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column(
        "assessment_version",
        sa.Column("full_required", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "assessment_version",
        sa.Column("kind", sa.String(length=20), nullable=False, server_default="full"),
    )
    _replace_trigger(CONTENT + NEW_CONTENT)


def downgrade() -> None:
    _replace_trigger(CONTENT)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # SQLite (3.35 on) drops a column in place, keeping the table's triggers.
        for column in reversed(NEW_CONTENT):
            op.execute(f"ALTER TABLE assessment_version DROP COLUMN {column}")
        return
    for column in reversed(NEW_CONTENT):
        op.drop_column("assessment_version", column)


def _same(columns: Sequence[str], sqlite: bool) -> str:
    same = "NEW.{0} IS OLD.{0}" if sqlite else "NEW.{0} IS NOT DISTINCT FROM OLD.{0}"
    return " AND ".join(same.format(c) for c in columns)


def _replace_trigger(content: Sequence[str]) -> None:
    """An approved version's content never changes; it may be superseded, and its living
    columns (open_actions, rating_done) change with its actions' progress."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    superseding = (
        f"OLD.status = 'approved' AND NEW.status = 'superseded' AND {_same(content, sqlite)}"
    )
    allowed = f"({superseding}) OR ({_same((*content, *ALL_BUT_LIVING), sqlite)})"
    if sqlite:
        op.execute(f"DROP TRIGGER {SQLITE_TRIGGER}")
        op.execute(
            f"CREATE TRIGGER {SQLITE_TRIGGER} BEFORE UPDATE ON assessment_version "
            f"WHEN OLD.status IN {FROZEN} AND NOT ({allowed}) "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
        )
        return
    op.execute(f"""
        CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF OLD.status IN {FROZEN} AND NOT (TG_OP = 'UPDATE' AND ({allowed})) THEN
            RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'integrity_constraint_violation';
          END IF;
          RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        END $$""")
