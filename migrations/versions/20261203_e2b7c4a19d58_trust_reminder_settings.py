"""the daily sweep: the trust's reminder settings (how many days before a review, and before
an action, falls due its owner is reminded), and the days the sweep has run

Revision ID: e2b7c4a19d58
Revises: c5e1d7a93f42
Create Date: 2026-12-03 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e2b7c4a19d58"
down_revision: str | None = "c5e1d7a93f42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "trust",
        sa.Column("review_reminder_days", sa.JSON(), nullable=False, server_default="[60, 30, 7]"),
    )
    op.add_column(
        "trust",
        sa.Column("action_reminder_days", sa.Integer(), nullable=False, server_default="7"),
    )
    op.add_column("trust", sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))
    op.create_table(
        "sweep_run",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reminders", sa.Integer(), nullable=False),
        sa.Column("digests", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sweep_run")
    with op.batch_alter_table("trust") as batch_op:
        batch_op.drop_column("revision")
        batch_op.drop_column("action_reminder_days")
        batch_op.drop_column("review_reminder_days")
