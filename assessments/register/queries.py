"""The register's queries: the versions an actor may see, matching a filter, sorted, counted,
paged or streamed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from assessments.kernel.actors import Actor, trust_of
from assessments.models import (
    Assessment,
    AssessmentVersion,
    Consultation,
    ConsultationInvitation,
    FormalConsultation,
    Policy,
    RubricVersion,
    School,
    VersionStatus,
)
from assessments.register.schemas import RegisterFilter, RegisterRow

SORTS = {
    "reference": col(Policy.reference),
    "title": col(Policy.title),
    "school": col(School.name),
    "status": col(AssessmentVersion.status),
    "score": col(AssessmentVersion.overall_score),
    "decided": col(AssessmentVersion.decided_at),
    "review-due": col(AssessmentVersion.review_due),
    "updated": col(AssessmentVersion.updated_at),
}


def _query(actor: Actor, chosen: RegisterFilter, today: date) -> Any:
    """The register's rows, each already a RegisterRow's fields in order (shaped by the
    database, so an export of 100,000 rows does no per-field work in Python), sorted."""
    status = col(AssessmentVersion.status)
    staff, formal = _staff_consulted(trust_of(actor)), _formally_consulted()
    query = sa.select(
        col(AssessmentVersion.id),
        col(Policy.reference),
        col(Policy.title),
        sa.func.coalesce(col(School.name), ""),
        col(AssessmentVersion.number),
        sa.type_coerce(status, sa.String),  # the plain value
        col(RubricVersion.rubric_id) + "@" + sa.cast(col(RubricVersion.version), sa.String),
        col(AssessmentVersion.overall_score),
        col(AssessmentVersion.rating),
        col(AssessmentVersion.rating_after),
        col(AssessmentVersion.net_hours_per_year),
        col(AssessmentVersion.open_actions),
        col(AssessmentVersion.author),
        # Who approved it; a returned version's decider did not.
        sa.case(
            (status.in_(sorted(VersionStatus.APPROVED_ONCE)), col(AssessmentVersion.decided_by)),
            else_="",
        ),
        col(AssessmentVersion.decided_at),
        col(AssessmentVersion.decision_reason),
        col(AssessmentVersion.review_due),
        sa.type_coerce(_overdue(today), sa.Boolean),
        col(AssessmentVersion.prepared_by),
        col(AssessmentVersion.rating_done),
        sa.type_coerce(col(AssessmentVersion.kind), sa.String),  # the plain value
        sa.type_coerce(
            staff.c.version_id.is_not(None) | formal.c.version_id.is_not(None), sa.Boolean
        ),
        sa.func.coalesce(staff.c.answered, 0),
        sa.case(
            (
                staff.c.invited > 0,
                (200 * staff.c.answered + staff.c.invited) // (2 * staff.c.invited),  # half up
            ),
            else_=None,
        ),
    ).select_from(AssessmentVersion)
    query = (
        _matching(with_policies(query), actor, chosen, today)
        .join(RubricVersion, col(RubricVersion.id) == AssessmentVersion.rubric_version_id)
        .outerjoin(School, col(School.id) == AssessmentVersion.school_id)
        .outerjoin(staff, staff.c.version_id == AssessmentVersion.id)
        .outerjoin(formal, formal.c.version_id == AssessmentVersion.id)
    )
    key = SORTS.get(chosen.sort, SORTS["reference"])
    order = key.desc() if chosen.descending else key.asc()
    return query.order_by(order, col(Policy.reference), col(AssessmentVersion.number))


def _staff_consulted(trust_id: int) -> Any:
    """Each of the trust's versions' staff consulted through the register: how many asked, how
    many answered (one pass over its invitations for the whole register, not one a row)."""
    answered = sa.case((col(ConsultationInvitation.answered), 1), else_=0)
    return (
        sa.select(
            col(Consultation.version_id).label("version_id"),
            sa.func.count().label("invited"),
            sa.func.sum(answered).label("answered"),
        )
        .join(
            ConsultationInvitation, col(ConsultationInvitation.consultation_id) == Consultation.id
        )
        .where(col(Consultation.trust_id) == trust_id)
        .group_by(col(Consultation.version_id))
        .subquery()
    )


def _formally_consulted() -> Any:
    """The versions with a formal consultation recorded."""
    return (
        sa.select(col(FormalConsultation.version_id).label("version_id"))
        .group_by(col(FormalConsultation.version_id))
        .subquery()
    )


def _count(actor: Actor, chosen: RegisterFilter, today: date) -> Any:
    """How many versions match. Joined to the policies only to search their text, so that
    one index range of the versions' own columns answers most filters."""
    query = sa.select(sa.func.count()).select_from(AssessmentVersion)
    if chosen.text.strip():
        query = with_policies(query)
    return _matching(query, actor, chosen, today)


