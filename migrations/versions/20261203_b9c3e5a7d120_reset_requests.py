"""reset requests: "Forgotten your password?" queued for the worker to answer, so that the
page takes as long whether or not the address has an account

Revision ID: b9c3e5a7d120
Revises: a7d4e1f09c32
Create Date: 2026-12-03 15:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b9c3e5a7d120"
down_revision: str | None = "a7d4e1f09c32"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reset_request",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("reset_request")
