"""The queries of assessments, their versions and what a version holds."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from assessments.kernel.errors import NotFound
from assessments.models import (
    Answer,
    Assessment,
    AssessmentVersion,
    MitigatingAction,
    Policy,
    VersionContributor,
    VersionStatus,
    WorkloadEstimate,
)
from assessments.policies.queries import get_policy


def assessment_for_policy(session: Session, policy_id: int) -> Assessment | None:
    return session.exec(select(Assessment).where(Assessment.policy_id == policy_id)).first()


def versions_of_policy(session: Session, policy_id: int) -> list[AssessmentVersion]:
    query = (
        select(AssessmentVersion)
        .join(Assessment, col(Assessment.id) == AssessmentVersion.assessment_id)
        .where(Assessment.policy_id == policy_id)
        .order_by(col(AssessmentVersion.number))
    )
    return list(session.exec(query))


def versions_of_assessment(session: Session, assessment_id: int) -> list[AssessmentVersion]:
    query = select(AssessmentVersion).where(AssessmentVersion.assessment_id == assessment_id)
    return list(session.exec(query.order_by(col(AssessmentVersion.number))))


def get_version(
    session: Session, version_id: int, *, for_update: bool = False
) -> AssessmentVersion:
    # for_update locks the row (PostgreSQL) and re-reads it, so writers to one version queue.
    version = session.get(
        AssessmentVersion, version_id, with_for_update=for_update, populate_existing=for_update
    )
    if version is None:
        raise NotFound(f"There is no assessment version {version_id}")
    return version


def policy_of_version(session: Session, version: AssessmentVersion) -> Policy:
    assessment = session.get(Assessment, version.assessment_id)
    assert assessment is not None  # guaranteed by the foreign key
    return get_policy(session, assessment.policy_id)


def answers_of_version(session: Session, version_id: int) -> dict[str, Answer]:
    rows = session.exec(select(Answer).where(Answer.version_id == version_id))
    return {row.question_id: row for row in rows}


def actions_of_version(session: Session, version_id: int) -> list[MitigatingAction]:
    query = select(MitigatingAction).where(MitigatingAction.version_id == version_id)
    return list(session.exec(query.order_by(col(MitigatingAction.id))))


def answer(session: Session, version_id: int, question_id: str) -> Answer | None:
    query = select(Answer).where(Answer.version_id == version_id, Answer.question_id == question_id)
    return session.exec(query).first()


def estimates_of_version(session: Session, version_id: int) -> dict[str, WorkloadEstimate]:
    rows = session.exec(select(WorkloadEstimate).where(WorkloadEstimate.version_id == version_id))
    return {row.staff_group: row for row in rows}


def estimate(session: Session, version_id: int, staff_group: str) -> WorkloadEstimate | None:
    query = select(WorkloadEstimate).where(
        WorkloadEstimate.version_id == version_id, WorkloadEstimate.staff_group == staff_group
    )
    return session.exec(query).first()


def contributors_of(session: Session, version_id: int) -> list[VersionContributor]:
    """A version's contributors, in the order they first contributed."""
    query = select(VersionContributor).where(VersionContributor.version_id == version_id)
    order = (col(VersionContributor.first_contributed_at), col(VersionContributor.id))
    return list(session.exec(query.order_by(*order)))


def has_contributor(session: Session, version: AssessmentVersion, user_id: int) -> bool:
    query = select(VersionContributor.id).where(
        VersionContributor.version_id == version.id, VersionContributor.user_id == user_id
    )
    return session.exec(query).first() is not None


def get_action(session: Session, action_id: int) -> MitigatingAction | None:
    return session.get(MitigatingAction, action_id)


def submitted_in_trust(
    session: Session, trust_id: int, *, not_by: int | None
) -> list[tuple[AssessmentVersion, Policy]]:
    """The trust's submitted versions and their policies, oldest submission first; with
    `not_by`, leaving out those that person started or contributed to."""
    query = (
        select(AssessmentVersion, Policy)
        .join(Assessment, col(Assessment.id) == AssessmentVersion.assessment_id)
        .join(Policy, col(Policy.id) == Assessment.policy_id)
        .where(col(Policy.trust_id) == trust_id)
        .where(col(AssessmentVersion.status).in_(sorted(VersionStatus.AWAITING_DECISION)))
        .order_by(col(AssessmentVersion.submitted_at))
    )
    if not_by is not None:  # what they prepared awaits someone else's decision
        theirs = select(VersionContributor.version_id).where(VersionContributor.user_id == not_by)
        query = query.where(
            col(AssessmentVersion.id).not_in(theirs),
            sa.or_(
                col(AssessmentVersion.author_user_id).is_(None),
                col(AssessmentVersion.author_user_id) != not_by,
            ),
        )
    return list(session.exec(query))
