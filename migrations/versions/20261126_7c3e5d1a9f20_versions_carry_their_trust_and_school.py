"""versions carry their policy's trust and school; the register's indexes start with the trust

Revision ID: 7c3e5d1a9f20
Revises: 2bb5bac8d349
Create Date: 2026-11-26 17:30:00

Counting a trust's matching versions joined every version to its policy to check the trust
(15–50 ms for 10,000–32,000 matches, `make bench`). A policy never moves to another trust or
school, so each version now holds a copy of both, and the register's indexes begin with the
trust: a count reads one index range, and a page reads the index in its sort order.

Approved versions are frozen by triggers, which would refuse the backfill. SQLite: every
trigger is dropped and re-created from its own stored SQL around the table's rebuild (which
would otherwise lose them). PostgreSQL: the version table's trigger is paused for the update.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision: str = "7c3e5d1a9f20"
down_revision: str | None = "2bb5bac8d349"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_INDEXES = {
    "ix_assessment_version_status_review_due": ["status", "review_due", "assessment_id"],
    "ix_assessment_version_rating_score": ["rating", "overall_score", "assessment_id"],
}
NEW_INDEXES = {
    "ix_assessment_version_trust_status": ["trust_id", "status", "review_due"],
    "ix_assessment_version_trust_rating": ["trust_id", "rating", "overall_score"],
    "ix_assessment_version_trust_school": ["trust_id", "school_id", "decided_at"],
}
BACKFILL = """
UPDATE assessment_version SET
  trust_id = (SELECT p.trust_id FROM assessment a JOIN policy p ON p.id = a.policy_id
              WHERE a.id = assessment_version.assessment_id),
  school_id = (SELECT p.school_id FROM assessment a JOIN policy p ON p.id = a.policy_id
               WHERE a.id = assessment_version.assessment_id)
"""


@contextmanager
def _frozen_rows_writable() -> Iterator[None]:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        triggers = bind.execute(
            sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
        ).all()
        for name, _ in triggers:
            op.execute(f'DROP TRIGGER "{name}"')
        yield
        for _, sql in triggers:
            op.execute(sql)
    else:
        op.execute("ALTER TABLE assessment_version DISABLE TRIGGER assessment_version_frozen")
        yield
        op.execute("ALTER TABLE assessment_version ENABLE TRIGGER assessment_version_frozen")


def upgrade() -> None:
    with _frozen_rows_writable():
        with op.batch_alter_table("assessment_version") as batch_op:
            batch_op.add_column(sa.Column("trust_id", sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column("school_id", sa.Integer(), nullable=True))
        op.execute(BACKFILL)
        with op.batch_alter_table("assessment_version") as batch_op:
            batch_op.alter_column("trust_id", existing_type=sa.Integer(), nullable=False)
            batch_op.create_foreign_key(
                "fk_assessment_version_trust_id_trust", "trust", ["trust_id"], ["id"]
            )
            batch_op.create_foreign_key(
                "fk_assessment_version_school_id_school", "school", ["school_id"], ["id"]
            )
            for name in OLD_INDEXES:
                batch_op.drop_index(name)
            for name, columns in NEW_INDEXES.items():
                batch_op.create_index(name, columns)


def downgrade() -> None:
    with _frozen_rows_writable(), op.batch_alter_table("assessment_version") as batch_op:
        for name in NEW_INDEXES:
            batch_op.drop_index(name)
        for name, columns in OLD_INDEXES.items():
            batch_op.create_index(name, columns)
        batch_op.drop_constraint("fk_assessment_version_school_id_school", type_="foreignkey")
        batch_op.drop_constraint("fk_assessment_version_trust_id_trust", type_="foreignkey")
        batch_op.drop_column("school_id")
        batch_op.drop_column("trust_id")
