"""A trust's first schedule from the policy catalogue: the policies the law asks of a trust of
its kind (each marked statutory) and those that drive staff workload, imported as a schedule
file would be, so that starting again changes nothing and the trust's own changes to them
(title, owner, cycle) are kept."""

from __future__ import annotations

from sqlmodel import Session

from assessments.kernel.actors import Actor
from assessments.models import PolicyCategory
from assessments.people import queries as people_queries
from assessments.policies.policy_catalogue import Catalogue, TrustKind, schedule_for
from assessments.policies.schedule_files import Row, Table
from assessments.policies.schedule_import import (
    Applied,
    Change,
    Plan,
    apply_import,
    plan_import,
)
from assessments.policies.schedule_rows import COLUMNS

FIRST_OWNER = "Headteacher"  # when the command line starts it: nobody signed in to own them


def catalogue_table(catalogue: Catalogue, kind: TrustKind, owner: str) -> Table:
    """The catalogue's entries for a trust of `kind` as the rows of a schedule file, owned by
    `owner` (an email or a name) until the trust says who owns each."""
    rows = [
        Row(
            line=number,
            cells={
                "reference": entry.id,
                "title": entry.title,
                "category": PolicyCategory.OTHER.value,
                "review_cycle_months": str(entry.review_every_years * 12),
                "owner": owner,
                "school": "",
                "next_review_date": "",
                "statutory": "yes" if entry.statutory else "no",
            },
        )
        for number, entry in enumerate(schedule_for(catalogue, kind), start=1)
    ]
    return Table(list(COLUMNS), rows)


def _owner(session: Session, actor: Actor) -> str:
    user = people_queries.get_user(session, actor.user_id) if actor.user_id else None
    return user.email if user is not None else FIRST_OWNER


def plan_start(*, session: Session, actor: Actor, catalogue: Catalogue, kind: TrustKind) -> Plan:
    """What starting from the catalogue would add or change; nothing is written."""
    table = catalogue_table(catalogue, kind, _owner(session, actor))
    return plan_import(session=session, actor=actor, table=table)


def start_from_catalogue(
    *, session: Session, actor: Actor, catalogue: Catalogue, kind: TrustKind
) -> Applied:
    """Add the catalogue's policies for a trust of `kind` to its schedule (those already there,
    by reference, are left as the trust has them)."""
    table = catalogue_table(catalogue, kind, _owner(session, actor))
    plan = plan_import(session=session, actor=actor, table=table)
    new = [
        row
        for row, planned in zip(table.rows, plan.rows, strict=True)
        if planned.change is Change.ADD
    ]
    kept = len(table.rows) - len(new)
    if not new:
        return Applied(added=0, updated=0, unchanged=kept)
    source = f"catalogue {catalogue.id} ({kind.value})"
    applied = apply_import(
        session=session, actor=actor, table=Table(table.columns, new), source=source
    )
    return Applied(added=applied.added, updated=0, unchanged=kept)
