"""The queries of the trust's policy schedule: every policy with its last decision and where
its assessment stands now, in one statement."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from assessments.models import (
    ApprovingBody,
    Assessment,
    AssessmentVersion,
    Policy,
    PolicyStatus,
    School,
    VersionStatus,
)


def schedule_rows(
    session: Session,
    trust_id: int,
    schools: frozenset[int] | None,
    *,
    school_id: int | None,
    due_before: date | None,
    text: str,
) -> list[Any]:
    """(policy, school name, last approval's time, its approver, the latest version's status,
    its approving body's name)
    for each of the trust's policies (trust-wide, and with `schools` only those schools'),
    by next review date (none last), then reference."""
    latest = (
        sa.select(
            col(AssessmentVersion.assessment_id).label("assessment_id"),
            sa.func.max(col(AssessmentVersion.number)).label("number"),
        )
        .where(col(AssessmentVersion.trust_id) == trust_id)
        .group_by(col(AssessmentVersion.assessment_id))
        .subquery()
    )
    approved = (
        sa.select(
            col(AssessmentVersion.assessment_id).label("assessment_id"),
            sa.func.max(col(AssessmentVersion.number)).label("number"),
        )
        .where(
            col(AssessmentVersion.trust_id) == trust_id,
            col(AssessmentVersion.status).in_(sorted(VersionStatus.APPROVED_ONCE)),
        )
        .group_by(col(AssessmentVersion.assessment_id))
        .subquery()
    )
    now: Any = sa.orm.aliased(AssessmentVersion)
    decided: Any = sa.orm.aliased(AssessmentVersion)
    query = (
        sa.select(
            Policy,
            col(School.name),
            decided.decided_at,
            decided.decided_by,
            now.status,
            col(ApprovingBody.name),
        )
        .outerjoin(School, col(School.id) == Policy.school_id)
        .outerjoin(ApprovingBody, col(ApprovingBody.id) == Policy.approving_body_id)
        .outerjoin(Assessment, col(Assessment.policy_id) == Policy.id)
        .outerjoin(latest, latest.c.assessment_id == Assessment.id)
        .outerjoin(
            now, (now.assessment_id == latest.c.assessment_id) & (now.number == latest.c.number)
        )
        .outerjoin(approved, approved.c.assessment_id == Assessment.id)
        .outerjoin(
            decided,
            (decided.assessment_id == approved.c.assessment_id)
            & (decided.number == approved.c.number),
        )
        .where(col(Policy.trust_id) == trust_id)
    )
    if schools is not None:
        query = query.where(col(Policy.school_id).is_(None) | col(Policy.school_id).in_(schools))
    if school_id is not None:
        query = query.where(col(Policy.school_id) == school_id)
    if due_before is not None:  # a retired policy is not reviewed
        query = query.where(
            col(Policy.next_review_date) < due_before, col(Policy.status) != PolicyStatus.RETIRED
        )
    if text:
        query = query.where(
            col(Policy.reference).icontains(text, autoescape=True)
            | col(Policy.title).icontains(text, autoescape=True)
            | col(Policy.owner).icontains(text, autoescape=True)
        )
    order = (
        col(Policy.next_review_date).is_(None),
        col(Policy.next_review_date),
        col(Policy.reference),
    )
    return list(session.execute(query.order_by(*order)))
