"""The audit trail as the database holds it, read with plain SQL, and tampered with as someone
with database access would: plain SQL, and, for someone who also holds the key, MACs
recomputed the way the source code says they are made."""

from __future__ import annotations

import hashlib
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from assessments.kernel import audit
from assessments.kernel.audit_keys import Checkpoint, Keyring, key_id
from assessments.models import AuditEvent, AuditHead
from tests.factories.trusts import LOCAL_TRUST_ID


def head(session: Session, chain: int = LOCAL_TRUST_ID) -> tuple[int, str]:
    """A trust's audit chain's head (last sequence number and MAC), as stored now."""
    query = select(AuditHead).where(col(AuditHead.chain) == chain)
    row = session.exec(query.execution_options(populate_existing=True)).first()
    return (row.seq, row.hash) if row else (0, "0" * 64)


def events_after(session: Session, seq: int, chain: int = LOCAL_TRUST_ID) -> list[AuditEvent]:
    """A trust's audit events after `seq`, in order, as stored now."""
    query = (
        select(AuditEvent)
        .where(col(AuditEvent.chain) == chain, col(AuditEvent.seq) > seq)
        .order_by(col(AuditEvent.seq))
    )
    return list(session.exec(query.execution_options(populate_existing=True)))


def sql(session: Session, statement: str, **params: Any) -> sa.CursorResult[Any]:
    """A plain SQL statement, run in the session's transaction as a direct user of the
    database would run it: no use-case and no session cache in between."""
    return session.connection().execute(sa.text(statement), params)


def rows_of(session: Session, version_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every row of a version and its content, read with plain SQL (no session cache)."""
    queries = {
        "assessment_version": "SELECT * FROM assessment_version WHERE id = :v",
        **{
            table: f"SELECT * FROM {table} WHERE version_id = :v ORDER BY id"
            for table in ("answer", "workload_estimate", "mitigating_action")
        },
    }
    return {
        table: [dict(row._mapping) for row in sql(session, query, v=version_id)]
        for table, query in queries.items()
    }


def last_seq(session: Session) -> int:
    return max(session.exec(select(AuditEvent.seq)).all(), default=0)


def events_since(session: Session, seq: int, entity: str | None = None) -> list[AuditEvent]:
    """The audit events recorded after `seq`, oldest first (of one entity, if given)."""
    query = select(AuditEvent).where(AuditEvent.seq > seq)
    if entity is not None:
        query = query.where(AuditEvent.entity == entity)
    return list(session.exec(query.order_by(col(AuditEvent.seq))))


def checkpoint_now(session: Session, trust_id: int = LOCAL_TRUST_ID) -> Checkpoint:
    """The signed checkpoint the service hands out for the trust's head now."""
    return Checkpoint.parse(audit.head_checkpoint(session, trust_id=trust_id), audit.keyring())


def verdict(
    session: Session, *witnesses: Checkpoint, chain: int = LOCAL_TRUST_ID
) -> tuple[int | None, str | None]:
    session.expire_all()  # the tampering went round the session, as an intruder's would
    checked = audit.verify(session, chain=chain, witnesses=witnesses)
    return checked.broken_at, checked.problem


def _hashed_fields(event: Any) -> list[Any]:
    """What an event's hash covers, as an intruder who read the code would list it."""
    return [
        event.chain,
        event.seq,
        audit._plain(event.occurred_at),
        event.trust_id,
        event.actor_user_id,
        event.actor_name,
        event.entity,
        event.entity_id,
        event.action,
        event.changes,
        event.prev_hash,
        event.key_id,
    ]


def _plain_hash(event: Any) -> str:
    content = _hashed_fields(event)
    return hashlib.sha256(audit.canonical(content).encode()).hexdigest()


def _keyed_mac(event: Any, key: str) -> str:
    content = _hashed_fields(event)
    mac = Keyring(key).mac("event\n" + audit.canonical(content))
    assert mac is not None
    return mac


def rewrite(
    session: Session, seq: int, *, key: str | None, chain: int = LOCAL_TRUST_ID, **forged: Any
) -> None:
    """Change event `seq`'s columns and recompute it and every event after it, and the head:
    with the key if given, else as plain SHA-256 (someone who has the code but not the key)."""
    session.expire_all()
    events = events_after(session, seq - 1, chain)
    prev = events[0].prev_hash
    for event in events:
        if event.seq == seq:
            for column, value in forged.items():
                setattr(event, column, value)
        event.prev_hash = prev
        if key is not None:
            event.key_id = key_id(key)
        event.hash = prev = _keyed_mac(event, key) if key is not None else _plain_hash(event)
        values = {c: getattr(event, c) for c in ("actor_name", "changes", "prev_hash", "hash")}
        sql(
            session,
            "UPDATE audit_event SET actor_name = :actor_name, changes = :changes, "
            "prev_hash = :prev_hash, hash = :hash, key_id = :key_id WHERE chain = :c AND seq = :s",
            **values,
            key_id=event.key_id,
            c=chain,
            s=event.seq,
        )
    sql(session, "UPDATE audit_head SET hash = :h WHERE chain = :c", h=prev, c=chain)
    session.expire_all()
