"""Putting right a policy's details, through the use-cases against the real database: its title,
category, owner and review cycle, corrected and audited by its school's authors only, and its
school, which its versions follow (and who may work on them) until one is approved."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, col, select

from assessments.kernel.actors import Actor, Grant, Role
from assessments.kernel.errors import NotAllowed, NotFound, StaleVersion, ValidationFailed
from assessments.models import Assessment, AssessmentVersion, Policy, Trust
from assessments.policies import corrections as policies, trust_schools
from assessments.policies.schemas import PolicyUpdate
from tests.assessments.cast_and_trail import cast, events
from tests.factories.people import Cast, make_person, operator_of
from tests.factories.trusts import AUTHOR, LOCAL_TRUST_ID, make_policy, make_school
from tests.factories.versions import make_draft, make_version

__all__ = ["cast"]  # the fixture


def details(policy: Policy, **changes: Any) -> PolicyUpdate:
    """The policy's details as they are, with `changes`, at the revision it has."""
    current = policy.model_dump(include=set(policies.CORRECTED))
    if current["owner_user_id"] is not None:
        current["owner"] = ""
    return PolicyUpdate.model_validate({**current, "expected_revision": policy.revision, **changes})


def correct(session: Session, actor: Actor, policy: Policy, **changes: Any) -> Policy:
    assert policy.id is not None
    return policies.update_policy(
        session=session, actor=actor, policy_id=policy.id, data=details(policy, **changes)
    )


def policy_of(session: Session, version: AssessmentVersion) -> Policy:
    assessment = session.get(Assessment, version.assessment_id)
    assert assessment is not None
    policy = session.get(Policy, assessment.policy_id)
    assert policy is not None
    return policy


def schools_of_versions(session: Session, policy: Policy) -> list[int | None]:
    """The school each of the policy's versions carries (the register filters by it)."""
    session.expire_all()
    query = (
        select(AssessmentVersion.school_id)
        .join(Assessment, col(Assessment.id) == col(AssessmentVersion.assessment_id))
        .where(col(Assessment.policy_id) == policy.id)
        .order_by(col(AssessmentVersion.number))
    )
    return list(session.exec(query))


def test_an_author_corrects_a_policys_details_and_the_change_is_audited(
    session: Session, cast: Cast
) -> None:
    policy = make_policy(
        session, title="Homework policy", owner="Deputy Head", school_id=cast.school.id
    )
    owner = make_person(session, "Olu Owner", Grant(Role.AUTHOR, cast.school.id))

    corrected = correct(
        session,
        cast.author,
        policy,
        title="Homework and home learning policy",
        category="teaching-and-learning",
        owner="",
        owner_user_id=owner.user_id,
        review_cycle_months=24,
    )

    assert (corrected.title, corrected.category, corrected.review_cycle_months) == (
        "Homework and home learning policy",
        "teaching-and-learning",
        24,
    )
    assert (corrected.owner, corrected.owner_user_id, corrected.revision) == (
        "Olu Owner",
        owner.user_id,
        2,
    )
    assert events(session, "policy", policy.id)[-1] == (
        "corrected",
        {
            "category": ["assessment-and-marking", "teaching-and-learning"],
            "owner": ["Deputy Head", "Olu Owner"],
            "owner_user_id": [None, owner.user_id],
            "review_cycle_months": [12, 24],
            "title": ["Homework policy", "Homework and home learning policy"],
        },
    )


def test_a_policy_unchanged_keeps_its_revision_and_a_stale_correction_is_refused(
    session: Session, cast: Cast
) -> None:
    policy = make_policy(session, school_id=cast.school.id)
    before = len(events(session, "policy", policy.id))
    assert correct(session, cast.author, policy).revision == 1
    assert len(events(session, "policy", policy.id)) == before

    correct(session, cast.second_author, policy, title="Their title")
    with pytest.raises(StaleVersion):
        correct(session, cast.author, policy, title="My title", expected_revision=1)

    session.refresh(policy)
    assert (policy.title, policy.revision) == ("Their title", 2)


@pytest.mark.usefixtures("rubric_published")
@pytest.mark.parametrize("status", ["draft", "submitted", "returned", "withdrawn"])
def test_a_policy_moves_school_with_its_versions_while_none_is_approved(
    session: Session, status: str
) -> None:
    north, south = make_school(session, "North School"), make_school(session, "South School")
    policy = policy_of(session, make_version(session, status, school_id=north.id))

    moved = correct(session, AUTHOR, policy, school_id=south.id)

    assert moved.school_id == south.id
    assert schools_of_versions(session, moved) == [south.id]
    assert events(session, "policy", policy.id)[-1] == (
        "corrected",
        {"school_id": [north.id, south.id]},
    )


