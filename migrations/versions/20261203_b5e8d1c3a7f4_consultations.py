"""consultations: staff asked about a draft through personal links, and their anonymous answers;
the themes of what staff said and the answers to them; formal consultations with staff bodies;
the trust's smallest group of answers broken down; a notification to an address with no account

Revision ID: b5e8d1c3a7f4
Revises: a9c4e6f1d2b3
Create Date: 2026-12-03 22:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b5e8d1c3a7f4"
down_revision: str | None = "a9c4e6f1d2b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "consultation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("trust_id", sa.Integer(), sa.ForeignKey("trust.id"), nullable=False),
        sa.Column(
            "version_id", sa.Integer(), sa.ForeignKey("assessment_version.id"), nullable=False
        ),
        sa.Column(
            "opened_by_user_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=True
        ),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("summary", sa.String(4000), nullable=False),
        sa.Column("staff_groups", sa.JSON(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_consultation_trust_id", "consultation", ["trust_id"])
    op.create_index("ix_consultation_version_id", "consultation", ["version_id"])
    op.create_table(
        "consultation_invitation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "consultation_id",
            sa.Integer(),
            sa.ForeignKey("consultation.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("school_id", sa.Integer(), sa.ForeignKey("school.id"), nullable=True),
        sa.Column("staff_group", sa.String(60), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("consultation_id", "email"),
    )
    op.create_index(
        "ix_consultation_invitation_consultation_id",
        "consultation_invitation",
        ["consultation_id"],
    )
    op.create_table(
        "consultation_answer",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "consultation_id",
            sa.Integer(),
            sa.ForeignKey("consultation.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("school_id", sa.Integer(), sa.ForeignKey("school.id"), nullable=True),
        sa.Column("staff_group", sa.String(60), nullable=False),
        sa.Column("hours_per_week", sa.Numeric(5, 2), nullable=False),
        sa.Column("agreement", sa.Integer(), nullable=False),
        sa.Column("concerns", sa.String(4000), nullable=False),
        sa.Column("would_help", sa.String(4000), nullable=False),
    )
    op.create_index(
        "ix_consultation_answer_consultation_id", "consultation_answer", ["consultation_id"]
    )
    op.create_table(
        "consultation_theme",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "consultation_id",
            sa.Integer(),
            sa.ForeignKey("consultation.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("staff_said", sa.String(4000), nullable=False),
        sa.Column("changed", sa.Boolean(), nullable=False),
        sa.Column("response", sa.String(4000), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_consultation_theme_consultation_id", "consultation_theme", ["consultation_id"]
    )
    op.create_table(
        "formal_consultation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "version_id", sa.Integer(), sa.ForeignKey("assessment_version.id"), nullable=False
        ),
        sa.Column("body", sa.String(200), nullable=False),
        sa.Column("met_on", sa.Date(), nullable=False),
        sa.Column("views", sa.String(4000), nullable=False),
        sa.Column("agreed", sa.String(4000), nullable=False),
        sa.Column("recorded_by", sa.String(120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_formal_consultation_version_id", "formal_consultation", ["version_id"])
    op.add_column(
        "trust",
        sa.Column("consultation_min_group", sa.Integer(), nullable=False, server_default="5"),
    )
    # Staff consulted are emailed at their address: most have no account. (The notification
    # table has no triggers for a batch copy to lose.)
    with op.batch_alter_table("notification") as batch_op:
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM notification WHERE user_id IS NULL")
    with op.batch_alter_table("notification") as batch_op:
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=False)
    if op.get_bind().dialect.name == "sqlite":  # in place (3.35 on): no table rebuilt
        op.execute("ALTER TABLE trust DROP COLUMN consultation_min_group")
    else:
        op.drop_column("trust", "consultation_min_group")
    op.drop_index("ix_formal_consultation_version_id", table_name="formal_consultation")
    op.drop_table("formal_consultation")
    op.drop_index("ix_consultation_theme_consultation_id", table_name="consultation_theme")
    op.drop_table("consultation_theme")
    op.drop_index("ix_consultation_answer_consultation_id", table_name="consultation_answer")
    op.drop_table("consultation_answer")
    op.drop_index(
        "ix_consultation_invitation_consultation_id", table_name="consultation_invitation"
    )
    op.drop_table("consultation_invitation")
    op.drop_index("ix_consultation_version_id", table_name="consultation")
    op.drop_index("ix_consultation_trust_id", table_name="consultation")
    op.drop_table("consultation")
