"""Every use-case keeps to the actor's trust and roles: another trust's records, or a school's
where the actor has no role, are not found; records seen but not theirs to change are refused."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from assessments.drafting import answering, editing, version_view
from assessments.drafting.schemas import AnswerSave
from assessments.kernel.actors import Actor, Grant, Role
from assessments.kernel.errors import NotAllowed, NotFound, ValidationFailed
from assessments.models import AssessmentVersion, School
from assessments.people import accounts
from assessments.policies import catalogue, trust_schools
from assessments.policies.schemas import PolicyCreate
from tests.factories.trusts import AUTHOR, LOCAL_TRUST_ID, default_rubric, make_school
from tests.factories.versions import make_draft

pytestmark = pytest.mark.usefixtures("rubric_published")


def actor(*grants: Grant, trust_id: int = LOCAL_TRUST_ID) -> Actor:
    return Actor(name="Someone", trust_id=trust_id, grants=frozenset(grants))


def policy_data(reference: str, school: School | None = None) -> PolicyCreate:
    return PolicyCreate(
        reference=reference,
        title="Homework policy",
        category="teaching-and-learning",
        owner="Deputy Head",
        school_id=school.id if school else None,
        review_cycle_months=12,
    )


def first_choice(version: AssessmentVersion) -> tuple[str, AnswerSave]:
    question = next(q for q in default_rubric().questions() if q.kind.value == "choice")
    return question.id, AnswerSave(value=question.options[0].value)


def test_an_author_sees_their_schools_and_trust_wide_policies_only(session: Session) -> None:
    north, south = make_school(session, "North School"), make_school(session, "South School")
    author_north = actor(Grant(Role.AUTHOR, north.id))
    mine = catalogue.create_policy(
        session=session, actor=author_north, data=policy_data("N-1", north)
    )
    theirs = catalogue.create_policy(session=session, actor=AUTHOR, data=policy_data("S-1", south))
    shared = catalogue.create_policy(session=session, actor=AUTHOR, data=policy_data("T-1"))

    listed = [
        item.policy.reference
        for item in catalogue.list_policies(session=session, actor=author_north)
    ]

    assert listed == ["N-1", "T-1"]
    assert [s.name for s in trust_schools.list_schools(session=session, actor=author_north)] == [
        "North School"
    ]
    for seen in (mine, shared):
        assert seen.id is not None
        catalogue.view_policy(session=session, actor=author_north, policy_id=seen.id, rubric_id="x")
    assert theirs.id is not None
    with pytest.raises(NotFound):
        catalogue.view_policy(
            session=session, actor=author_north, policy_id=theirs.id, rubric_id="x"
        )


def test_an_author_adds_policies_only_where_they_are_an_author(session: Session) -> None:
    north, south = make_school(session, "North School"), make_school(session, "South School")
    author_north = actor(Grant(Role.AUTHOR, north.id))

    with pytest.raises(ValidationFailed) as other_school:
        catalogue.create_policy(session=session, actor=author_north, data=policy_data("S-2", south))
    assert other_school.value.errors == {"school_id": "Select one of your schools, or trust-wide"}
    with pytest.raises(ValidationFailed) as trust_wide:
        catalogue.create_policy(session=session, actor=author_north, data=policy_data("T-2"))
    assert trust_wide.value.errors == {"school_id": catalogue.NOT_TRUST_WIDE_AUTHOR}
    with pytest.raises(NotAllowed):
        catalogue.create_policy(
            session=session, actor=actor(Grant(Role.AUDITOR)), data=policy_data("T-3")
        )
    assert [
        s.name for s in trust_schools.schools_for_new_policy(session=session, actor=author_north)
    ] == ["North School"]
    with pytest.raises(NotAllowed):
        trust_schools.schools_for_new_policy(session=session, actor=actor(Grant(Role.APPROVER)))


def test_an_auditor_reads_an_assessment_but_cannot_change_it(session: Session) -> None:
    draft = make_draft(session)
    assert draft.id is not None
    auditor = actor(Grant(Role.AUDITOR))

    view = version_view.view_assessment(session=session, actor=auditor, version_id=draft.id)

    assert view.version.id == draft.id
    question_id, data = first_choice(draft)
    with pytest.raises(NotAllowed, match="author"):
        answering.save_answer(
            session=session, actor=auditor, version_id=draft.id, question_id=question_id, data=data
        )


def test_another_trust_finds_nothing_of_ours(session: Session) -> None:
    other = accounts.create_trust(session=session, name="Other Trust")
    assert other.id is not None
    outsider = actor(Grant(Role.ADMIN), Grant(Role.AUTHOR), trust_id=other.id)
    draft = make_draft(session)
    assert draft.id is not None
    policy = version_view.view_assessment(session=session, actor=AUTHOR, version_id=draft.id).policy
    assert policy.id is not None
    question_id, data = first_choice(draft)

    assert catalogue.list_policies(session=session, actor=outsider) == []
    assert trust_schools.list_schools(session=session, actor=outsider) == []
    with pytest.raises(NotFound):
        catalogue.view_policy(session=session, actor=outsider, policy_id=policy.id, rubric_id="x")
    with pytest.raises(NotFound):
        version_view.view_assessment(session=session, actor=outsider, version_id=draft.id)
    with pytest.raises(NotFound):
        answering.save_answer(
            session=session, actor=outsider, version_id=draft.id, question_id=question_id, data=data
        )
    with pytest.raises(NotFound):
        editing.start_assessment(
            session=session, actor=outsider, policy_id=policy.id, rubric_id=default_rubric().id
        )
    # Its own policy may use a reference we use: references are the trust's own.
    own = catalogue.create_policy(
        session=session, actor=outsider, data=policy_data(policy.reference)
    )
    assert own.trust_id == other.id


def test_someone_left_with_no_role_sees_no_policy(session: Session) -> None:
    catalogue.create_policy(session=session, actor=AUTHOR, data=policy_data("T-9"))  # trust-wide
    no_roles = actor()

    assert catalogue.list_policies(session=session, actor=no_roles) == []
    assert trust_schools.list_schools(session=session, actor=no_roles) == []
