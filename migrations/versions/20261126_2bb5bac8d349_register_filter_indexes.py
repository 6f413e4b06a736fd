"""register filter indexes: versions by status and review date, by rating and score

Revision ID: 2bb5bac8d349
Revises: a4f1c2e9b7d3
Create Date: 2026-11-26 15:00:00

The register filters by status or rating and sorts by review date or score (`make bench`).
Each index serves both: a page is read in the index's order and stops after 50 rows, and,
because each ends with assessment_id, counting the matching versions of a trust reads the
index alone (PostgreSQL's index-only scan, SQLite's covering index) instead of every row.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "2bb5bac8d349"
down_revision: str | None = "a4f1c2e9b7d3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_assessment_version_status_review_due": ["status", "review_due", "assessment_id"],
    "ix_assessment_version_rating_score": ["rating", "overall_score", "assessment_id"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "assessment_version", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="assessment_version")
