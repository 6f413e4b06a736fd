"""Use-cases of what is assessed: the trust's schools, its policies, and the published rubrics.

Each takes a session and an actor, does one unit of work and flushes; the caller owns the
transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from assessments import audit, repository
from assessments.actors import (
    Actor,
    Role,
    require_sight,
    require_trust_admin,
    trust_of,
)
from assessments.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from assessments.models import AssessmentVersion, Policy, RubricVersion, School
from assessments.rubric import Rubric, canonical_json
from assessments.schemas import PolicyCreate

MAX_SCHOOL_NAME = 200  # the column's length
NOT_TRUST_WIDE_AUTHOR = "Select one of your schools: trust-wide policies are for trust-wide authors"


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
    """Add a school to the actor's trust (its admins only). With `if_missing`, a name already
    there is skipped (None)."""
    trust_id = require_trust_admin(actor)
    name = name.strip()
    if not 0 < len(name) <= MAX_SCHOOL_NAME:
        raise ValidationFailed(
            {"name": f"Enter the school's name, up to {MAX_SCHOOL_NAME} characters"}
        )
    name_taken = ValidationFailed({"name": f"A school called {name!r} already exists"})
    if repository.school_by_name(session, trust_id, name) is not None:
        if if_missing:
            return None
        raise name_taken
    school = School(trust_id=trust_id, name=name)
    repository.insert_unique(session, school, name_taken)
    audit.record(
        session, actor, entity="school", entity_id=school.id, action="created",
        details={"name": name}, trust_id=trust_id,
    )  # fmt: skip
    return school


def school_named(*, session: Session, actor: Actor, name: str) -> School:
    """The school of the actor's trust with this name."""
    school = repository.school_by_name(session, trust_of(actor), name.strip())
    if school is None or not actor.sees(school.trust_id, school.id):
        raise NotFound(f"There is no school called {name.strip()!r}")
    return school


def create_policy(*, session: Session, actor: Actor, data: PolicyCreate) -> Policy:
    """Record a new or existing policy that is to be assessed (authors of its school, or
    trust-wide authors for a trust-wide policy)."""
    trust_id = trust_of(actor)
    _require_some_author_role(actor)
    if data.school_id is None and not actor.holds(Role.AUTHOR, None):
        raise ValidationFailed({"school_id": NOT_TRUST_WIDE_AUTHOR})
    if data.school_id is not None:
        school = repository.get_school(session, data.school_id)
        if school is None or not actor.holds(Role.AUTHOR, school.id) or school.trust_id != trust_id:
            raise ValidationFailed({"school_id": "Select one of your schools, or trust-wide"})
    reference_taken = ValidationFailed(
        {"reference": f"A policy with reference {data.reference} already exists"}
    )
    if repository.policy_by_reference(session, trust_id, data.reference) is not None:
        raise reference_taken
    policy = Policy.model_validate(data, update={"trust_id": trust_id})
    repository.insert_unique(session, policy, reference_taken)
    audit.record(
        session, actor, entity="policy", entity_id=policy.id, action="created",
        details=audit.changes({}, policy.model_dump(exclude={"id", "trust_id", "created_at"})),
    )  # fmt: skip
    return policy


def list_schools(*, session: Session, actor: Actor) -> list[School]:
    """The schools of the actor's trust that the actor sees, by name."""
    return repository.list_schools(session, trust_of(actor), only=actor.schools_seen())


def schools_for_new_policy(*, session: Session, actor: Actor) -> list[School]:
    """The schools where the actor may add a policy; refused to someone who may add none."""
    _require_some_author_role(actor)
    schools = list_schools(session=session, actor=actor)
    return [school for school in schools if actor.holds(Role.AUTHOR, school.id)]


def _require_some_author_role(actor: Actor) -> None:
    if not actor.has_role(Role.AUTHOR):
        raise NotAllowed("You need the author role to add a policy")


@dataclass(frozen=True)
class PolicyListing:
    policy: Policy
    school: School | None  # None for a trust-wide policy


def list_policies(*, session: Session, actor: Actor) -> list[PolicyListing]:
    """The policies the actor sees, by reference, with their schools."""
    trust_id = trust_of(actor)
    if not actor.sees(trust_id, None):  # someone left with no role sees nothing at all
        return []
    schools = {school.id: school for school in repository.list_schools(session, trust_id)}
    return [
        PolicyListing(policy, schools.get(policy.school_id) if policy.school_id else None)
        for policy in repository.list_policies(session, trust_id, actor.schools_seen())
    ]


@dataclass(frozen=True)
class PolicyView:
    policy: Policy
    school: School | None
    versions: list[AssessmentVersion]
    can_start_assessment: bool  # no assessment yet, a rubric to start it on, and an author


def view_policy(*, session: Session, actor: Actor, policy_id: int, rubric_id: str) -> PolicyView:
    """One policy with its assessment versions, and whether the actor can start its assessment."""
    policy = repository.get_policy(session, policy_id)
    require_sight(
        actor, trust_id=policy.trust_id, school_id=policy.school_id, what=f"policy {policy_id}"
    )
    versions = repository.versions_of_policy(session, policy_id)
    return PolicyView(
        policy=policy,
        school=repository.get_school(session, policy.school_id) if policy.school_id else None,
        versions=versions,
        can_start_assessment=not versions
        and actor.holds(Role.AUTHOR, policy.school_id)
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
