"""Who says which body approves a policy, and when: the trust's admins and trust-wide authors,
who keep its schedule, never a school's authors (who would choose who decides on their own
work), and never while a version of the policy awaits a decision (its body is deciding)."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from assessments.bodies.keeping import BODY_KEEPERS
from assessments.drafting import queries as version_queries
from assessments.kernel.errors import ValidationFailed
from assessments.models import VersionStatus
from assessments.policies import catalogue, corrections
from assessments.policies.schedule_files import read_schedule
from assessments.policies.schedule_import import Change, plan_import
from assessments.policies.schemas import PolicyCreate
from assessments.workflow import transitions as workflow
from tests.assessments.body_cases import (
    add_body,
    add_members,
    cast,
    correction,
    submitted_to,
)
from tests.factories.people import Cast
from tests.factories.trusts import AUTHOR, make_policy
from tests.factories.versions import version

__all__ = ["cast"]  # the fixture

AWAITING = "A version of it awaits a decision: change who approves it once that version is"


def test_a_schools_author_adds_a_policy_but_does_not_choose_its_body(
    session: Session, cast: Cast
) -> None:
    body = add_body(session)
    data = PolicyCreate(
        reference="OAK-1",
        title="Homework policy",
        category="other",
        owner="Head",
        school_id=cast.school.id,
        review_cycle_months=12,
        approving_body_id=body.id,
    )

    with pytest.raises(ValidationFailed) as refused:
        catalogue.create_policy(session=session, actor=cast.author, data=data)

    assert refused.value.errors == {"approving_body_id": BODY_KEEPERS}
    plain = data.model_copy(update={"approving_body_id": None})
    assert catalogue.create_policy(session=session, actor=cast.author, data=plain).id


def test_a_schools_author_corrects_a_policy_but_not_its_body(session: Session, cast: Cast) -> None:
    body, other = add_body(session), add_body(session, "Finance committee")
    policy = make_policy(session, school_id=cast.school.id, approving_body_id=body.id)
    assert policy.id is not None

    kept = corrections.update_policy(
        session=session,
        actor=cast.author,
        policy_id=policy.id,
        data=correction(policy, title="Homework"),
    )
    assert (kept.title, kept.approving_body_id) == ("Homework", body.id)
    with pytest.raises(ValidationFailed) as refused:
        corrections.update_policy(
            session=session,
            actor=cast.author,
            policy_id=policy.id,
            data=correction(kept, approving_body_id=other.id),
        )

    assert refused.value.errors == {"approving_body_id": BODY_KEEPERS}
    moved = corrections.update_policy(
        session=session,
        actor=AUTHOR,  # a trust-wide author (and admin)
        policy_id=policy.id,
        data=correction(kept, approving_body_id=other.id),
    )
    assert moved.approving_body_id == other.id


@pytest.mark.usefixtures("rubric_published")
def test_nobody_changes_the_body_while_a_version_awaits_its_decision(
    session: Session, cast: Cast
) -> None:
    """Else an author could take a version from a board deciding by all its members to one
    approver who had not yet seen it."""
    body = add_body(session, rule="all")
    add_members(session, body, cast.approver)
    version_id = submitted_to(session, cast, body)
    policy = version_queries.policy_of_version(session, version(session, version_id))
    assert policy.id is not None

    with pytest.raises(ValidationFailed) as refused:
        corrections.update_policy(
            session=session,
            actor=AUTHOR,
            policy_id=policy.id,
            data=correction(policy, approving_body_id=None),
        )
    table = read_schedule(
        (
            "reference,title,category,review_cycle_months,owner,approving_body\r\n"
            f"{policy.reference},{policy.title},other,12,Head,Finance committee\r\n"
        ).encode(),
        "schedule.csv",
    )
    add_body(session, "Finance committee")
    planned = plan_import(session=session, actor=AUTHOR, table=table).rows[0]

    assert refused.value.errors["approving_body_id"].startswith(AWAITING)
    assert planned.change is Change.REFUSED
    assert "awaits its approving body's decision" in planned.problems["approving_body"]
    workflow.return_version(
        session=session, actor=cast.approver, version_id=version_id, reason="Say more"
    )
    cleared = corrections.update_policy(
        session=session,
        actor=AUTHOR,
        policy_id=policy.id,
        data=correction(policy, approving_body_id=None),
    )
    assert cleared.approving_body_id is None
    assert version(session, version_id).status is VersionStatus.RETURNED
