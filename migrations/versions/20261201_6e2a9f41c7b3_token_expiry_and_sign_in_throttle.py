"""token expiry and sign-in throttle: API tokens expire, failed sign-ins by email and address

Revision ID: 6e2a9f41c7b3
Revises: 5d2e8b7c1a44
Create Date: 2026-12-01 22:00:00

- api_token.expires_at: existing tokens expire 90 days after they were made, but no sooner
  than 30 days after this upgrade, so scripts using an old token get a month to replace it.
  Tokens of people who are disabled now are revoked for good (re-enabling them used to bring
  their tokens back).
- sign_in_failure replaces user_account.failed_sign_ins/locked_until: failures are counted by
  email and by client address, in a window, instead of locking the account.
- Emails are unique within a trust, not across trusts.
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "6e2a9f41c7b3"
down_revision: str | None = "5d2e8b7c1a44"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_LIFETIME, GRACE = timedelta(days=90), timedelta(days=30)
# SQLite's unique constraint on email has no name; this names it so batch mode can drop it.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _aware(value: datetime | str) -> datetime:
    if isinstance(value, str):  # SQLite hands back text
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _email_unique() -> str:
    postgresql = op.get_bind().dialect.name == "postgresql"
    return "user_account_email_key" if postgresql else "uq_user_account_email"


def upgrade() -> None:
    connection = op.get_bind()
    upgraded_at = datetime.now(UTC)
    with op.batch_alter_table("api_token") as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    tokens = sa.table(
        "api_token",
        sa.column("id", sa.Integer()),
        sa.column("user_id", sa.Integer()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("expires_at", sa.DateTime(timezone=True)),
        sa.column("revoked_at", sa.DateTime(timezone=True)),
    )
    for token_id, created_at in connection.execute(sa.select(tokens.c.id, tokens.c.created_at)):
        expires = max(_aware(created_at) + DEFAULT_LIFETIME, upgraded_at + GRACE)
        connection.execute(
            tokens.update().where(tokens.c.id == token_id).values(expires_at=expires)
        )
    users = sa.table("user_account", sa.column("id", sa.Integer()), sa.column("disabled"))
    disabled = sa.select(users.c.id).where(users.c.disabled == sa.true())
    connection.execute(
        tokens.update()
        .where(tokens.c.revoked_at.is_(None), tokens.c.user_id.in_(disabled))
        .values(revoked_at=upgraded_at)
    )
    with op.batch_alter_table("api_token") as batch_op:
        batch_op.alter_column("expires_at", nullable=False)

    op.create_table(
        "sign_in_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email_key", sa.String(length=64), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sign_in_failure_email_key", "sign_in_failure", ["email_key", "occurred_at"])
    op.create_index(
        "ix_sign_in_failure_client", "sign_in_failure", ["client_address", "occurred_at"]
    )
    op.create_index("ix_sign_in_failure_occurred_at", "sign_in_failure", ["occurred_at"])

    with op.batch_alter_table("user_account", naming_convention=NAMING) as batch_op:
        batch_op.drop_constraint(_email_unique(), type_="unique")
        batch_op.drop_column("failed_sign_ins")
        batch_op.drop_column("locked_until")
        batch_op.create_unique_constraint("uq_user_account_trust_id_email", ["trust_id", "email"])
        batch_op.create_index("ix_user_account_email", ["email"])


def downgrade() -> None:
    # Going back needs emails unique across trusts again: this fails if two trusts share one.
    with op.batch_alter_table("user_account", naming_convention=NAMING) as batch_op:
        batch_op.drop_index("ix_user_account_email")
        batch_op.drop_constraint("uq_user_account_trust_id_email", type_="unique")
        batch_op.add_column(
            sa.Column("failed_sign_ins", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(_email_unique(), ["email"])
    op.drop_index("ix_sign_in_failure_occurred_at", table_name="sign_in_failure")
    op.drop_index("ix_sign_in_failure_client", table_name="sign_in_failure")
    op.drop_index("ix_sign_in_failure_email_key", table_name="sign_in_failure")
    op.drop_table("sign_in_failure")
    with op.batch_alter_table("api_token") as batch_op:
        batch_op.drop_column("expires_at")
