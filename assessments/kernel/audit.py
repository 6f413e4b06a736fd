"""The audit trail: every state change and every edit, in one keyed chain per trust.

Each event's MAC (HMAC-SHA256 under a key kept out of the database, see audit_keys) covers its
own content and the MAC before it; each chain's head row holds its last sequence number and
MAC. Installation-level events (of no trust) have a chain of their own. An append locks only
its own chain's head, so writers of one trust queue rather than fork its chain and writers of
two trusts never wait for each other. `verify` finds the first event of a chain that was
edited, removed, inserted, moved or cannot be read, a tail that was cut off, and, against the
signed checkpoints someone kept, a chain cut short, wiped or rewritten by someone who holds
the key but not the checkpoints.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from assessments.kernel.actors import Actor, Role, require, trust_of
from assessments.kernel.audit_keys import (
    DEVELOPMENT_AUDIT_KEY,
    INSTALLATION,
    Checkpoint,
    CheckpointError,
    Keyring,
    chain_label,
)
from assessments.kernel.audit_rows import EVENTS, HEAD, EventRow, Unreadable, event_row, head_row
from assessments.models import AuditEvent, AuditHead, Trust, utcnow

GENESIS = "0" * 64


log = logging.getLogger(__name__)


__all__ = ["INSTALLATION", "Checkpoint", "CheckpointError", "Keyring", "chain_label"]


@dataclass
class _Configuration:
    keyring: Keyring = field(default_factory=lambda: Keyring(DEVELOPMENT_AUDIT_KEY))
    witness_file: Path | None = None


_configured = _Configuration()


def configure(*, keys: Sequence[str], witness_file: Path | None = None) -> None:
    """Set the keys (current first, then older ones that still verify) and the witness file:
    done once, by the application factory and the command line, from the settings. Until then
    the development key is used (domain tests call use-cases without settings)."""
    _configured.keyring = Keyring.of(keys)
    _configured.witness_file = witness_file


def keyring() -> Keyring:
    return _configured.keyring


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


def chain_of(trust_id: int | None) -> int:
    """The chain a trust's events go to (installation-level events: INSTALLATION)."""
    return INSTALLATION if trust_id is None else trust_id


def _mac(event: AuditEvent | EventRow, ring: Keyring) -> str | None:
    content = [
        event.chain,
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
        event.key_id,
    ]
    return ring.mac("event\n" + canonical(content), event.key_id)


def _locked_head(session: Session, chain: int) -> AuditHead:
    """The chain's head row, locked to the end of the transaction (made if the chain is new:
    two first appends at once both insert-or-skip, then queue on the one row)."""
    query = select(AuditHead).where(col(AuditHead.chain) == chain).with_for_update()
    query = query.execution_options(populate_existing=True)
    head = session.exec(query).first()
    if head is None:
        connection = session.connection()
        insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
        row = {"chain": chain, "seq": 0, "hash": GENESIS}
        connection.execute(insert(AuditHead).values(row).on_conflict_do_nothing())
        head = session.exec(query).one()
    return head


def record(
    session: Session,
    actor: Actor,
    *,
    entity: str,
    entity_id: int | None,
    action: str,
    details: Mapping[str, Any],
    trust_id: int | None = None,
) -> None:
    """Append one event to its trust's chain (in the caller's transaction)."""
    record_many(session, actor, [(entity, entity_id, action, details)], trust_id)


# One event to append: its entity, the entity's id, the action and its details.
Entry = tuple[str, int | None, str, Mapping[str, Any]]


def record_many(
    session: Session, actor: Actor, entries: Iterable[Entry], trust_id: int | None = None
) -> None:
    """Append events to their trust's chain in this order: the head locked once, and the
    rows written in one statement (an import writes thousands)."""
    owner = trust_id if trust_id is not None else actor.trust_id
    head = _locked_head(session, chain_of(owner))
    now = utcnow()
    _witness_day(session, head, now)
    ring = _configured.keyring
    rows = []
    for entity, entity_id, action, details in entries:
        event = EventRow(
            chain=head.chain,
            seq=head.seq + 1,
            occurred_at=now,
            trust_id=owner,
            actor_user_id=actor.user_id,
            actor_name=actor.name,
            entity=entity,
            entity_id=entity_id,
            action=action,
            changes=canonical(details),
            prev_hash=head.hash,
            hash="",
            key_id=ring.current_id,
        )
        row = {**vars(event), "hash": _mac(event, ring) or ""}
        head.seq, head.hash = event.seq, row["hash"]
        rows.append(row)
    session.execute(sa.insert(AuditEvent), rows)
    session.add(head)
    session.flush()


