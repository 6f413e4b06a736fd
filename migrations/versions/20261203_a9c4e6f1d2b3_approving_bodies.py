"""approving bodies: the trust's board, committees and local governing bodies, their members,
each member's decision, and the body that decides on each policy

Revision ID: a9c4e6f1d2b3
Revises: f2c6a8e4b197
Create Date: 2026-12-03 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a9c4e6f1d2b3"
down_revision: str | None = "f2c6a8e4b197"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "approving_body",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("trust_id", sa.Integer(), sa.ForeignKey("trust.id"), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("school_id", sa.Integer(), sa.ForeignKey("school.id"), nullable=True),
        sa.Column("rule", sa.String(10), nullable=False),
        sa.Column("quorum", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("trust_id", "name"),
    )
    op.create_index("ix_approving_body_trust_id", "approving_body", ["trust_id"])
    op.create_table(
        "body_member",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "body_id",
            sa.Integer(),
            sa.ForeignKey("approving_body.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("user_account.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.UniqueConstraint("body_id", "user_id"),
    )
    op.create_index("ix_body_member_body_id", "body_member", ["body_id"])
    op.create_index("ix_body_member_user_id", "body_member", ["user_id"])
    op.create_table(
        "member_decision",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "version_id", sa.Integer(), sa.ForeignKey("assessment_version.id"), nullable=False
        ),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body_id", sa.Integer(), sa.ForeignKey("approving_body.id"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("vote", sa.String(10), nullable=False),
        sa.Column("reason", sa.String(2000), nullable=False),
        sa.Column("minute", sa.String(200), nullable=False),
        sa.Column("meeting_date", sa.Date(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("version_id", "submitted_at", "user_id", "vote"),
    )
    op.create_index("ix_member_decision_version_id", "member_decision", ["version_id"])
    # A plain ADD COLUMN on SQLite, which can add a reference but not through Alembic.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE policy ADD COLUMN approving_body_id INTEGER REFERENCES approving_body (id)"
        )
    else:
        op.add_column("policy", sa.Column("approving_body_id", sa.Integer(), nullable=True))
        op.create_foreign_key(None, "policy", "approving_body", ["approving_body_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("policy") as batch_op:  # SQLite cannot drop a reference in place
        batch_op.drop_column("approving_body_id")
    op.drop_index("ix_member_decision_version_id", table_name="member_decision")
    op.drop_table("member_decision")
    op.drop_index("ix_body_member_user_id", table_name="body_member")
    op.drop_index("ix_body_member_body_id", table_name="body_member")
    op.drop_table("body_member")
    op.drop_index("ix_approving_body_trust_id", table_name="approving_body")
    op.drop_table("approving_body")
