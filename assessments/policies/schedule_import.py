"""Importing a trust's policy schedule: a preview of what each row of the file would do (add a
policy, update the one with its reference, or nothing), with every problem by line and column;
then, only when there is none, the whole file applied at once, audited. Importing the same file
again changes nothing, so it never duplicates a policy."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from enum import StrEnum

from sqlmodel import Session

from assessments.bodies import queries as body_queries
from assessments.drafting import queries as version_queries
from assessments.kernel import audit
from assessments.kernel.actors import Actor, Role, trust_of
from assessments.kernel.errors import NotAllowed, ValidationFailed
from assessments.models import Policy, PolicyStatus, User, utcnow
from assessments.people import queries as people_queries
from assessments.policies import queries as policy_queries
from assessments.policies.schedule_files import Table
from assessments.policies.schedule_rows import COLUMNS, REQUIRED, ReadRow, Trust, read_row

# What an import may set on a policy that is already there (its reference names it).
UPDATED = ("title", "category", "school_id", "owner", "owner_user_id", "review_cycle_months")


class Change(StrEnum):
    ADD = "add"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


@dataclass(frozen=True)
class PlannedRow:
    line: int
    reference: str
    change: Change
    problems: dict[str, str]  # column → what is wrong with its cell
    changed: tuple[str, ...] = ()  # an update's fields that change
    read: ReadRow | None = None


@dataclass(frozen=True)
class Plan:
    """What importing the file would do, or why it cannot be imported."""

    rows: list[PlannedRow]
    missing_columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def refused(self) -> list[PlannedRow]:
        return [row for row in self.rows if row.change is Change.REFUSED]

    @property
    def importable(self) -> bool:
        return not self.missing_columns and not self.refused

    def count(self, change: Change) -> int:
        return sum(1 for row in self.rows if row.change is change)


def may_keep_schedule(actor: Actor) -> bool:
    """Trust-wide authors (who may add a policy for any school) and the trust's admins."""
    return actor.holds(Role.AUTHOR, None) or actor.holds(Role.ADMIN, None)


def require_schedule_keeper(actor: Actor) -> int:
    """The actor's trust, once they may keep its policy schedule."""
    trust_id = trust_of(actor)
    if not may_keep_schedule(actor):
        raise NotAllowed("Importing the policy schedule is for trust-wide authors and admins")
    return trust_id


def plan_import(*, session: Session, actor: Actor, table: Table) -> Plan:
    """What importing `table` would change, row by row; nothing is written."""
    trust_id = require_schedule_keeper(actor)
    missing = [column for column in REQUIRED if column not in table.columns]
    ignored = [column for column in table.columns if column not in COLUMNS]
    if missing:
        return Plan([], missing, ignored)
    trust = _trust(session, trust_id)
    existing = policy_queries.policies_by_reference(session, trust_id)
    locked = policy_queries.policies_with_approval(session, trust_id)
    read = [read_row(row, trust) for row in table.rows]
    times = Counter(row.reference.casefold() for row in read if row.reference)
    body_schools = {body_id: school for body_id, school in trust.bodies.values()}
    deciding = policy_queries.policies_awaiting_decision(session, trust_id)
    rows = [_planned(row, existing, locked, times, body_schools, deciding) for row in read]
    return Plan(rows, missing, ignored)


def _trust(session: Session, trust_id: int) -> Trust:
    people = [u for u in people_queries.users_of_trust(session, trust_id) if not u.disabled]
    by_name: dict[str, list[User]] = {}
    for person in people:
        by_name.setdefault(person.name.casefold(), []).append(person)
    schools = policy_queries.list_schools(session, trust_id)
    bodies = body_queries.bodies_of_trust(session, trust_id)
    return Trust(
        schools={s.name.casefold(): s.id for s in schools if s.id is not None},
        bodies={b.name.casefold(): (b.id, b.school_id) for b in bodies if b.id is not None},
        people_by_email={person.email.casefold(): person for person in people},
        people_by_name=by_name,
    )


