"""initial schema

Revision ID: e5a998eb7ff7
Revises:
Create Date: 2026-11-23 08:19:36.757543
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision: str = "e5a998eb7ff7"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "rubric_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rubric_id", AutoString(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", AutoString(length=300), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_hash", AutoString(length=64), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("rubric_id", "version"),
    )
    with op.batch_alter_table("rubric_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rubric_version_rubric_id"), ["rubric_id"], unique=False
        )

    op.create_table(
        "school",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", AutoString(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", AutoString(length=40), nullable=False),
        sa.Column("title", AutoString(length=200), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("owner", AutoString(length=120), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("review_cycle_months", sa.Integer(), nullable=False),
        sa.Column("next_review_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["school.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
    )
    with op.batch_alter_table("policy", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_policy_school_id"), ["school_id"], unique=False)

    op.create_table(
        "assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["policy.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("policy_id"),
    )
    op.create_table(
        "assessment_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("rubric_version_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("author", AutoString(length=120), nullable=False),
        sa.Column("content_hash", AutoString(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
        ),
        sa.ForeignKeyConstraint(
            ["rubric_version_id"],
            ["rubric_version.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("assessment_id", "number"),
    )
    with op.batch_alter_table("assessment_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_version_assessment_id"), ["assessment_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_assessment_version_status"), ["status"], unique=False)

    op.create_table(
        "answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("question_id", AutoString(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_by", AutoString(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["assessment_version.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version_id", "question_id"),
    )
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_answer_version_id"), ["version_id"], unique=False)

    op.create_table(
        "workload_estimate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("staff_group", AutoString(length=64), nullable=False),
        sa.Column("hours_per_term", sa.Float(), nullable=False),
        sa.Column("staff_count", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_by", AutoString(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["assessment_version.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version_id", "staff_group"),
    )
    with op.batch_alter_table("workload_estimate", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workload_estimate_version_id"), ["version_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("workload_estimate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workload_estimate_version_id"))

    op.drop_table("workload_estimate")
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answer_version_id"))

    op.drop_table("answer")
    with op.batch_alter_table("assessment_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_version_status"))
        batch_op.drop_index(batch_op.f("ix_assessment_version_assessment_id"))

    op.drop_table("assessment_version")
    op.drop_table("assessment")
    with op.batch_alter_table("policy", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_school_id"))

    op.drop_table("policy")
    op.drop_table("school")
    with op.batch_alter_table("rubric_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rubric_version_rubric_id"))

    op.drop_table("rubric_version")
