"""Use-cases of an assessment: start it, answer it, estimate its workload, view its results.

Each takes a session and an actor, does one unit of work and flushes; the caller (the request,
or a CLI command) owns the transaction and commits it."""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import Session

from assessments.drafting import queries as version_queries
from assessments.drafting.contributors import note_contribution
from assessments.kernel import audit
from assessments.kernel.actors import Actor, Role, require, require_sight
from assessments.kernel.errors import Conflict, InvalidTransition, StaleVersion
from assessments.models import (
    Assessment,
    AssessmentVersion,
    Policy,
    VersionStatus,
)
from assessments.policies import queries as policy_queries
from assessments.rubrics import queries as rubric_queries


def start_assessment(
    *, session: Session, actor: Actor, policy_id: int, rubric_id: str
) -> AssessmentVersion:
    """Start version 1 of a policy's impact assessment against the latest published rubric."""
    policy = policy_queries.get_policy(session, policy_id, for_update=True)  # a double click waits
    require(
        actor,
        Role.AUTHOR,
        trust_id=policy.trust_id,
        school_id=policy.school_id,
        what=f"policy {policy_id}",
    )
    if version_queries.assessment_for_policy(session, policy_id) is not None:
        raise Conflict(f"{policy.reference} already has an impact assessment")
    rubric_row = rubric_queries.latest_published_rubric(session, rubric_id)
    if rubric_row is None:
        raise Conflict(f"No version of rubric {rubric_id!r} has been published yet")
    assessment = Assessment(policy_id=policy_id)
    session.add(assessment)
    session.flush()
    assert assessment.id is not None and rubric_row.id is not None
    version = AssessmentVersion(
        assessment_id=assessment.id,
        trust_id=policy.trust_id,
        school_id=policy.school_id,
        number=1,
        rubric_version_id=rubric_row.id,
        status=VersionStatus.DRAFT,
        author=actor.name,
        author_user_id=actor.user_id,
    )
    session.add(version)
    session.flush()
    note_contribution(session, actor, version)
    rubric = f"{rubric_id}@{rubric_row.version}"
    audit.record(
        session,
        actor,
        entity="assessment_version",
        entity_id=version.id,
        action="started",
        details={"policy_id": policy_id, "number": 1, "rubric": rubric},
    )
    return version


def version_seen(
    session: Session, actor: Actor, version_id: int, *, for_update: bool = False
) -> tuple[AssessmentVersion, Policy]:
    version = version_queries.get_version(session, version_id, for_update=for_update)
    policy = version_queries.policy_of_version(session, version)
    require_sight(
        actor,
        trust_id=policy.trust_id,
        school_id=policy.school_id,
        what=f"assessment version {version_id}",
    )
    return version, policy


def editable_version(session: Session, actor: Actor, version_id: int) -> AssessmentVersion:
    # Locked, so two saves to one version run one after the other: neither can insert the same
    # answer twice, nor pass the revision check on a row the other is changing.
    version, policy = version_seen(session, actor, version_id, for_update=True)
    require(
        actor,
        Role.AUTHOR,
        trust_id=policy.trust_id,
        school_id=policy.school_id,
        what=f"assessment version {version_id}",
    )
    if not version.editable:
        raise InvalidTransition(
            f"Version {version.number} is {version.status.value} and can no longer be changed"
        )
    return version


NO_REVISION = 0  # what a form holds for something not yet saved


def check_revision(current: int, expected: int | None) -> None:
    if expected is not None and expected != current:
        raise StaleVersion(
            "Someone else changed this after you opened it. "
            "Your input is kept below: check the latest version and save again."
        )


def _audit_edit(
    session: Session,
    actor: Actor,
    entity: str,
    version_id: int,
    what: dict[str, str],
    before: Mapping[str, object],
    after: Mapping[str, object],
) -> None:
    """One audit event for a draft's answer or estimate saved or cleared, before and after."""
    audit.record(
        session,
        actor,
        entity=entity,
        entity_id=version_id,
        action="cleared" if not after else "saved",
        details={"version_id": version_id, **what, **audit.changes(before, after)},
    )
