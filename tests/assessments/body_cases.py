"""What the approving bodies' tests share: the cast of a school, bodies added by the trust's
admin and their members, a body's record in the audit trail, and a version of a policy that
names a body, completed and submitted by the cast's author; correcting a body, and a policy's
details, at the revision each has."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import Session

from assessments.bodies import keeping
from assessments.bodies.schemas import BodyDetails
from assessments.kernel import audit
from assessments.kernel.actors import Actor, Grant, Role
from assessments.kernel.errors import ValidationFailed
from assessments.models import ApprovingBody, BodyKind, DecisionRule, Policy
from assessments.policies import corrections
from assessments.policies.schemas import PolicyUpdate
from assessments.workflow import transitions as workflow
from tests.factories.people import Cast, make_cast, make_person
from tests.factories.trusts import AUTHOR
from tests.factories.versions import complete_draft, draft_for

STANDARDS = "Standards committee"


@pytest.fixture
def cast(session: Session) -> Cast:
    return make_cast(session)


def details(
    name: str = STANDARDS,
    kind: BodyKind | str = BodyKind.COMMITTEE,
    *,
    school_id: int | None = None,
    rule: DecisionRule | str = DecisionRule.NUMBER,
    quorum: int = 2,
) -> BodyDetails:
    return BodyDetails.model_validate(
        {"name": name, "kind": kind, "school_id": school_id, "rule": rule, "quorum": quorum}
    )


def add_body(
    session: Session,
    name: str = STANDARDS,
    kind: BodyKind | str = BodyKind.COMMITTEE,
    *,
    actor: Actor = AUTHOR,
    **fields: Any,
) -> ApprovingBody:
    """A body added by the trust's admin (AUTHOR): by default a trust-wide committee that
    approves by two of its members."""
    return keeping.create_body(session=session, actor=actor, data=details(name, kind, **fields))


def id_of(body: ApprovingBody) -> int:
    assert body.id is not None
    return body.id


def user_of(person: Actor) -> int:
    assert person.user_id is not None
    return person.user_id


def add_members(session: Session, body: ApprovingBody, *people: Actor) -> None:
    for person in people:
        keeping.add_member(
            session=session, actor=AUTHOR, body_id=id_of(body), user_id=user_of(person)
        )


def member_names(session: Session, body: ApprovingBody) -> list[str]:
    view = keeping.view_body(session=session, actor=AUTHOR, body_id=id_of(body))
    return [user.name for user in view.members]


def body_trail(session: Session, body: ApprovingBody) -> list[tuple[str, Any]]:
    """(action, details) of each audit event of the body, oldest first."""
    return [
        (e.action, json.loads(e.changes))
        for e in audit.events_of(session, "approving_body", id_of(body))
    ]


def submitted_to(session: Session, cast: Cast, body: ApprovingBody) -> int:
    """Version 1 of a new policy of the cast's school that names `body`, completed and
    submitted by the cast's author; returns the version's id."""
    version_id = draft_for(session, cast, approving_body_id=body.id)
    complete_draft(session, cast.author, version_id)
    workflow.submit(session=session, actor=cast.author, version_id=version_id)
    return version_id


LGB = BodyKind.LOCAL_GOVERNING_BODY
GOVERNORS_ELSEWHERE = "Oak governors decides for one school only, not this policy's"


def correct_body(
    session: Session, body: ApprovingBody, actor: Actor = AUTHOR, **changes: Any
) -> ApprovingBody:
    """The body's details as they are, with `changes`, at the revision it has."""
    current: dict[str, Any] = {
        "name": body.name,
        "kind": body.kind,
        "school_id": body.school_id,
        "rule": body.rule,
        "quorum": body.quorum,
    }
    return keeping.update_body(
        session=session,
        actor=actor,
        body_id=id_of(body),
        data=details(**{**current, **changes}),
        expected_revision=body.revision,
    )


def refusal(error: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return error.value.errors


def correction(policy: Policy, **changes: Any) -> PolicyUpdate:
    """A correction of the policy saying nothing of its approving body, unless `changes` do."""
    current = policy.model_dump(
        include={"title", "category", "owner", "owner_user_id", "school_id", "review_cycle_months"}
    )
    return PolicyUpdate.model_validate({**current, "expected_revision": policy.revision, **changes})


def correct_policy(session: Session, policy: Policy, **changes: Any) -> Policy:
    assert policy.id is not None
    return corrections.update_policy(
        session=session, actor=AUTHOR, policy_id=policy.id, data=correction(policy, **changes)
    )


def policies_naming(session: Session, body: ApprovingBody) -> int:
    return keeping.view_body(session=session, actor=AUTHOR, body_id=id_of(body)).policies


def school_approver(session: Session, school_id: int | None, name: str = "Hana Here") -> Actor:
    return make_person(session, name, Grant(Role.APPROVER, school_id))
