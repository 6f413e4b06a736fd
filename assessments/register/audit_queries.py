"""The Audit page's queries: a trust's audit events matching a filter, newest first, counted,
paged or streamed, and the people, records and kinds of event its chain holds.

Rows are read as the database holds them (no column types applied), so a row someone garbled
is shown as unreadable rather than failing the page (see audit_rows)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import Session, col

from assessments.kernel.audit_rows import COLUMNS
from assessments.models import AuditEvent

if TYPE_CHECKING:
    from assessments.register.audit_trail import AuditFilter

# Every column, untyped: SQLite keeps times as text, and one that is not a time must not stop
# the page from being read.
_RAW = [sa.type_coerce(col(getattr(AuditEvent, name)), sa.types.NullType()) for name in COLUMNS]


def _in_trust(query: Any, trust_id: int) -> Any:
    """`query` over the trust's own chain (its primary key orders it) and its own events."""
    return query.where(col(AuditEvent.chain) == trust_id, col(AuditEvent.trust_id) == trust_id)


def _matching(query: Any, trust_id: int, chosen: AuditFilter) -> Any:
    query = _in_trust(query, trust_id)
    if chosen.occurred_from is not None:
        start = datetime.combine(chosen.occurred_from, time.min, tzinfo=UTC)
        query = query.where(col(AuditEvent.occurred_at) >= start)
    if chosen.occurred_to is not None:  # the whole of that day
        end = datetime.combine(chosen.occurred_to + timedelta(days=1), time.min, tzinfo=UTC)
        query = query.where(col(AuditEvent.occurred_at) < end)
    if chosen.user_id is not None:
        query = query.where(col(AuditEvent.actor_user_id) == chosen.user_id)
    if chosen.actor_name is not None:  # someone without an account, such as the command line
        query = query.where(
            col(AuditEvent.actor_name) == chosen.actor_name, col(AuditEvent.actor_user_id).is_(None)
        )
    if chosen.entity is not None:
        query = query.where(col(AuditEvent.entity) == chosen.entity)
    if chosen.entity_id is not None:
        query = query.where(col(AuditEvent.entity_id) == chosen.entity_id)
    if chosen.action is not None:
        query = query.where(col(AuditEvent.action) == chosen.action)
    return query


def _events(trust_id: int, chosen: AuditFilter) -> Any:
    query = sa.select(*_RAW).select_from(AuditEvent)
    return _matching(query, trust_id, chosen).order_by(col(AuditEvent.seq).desc())


def count_events(session: Session, trust_id: int, chosen: AuditFilter) -> int:
    query = _matching(sa.select(sa.func.count()).select_from(AuditEvent), trust_id, chosen)
    total: int = session.execute(query).scalar_one()
    return total


def page_of_events(
    session: Session, trust_id: int, chosen: AuditFilter, *, size: int, page: int
) -> list[Sequence[Any]]:
    """One page of matching events, newest first, each its COLUMNS as stored."""
    query = _events(trust_id, chosen).limit(size).offset((page - 1) * size)
    return [tuple(row) for row in session.connection().execute(query)]


def stream_events(session: Session, trust_id: int, chosen: AuditFilter) -> Iterator[Sequence[Any]]:
    """Every matching event, newest first, read in batches as they are consumed."""
    query = _events(trust_id, chosen).execution_options(yield_per=500)
    with session.connection().execute(query) as result:  # closed too if the reader stops
        yield from result


def people(session: Session, trust_id: int) -> list[tuple[int | None, str, int]]:
    """(user id, name, last seq with that name) of everyone who appears in the trust's chain."""
    seq = sa.func.max(col(AuditEvent.seq))
    query = _in_trust(
        sa.select(col(AuditEvent.actor_user_id), col(AuditEvent.actor_name), seq), trust_id
    ).group_by(col(AuditEvent.actor_user_id), col(AuditEvent.actor_name))
    return [(user_id, name, last) for user_id, name, last in session.execute(query)]


def distinct_values(session: Session, trust_id: int, column: str) -> list[str]:
    """The values of one text column (`entity` or `action`) in the trust's chain, sorted."""
    field = col(getattr(AuditEvent, column))
    query = _in_trust(sa.select(field).distinct(), trust_id).order_by(field)
    return [value for (value,) in session.execute(query) if isinstance(value, str)]
