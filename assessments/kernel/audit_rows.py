"""The audit trail's rows read as the database holds them, whatever someone wrote there: each
row is checked column by column, so an unreadable one is a problem to report, not an error."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

COLUMNS = (
    "chain",
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
    "key_id",
)


EVENTS = sa.text(
    f"SELECT {', '.join(COLUMNS)} FROM audit_event WHERE chain = :chain ORDER BY seq"  # noqa: S608 - constants only
)


HEAD = sa.text("SELECT seq, hash FROM audit_head WHERE chain = :chain")


_HEX64 = re.compile(r"[0-9a-f]{64}")


_HEX16 = re.compile(r"[0-9a-f]{16}")


@dataclass(frozen=True)
class EventRow:
    """One event, every column of the type it should have."""

    chain: int
    seq: int
    occurred_at: datetime
    trust_id: int | None
    actor_user_id: int | None
    actor_name: str
    entity: str
    entity_id: int | None
    action: str
    changes: str
    prev_hash: str
    hash: str
    key_id: str


class Unreadable(ValueError):
    """A row or a column that is not what the trail writes."""


def _integer(value: Any, column: str, *, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if type(value) is not int:  # not bool, not text that looks like a number
        raise Unreadable(f"its {column} is {value!r}, not a whole number")
    return value


def _text(value: Any, column: str, pattern: re.Pattern[str] | None = None) -> str:
    if type(value) is not str or (pattern is not None and not pattern.fullmatch(value)):
        raise Unreadable(f"its {column} is {str(value)[:80]!r}, which the trail never writes")
    return value


def _time(value: Any) -> datetime:
    if isinstance(value, str):  # SQLite keeps text
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise Unreadable(f"its time is {value[:80]!r}, not a timestamp") from None
    if not isinstance(value, datetime):
        raise Unreadable(f"its time is {value!r}, not a timestamp")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _changes(value: Any) -> str:
    text = _text(value, "changes")
    try:
        json.loads(text)
    except ValueError:
        raise Unreadable(f"its changes are not valid JSON: {text[:80]!r}") from None
    return text


def event_row(raw: Sequence[Any]) -> EventRow:
    """The row, or Unreadable naming the first column that is not what the trail writes."""
    values = dict(zip(COLUMNS, raw, strict=True))
    chain = _integer(values["chain"], "chain")
    seq = _integer(values["seq"], "sequence number")
    assert chain is not None and seq is not None
    return EventRow(
        chain=chain,
        seq=seq,
        occurred_at=_time(values["occurred_at"]),
        trust_id=_integer(values["trust_id"], "trust", optional=True),
        actor_user_id=_integer(values["actor_user_id"], "actor's id", optional=True),
        actor_name=_text(values["actor_name"], "actor's name"),
        entity=_text(values["entity"], "entity"),
        entity_id=_integer(values["entity_id"], "entity's id", optional=True),
        action=_text(values["action"], "action"),
        changes=_changes(values["changes"]),
        prev_hash=_text(values["prev_hash"], "previous MAC", _HEX64),
        hash=_text(values["hash"], "MAC", _HEX64),
        key_id=_text(values["key_id"], "key id", _HEX16),
    )


def head_row(raw: Sequence[Any] | None, genesis: str) -> tuple[int, str]:
    """A chain's head (seq, MAC): the empty chain's if it has none; Unreadable if garbled."""
    if raw is None:
        return 0, genesis
    seq = _integer(raw[0], "head's sequence number")
    assert seq is not None
    return seq, _text(raw[1], "head's MAC", _HEX64)
