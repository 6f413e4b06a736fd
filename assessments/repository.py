"""Every database query of the domain lives here; use-cases and pages call these."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select

from assessments.actors import Role
from assessments.errors import DomainError, NotFound
from assessments.models import (
    Answer,
    ApiToken,
    Assessment,
    AssessmentVersion,
    MitigatingAction,
    Policy,
    RoleGrant,
    RubricVersion,
    School,
    SignInFailure,
    Trust,
    User,
    WebSession,
    WorkloadEstimate,
)
from assessments.rubric import Rubric


def insert_unique(session: Session, row: SQLModel, clash: DomainError) -> None:
    """Insert a row; if a concurrent transaction inserted the same unique key first, raise
    `clash` (a message for the user) instead of letting the database error become a 500."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise clash from None


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
    session: Session, trust_id: int, schools: frozenset[int] | None = None
) -> list[Policy]:
    """A trust's policies by reference: its trust-wide ones and, with `schools`, only those
    schools' own (None means every school's)."""
    query = select(Policy).where(Policy.trust_id == trust_id)
    if schools is not None:
        query = query.where(col(Policy.school_id).is_(None) | col(Policy.school_id).in_(schools))
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


def published_rubric(session: Session, rubric_id: str, version: int) -> RubricVersion | None:
    query = select(RubricVersion).where(
        RubricVersion.rubric_id == rubric_id, RubricVersion.version == version
    )
    return session.exec(query).first()


def list_published_rubrics(session: Session) -> list[RubricVersion]:
    query = select(RubricVersion).order_by(col(RubricVersion.rubric_id), col(RubricVersion.version))
    return list(session.exec(query))


def latest_published_rubric(session: Session, rubric_id: str) -> RubricVersion | None:
    query = (
        select(RubricVersion)
        .where(RubricVersion.rubric_id == rubric_id)
        .order_by(col(RubricVersion.version).desc())
    )
    return session.exec(query).first()


def rubric_of_version(session: Session, version: AssessmentVersion) -> Rubric:
    """The frozen rubric the version was answered against (never the YAML file of today)."""
    row = session.get(RubricVersion, version.rubric_version_id)
    assert row is not None  # guaranteed by the foreign key
    return frozen_rubric(row)


def frozen_rubric(row: RubricVersion) -> Rubric:
    return _parse_frozen(row.content)


_PUBLISHED: dict[str, Rubric] = {}  # by content hash: published content never changes


def published_rubrics(session: Session) -> list[Rubric]:
    """Every published rubric version, parsed. Once this process has parsed a version only its
    hash is read again: each register page asks, and the content is tens of kilobytes."""
    order = (col(RubricVersion.rubric_id), col(RubricVersion.version))
    hashes = session.exec(select(RubricVersion.content_hash).order_by(*order)).all()
    if unknown := [h for h in hashes if h not in _PUBLISHED]:
        query = select(RubricVersion).where(col(RubricVersion.content_hash).in_(unknown))
        _PUBLISHED.update((row.content_hash, frozen_rubric(row)) for row in session.exec(query))
    return [_PUBLISHED[h] for h in hashes]


@lru_cache(maxsize=32)
def _parse_frozen(content: str) -> Rubric:
    # Published content never changes, so its parsed form can be shared between requests.
    return Rubric.model_validate_json(content)


# People


def get_trust(session: Session, trust_id: int) -> Trust | None:
    return session.get(Trust, trust_id)


def list_trusts(session: Session) -> list[Trust]:
    return list(session.exec(select(Trust).order_by(col(Trust.name))))


def trust_by_name(session: Session, name: str) -> Trust | None:
    return session.exec(select(Trust).where(Trust.name == name)).first()


def get_user(session: Session, user_id: int, *, for_update: bool = False) -> User | None:
    return session.get(User, user_id, with_for_update=for_update, populate_existing=for_update)


def user_by_email(session: Session, email: str, *, trust_id: int) -> User | None:
    query = select(User).where(User.trust_id == trust_id, User.email == email)
    return session.exec(query).first()


