"""Use-cases of what is assessed: the trust's schools, its policies, and the published rubrics.

Each takes a session and an actor, does one unit of work and flushes; the caller owns the
transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from assessments.bodies.keeping import body_for_policy, require_body_change
from assessments.bodies.quorum import approved_by
from assessments.drafting import queries as version_queries
from assessments.kernel import audit, db
from assessments.kernel.actors import Actor, Role, require_sight, trust_of
from assessments.kernel.errors import NotAllowed, ValidationFailed
from assessments.models import AssessmentVersion, Policy, School
from assessments.people.directory import owner_named
from assessments.policies import queries as policy_queries
from assessments.policies.schemas import PolicyCreate
from assessments.rubrics import queries as rubric_queries

NOT_TRUST_WIDE_AUTHOR = "Select one of your schools: trust-wide policies are for trust-wide authors"


def create_policy(*, session: Session, actor: Actor, data: PolicyCreate) -> Policy:
    """Record a new or existing policy that is to be assessed (authors of its school, or
    trust-wide authors for a trust-wide policy)."""
    trust_id = trust_of(actor)
    _require_some_author_role(actor)
    if data.school_id is None and not actor.holds(Role.AUTHOR, None):
        raise ValidationFailed({"school_id": NOT_TRUST_WIDE_AUTHOR})
    if data.school_id is not None:
        school = policy_queries.get_school(session, data.school_id)
        if school is None or not actor.holds(Role.AUTHOR, school.id) or school.trust_id != trust_id:
            raise ValidationFailed({"school_id": "Select one of your schools, or trust-wide"})
    reference_taken = ValidationFailed(
        {"reference": f"A policy with reference {data.reference} already exists"}
    )
    if policy_queries.policy_by_reference(session, trust_id, data.reference) is not None:
        raise reference_taken
    owner, owner_user_id = owner_named(
        session, trust_id, user_id=data.owner_user_id, name=data.owner
    )
    require_body_change(session, actor, None, None, data.approving_body_id)
    body_for_policy(
        session, trust_id=trust_id, body_id=data.approving_body_id, school_id=data.school_id
    )
    policy = Policy.model_validate(
        data,
        update={
            "trust_id": trust_id,
            "owner": owner,
            "owner_user_id": owner_user_id,
            "statutory": bool(data.statutory),
        },
    )
    db.insert_unique(session, policy, reference_taken)
    audit.record(
        session,
        actor,
        entity="policy",
        entity_id=policy.id,
        action="created",
        details=audit.changes({}, policy.model_dump(exclude={"id", "trust_id", "created_at"})),
    )
    return policy


def _require_some_author_role(actor: Actor) -> None:
    if not actor.has_role(Role.AUTHOR):
        raise NotAllowed("You need the author role to add a policy")


@dataclass(frozen=True)
class PolicyListing:
    policy: Policy
    school: School | None  # None for a trust-wide policy


MAX_SEARCH = 200


def list_policies(*, session: Session, actor: Actor, text: str = "") -> list[PolicyListing]:
    """The policies the actor sees, by reference, with their schools; with `text`, those it
    finds."""
    text = text.strip()
    if len(text) > MAX_SEARCH:
        raise ValidationFailed({"q": f"Search for up to {MAX_SEARCH} characters"})
    trust_id = trust_of(actor)
    if not actor.sees(trust_id, None):  # someone left with no role sees nothing at all
        return []
    schools = {school.id: school for school in policy_queries.list_schools(session, trust_id)}
    return [
        PolicyListing(policy, schools.get(policy.school_id) if policy.school_id else None)
        for policy in policy_queries.list_policies(session, trust_id, actor.schools_seen(), text)
    ]


@dataclass(frozen=True)
class PolicyView:
    policy: Policy
    school: School | None
    versions: list[AssessmentVersion]
    can_start_assessment: bool  # no assessment yet, a rubric to start it on, and an author
    may_correct: bool  # the viewer authors where the policy belongs
    approved_by: str  # who decides on its assessments, in words


def view_policy(*, session: Session, actor: Actor, policy_id: int, rubric_id: str) -> PolicyView:
    """One policy with its assessment versions, and whether the actor can start its assessment."""
    policy = policy_queries.get_policy(session, policy_id)
    require_sight(
        actor, trust_id=policy.trust_id, school_id=policy.school_id, what=f"policy {policy_id}"
    )
    versions = version_queries.versions_of_policy(session, policy_id)
    return PolicyView(
        policy=policy,
        school=policy_queries.get_school(session, policy.school_id) if policy.school_id else None,
        versions=versions,
        can_start_assessment=not versions
        and actor.holds(Role.AUTHOR, policy.school_id)
        and rubric_queries.latest_published_rubric(session, rubric_id) is not None,
        may_correct=actor.holds(Role.AUTHOR, policy.school_id),
        approved_by=approved_by(session, policy),
    )