def checkpoint(seq: int, hash_: str, *, chain: int) -> Checkpoint:
    """A signed checkpoint of event `seq` of the chain."""
    return Checkpoint.sign(_configured.keyring, chain=chain, seq=seq, hash_=hash_)


def head_of(session: Session, *, chain: int) -> tuple[int, str]:
    """The chain's head as stored (last seq and MAC; the empty chain's if it has none)."""
    try:
        raw = session.connection().execute(HEAD, {"chain": chain}).first()
        return head_row(raw, GENESIS)
    except Unreadable:
        return 0, GENESIS


def head_checkpoint(session: Session, *, trust_id: int | None) -> str:
    """The signed checkpoint of a trust's chain's head, as every export hands it out."""
    chain = chain_of(trust_id)
    seq, hash_ = head_of(session, chain=chain)
    return str(checkpoint(seq, hash_, chain=chain))


def _witness_day(session: Session, head: AuditHead, now: datetime) -> None:
    """On a chain's first append of a UTC day, append the checkpoint of its head (committed,
    since this transaction holds it locked) to the witness file, outside the database."""
    if _configured.witness_file is None or head.seq == 0:
        return
    last = session.connection().execute(
        sa.text("SELECT occurred_at FROM audit_event WHERE chain = :c AND seq = :s"),
        {"c": head.chain, "s": head.seq},
    )
    when = last.scalar()
    if isinstance(when, datetime) and when.astimezone(UTC).date() == now.date():  # PostgreSQL
        return
    if isinstance(when, str) and when[:10] == now.date().isoformat():  # SQLite keeps text
        return
    append_witness([checkpoint(head.seq, head.hash, chain=head.chain)], now=now)


def append_witness(
    checkpoints: Iterable[Checkpoint], *, now: datetime, path: Path | None = None
) -> None:
    """Append checkpoints to the witness file, one a line after the time; a file that cannot
    be written is logged, not raised: the change itself must not fail for it."""
    path = path or _configured.witness_file
    if path is None:
        return
    lines = "".join(f"{now:%Y-%m-%dT%H:%M:%SZ} {c}\n" for c in checkpoints)
    try:
        with path.open("a", encoding="ascii") as file:
            file.write(lines)
            file.flush()
            os.fsync(file.fileno())
    except OSError:
        log.exception("audit witness file %s could not be written", path)
        if path != _configured.witness_file:
            raise


def read_witness(path: Path) -> list[tuple[int, str]]:
    """(line number, checkpoint text) of each checkpoint line of a witness file (the time
    before it and blank or # lines are skipped)."""
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = line.strip()
        if text and not text.startswith("#"):
            found.append((number, text.split()[-1]))
    return found


@dataclass(frozen=True)
class Verification:
    chain: int
    events: int
    head_hash: str
    head: str  # the signed checkpoint of the head as stored
    broken_at: int | None  # the sequence number of the first event that does not check out
    problem: str | None
    witnessed: int = 0  # checkpoints the chain was checked against

    @property
    def intact(self) -> bool:
        return self.problem is None


def events_of(session: Session, entity: str, entity_id: int) -> list[AuditEvent]:
    """What happened to one record, oldest first (all in its trust's chain)."""
    query = (
        select(AuditEvent)
        .where(col(AuditEvent.entity) == entity, col(AuditEvent.entity_id) == entity_id)
        .order_by(col(AuditEvent.seq))
    )
    return list(session.exec(query))


def _first_problem(
    session: Session, chain: int, ring: Keyring, witnessed: Mapping[int, str]
) -> tuple[int, int, str, int | None, str | None]:
    """Walk a chain: (events, last seq, last MAC, broken at, problem)."""
    rows = session.connection().execute(
        EVENTS, {"chain": chain}, execution_options={"yield_per": 1000}
    )
    with closing(rows):  # a server-side cursor on PostgreSQL, left half-read at a problem
        return _walk(rows, ring, witnessed)


