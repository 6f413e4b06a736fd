"""audit events by record: what happened to one record, in order

Revision ID: 5d2e8b7c1a44
Revises: 7c3e5d1a9f20
Create Date: 2026-11-26 20:30:00

The governor-ready report lists every decision on a version (submitted, returned with its
reason, reopened, approved), which only the audit trail keeps: a resubmission clears the
version's own reason. This index finds one record's events without reading the whole trail.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5d2e8b7c1a44"
down_revision: str | None = "7c3e5d1a9f20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_audit_event_entity", "audit_event", ["entity", "entity_id", "seq"])


def downgrade() -> None:
    op.drop_index("ix_audit_event_entity", table_name="audit_event")
