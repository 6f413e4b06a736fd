"""Use-cases of what is assessed: the trust's schools, its policies, and the published rubrics.

Each takes a session and an actor, does one unit of work and flushes; the caller owns the
transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from assessments import repository
from assessments.actors import Actor
from assessments.errors import Conflict, NotFound, ValidationFailed
from assessments.models import AssessmentVersion, Policy, RubricVersion, School
from assessments.rubric import Rubric, canonical_json
from assessments.schemas import PolicyCreate


def publish_rubric(*, session: Session, actor: Actor, rubric: Rubric) -> RubricVersion:
    """Store a frozen copy of a rubric version; publishing the same content again is a no-op."""
    digest = rubric.content_hash()
    existing = repository.published_rubric(session, rubric.id, rubric.version)
    if existing is not None:
        if existing.content_hash != digest:
            raise Conflict(
                f"Rubric {rubric.key} is already published with different content. "
                "Published versions are frozen: give the changed rubric a new version number."
            )
        return existing
    row = RubricVersion(
        rubric_id=rubric.id,
        version=rubric.version,
        title=rubric.title,
        content=canonical_json(rubric),
        content_hash=digest,
    )
    try:
        repository.insert_unique(
            session, row, Conflict("published at the same moment by another process")
        )
    except Conflict:
        # Several instances starting together all publish; the same content is not a clash.
        return publish_rubric(session=session, actor=actor, rubric=rubric)
    return row


def create_school(
    *, session: Session, actor: Actor, name: str, if_missing: bool = False
) -> School | None:
    """Add a school to the trust. With `if_missing`, a name already there is skipped (None)."""
    name = name.strip()
    if not name:
        raise ValidationFailed({"name": "Enter the school's name"})
    name_taken = ValidationFailed({"name": f"A school called {name!r} already exists"})
    if repository.school_by_name(session, name) is not None:
        if if_missing:
            return None
        raise name_taken
    school = School(name=name)
    repository.insert_unique(session, school, name_taken)
    return school


def school_named(*, session: Session, actor: Actor, name: str) -> School:
    """The school with this name."""
    school = repository.school_by_name(session, name.strip())
    if school is None:
        raise NotFound(f"There is no school called {name.strip()!r}")
    return school


def create_policy(*, session: Session, actor: Actor, data: PolicyCreate) -> Policy:
    """Record a new or existing policy that is to be assessed."""
    if data.school_id is not None and repository.get_school(session, data.school_id) is None:
        raise ValidationFailed({"school_id": "Select a school from the list, or trust-wide"})
    reference_taken = ValidationFailed(
        {"reference": f"A policy with reference {data.reference} already exists"}
    )
    if repository.policy_by_reference(session, data.reference) is not None:
        raise reference_taken
    policy = Policy.model_validate(data)
    repository.insert_unique(session, policy, reference_taken)
    return policy


def list_schools(*, session: Session, actor: Actor) -> list[School]:
    """The trust's schools, by name."""
    return repository.list_schools(session)


@dataclass(frozen=True)
class PolicyListing:
    policy: Policy
    school: School | None  # None for a trust-wide policy


def list_policies(*, session: Session, actor: Actor) -> list[PolicyListing]:
    """Every policy, by reference, with its school."""
    schools = {school.id: school for school in repository.list_schools(session)}
    return [
        PolicyListing(policy, schools.get(policy.school_id) if policy.school_id else None)
        for policy in repository.list_policies(session)
    ]


@dataclass(frozen=True)
class PolicyView:
    policy: Policy
    school: School | None
    versions: list[AssessmentVersion]
    can_start_assessment: bool  # no assessment yet, and a rubric to start it on


def view_policy(*, session: Session, actor: Actor, policy_id: int, rubric_id: str) -> PolicyView:
    """One policy with its assessment versions, and whether its assessment can be started."""
    policy = repository.get_policy(session, policy_id)
    versions = repository.versions_of_policy(session, policy_id)
    return PolicyView(
        policy=policy,
        school=repository.get_school(session, policy.school_id) if policy.school_id else None,
        versions=versions,
        can_start_assessment=not versions
        and repository.latest_published_rubric(session, rubric_id) is not None,
    )


def list_published_rubrics(*, session: Session, actor: Actor) -> list[RubricVersion]:
    """Every published rubric version, by id and version."""
    return repository.list_published_rubrics(session)


def published_rubric(*, session: Session, actor: Actor, rubric_id: str, version: int) -> Rubric:
    """The frozen content of one published rubric version."""
    row = repository.published_rubric(session, rubric_id, version)
    if row is None:
        raise NotFound(f"Rubric {rubric_id}@{version} has not been published")
    return repository.frozen_rubric(row)
