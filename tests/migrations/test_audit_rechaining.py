"""Migration 9c1e4a7b2d10: the one plain SHA-256 chain of before, built here with the old
code's hashing, is verified and re-chained per trust with the key; a tampered one is refused."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlmodel import Session

from app.cli_support import alembic_config
from app.settings import get_settings
from assessments.kernel import audit
from assessments.kernel.db import create_db_engine
from tests.databases import upgrade

BEFORE = "5d2e8b7c1a44"
GENESIS = "0" * 64
COLUMNS = (
    "seq",
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


def old_hash(event: dict[str, Any]) -> str:
    """assessments.kernel.audit._hash as it was before the migration."""
    when = event["occurred_at"].astimezone(UTC).isoformat(timespec="microseconds")
    content = [event["seq"], when, *(event[c] for c in COLUMNS[2:10])]
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def old_chain() -> list[dict[str, Any]]:
    """Two trusts' events interleaved, and installation-level ones, as the old code chained."""
    start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    owners = [None, 1, 1, 2, 1, 2, None, 2, 1, 1, 2, 2]
    events, prev = [], GENESIS
    for seq, trust in enumerate(owners, start=1):
        event = {
            "seq": seq,
            "occurred_at": start + timedelta(minutes=seq, microseconds=seq),
            "trust_id": trust,
            "actor_user_id": seq if trust else None,
            "actor_name": f"Person {seq} \u00e9",
            "entity": "policy",
            "entity_id": 100 + seq,
            "action": "saved",
            "changes": json.dumps({"title": [None, f"Title {seq}"]}),
            "prev_hash": prev,
        }
        event["hash"] = prev = old_hash(event)
        events.append(event)
    return events


def load(engine: sa.Engine, events: list[dict[str, Any]]) -> None:
    now = datetime(2026, 11, 20, tzinfo=UTC)
    with engine.begin() as connection:
        for trust in (1, 2):
            connection.execute(
                sa.text("INSERT INTO trust (id, name, created_at) VALUES (:i, :n, :t)"),
                {"i": trust, "n": f"Trust {trust}", "t": now},
            )
        table = sa.table("audit_event", *map(sa.column, COLUMNS))
        connection.execute(sa.insert(table), events)
        connection.execute(
            sa.text("UPDATE audit_head SET seq = :s, hash = :h WHERE id = 1"),
            {"s": events[-1]["seq"], "h": events[-1]["hash"]},
        )


@pytest.fixture
def old_database(tmp_database_url: str) -> sa.Engine:
    engine = create_db_engine(tmp_database_url)
    upgrade(engine, BEFORE)
    get_settings.cache_clear()  # the migration reads WIA_AUDIT_KEY (the development one here)
    audit.configure(keys=get_settings().audit_keys)
    return engine


def test_the_old_chain_is_re_chained_per_trust_with_its_content_kept(
    old_database: sa.Engine,
) -> None:
    events = old_chain()
    load(old_database, events)

    upgrade(old_database)

    with Session(old_database) as session:
        checked = {v.chain: v for v in audit.verify_all(session)}
        assert {c: (v.events, v.intact) for c, v in checked.items()} == {
            0: (2, True),
            1: (5, True),
            2: (5, True),
        }
        kept = session.connection().execute(
            sa.text(
                "SELECT chain, seq, occurred_at, actor_name, entity_id, changes, key_id "
                "FROM audit_event ORDER BY chain, seq"
            )
        )
        rows = [tuple(r) for r in kept]
    for chain in (0, 1, 2):
        mine = [e for e in events if (e["trust_id"] or 0) == chain]
        theirs = [r for r in rows if r[0] == chain]
        assert [r[1] for r in theirs] == list(range(1, len(mine) + 1))
        assert [(r[3], r[4], r[5]) for r in theirs] == [
            (e["actor_name"], e["entity_id"], e["changes"]) for e in mine
        ]
    assert {r[6] for r in rows} == {audit.keyring().current_id}
    old_database.dispose()


def test_a_tampered_old_chain_is_refused_and_left_as_it_was(old_database: sa.Engine) -> None:
    events = old_chain()
    events[4]["actor_name"] = "Someone Else"  # edited after it was hashed
    load(old_database, events)

    with pytest.raises(RuntimeError, match="broken at event 5: its content was changed"):
        upgrade(old_database)

    with old_database.connect() as connection:
        names = connection.execute(sa.text("SELECT actor_name FROM audit_event ORDER BY seq"))
        assert [n for (n,) in names] == [e["actor_name"] for e in events]
    old_database.dispose()


def test_down_again_gives_one_plain_chain_that_the_old_code_verifies(
    old_database: sa.Engine,
) -> None:
    events = old_chain()
    load(old_database, events)
    upgrade(old_database)

    config = alembic_config()
    with old_database.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, BEFORE)

    with old_database.connect() as connection:
        stored = [
            dict(r._mapping)
            for r in connection.execute(
                sa.text(f"SELECT {', '.join(COLUMNS)} FROM audit_event ORDER BY seq")
            )
        ]
        head = tuple(connection.execute(sa.text("SELECT seq, hash FROM audit_head")).one())
    prev = GENESIS
    for event in stored:
        when = event["occurred_at"]
        if isinstance(when, str):
            when = datetime.fromisoformat(when)
        event["occurred_at"] = when if when.tzinfo else when.replace(tzinfo=UTC)
        assert event["prev_hash"] == prev and old_hash(event) == event["hash"]
        prev = event["hash"]
    assert [e["actor_name"] for e in stored] == [e["actor_name"] for e in events]
    assert head == (len(events), prev)
    old_database.dispose()
