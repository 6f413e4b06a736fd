"""statutory policies: whether the law asks a policy of the trust (the catalogue says which)

Revision ID: f2c6a8e4b197
Revises: e7b1c3d5f9a2
Create Date: 2026-12-03 18:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f2c6a8e4b197"
down_revision: str | None = "e7b1c3d5f9a2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "policy", sa.Column("statutory", sa.Boolean(), nullable=False, server_default=sa.false())
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":  # in place (3.35 on): no table rebuilt
        op.execute("ALTER TABLE policy DROP COLUMN statutory")
        return
    op.drop_column("policy", "statutory")