@pytest.mark.usefixtures("rubric_published")
@pytest.mark.parametrize("status", ["approved", "superseded"])
def test_a_policy_keeps_its_school_once_its_assessment_has_been_approved(
    session: Session, status: str
) -> None:
    north, south = make_school(session, "North School"), make_school(session, "South School")
    policy = policy_of(session, make_version(session, status, school_id=north.id))
    versions_before = schools_of_versions(session, policy)

    with pytest.raises(ValidationFailed) as refused:
        correct(session, AUTHOR, policy, school_id=south.id, title="Moved policy")
    kept_title = correct(session, AUTHOR, policy, title="Renamed in place")  # the rest may change

    assert set(refused.value.errors) == {"school_id"}
    assert refused.value.errors["school_id"].startswith(
        "Its assessment has been approved for this school"
    )
    assert (kept_title.school_id, kept_title.title) == (north.id, "Renamed in place")
    assert (
        schools_of_versions(session, policy) == versions_before == [north.id] * len(versions_before)
    )


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("other school", "Select one of your own schools"),
        ("trust-wide", "Only trust-wide authors can make a policy trust-wide"),
        ("another trust's school", "Select one of the trust's schools"),
    ],
)
def test_a_policy_moves_only_to_a_school_of_the_trust_where_the_author_authors(
    session: Session, cast: Cast, where: str, message: str
) -> None:
    policy = make_policy(session, school_id=cast.school.id)
    other = Trust(name="Hillside trust")
    session.add(other)
    session.flush()
    hillside = trust_schools.create_school(
        session=session, actor=operator_of(other), name="Hillside Academy"
    )
    assert hillside is not None
    [other_grant] = cast.other_author.grants  # an author at another school of the trust
    target = {
        "other school": other_grant.school_id,
        "trust-wide": None,
        "another trust's school": hillside.id,
    }[where]

    with pytest.raises(ValidationFailed) as refused:
        correct(session, cast.author, policy, school_id=target)

    assert refused.value.errors == {"school_id": message}
    session.refresh(policy)
    assert (policy.school_id, policy.revision) == (cast.school.id, 1)


@pytest.mark.parametrize(
    ("who", "refusal"),
    [("approver", NotAllowed), ("auditor", NotAllowed), ("other_author", NotFound)],
)
def test_only_the_policys_schools_authors_may_correct_it(
    session: Session, cast: Cast, who: str, refusal: type[Exception]
) -> None:
    policy = make_policy(session, title="Homework policy", school_id=cast.school.id)

    with pytest.raises(refusal):
        correct(session, getattr(cast, who), policy, title="Not theirs")

    session.refresh(policy)
    assert (policy.title, policy.revision) == ("Homework policy", 1)


def test_a_trust_wide_policy_is_corrected_by_trust_wide_authors_only(
    session: Session, cast: Cast
) -> None:
    policy = make_policy(session, title="Attendance policy")  # trust-wide

    with pytest.raises(NotAllowed):
        correct(session, cast.author, policy, title="Not theirs")
    corrected = correct(session, AUTHOR, policy, title="Attendance and punctuality policy")

    assert (corrected.title, corrected.trust_id) == (
        "Attendance and punctuality policy",
        LOCAL_TRUST_ID,
    )


def test_an_owner_must_be_one_of_the_trusts_active_people(session: Session, cast: Cast) -> None:
    policy = make_policy(session, school_id=cast.school.id)
    elsewhere = Trust(name="Hillside trust")
    session.add(elsewhere)
    session.flush()
    assert elsewhere.id is not None
    outsider = make_person(session, "Out Sider", trust_id=elsewhere.id)

    with pytest.raises(ValidationFailed) as refused:
        correct(session, cast.author, policy, owner="", owner_user_id=outsider.user_id)

    assert refused.value.errors == {"owner": "Choose one of the trust's people"}
    session.refresh(policy)
    assert (policy.owner, policy.owner_user_id) == ("Deputy Headteacher", None)


def test_a_draft_policy_moved_by_its_author_lets_the_new_schools_authors_take_it_on(
    session: Session, rubric_published: None
) -> None:
    """Moving a policy moves who may work on it: its new school's authors, not its old's."""
    north, south = make_school(session, "North School"), make_school(session, "South School")
    both = make_person(
        session, "Bo Both", Grant(Role.AUTHOR, north.id), Grant(Role.AUTHOR, south.id)
    )
    north_only = make_person(session, "Nia North", Grant(Role.AUTHOR, north.id))
    south_only = make_person(session, "Sol South", Grant(Role.AUTHOR, south.id))
    policy = policy_of(session, make_draft(session, actor=both, school_id=north.id))

    moved = correct(session, both, policy, school_id=south.id)

    assert correct(session, south_only, moved, title="South's title").title == "South's title"
    with pytest.raises(NotFound):
        correct(session, north_only, moved, title="North's title")
