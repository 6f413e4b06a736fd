"""audit chain per trust, keyed: one chain and head per trust (and one for the installation),
each event's MAC under WIA_AUDIT_KEY with the key's id recorded

Revision ID: 9c1e4a7b2d10
Revises: 6e2a9f41c7b3
Create Date: 2026-12-01 22:00:00

The single SHA-256 chain is verified first (a tampered chain is refused, not re-chained: it
would be signed as if it were good), then every event is re-chained into its trust's chain in
its old order, keeping all its content, and the new chains are verified before the commit.
The hashing of both formats is copied here, as it is today, so later changes to
assessments/kernel/audit.py cannot change what this migration does.
"""

import hashlib
import hmac
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa
from alembic import op

from app.settings import get_settings
from assessments.models import UTCDateTime

revision: str = "9c1e4a7b2d10"
down_revision: str | None = "6e2a9f41c7b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64
CONTENT = (
    "occurred_at",
    "trust_id",
    "actor_user_id",
    "actor_name",
    "entity",
    "entity_id",
    "action",
    "changes",
    "prev_hash",
    "hash",
)


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date | Decimal):
        return str(value)
    return value


def _canonical(data: Any) -> str:
    return json.dumps(
        data, default=_plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def _old_hash(e: dict[str, Any]) -> str:
    content = [
        e["seq"],
        _plain(e["occurred_at"]),
        e["trust_id"],
        e["actor_user_id"],
        e["actor_name"],
        e["entity"],
        e["entity_id"],
        e["action"],
        e["changes"],
        e["prev_hash"],
    ]
    return hashlib.sha256(_canonical(content).encode()).hexdigest()


def _key_id(key: str) -> str:
    return hashlib.sha256(b"wia-audit-key-id\n" + key.encode()).hexdigest()[:16]


def _mac(e: dict[str, Any], key: str) -> str:
    content = [
        e["chain"],
        e["seq"],
        _plain(e["occurred_at"]),
        e["trust_id"],
        e["actor_user_id"],
        e["actor_name"],
        e["entity"],
        e["entity_id"],
        e["action"],
        e["changes"],
        e["prev_hash"],
        e["key_id"],
    ]
    message = "event\n" + _canonical(content)
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


def _events(*, keyed: bool) -> sa.TableClause:
    columns: list[sa.ColumnClause[Any]] = [
        sa.column("seq", sa.Integer()),
        sa.column("occurred_at", UTCDateTime()),
    ]
    columns += [sa.column(name) for name in CONTENT[1:]]
    if keyed:
        columns += [sa.column("chain", sa.Integer()), sa.column("key_id")]
    return sa.table("audit_event", *columns)


def _read(*, keyed: bool) -> list[dict[str, Any]]:
    table = _events(keyed=keyed)
    order = [table.c.chain, table.c.seq] if keyed else [table.c.seq]
    try:
        return [dict(r._mapping) for r in op.get_bind().execute(sa.select(table).order_by(*order))]
    except (ValueError, TypeError, sa.exc.StatementError) as exc:
        raise _refused(None, f"an event cannot be read ({exc})") from None


def _refused(seq: int | None, problem: str) -> RuntimeError:
    where = f"at event {seq}" if seq is not None else ""
    return RuntimeError(
        f"The audit trail is broken {where}: {problem}. It is left as it is, not re-chained "
        "(that would sign a tampered trail as good): restore the last good backup (README, "
        "Backups) and upgrade again, or investigate the database first."
    )


def _check_old(events: list[dict[str, Any]], head: tuple[int, str]) -> None:
    prev = GENESIS
    for number, event in enumerate(events, start=1):
        if event["seq"] != number:
            raise _refused(number, "it is missing or out of order")
        if event["prev_hash"] != prev:
            raise _refused(number, "it does not follow the event before it")
        if _old_hash(event) != event["hash"]:
            raise _refused(number, "its content was changed after it was recorded")
        prev = event["hash"]
    if head != (len(events), prev):
        raise _refused(len(events) + 1, "the chain does not end at its recorded head")


def _check_keyed(events: list[dict[str, Any]], heads: dict[int, tuple[int, str]]) -> None:
    keys = {_key_id(key): key for key in get_settings().audit_keys}
    last: dict[int, tuple[int, str]] = {}
    for event in events:
        chain = event["chain"]
        seq, prev = last.get(chain, (0, GENESIS))
        key = keys.get(event["key_id"])
        if event["seq"] != seq + 1 or event["prev_hash"] != prev:
            raise _refused(event["seq"], f"of chain {chain}: it does not follow the one before")
        if key is None or _mac(event, key) != event["hash"]:
            raise _refused(event["seq"], f"of chain {chain}: its MAC does not check out")
        last[chain] = (event["seq"], event["hash"])
    for chain in set(heads) | set(last):
        if heads.get(chain, (0, GENESIS)) != last.get(chain, (0, GENESIS)):
            raise _refused(None, f"chain {chain} does not end at its recorded head")


def _create_tables(*, keyed: bool) -> None:
    key = [sa.Column("chain", sa.Integer(), autoincrement=False, nullable=False)] if keyed else []
    op.create_table(
        "audit_event",
        *key,
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
        *([sa.Column("key_id", sa.String(length=16), nullable=False)] if keyed else []),
        sa.PrimaryKeyConstraint(*(["chain"] if keyed else []), "seq"),
    )
    op.create_index("ix_audit_event_trust_id", "audit_event", ["trust_id"])
    op.create_index("ix_audit_event_entity", "audit_event", ["entity", "entity_id", "seq"])
    op.create_table(
        "audit_head",
        sa.Column("chain" if keyed else "id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("chain" if keyed else "id"),
    )


def _drop_tables() -> None:
    op.drop_index("ix_audit_event_entity", table_name="audit_event")
    op.drop_index("ix_audit_event_trust_id", table_name="audit_event")
    op.drop_table("audit_event")
    op.drop_table("audit_head")


def upgrade() -> None:
    bind = op.get_bind()
    events = _read(keyed=False)
    head = bind.execute(sa.text("SELECT seq, hash FROM audit_head WHERE id = 1")).first()
    _check_old(events, (head[0], head[1]) if head else (0, GENESIS))
    key = get_settings().audit_keys[0]
    heads: dict[int, tuple[int, str]] = {}
    for event in events:  # in the old order, so each chain keeps its events' order
        chain = event["trust_id"] if event["trust_id"] is not None else 0
        seq, prev = heads.get(chain, (0, GENESIS))
        event.update(chain=chain, seq=seq + 1, prev_hash=prev, key_id=_key_id(key))
        event["hash"] = _mac(event, key)
        heads[chain] = (event["seq"], event["hash"])
    _drop_tables()
    _create_tables(keyed=True)
    if events:
        bind.execute(sa.insert(_events(keyed=True)), events)
    head_table = sa.table("audit_head", sa.column("chain"), sa.column("seq"), sa.column("hash"))
    rows = [{"chain": c, "seq": s, "hash": h} for c, (s, h) in heads.items()]
    if rows:
        bind.execute(sa.insert(head_table), rows)
    _check_keyed(_read(keyed=True), heads)  # as stored, read back


def downgrade() -> None:
    bind = op.get_bind()
    events = _read(keyed=True)
    stored = bind.execute(sa.text("SELECT chain, seq, hash FROM audit_head"))
    heads = {row[0]: (row[1], row[2]) for row in stored}
    _check_keyed(events, heads)
    # One chain again, in the order the events happened (a chain's own order on a tie).
    events.sort(key=lambda e: (e["occurred_at"], e["chain"], e["seq"]))
    prev = GENESIS
    for number, event in enumerate(events, start=1):
        del event["chain"]
        del event["key_id"]
        event.update(seq=number, prev_hash=prev)
        event["hash"] = prev = _old_hash(event)
    _drop_tables()
    _create_tables(keyed=False)
    if events:
        bind.execute(sa.insert(_events(keyed=False)), events)
    head_table = sa.table("audit_head", sa.column("id"), sa.column("seq"), sa.column("hash"))
    bind.execute(sa.insert(head_table), [{"id": 1, "seq": len(events), "hash": prev}])
