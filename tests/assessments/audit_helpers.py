"""Tampering with the audit trail as someone with database access would: plain SQL, and, for
someone who also holds the key, MACs recomputed the way the source code says they are made."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlmodel import Session

from assessments.kernel import audit
from assessments.kernel.audit_keys import Checkpoint, Keyring, key_id
from tests.assessments.approval_helpers import events_after, sql
from tests.factories import LOCAL_TRUST_ID


def checkpoint_now(session: Session, trust_id: int = LOCAL_TRUST_ID) -> Checkpoint:
    """The signed checkpoint the service hands out for the trust's head now."""
    return Checkpoint.parse(audit.head_checkpoint(session, trust_id=trust_id), audit.keyring())


def verdict(
    session: Session, *witnesses: Checkpoint, chain: int = LOCAL_TRUST_ID
) -> tuple[int | None, str | None]:
    session.expire_all()  # the tampering went round the session, as an intruder's would
    checked = audit.verify(session, chain=chain, witnesses=witnesses)
    return checked.broken_at, checked.problem


def _plain_hash(event: Any) -> str:
    content = [
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
    return hashlib.sha256(audit.canonical(content).encode()).hexdigest()


def _keyed_mac(event: Any, key: str) -> str:
    content = [
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
