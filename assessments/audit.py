"""The audit trail: every state change and every edit, in one hash chain.

Each event's hash covers its own content and the hash before it; the one-row head holds the
last sequence number and hash. Appends lock the head, so concurrent writers queue rather than
fork the chain, and `verify` finds the first event that was edited, removed, inserted or moved,
and a tail that was cut off.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlmodel import Session, col, select

from assessments.actors import Actor, Role, require, trust_of
from assessments.models import AuditEvent, AuditHead, utcnow

GENESIS = "0" * 64


def _plain(value: Any) -> Any:
    """A value as JSON can hold it, the same way every time."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date | Decimal):
        return str(value)
    return value


def canonical(data: Any) -> str:
    return json.dumps(
        data, default=_plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """field → [before, after] for each field whose value differs."""
    return {
        field: [_plain(before.get(field)), _plain(after.get(field))]
        for field in sorted(set(before) | set(after))
        if _plain(before.get(field)) != _plain(after.get(field))
    }


def _hash(event: AuditEvent) -> str:
    content = [
        event.seq,
        _plain(event.occurred_at),
        event.trust_id,
        event.actor_user_id,
        event.actor_name,
        event.entity,
        event.entity_id,
        event.action,
        event.changes,
        event.prev_hash,
    ]
    return hashlib.sha256(canonical(content).encode()).hexdigest()


def record(
    session: Session,
    actor: Actor,
    *,
    entity: str,
    entity_id: int | None,
    action: str,
    details: Mapping[str, Any],
    trust_id: int | None = None,
) -> AuditEvent:
    """Append one event to the chain (in the caller's transaction)."""
    head = session.get(AuditHead, 1, with_for_update=True)
    if head is None:  # a database made before the trail existed
        head = AuditHead(id=1, seq=0, hash=GENESIS)
    event = AuditEvent(
        seq=head.seq + 1,
        occurred_at=utcnow(),
        trust_id=trust_id if trust_id is not None else actor.trust_id,
        actor_user_id=actor.user_id,
        actor_name=actor.name,
        entity=entity,
        entity_id=entity_id,
        action=action,
        changes=canonical(details),
        prev_hash=head.hash,
        hash="",
    )
    event.hash = _hash(event)
    head.seq, head.hash = event.seq, event.hash
    session.add_all([event, head])
    session.flush()
    return event


@dataclass(frozen=True)
class Verification:
    events: int
    head_hash: str
    broken_at: int | None  # the sequence number of the first event that does not check out
    problem: str | None

    @property
    def intact(self) -> bool:
        return self.problem is None


def events_of(session: Session, entity: str, entity_id: int) -> list[AuditEvent]:
    """What happened to one record, oldest first."""
    query = (
        select(AuditEvent)
        .where(col(AuditEvent.entity) == entity, col(AuditEvent.entity_id) == entity_id)
        .order_by(col(AuditEvent.seq))
    )
    return list(session.exec(query))


def verify(session: Session) -> Verification:
    """Walk the whole chain and report the first link that does not hold."""
    head = session.get(AuditHead, 1) or AuditHead(id=1, seq=0, hash=GENESIS)
    events: Iterable[AuditEvent] = session.exec(select(AuditEvent).order_by(col(AuditEvent.seq)))
    expected_seq, prev_hash, count = 1, GENESIS, 0
    for event in events:
        count += 1
        problem = None
        if event.seq != expected_seq:
            problem = (
                f"event {expected_seq} is missing" if event.seq > expected_seq else "out of order"
            )
        elif event.prev_hash != prev_hash:
            problem = "it does not follow the event before it (removed, inserted or moved)"
        elif _hash(event) != event.hash:
            problem = "its content was changed after it was recorded"
        if problem:
            return Verification(count, head.hash, min(event.seq, expected_seq), problem)
        expected_seq, prev_hash = event.seq + 1, event.hash
    last_seq = expected_seq - 1
    if last_seq > head.seq:
        problem = "it was added behind the chain's head (which was not moved on)"
        return Verification(count, head.hash, head.seq + 1, problem)
    if (head.seq, head.hash) != (last_seq, prev_hash):
        problem = "the chain ends before its recorded head (cut off)"
        return Verification(count, head.hash, expected_seq, problem)
    return Verification(count, head.hash, None, None)


def check(*, session: Session, actor: Actor) -> Verification:
    """Verify the chain, for a trust-wide auditor or admin."""
    trust_id = trust_of(actor)
    if not (actor.holds(Role.AUDITOR, None) or actor.holds(Role.ADMIN, None)):
        require(actor, Role.AUDITOR, trust_id=trust_id, school_id=None, what="audit trail")
    return verify(session)
