"""The world the authorization matrix runs in: a trust with two schools, one person per role,
and another trust whose people hold every role there."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session

from assessments import mitigation, people, service
from assessments.actors import Actor, Grant, Role
from assessments.models import AssessmentVersion, Policy, RoleGrant, School, User
from assessments.schemas import WorkloadEstimateSave
from tests.factories import (
    AUTHOR,
    LOCAL_TRUST_ID,
    make_api_token,
    make_draft,
    make_policy,
    make_school,
)

# Who asks. The author holds the role at the school whose records are asked for.
ROLES = (
    "author",
    "author at another school",
    "approver",
    "auditor",
    "admin",
    "anonymous",
    "another trust",
)


@dataclass(frozen=True)
class World:
    north: School  # the records' school
    policy: Policy  # North's, with a draft assessment
    fresh_policy: Policy  # North's, not assessed yet
    draft: AssessmentVersion
    actors: dict[str, Actor]  # role → actor (no "anonymous")
    authors_token_id: int  # one of the author's API tokens
    action_id: int  # a mitigating action of the draft
    tokens: dict[str, str]  # role → an API token secret of theirs

    @property
    def author_user_id(self) -> int:
        user_id = self.actors["author"].user_id
        assert user_id is not None
        return user_id


def _person(session: Session, trust_id: int, name: str, *grants: Grant) -> Actor:
    # Rows as `people.create_user` writes them, without paying for an Argon2 hash per test:
    # these people never sign in with a password (the matrix gives them sessions directly).
    email = name.lower().replace(" ", ".") + "@matrix.example"
    user = User(trust_id=trust_id, email=email, name=name, password_hash="!")
    session.add(user)
    session.flush()
    assert user.id is not None
    session.add_all(RoleGrant(user_id=user.id, role=g.role, school_id=g.school_id) for g in grants)
    session.flush()
    return people.actor_of(session, user)


def make_world(session: Session) -> World:
    north, south = make_school(session, "North School"), make_school(session, "South School")
    draft = make_draft(session, reference="MX-001", school_id=north.id)
    assert draft.id is not None
    service.save_workload_estimate(
        session=session,
        actor=AUTHOR,
        version_id=draft.id,
        staff_group="teachers",
        data=WorkloadEstimateSave(hours_per_term=Decimal(1), staff_count=10),
    )
    action = mitigation.add_action(
        session=session, actor=AUTHOR, version_id=draft.id,
        data=mitigation.ActionSave(
            description="Stop the weekly report", question_ids=["what-is-stopped"],
            owner="Deputy Head", residual_impact=1,
        ),
    )  # fmt: skip
    assert action.id is not None
    other_trust = people.create_trust(session=session, name="Another Trust")
    assert other_trust.id is not None
    actors = {
        "author": _person(session, LOCAL_TRUST_ID, "Nadia North", Grant(Role.AUTHOR, north.id)),
        "author at another school": _person(
            session, LOCAL_TRUST_ID, "Sol South", Grant(Role.AUTHOR, south.id)
        ),
        "approver": _person(session, LOCAL_TRUST_ID, "Ama Approver", Grant(Role.APPROVER)),
        "auditor": _person(session, LOCAL_TRUST_ID, "Aud Auditor", Grant(Role.AUDITOR)),
        "admin": _person(session, LOCAL_TRUST_ID, "Adi Admin", Grant(Role.ADMIN)),
        "another trust": _person(
            session, other_trust.id, "Otto Other", *(Grant(role) for role in Role)
        ),
    }
    tokens = {role: make_api_token(session, actor) for role, actor in actors.items()}
    authors_tokens = people.list_api_tokens(session=session, actor=actors["author"])
    assert authors_tokens[0].id is not None
    fresh_policy = make_policy(session, reference="MX-002", school_id=north.id)
    session.commit()
    return World(
        north=north,
        policy=service.view_assessment(session=session, actor=AUTHOR, version_id=draft.id).policy,
        fresh_policy=fresh_policy,
        draft=draft,
        actors=actors,
        authors_token_id=authors_tokens[0].id,
        action_id=action.id,
        tokens=tokens,
    )