def with_policies(query: Any) -> Any:
    """`query` over versions joined to their assessments' policies."""
    return query.join(Assessment, col(Assessment.id) == AssessmentVersion.assessment_id).join(
        Policy, col(Policy.id) == Assessment.policy_id
    )


def _overdue(today: date) -> Any:
    return sa.and_(
        col(AssessmentVersion.status) == VersionStatus.APPROVED.value,
        col(AssessmentVersion.review_due) < today,
    )


def in_sight(query: Any, actor: Actor) -> Any:
    """`query` over versions narrowed to those the actor may see: their trust's, and of those
    the trust-wide ones and their schools' (every school's with a trust-wide role)."""
    trust_id = trust_of(actor)
    school = col(AssessmentVersion.school_id)
    query = query.where(col(AssessmentVersion.trust_id) == trust_id)
    if not actor.sees(trust_id, None):
        return query.where(sa.false())
    if (schools := actor.schools_seen()) is not None:
        query = query.where(school.is_(None) | school.in_(schools))
    return query


def _matching(query: Any, actor: Actor, chosen: RegisterFilter, today: date) -> Any:
    """`query` over versions narrowed to those the actor may see that match the filter (a text
    search needs the query joined to the policies)."""
    query = in_sight(query, actor)
    school = col(AssessmentVersion.school_id)
    if chosen.school_id is not None:
        query = query.where(school == chosen.school_id)
    if chosen.status is not None:
        query = query.where(col(AssessmentVersion.status) == chosen.status)
    if chosen.rating:
        query = query.where(col(AssessmentVersion.rating) == chosen.rating)
    if chosen.kind is not None:
        query = query.where(col(AssessmentVersion.kind) == chosen.kind)
    if chosen.overdue:
        query = query.where(_overdue(today))
    if chosen.decided_from is not None:
        start = datetime.combine(chosen.decided_from, time.min, tzinfo=UTC)
        query = query.where(col(AssessmentVersion.decided_at) >= start)
    if chosen.decided_to is not None:  # the whole of that day
        end = datetime.combine(chosen.decided_to + timedelta(days=1), time.min, tzinfo=UTC)
        query = query.where(col(AssessmentVersion.decided_at) < end)
    if text := chosen.text.strip():
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            col(Policy.reference).ilike(pattern, escape="\\")
            | col(Policy.title).ilike(pattern, escape="\\")
            | col(AssessmentVersion.author).ilike(pattern, escape="\\")
            | col(AssessmentVersion.prepared_by).ilike(pattern, escape="\\")
        )
    return query


def page_of_rows(
    session: Session, actor: Actor, chosen: RegisterFilter, today: date, *, size: int, page: int
) -> list[RegisterRow]:
    query = _query(actor, chosen, today).limit(size).offset((page - 1) * size)
    return [RegisterRow._make(r) for r in session.execute(query)]


def count_rows(session: Session, actor: Actor, chosen: RegisterFilter, today: date) -> int:
    total: int = session.execute(_count(actor, chosen, today)).scalar_one()
    return total


def stream_rows(
    session: Session, actor: Actor, chosen: RegisterFilter, today: date
) -> Iterator[RegisterRow]:
    """Every matching row, read from the database in batches as they are consumed."""
    # On the session's connection, not the session: plain rows need none of the ORM's loading.
    query = _query(actor, chosen, today).execution_options(yield_per=500)
    with session.connection().execute(query) as result:  # closed too if the reader stops
        yield from map(RegisterRow._make, result)