def _planned(
    row: ReadRow,
    existing: dict[str, Policy],
    locked: set[int],
    times: Counter[str],
    body_schools: dict[int, int | None],
    deciding: set[int],
) -> PlannedRow:
    problems = dict(row.problems)
    if row.reference and times[row.reference.casefold()] > 1:
        problems["reference"] = f"{row.reference} is in the file more than once"
    policy = existing.get(row.reference.casefold())
    details = row.details
    if problems or details is None:
        return PlannedRow(row.line, row.reference, Change.REFUSED, problems, read=row)
    if policy is None:
        return PlannedRow(row.line, row.reference, Change.ADD, {}, read=row)
    changed = tuple(name for name in UPDATED if getattr(policy, name) != _wanted(row, name))
    # These change only where the file says something of them.
    for name in ("next_review_date", "statutory", "approving_body_id"):
        wanted = _wanted(row, name)
        if wanted is not None and wanted != getattr(policy, name):
            changed += (name,)
    if "school_id" in changed and policy.id in locked:
        problems["school"] = (
            "Its assessment was approved for another school, and the record keeps it: give "
            "the policy for this school a reference of its own"
        )
        return PlannedRow(row.line, row.reference, Change.REFUSED, problems, read=row)
    if "approving_body_id" in changed and policy.id in deciding:
        problems["approving_body"] = (
            "A version of it awaits its approving body's decision: change who approves it "
            "once that version is decided or returned"
        )
        return PlannedRow(row.line, row.reference, Change.REFUSED, problems, read=row)
    kept_body = policy.approving_body_id if row.approving_body_id is None else None
    if kept_body is not None and body_schools.get(kept_body) not in (None, details.school_id):
        problems["school"] = (
            "Its approving body decides for its present school only: name its new school's "
            "body in the approving_body column"
        )
        return PlannedRow(row.line, row.reference, Change.REFUSED, problems, read=row)
    change = Change.UPDATE if changed else Change.UNCHANGED
    return PlannedRow(row.line, row.reference, change, {}, changed, row)


def _wanted(row: ReadRow, name: str) -> object:
    """What the row sets the policy's `name` to."""
    assert row.details is not None
    if name == "owner":
        return row.owner_name
    if name == "next_review_date":
        return row.next_review_date
    if name == "statutory":
        return row.statutory
    if name == "approving_body_id":
        return row.approving_body_id
    return getattr(row.details, name)


@dataclass(frozen=True)
class Applied:
    added: int
    updated: int
    unchanged: int


def apply_import(*, session: Session, actor: Actor, table: Table, source: str) -> Applied:
    """Import the whole file (`source` names it), or nothing: refused (ValidationFailed, by
    line) while any row has a problem. Every policy added or changed is audited, and the
    import itself."""
    plan = plan_import(session=session, actor=actor, table=table)
    if not plan.importable:
        raise ValidationFailed({"file": _refusal(plan)})
    trust_id = trust_of(actor)
    existing = policy_queries.policies_by_reference(session, trust_id, for_update=True)
    added = [_added(row.read) for row in plan.rows if row.change is Change.ADD]
    updates = [
        _update(session, existing[row.reference.casefold()], row)
        for row in plan.rows
        if row.change is Change.UPDATE
    ]
    session.flush()
    now = utcnow()  # thousands of rows at once: written in one statement, not one by one
    ids = policy_queries.insert_policies(
        session, trust_id, [{**values, "trust_id": trust_id, "created_at": now} for values in added]
    )
    applied = Applied(len(added), len(updates), plan.count(Change.UNCHANGED))
    audit.record_many(
        session,
        actor,
        [
            *(
                ("policy", id_, "imported", audit.changes({}, values))
                for id_, values in zip(ids, added, strict=True)
            ),
            *(("policy", p.id, "updated by import", changes) for p, changes in updates),
            ("policy_schedule", None, "imported", {"file": source, **asdict(applied)}),
        ],
    )
    return applied


def _refusal(plan: Plan) -> str:
    if plan.missing_columns:
        return "The file has no column " + ", ".join(plan.missing_columns)
    first = plan.refused[0]
    count = len(plan.refused)
    return (
        f"{count} row{'s' if count != 1 else ''} cannot be imported (the first, line "
        f"{first.line}: {next(iter(first.problems.values()))}): nothing was imported"
    )


def _added(read: ReadRow | None) -> dict[str, object]:
    """A new policy's columns (but its trust and time), as the row gives them."""
    assert read is not None and read.details is not None
    details = read.details
    return {
        "reference": details.reference,
        "title": details.title,
        "category": details.category,
        "owner": read.owner_name,
        "owner_user_id": details.owner_user_id,
        "school_id": details.school_id,
        "review_cycle_months": details.review_cycle_months,
        "next_review_date": read.next_review_date,
        "status": PolicyStatus.IN_FORCE,  # a schedule lists the policies a trust has
        "statutory": bool(read.statutory),
        "approving_body_id": read.approving_body_id,
        "revision": 1,
    }


def _update(
    session: Session, policy: Policy, row: PlannedRow
) -> tuple[Policy, dict[str, list[object]]]:
    """The policy as the row changes it, and what changed, for the audit trail."""
    assert row.read is not None and policy.id is not None
    before = policy.model_dump(include=set(row.changed))
    for name in row.changed:
        setattr(policy, name, _wanted(row.read, name))
    if "school_id" in row.changed:  # its versions carry its school, for the register
        for version in version_queries.versions_of_policy(session, policy.id):
            version.school_id = policy.school_id
            session.add(version)
    policy.revision += 1
    session.add(policy)
    return policy, audit.changes(before, policy.model_dump(include=set(row.changed)))
