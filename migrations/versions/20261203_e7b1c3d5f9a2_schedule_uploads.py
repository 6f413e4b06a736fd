"""schedule uploads: a policy schedule as uploaded, kept between its preview and its import

Revision ID: e7b1c3d5f9a2
Revises: d4a8f2b6c913
Create Date: 2026-12-03 18:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e7b1c3d5f9a2"
down_revision: str | None = "d4a8f2b6c913"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "schedule_upload",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("trust_id", sa.Integer(), sa.ForeignKey("trust.id"), nullable=False),
        sa.Column(
            "uploaded_by_user_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=True
        ),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_schedule_upload_trust_id", "schedule_upload", ["trust_id"])


def downgrade() -> None:
    op.drop_index("ix_schedule_upload_trust_id", table_name="schedule_upload")
    op.drop_table("schedule_upload")
