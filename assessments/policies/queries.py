"""The queries of schools and policies."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from assessments.kernel.errors import NotFound
from assessments.models import (
    Assessment,
    AssessmentVersion,
    Policy,
    ScheduleUpload,
    School,
    VersionStatus,
)


def list_schools(
    session: Session, trust_id: int, only: frozenset[int] | None = None
) -> list[School]:
    """A trust's schools by name; with `only`, just those (None means every school)."""
    query = select(School).where(School.trust_id == trust_id)
    if only is not None:
        query = query.where(col(School.id).in_(only))
    return list(session.exec(query.order_by(col(School.name))))


def school_by_name(session: Session, trust_id: int, name: str) -> School | None:
    query = select(School).where(School.trust_id == trust_id, School.name == name)
    return session.exec(query).first()


def get_school(session: Session, school_id: int) -> School | None:
    return session.get(School, school_id)


def list_policies(
    session: Session, trust_id: int, schools: frozenset[int] | None = None, text: str = ""
) -> list[Policy]:
    """A trust's policies by reference: its trust-wide ones and, with `schools`, only those
    schools' own (None means every school's); with `text`, those whose reference, title or
    owner contains it (in any case; % and _ are only themselves)."""
    query = select(Policy).where(Policy.trust_id == trust_id)
    if schools is not None:
        query = query.where(col(Policy.school_id).is_(None) | col(Policy.school_id).in_(schools))
    if text:
        query = query.where(
            col(Policy.reference).icontains(text, autoescape=True)
            | col(Policy.title).icontains(text, autoescape=True)
            | col(Policy.owner).icontains(text, autoescape=True)
        )
    return list(session.exec(query.order_by(col(Policy.reference))))


def policy_by_reference(session: Session, trust_id: int, reference: str) -> Policy | None:
    query = select(Policy).where(Policy.trust_id == trust_id, Policy.reference == reference)
    return session.exec(query).first()


def get_policy(session: Session, policy_id: int, *, for_update: bool = False) -> Policy:
    policy = session.get(
        Policy, policy_id, with_for_update=for_update, populate_existing=for_update
    )
    if policy is None:
        raise NotFound(f"There is no policy {policy_id}")
    return policy


def policies_by_reference(
    session: Session, trust_id: int, *, for_update: bool = False
) -> dict[str, Policy]:
    """The trust's policies by their reference, casefolded (as an import matches them)."""
    query = select(Policy).where(Policy.trust_id == trust_id)
    if for_update:
        query = query.with_for_update()
    return {policy.reference.casefold(): policy for policy in session.exec(query)}


def policies_with_approval(session: Session, trust_id: int) -> set[int]:
    """The trust's policies whose assessment has a version approved (now or before)."""
    return _policies_with(session, trust_id, VersionStatus.APPROVED_ONCE)


def policies_awaiting_decision(session: Session, trust_id: int) -> set[int]:
    """The trust's policies whose assessment has a version submitted, awaiting a decision."""
    return _policies_with(session, trust_id, VersionStatus.AWAITING_DECISION)


def _policies_with(session: Session, trust_id: int, statuses: frozenset[VersionStatus]) -> set[int]:
    query = (
        select(Assessment.policy_id)
        .join(AssessmentVersion, col(AssessmentVersion.assessment_id) == Assessment.id)
        .where(
            AssessmentVersion.trust_id == trust_id,
            col(AssessmentVersion.status).in_(sorted(statuses)),
        )
        .distinct()
    )
    return set(session.exec(query))


def get_schedule_upload(
    session: Session, upload_id: int, *, for_update: bool = False
) -> ScheduleUpload | None:
    return session.get(
        ScheduleUpload, upload_id, with_for_update=for_update, populate_existing=for_update
    )


def forget_schedule_uploads(session: Session, before: datetime) -> None:
    """Remove the uploads made before `before` (imported or not: the policies keep the data)."""
    session.execute(sa.delete(ScheduleUpload).where(col(ScheduleUpload.uploaded_at) < before))


def insert_policies(session: Session, trust_id: int, rows: list[dict[str, object]]) -> list[int]:
    """Add the trust's policies (their columns, by name) in one statement; their ids, in the
    same order. (Plain executemany, then their ids by reference: an INSERT … RETURNING of
    thousands of rows, its results put back in order, took 30 times as long.)"""
    if not rows:
        return []
    connection = session.connection()
    connection.execute(sa.insert(Policy), rows)
    query = sa.select(col(Policy.reference), col(Policy.id)).where(col(Policy.trust_id) == trust_id)
    ids = {reference: id_ for reference, id_ in connection.execute(query) if id_ is not None}
    return [ids[str(row["reference"])] for row in rows]
