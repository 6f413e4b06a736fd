"""The tables of the audit trail: its events, a chain per trust, and each chain's head."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from assessments.models.columns import (
    timestamp as _timestamp,
)


class AuditEvent(SQLModel, table=True):
    """One entry of a chain of the append-only audit trail: one chain per trust, and one for
    installation-level events (chain 0). Each MAC (keyed, see assessments/audit_keys.py) covers
    the entry and the MAC before it, so editing, removing, inserting or reordering entries
    breaks the chain."""

    __tablename__ = "audit_event"
    # One record's history in order (the report's decisions on a version).
    __table_args__ = (sa.Index("ix_audit_event_entity", "entity", "entity_id", "seq"),)

    chain: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    occurred_at: datetime = Field(sa_column=_timestamp())
    trust_id: int | None = Field(default=None, index=True)
    actor_user_id: int | None = None
    actor_name: str = Field(max_length=120)
    entity: str = Field(max_length=40)
    entity_id: int | None = None
    action: str = Field(max_length=40)
    changes: str = Field(sa_type=sa.Text)  # canonical JSON: field → [before, after], or details
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)  # HMAC-SHA256 of the entry, under the key `key_id`
    key_id: str = Field(max_length=16)


class AuditHead(SQLModel, table=True):
    """A chain's last entry (one row a chain). Appends lock their chain's row only, so
    concurrent writers of one trust queue instead of forking its chain, and writers of two
    trusts never wait for each other; a cut-off tail no longer matches it."""

    __tablename__ = "audit_head"

    chain: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    seq: int = 0
    hash: str = Field(max_length=64)