def users_by_email(session: Session, email: str) -> list[User]:
    """The accounts of one email, one per trust at most, oldest first."""
    return list(session.exec(select(User).where(User.email == email).order_by(col(User.id))))


def most_accounts_per_email(session: Session) -> int:
    """The most accounts any one email has (at least 1): how many hashes a sign-in checks."""
    count = sa.func.count().label("accounts")
    query = select(count).select_from(User).group_by(col(User.email)).order_by(count.desc())
    return max(1, session.exec(query.limit(1)).first() or 0)


def trust_names(session: Session, trust_ids: list[int]) -> dict[int, str]:
    rows = session.exec(select(Trust.id, Trust.name).where(col(Trust.id).in_(trust_ids)))
    return {trust_id: name for trust_id, name in rows if trust_id is not None}


def sign_in_failure_times(
    session: Session,
    *,
    since: datetime,
    limit: int,
    email_key: str | None = None,
    client_address: str | None = None,
) -> list[datetime]:
    """When the latest failures after `since` (up to `limit`, newest first) for an email or an
    address were."""
    query = select(SignInFailure.occurred_at).where(col(SignInFailure.occurred_at) > since)
    if email_key is not None:
        query = query.where(SignInFailure.email_key == email_key)
    if client_address is not None:
        query = query.where(SignInFailure.client_address == client_address)
    order = col(SignInFailure.occurred_at).desc()
    return list(session.exec(query.order_by(order).limit(limit)))


def forget_sign_in_failures(
    session: Session, *, email_key: str | None = None, before: datetime | None = None
) -> None:
    """Delete an email's failures, or every failure older than `before`."""
    query = sa.delete(SignInFailure)
    if email_key is not None:
        query = query.where(col(SignInFailure.email_key) == email_key)
    if before is not None:
        query = query.where(col(SignInFailure.occurred_at) < before)
    session.execute(query)


def users_of_trust(session: Session, trust_id: int) -> list[User]:
    query = select(User).where(User.trust_id == trust_id).order_by(col(User.name))
    return list(session.exec(query))


def grants_of_user(session: Session, user_id: int) -> list[RoleGrant]:
    return list(session.exec(select(RoleGrant).where(RoleGrant.user_id == user_id)))


def web_session(session: Session, digest: str) -> WebSession | None:
    return session.get(WebSession, digest)


def web_session_with_user(
    session: Session, digest: str
) -> tuple[WebSession, User, list[tuple[Role, int | None]]] | None:
    """A session, its user and the user's grants (role, school), in one query: every signed-in
    request asks, and on PostgreSQL each query is a round trip."""
    query = (
        select(WebSession, User, RoleGrant.role, RoleGrant.school_id)
        .join(User, col(User.id) == WebSession.user_id)
        .outerjoin(RoleGrant, col(RoleGrant.user_id) == User.id)
        .where(WebSession.id == digest)
    )
    rows = session.exec(query).all()
    if not rows:
        return None
    grants = [(Role(role), school_id) for _, _, role, school_id in rows if role is not None]
    return rows[0][0], rows[0][1], grants


def end_web_sessions(session: Session, user_id: int) -> None:
    session.execute(sa.delete(WebSession).where(col(WebSession.user_id) == user_id))


def api_token(session: Session, digest: str) -> ApiToken | None:
    return session.exec(select(ApiToken).where(ApiToken.token_hash == digest)).first()


def live_api_tokens_of_user(session: Session, user_id: int) -> list[ApiToken]:
    query = select(ApiToken).where(ApiToken.user_id == user_id, col(ApiToken.revoked_at).is_(None))
    return list(session.exec(query.order_by(col(ApiToken.id))))


def api_tokens_of_user(session: Session, user_id: int) -> list[ApiToken]:
    query = select(ApiToken).where(ApiToken.user_id == user_id).order_by(col(ApiToken.id))
    return list(session.exec(query))
