"""The Audit page: a trust's audit events, filtered by date, person, record and kind of event,
newest first in pages of 50, or streamed as CSV with every text cell made safe.

Only the trust's trust-wide auditors and admins may browse it, as only they may check the
chain: the trail names every school's records and people, so a role at one school does not
reach it (403)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from assessments.kernel import audit
from assessments.kernel.actors import Actor, Role, require, trust_of
from assessments.kernel.audit_rows import COLUMNS, Unreadable, event_row
from assessments.kernel.errors import ValidationFailed
from assessments.register import audit_queries as queries
from assessments.register.csv_cells import safe_text
from assessments.register.export import _csv as csv_text  # the register's CSV writer

PAGE_SIZE = 50
CSV_COLUMNS = ("seq", "occurred_at", "actor", "entity", "entity_id", "action", "details", "hash")
NAMED = "name:"  # a person's key for someone without an account (the command line): their name
REVERSED_RANGE = "The date to must be the same as or after the date from"
ID_WITHOUT_KIND = "Choose the kind of record as well as its number"
# Details that are lists of their own rather than a change's [before, after].
_PLAIN_LISTS = frozenset({("user", "grants"), ("user", "api_tokens_revoked")})


@dataclass(frozen=True)
class AuditFilter:
    occurred_from: date | None = None  # whole UTC days, inclusive
    occurred_to: date | None = None
    user_id: int | None = None  # who: someone with an account
    actor_name: str | None = None  # who: someone without one
    entity: str | None = None  # the kind of record: assessment_version, policy, …
    entity_id: int | None = None  # and which one
    action: str | None = None  # the kind of event: started, submitted, approved, …

    def problems(self) -> dict[str, str]:
        """What makes the filter mean nothing, by the field to show it next to."""
        problems = {}
        if self.occurred_from and self.occurred_to and self.occurred_from > self.occurred_to:
            problems["to"] = REVERSED_RANGE
        if self.entity_id is not None and self.entity is None:
            problems["record"] = ID_WITHOUT_KIND
        return problems


@dataclass(frozen=True)
class Detail:
    """One thing an event says: a field's change (before and after), or a plain value."""

    name: str  # empty for details that are not a field's
    after: str
    before: str | None = None  # for a change: what it was


@dataclass(frozen=True)
class AuditRow:
    seq: int
    occurred_at: datetime | None  # None: not a time the trail writes
    actor: str
    user_id: int | None
    entity: str
    entity_id: int | None
    action: str
    changes: str  # as stored: canonical JSON
    hash: str
    details: tuple[Detail, ...] = ()
    version_id: int | None = None  # the assessment version the event is part of, if any
    problem: str | None = None  # why the row cannot be read as the trail writes it

    @property
    def entity_label(self) -> str:
        return self.entity.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Person:
    """Someone who appears in the trail, as the person filter offers them."""

    key: str  # the filter's value: a user id, or NAMED + name
    name: str
    has_account: bool


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class AuditView:
    """The Audit page: the chain's verdict, one page of events, and what the filter offers."""

    verification: audit.Verification | None  # None for a page of results alone (htmx)
    result: AuditPage
    people: list[Person] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)


def require_trust_auditor(actor: Actor) -> int:
    """The actor's trust, for reading its audit trail: its trust-wide auditors and admins."""
    trust_id = trust_of(actor)
    if not (actor.holds(Role.AUDITOR, None) or actor.holds(Role.ADMIN, None)):
        require(actor, Role.AUDITOR, trust_id=trust_id, school_id=None, what="audit trail")
    return trust_id


def _checked(actor: Actor, chosen: AuditFilter) -> int:
    trust_id = require_trust_auditor(actor)
    if problems := chosen.problems():
        raise ValidationFailed(problems)
    return trust_id


def browse_events(*, session: Session, actor: Actor, chosen: AuditFilter, page: int) -> AuditPage:
    """One page of the trust's events under the filter, newest first, and how many match."""
    trust_id = _checked(actor, chosen)
    total = queries.count_events(session, trust_id, chosen)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    raw = queries.page_of_events(session, trust_id, chosen, size=PAGE_SIZE, page=page)
    return AuditPage([read_row(row) for row in raw], total, page, pages)


