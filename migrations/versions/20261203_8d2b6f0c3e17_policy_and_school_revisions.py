"""policy and school revisions: their details can be corrected, and two people correcting
one at once must not overwrite each other

Revision ID: 8d2b6f0c3e17
Revises: 4f7a2c9e1b85
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8d2b6f0c3e17"
down_revision: str | None = "4f7a2c9e1b85"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN: neither table has triggers, but a batch copy is not needed either.
    for table in ("policy", "school"):
        op.add_column(
            table, sa.Column("revision", sa.Integer(), nullable=False, server_default="1")
        )


def downgrade() -> None:
    for table in ("school", "policy"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("revision")
