"""Use-cases that put right what was entered wrongly about a policy: its title, owner,
category, school, review cycle, approving body and whether it is statutory. Each change is
audited. A policy whose assessment has been approved keeps its school: the approved record
names it."""

from __future__ import annotations

from sqlmodel import Session

from assessments.bodies.keeping import body_for_policy, require_body_change
from assessments.drafting import queries as version_queries
from assessments.drafting.editing import check_revision
from assessments.kernel import audit
from assessments.kernel.actors import Actor, Role, require
from assessments.kernel.errors import ValidationFailed
from assessments.models import Policy, VersionStatus
from assessments.people.directory import owner_named
from assessments.policies import queries as policy_queries
from assessments.policies.schemas import PolicyUpdate

CORRECTED = (
    "title",
    "category",
    "owner",
    "owner_user_id",
    "school_id",
    "review_cycle_months",
    "approving_body_id",
    "statutory",
)


def _check_school(session: Session, actor: Actor, policy: Policy, school_id: int | None) -> None:
    """A policy moves only to where the actor authors, and only before any approval."""
    if school_id is None:
        if not actor.holds(Role.AUTHOR, None):
            raise ValidationFailed(
                {"school_id": "Only trust-wide authors can make a policy trust-wide"}
            )
    else:
        school = policy_queries.get_school(session, school_id)
        if school is None or school.trust_id != policy.trust_id:
            raise ValidationFailed({"school_id": "Select one of the trust's schools"})
        if not actor.holds(Role.AUTHOR, school_id):
            raise ValidationFailed({"school_id": "Select one of your own schools"})
    assert policy.id is not None
    versions = version_queries.versions_of_policy(session, policy.id)
    if any(v.status in VersionStatus.APPROVED_ONCE for v in versions):
        raise ValidationFailed(
            {
                "school_id": "Its assessment has been approved for this school, and the record "
                "keeps it: add a new policy for the other school instead"
            }
        )
    for version in versions:  # versions carry their policy's school for the register
        version.school_id = school_id
        session.add(version)


def policy_to_correct(*, session: Session, actor: Actor, policy_id: int) -> Policy:
    """The policy, for someone who may correct it (its school's authors)."""
    policy = policy_queries.get_policy(session, policy_id)
    what = f"policy {policy_id}"
    require(actor, Role.AUTHOR, trust_id=policy.trust_id, school_id=policy.school_id, what=what)
    return policy


def update_policy(*, session: Session, actor: Actor, policy_id: int, data: PolicyUpdate) -> Policy:
    """Correct a policy's details (its school's authors, or trust-wide authors for a
    trust-wide policy); refused if someone else changed it since it was read."""
    policy = policy_queries.get_policy(session, policy_id, for_update=True)
    what = f"policy {policy_id}"
    require(actor, Role.AUTHOR, trust_id=policy.trust_id, school_id=policy.school_id, what=what)
    check_revision(policy.revision, data.expected_revision)
    owner, owner_user_id = owner_named(
        session, policy.trust_id, user_id=data.owner_user_id, name=data.owner
    )
    if data.school_id != policy.school_id:
        _check_school(session, actor, policy, data.school_id)
    # An API client that does not know of these fields leaves the policy's as they are.
    named = "approving_body_id" in data.model_fields_set
    said_statutory = "statutory" in data.model_fields_set and data.statutory is not None
    body_id = data.approving_body_id if named else policy.approving_body_id
    require_body_change(session, actor, policy_id, policy.approving_body_id, body_id)
    body_for_policy(session, trust_id=policy.trust_id, body_id=body_id, school_id=data.school_id)
    before = policy.model_dump(include=set(CORRECTED))
    changed = {
        **data.model_dump(include=set(CORRECTED)),
        "owner": owner,
        "owner_user_id": owner_user_id,
        "approving_body_id": body_id,
        "statutory": data.statutory if said_statutory else policy.statutory,
    }
    diff = audit.changes(before, changed)
    if not diff:
        return policy
    for name, value in changed.items():
        setattr(policy, name, value)
    policy.revision += 1
    session.add(policy)
    session.flush()
    audit.record(
        session,
        actor,
        entity="policy",
        entity_id=policy_id,
        action="corrected",
        details=diff,
        trust_id=policy.trust_id,
    )
    return policy