def audit_view(
    *, session: Session, actor: Actor, chosen: AuditFilter, page: int, whole_page: bool = True
) -> AuditView:
    """The Audit page: with `whole_page`, the chain verified and the filter's choices (people,
    kinds of record and of event that appear); always one page of events."""
    result = browse_events(session=session, actor=actor, chosen=chosen, page=page)
    if not whole_page:
        return AuditView(None, result)
    trust_id = trust_of(actor)
    return AuditView(
        verification=audit.check(session=session, actor=actor),
        result=result,
        people=_people(queries.people(session, trust_id)),
        entities=queries.distinct_values(session, trust_id, "entity"),
        actions=queries.distinct_values(session, trust_id, "action"),
    )


def event_rows(*, session: Session, actor: Actor, chosen: AuditFilter) -> Iterator[AuditRow]:
    """Every event of the trust under the filter, newest first, read in batches as consumed
    (refused at once, not at the first row, to anyone who may not read the trail)."""
    trust_id = _checked(actor, chosen)
    return map(read_row, queries.stream_events(session, trust_id, chosen))


def csv_lines(rows: Iterable[AuditRow]) -> Iterator[str]:
    """The events as CSV (CSV_COLUMNS): time in ISO UTC, details as the canonical JSON stored."""
    return csv_text(CSV_COLUMNS, map(_csv_cells, rows))


def _csv_cells(row: AuditRow) -> list[Any]:
    when = row.occurred_at.isoformat() if row.occurred_at else ""
    entity_id = "" if row.entity_id is None else row.entity_id
    texts = (row.actor, row.entity, row.action, row.changes, row.hash)
    actor, entity, action, details, hash_ = map(safe_text, texts)
    return [row.seq, when, actor, entity, entity_id, action, details, hash_]


def _people(found: Sequence[tuple[int | None, str, int]]) -> list[Person]:
    """Each person once: someone with an account by the name of their latest event."""
    latest: dict[str, tuple[int, Person]] = {}
    for user_id, name, last in found:
        key = NAMED + name if user_id is None else str(user_id)
        if key not in latest or latest[key][0] < last:
            latest[key] = (last, Person(key, name, user_id is not None))
    return sorted((p for _, p in latest.values()), key=lambda p: (p.name.casefold(), p.key))


def read_row(raw: Sequence[Any]) -> AuditRow:
    """An event as the page and the export show it; one someone garbled, as far as it reads."""
    try:
        event = event_row(raw)
    except Unreadable as exc:
        return _unreadable(raw, str(exc))
    details, version_id = _details(event.entity, event.changes)
    return AuditRow(
        seq=event.seq,
        occurred_at=event.occurred_at,
        actor=event.actor_name,
        user_id=event.actor_user_id,
        entity=event.entity,
        entity_id=event.entity_id,
        action=event.action,
        changes=event.changes,
        hash=event.hash,
        details=details,
        version_id=version_id,
    )


def _unreadable(raw: Sequence[Any], problem: str) -> AuditRow:
    values = dict(zip(COLUMNS, raw, strict=True))

    def text(name: str) -> str:
        return "" if values[name] is None else str(values[name])

    def number(name: str) -> int | None:
        return values[name] if type(values[name]) is int else None

    when = values["occurred_at"]
    return AuditRow(
        seq=number("seq") or 0,
        occurred_at=when if isinstance(when, datetime) else None,
        actor=text("actor_name"),
        user_id=number("actor_user_id"),
        entity=text("entity"),
        entity_id=number("entity_id"),
        action=text("action"),
        changes=text("changes"),
        hash=text("hash"),
        details=(Detail("", text("changes")),),
        problem=problem,
    )


def _details(entity: str, changes: str) -> tuple[tuple[Detail, ...], int | None]:
    """An event's details in words, and the version it names (`version_id`), if any."""
    data = json.loads(changes)  # event_row checked that it is JSON
    if not isinstance(data, dict):
        return (Detail("", _shown(data)),), None
    details = []
    for name, value in data.items():
        label = name.replace("_", " ")
        if isinstance(value, list) and len(value) == 2 and (entity, name) not in _PLAIN_LISTS:
            details.append(Detail(label, _shown(value[1]), _shown(value[0])))
        else:
            details.append(Detail(label, _shown(value)))
    version_id = data.get("version_id")
    return tuple(details), version_id if type(version_id) is int else None


def _shown(value: Any) -> str:
    """A recorded value as text: nothing as "none", empty text as "empty", text as it is, a
    list as its items, anything else as JSON."""
    if value is None or value == []:
        return "none"
    if value == "":
        return "empty"
    if isinstance(value, list):
        return ", ".join(map(_shown, value))
    return value if isinstance(value, str) else audit.canonical(value)
