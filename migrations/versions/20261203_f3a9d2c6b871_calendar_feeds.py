"""calendar feeds: each person's feed link carries their account's calendar generation, so
that getting a new link (the generation bumped) stops the old one

Revision ID: f3a9d2c6b871
Revises: e2b7c4a19d58
Create Date: 2026-12-03 16:00:00

The link itself is not stored: it is signed from the service's secret key, the person's id
and this generation (app/calendar_links.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f3a9d2c6b871"
down_revision: str | None = "e2b7c4a19d58"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "user_account",
        sa.Column("calendar_generation", sa.Integer(), nullable=False, server_default="1"),
    )


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+): rebuilding user_account, which most tables refer to,
    # is not needed for a column no index or constraint names.
    op.drop_column("user_account", "calendar_generation")
