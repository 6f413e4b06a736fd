"""The tables of people: trusts, accounts, roles, sessions, API tokens and sign-in failures.
Scoping rules live in assessments/actors.py."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from assessments.kernel.actors import Role
from assessments.models.columns import EnumValue, UTCDateTime, timestamp as _timestamp, utcnow

DEFAULT_REVIEW_REMINDER_DAYS = (60, 30, 7)
DEFAULT_MIN_GROUP = 5  # the fewest answers a consultation's breakdown shows
DEFAULT_ACTION_REMINDER_DAYS = 7


class Trust(SQLModel, table=True):
    """A school trust: its schools, people and policies are never visible to another trust."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    # When the daily sweep reminds people: a policy's owner this many days before its review
    # falls due (then on the day, then weekly), an action's owner this many days before.
    review_reminder_days: list[int] = Field(
        default_factory=lambda: list(DEFAULT_REVIEW_REMINDER_DAYS), sa_type=sa.JSON
    )
    action_reminder_days: int = Field(default=DEFAULT_ACTION_REMINDER_DAYS)
    # A consultation's answers are broken down by school or staff group only where at least
    # this many answered: fewer could be told apart.
    consultation_min_group: int = Field(
        default=DEFAULT_MIN_GROUP, sa_column_kwargs={"server_default": str(DEFAULT_MIN_GROUP)}
    )
    revision: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


class User(SQLModel, table=True):
    """An account: one person in one trust. Emails are unique within a trust only, so adding
    a person never tells an admin that their email has an account in another trust."""

    __tablename__ = "user_account"  # "user" is reserved in PostgreSQL
    __table_args__ = (
        sa.UniqueConstraint("trust_id", "email", name="uq_user_account_trust_id_email"),
    )

    id: int | None = Field(default=None, primary_key=True)
    trust_id: int = Field(foreign_key="trust.id", index=True)
    email: str = Field(max_length=254, index=True)  # stored lower-case
    name: str = Field(max_length=120)
    password_hash: str = Field(max_length=255)
    disabled: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    revision: int = 1
    # Part of their calendar feed's signed link: getting a new link bumps it, which stops the
    # old one (assessments/calendars).
    calendar_generation: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


class RoleGrant(SQLModel, table=True):
    """One role of a user, trust-wide (school_id NULL) or for one school."""

    __tablename__ = "role_grant"
    __table_args__ = (sa.UniqueConstraint("user_id", "role", "school_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    role: Role = Field(sa_type=EnumValue(Role, 20))
    school_id: int | None = Field(default=None, foreign_key="school.id")


class WebSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored, so a
    copy of the database cannot be used to sign in."""

    __tablename__ = "web_session"

    id: str = Field(primary_key=True, max_length=64)  # sha256 hex of the cookie's token
    user_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    last_seen_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class ApiToken(SQLModel, table=True):
    """A personal token for the JSON API (Authorization: Bearer). Shown once; stored hashed."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    expires_at: datetime = Field(sa_column=_timestamp())  # refused from then on
    last_used_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    revoked_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))


class SignInFailure(SQLModel, table=True):
    """A failed sign-in, kept for a while to throttle by email and by client address. In the
    database, so that every instance behind the load balancer sees the same counts."""

    __tablename__ = "sign_in_failure"
    __table_args__ = (
        sa.Index("ix_sign_in_failure_email_key", "email_key", "occurred_at"),
        sa.Index("ix_sign_in_failure_client", "client_address", "occurred_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # SHA-256 of the email as typed (lower-case), whether or not it has an account.
    email_key: str = Field(max_length=64)
    client_address: str = Field(max_length=64)
    occurred_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False, index=True))


class AccountLinkPurpose(StrEnum):
    INVITATION = "invitation"  # a new person sets their first password
    RESET = "reset"  # "Forgotten your password?"


class ResetRequest(SQLModel, table=True):
    """A "Forgotten your password?" asked for and not yet answered: the worker emails a link to
    the address's accounts, if it has any, and removes the request. Queued rather than done
    in the request, so that the page takes as long to answer whether or not the address has
    an account (timing it would tell who has one)."""

    __tablename__ = "reset_request"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)  # asked for twice, queued once
    requested_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class AccountLink(SQLModel, table=True):
    """A single-use link emailed to a person to set their password. Nothing secret is stored:
    the link carries this row's id and a MAC of it under the secret key (app/mail/links.py),
    so a copy of the database cannot be used to take over an account."""

    __tablename__ = "account_link"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    purpose: AccountLinkPurpose = Field(sa_type=EnumValue(AccountLinkPurpose, 20))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    expires_at: datetime = Field(sa_column=_timestamp())
    used_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
