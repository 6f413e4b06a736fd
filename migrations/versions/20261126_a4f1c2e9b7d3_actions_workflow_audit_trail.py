"""mitigating actions, the approval workflow's fields, the audit trail, and immutable approvals

Revision ID: a4f1c2e9b7d3
Revises: d1823f913d32
Create Date: 2026-11-26 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a4f1c2e9b7d3"
down_revision: str | None = "d1823f913d32"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FROZEN = "('approved', 'superseded')"  # statuses whose content no longer changes
REFUSAL = "approved assessment versions cannot be changed"
# Columns of an approved version that never change again; its status may still go from
# approved to superseded (with its revision and updated_at) when a newer version is approved.
VERSION_CONTENT = (
    "assessment_id",
    "number",
    "rubric_version_id",
    "author",
    "author_user_id",
    "content_hash",
    "submitted_at",
    "decided_at",
    "decided_by",
    "decided_by_user_id",
    "decision_reason",
    "review_due",
    "created_at",
)
CHILDREN = ("answer", "workload_estimate", "mitigating_action")  # rows that belong to a version


def upgrade() -> None:
    with op.batch_alter_table("assessment_version") as batch_op:
        batch_op.add_column(sa.Column("author_user_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("decided_by", sa.String(length=120), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("decided_by_user_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("decision_reason", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("review_due", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("overall_score", sa.Numeric(4, 1), nullable=True))
        batch_op.add_column(sa.Column("rating", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("rating_after", sa.String(length=40), nullable=True))
        batch_op.add_column(
            sa.Column("net_hours_per_year", sa.Numeric(12, 1), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("open_actions", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.create_foreign_key(
            "fk_assessment_version_author_user_id", "user_account", ["author_user_id"], ["id"]
        )
        batch_op.create_foreign_key(
            "fk_assessment_version_decided_by_user_id",
            "user_account",
            ["decided_by_user_id"],
            ["id"],
        )
    with op.batch_alter_table("assessment_version") as batch_op:  # defaults were for old rows
        batch_op.alter_column("revision", server_default=None)
        batch_op.alter_column("decided_by", server_default=None)
        batch_op.alter_column("decision_reason", server_default=None)
        batch_op.alter_column("net_hours_per_year", server_default=None)
        batch_op.alter_column("open_actions", server_default=None)
    with op.batch_alter_table("answer") as batch_op:
        batch_op.add_column(
            sa.Column("justification", sa.Text(), nullable=False, server_default="")
        )
    with op.batch_alter_table("answer") as batch_op:
        batch_op.alter_column("justification", server_default=None)
    op.create_table(
        "mitigating_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("question_ids", sa.JSON(), nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("residual_impact", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["assessment_version.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_mitigating_action_version_id", "mitigating_action", ["version_id"])
    op.create_table(
        "audit_event",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trust_id", sa.Integer(), nullable=True),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=120), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index("ix_audit_event_trust_id", "audit_event", ["trust_id"])
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    head = sa.table("audit_head", sa.column("id"), sa.column("seq"), sa.column("hash"))
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": "0" * 64}])  # the empty chain
    _create_triggers()


def downgrade() -> None:
    _drop_triggers()
    op.drop_table("audit_head")
    op.drop_index("ix_audit_event_trust_id", table_name="audit_event")
    op.drop_table("audit_event")
    op.drop_index("ix_mitigating_action_version_id", table_name="mitigating_action")
    op.drop_table("mitigating_action")
    with op.batch_alter_table("answer") as batch_op:
        batch_op.drop_column("justification")
    with op.batch_alter_table("assessment_version") as batch_op:
        batch_op.drop_constraint("fk_assessment_version_decided_by_user_id", type_="foreignkey")
        batch_op.drop_constraint("fk_assessment_version_author_user_id", type_="foreignkey")
        for column in (
            "open_actions",
            "net_hours_per_year",
            "rating_after",
            "rating",
            "overall_score",
            "review_due",
            "decision_reason",
            "decided_by_user_id",
            "decided_by",
            "decided_at",
            "submitted_at",
            "revision",
            "author_user_id",
        ):
            batch_op.drop_column(column)


# Immutability in the database itself, so that not even a direct UPDATE or DELETE changes an
# approved version: the use-cases refuse first, with a message; these are the backstop.


def _status_of(version_id: str) -> str:
    return f"(SELECT status FROM assessment_version WHERE id = {version_id})"  # noqa: S608 - OLD./NEW. only


def _create_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _create_sqlite_triggers()
    else:
        _create_postgresql_triggers()


def _create_sqlite_triggers() -> None:
    unchanged = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in VERSION_CONTENT)
    superseding = f"OLD.status = 'approved' AND NEW.status = 'superseded' AND {unchanged}"
    op.execute(
        f"CREATE TRIGGER assessment_version_frozen_update BEFORE UPDATE ON assessment_version "
        f"WHEN OLD.status IN {FROZEN} AND NOT ({superseding}) "
        f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
    )
    op.execute(
        f"CREATE TRIGGER assessment_version_frozen_delete BEFORE DELETE ON assessment_version "
        f"WHEN OLD.status IN {FROZEN} BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
    )
    for table in CHILDREN:
        for event, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
            frozen = " OR ".join(f"{_status_of(f'{row}.version_id')} IN {FROZEN}" for row in rows)
            op.execute(
                f"CREATE TRIGGER {table}_frozen_{event.lower()} BEFORE {event} ON {table} "
                f"WHEN {frozen} BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
            )


def _create_postgresql_triggers() -> None:
    unchanged = " AND ".join(f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in VERSION_CONTENT)
    op.execute(f"""
        CREATE FUNCTION assessment_version_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF OLD.status IN {FROZEN} AND NOT (TG_OP = 'UPDATE' AND OLD.status = 'approved'
              AND NEW.status = 'superseded' AND {unchanged}) THEN
            RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'integrity_constraint_violation';
          END IF;
          RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        END $$""")
    op.execute(
        "CREATE TRIGGER assessment_version_frozen BEFORE UPDATE OR DELETE ON assessment_version "
        "FOR EACH ROW EXECUTE FUNCTION assessment_version_frozen()"
    )
    op.execute(f"""
        CREATE FUNCTION version_content_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF (TG_OP <> 'INSERT' AND {_status_of("OLD.version_id")} IN {FROZEN})
              OR (TG_OP <> 'DELETE' AND {_status_of("NEW.version_id")} IN {FROZEN}) THEN
            RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'integrity_constraint_violation';
          END IF;
          RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        END $$""")
    for table in CHILDREN:
        op.execute(
            f"CREATE TRIGGER {table}_frozen BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION version_content_frozen()"
        )
    # TRUNCATE fires no row trigger: refuse it outright once any version is approved.
    op.execute(f"""
        CREATE FUNCTION frozen_truncate_refused() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM assessment_version WHERE status IN {FROZEN}) THEN
            RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'integrity_constraint_violation';
          END IF;
          RETURN NULL;
        END $$""")  # noqa: S608 - constants only
    for table in ("assessment_version", *CHILDREN):
        op.execute(
            f"CREATE TRIGGER {table}_frozen_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION frozen_truncate_refused()"
        )


def _drop_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER assessment_version_frozen_update")
        op.execute("DROP TRIGGER assessment_version_frozen_delete")
        for table in CHILDREN:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {table}_frozen_{event}")
        return
    op.execute("DROP TRIGGER assessment_version_frozen ON assessment_version")
    for table in CHILDREN:
        op.execute(f"DROP TRIGGER {table}_frozen ON {table}")
    for table in ("assessment_version", *CHILDREN):
        op.execute(f"DROP TRIGGER {table}_frozen_truncate ON {table}")
    op.execute("DROP FUNCTION frozen_truncate_refused()")
    op.execute("DROP FUNCTION assessment_version_frozen()")
    op.execute("DROP FUNCTION version_content_frozen()")
