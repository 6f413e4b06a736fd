"""workload hours as exact numeric

Revision ID: b5beead1f543
Revises: e5a998eb7ff7
Create Date: 2026-11-25 12:52:29.591785
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b5beead1f543"
down_revision: str | None = "e5a998eb7ff7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Hours are entered with up to 2 decimal places; a float column gave back 2.4999… for 2.5.
    with op.batch_alter_table("workload_estimate") as table:
        table.alter_column(
            "hours_per_term",
            existing_type=sa.Float(),
            type_=sa.Numeric(7, 2),
            existing_nullable=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("workload_estimate") as table:
        table.alter_column(
            "hours_per_term",
            existing_type=sa.Numeric(7, 2),
            type_=sa.Float(),
            existing_nullable=False,
        )