def _walk(
    rows: Iterable[Any], ring: Keyring, witnessed: Mapping[int, str]
) -> tuple[int, int, str, int | None, str | None]:
    expected_seq, prev_hash, count = 1, GENESIS, 0
    for raw in rows:
        count += 1
        try:
            event = event_row(raw)
        except Unreadable as exc:
            seq = raw[1] if type(raw[1]) is int else expected_seq
            return count, expected_seq - 1, prev_hash, min(seq, expected_seq), f"unreadable: {exc}"
        problem = None
        if event.seq != expected_seq:
            problem = (
                f"event {expected_seq} is missing" if event.seq > expected_seq else "out of order"
            )
        elif event.prev_hash != prev_hash:
            problem = "it does not follow the event before it (removed, inserted or moved)"
        elif (mac := _mac(event, ring)) is None:
            problem = (
                f"its MAC was made with a key this installation does not hold ({event.key_id})"
            )
        elif not hmac.compare_digest(mac, event.hash):
            problem = "its content was changed after it was recorded"
        elif witnessed.get(event.seq, event.hash) != event.hash:
            problem = "it is not the event a signed checkpoint witnessed (rewritten)"
        if problem:
            return count, expected_seq - 1, prev_hash, min(event.seq, expected_seq), problem
        expected_seq, prev_hash = event.seq + 1, event.hash
    return count, expected_seq - 1, prev_hash, None, None


def verify(session: Session, *, chain: int, witnesses: Iterable[Checkpoint] = ()) -> Verification:
    """Walk one chain and report the first link that does not hold, checking it against
    the checkpoints given (which the caller has parsed, so their MACs hold)."""
    ring = _configured.keyring
    mine = [w for w in witnesses if w.chain == chain]
    head_problem: str | None = None
    try:
        head_seq, head_hash = head_row(
            session.connection().execute(HEAD, {"chain": chain}).first(), GENESIS
        )
    except Unreadable as exc:
        head_seq, head_hash, head_problem = 0, GENESIS, f"its head is unreadable: {exc}"
    by_seq: dict[int, str] = {}
    for witness in mine:
        if by_seq.setdefault(witness.seq, witness.hash) != witness.hash:
            head_problem = head_problem or f"two checkpoints of event {witness.seq} disagree"
    count, last_seq, last_hash, broken_at, problem = _first_problem(session, chain, ring, by_seq)

    def result(broken: int | None, why: str | None) -> Verification:
        signed = str(Checkpoint.sign(ring, chain=chain, seq=head_seq, hash_=head_hash))
        return Verification(chain, count, head_hash, signed, broken, why, len(mine))

    if problem is not None:
        return result(broken_at, problem)
    if head_problem is not None:
        return result(last_seq + 1, head_problem)
    if (past := max(by_seq, default=0)) > last_seq:
        why = f"a signed checkpoint shows event {past}: the chain was cut short or wiped"
        return result(last_seq + 1, why)
    if last_seq > head_seq:
        return result(head_seq + 1, "it was added behind the chain's head (which was not moved on)")
    if (head_seq, head_hash) != (last_seq, last_hash):
        return result(last_seq + 1, "the chain ends before its recorded head (cut off)")
    return result(None, None)


def chains(session: Session) -> list[int]:
    """Every chain there is or should be: the installation's, each trust's, and any other
    that events or heads name."""
    found = {INSTALLATION, *session.exec(select(Trust.id)).all()}
    for table in ("audit_head", "audit_event"):
        for value in session.connection().execute(sa.text(f"SELECT DISTINCT chain FROM {table}")):  # noqa: S608
            if type(value[0]) is int:
                found.add(value[0])
    return sorted(c for c in found if c is not None)


def verify_all(session: Session, *, witnesses: Sequence[Checkpoint] = ()) -> list[Verification]:
    """Every chain, each verified on its own."""
    every = sorted({*chains(session), *(w.chain for w in witnesses)})
    return [verify(session, chain=chain, witnesses=witnesses) for chain in every]


def check(*, session: Session, actor: Actor) -> Verification:
    """Verify the actor's trust's chain, for a trust-wide auditor or admin."""
    trust_id = trust_of(actor)
    if not (actor.holds(Role.AUDITOR, None) or actor.holds(Role.ADMIN, None)):
        require(actor, Role.AUDITOR, trust_id=trust_id, school_id=None, what="audit trail")
    return verify(session, chain=chain_of(trust_id))
