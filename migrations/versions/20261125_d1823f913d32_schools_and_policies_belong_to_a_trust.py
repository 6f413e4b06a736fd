"""schools and policies belong to a trust

Revision ID: d1823f913d32
Revises: d7a823fb5a63
Create Date: 2026-11-25 13:29:07.141842
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "d1823f913d32"
down_revision: str | None = "d7a823fb5a63"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The unique constraints of the first migration have no names: SQLite's rebuilt table gets
# these, PostgreSQL named them <table>_<column>_key.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
TRUST_OF_EXISTING_DATA = (
    "Local trust"  # the default WIA_LOCAL_TRUST, so `make run` still shows them
)
SCOPED = (("school", "name"), ("policy", "reference"))  # unique per trust from now on


def _old_unique(table: str, column: str) -> str:
    sqlite = op.get_bind().dialect.name == "sqlite"
    return f"uq_{table}_{column}" if sqlite else f"{table}_{column}_key"


def _trust_for_existing_data() -> int | None:
    """Schools and policies recorded before trusts existed join one trust, made if need be."""
    bind = op.get_bind()
    if not bind.execute(sa.text("SELECT 1 FROM school UNION SELECT 1 FROM policy")).first():
        return None
    trust_id = bind.execute(sa.text("SELECT min(id) FROM trust")).scalar()
    if trust_id is None:
        bind.execute(
            sa.text("INSERT INTO trust (name, created_at) VALUES (:name, :now)"),
            {"name": TRUST_OF_EXISTING_DATA, "now": datetime.now(UTC)},
        )
        trust_id = bind.execute(sa.text("SELECT min(id) FROM trust")).scalar_one()
    return int(trust_id)


def upgrade() -> None:
    trust_id = _trust_for_existing_data()
    for table, column in SCOPED:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("trust_id", sa.Integer(), nullable=True))
        if trust_id is not None:
            op.execute(sa.table(table, sa.column("trust_id")).update().values(trust_id=trust_id))
        with op.batch_alter_table(table, naming_convention=NAMING) as batch_op:
            batch_op.alter_column("trust_id", existing_type=sa.Integer(), nullable=False)
            batch_op.create_foreign_key(f"fk_{table}_trust_id_trust", "trust", ["trust_id"], ["id"])
            batch_op.create_index(f"ix_{table}_trust_id", ["trust_id"], unique=False)
            batch_op.drop_constraint(_old_unique(table, column), type_="unique")
            batch_op.create_unique_constraint(f"uq_{table}_trust_id", ["trust_id", column])


def downgrade() -> None:
    for table, column in SCOPED:
        with op.batch_alter_table(table, naming_convention=NAMING) as batch_op:
            batch_op.drop_constraint(f"uq_{table}_trust_id", type_="unique")
            batch_op.create_unique_constraint(_old_unique(table, column), [column])
            batch_op.drop_index(f"ix_{table}_trust_id")
            batch_op.drop_constraint(f"fk_{table}_trust_id_trust", type_="foreignkey")
            batch_op.drop_column("trust_id")
