"""notifications and the outbox: what each person is told, the messages the worker delivers,
and how each person chooses to hear of each kind

Revision ID: c5e1d7a93f42
Revises: 8d2b6f0c3e17
Create Date: 2026-12-03 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c5e1d7a93f42"
down_revision: str | None = "8d2b6f0c3e17"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("trust_id", sa.Integer(), sa.ForeignKey("trust.id"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user_account.id", ondelete="SET NULL")),
        sa.Column("to_address", sa.String(254), nullable=False),
        sa.Column("digest", sa.String(10), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True)),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_outbox_message_trust_id", "outbox_message", ["trust_id"])
    op.create_index("ix_outbox_message_user_id", "outbox_message", ["user_id"])
    op.create_index("ix_outbox_message_due", "outbox_message", ["status", "next_attempt_at"])
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("trust_id", sa.Integer(), sa.ForeignKey("trust.id"), nullable=False),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("user_account.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("dedupe_key", sa.String(200), unique=True),
        sa.Column("message_id", sa.Integer(), sa.ForeignKey("outbox_message.id")),
        sa.Column("delivery", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_notification_trust_id", "notification", ["trust_id"])
    op.create_index("ix_notification_user_id", "notification", ["user_id"])
    op.create_index("ix_notification_message_id", "notification", ["message_id"])
    op.create_table(
        "notification_choice",
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("user_account.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("kind", sa.String(30), primary_key=True),
        sa.Column("delivery", sa.String(10), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("notification_choice")
    op.drop_table("notification")
    op.drop_table("outbox_message")
