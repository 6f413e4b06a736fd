"""A demo trust to try the service with: two schools, one person per role, and (once a rubric
is published) an approved assessment and a draft.

For development only (the command line refuses elsewhere): everyone shares one published
password, so that `make run` can print how to sign in every time it starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session

from assessments.drafting import answering, editing, mitigation, version_view, workload
from assessments.drafting.schemas import AnswerSave, WorkloadEstimateSave
from assessments.kernel.actors import Actor, Grant, Role
from assessments.people import accounts, queries as people_queries
from assessments.policies import catalogue, trust_schools
from assessments.policies.schemas import PolicyCreate
from assessments.rubrics import queries as rubric_queries
from assessments.rubrics.schema import AnswerKind, Rubric
from assessments.workflow import transitions as workflow

TRUST = "Demo Learning Trust"


SCHOOLS = ("Northfield Primary School", "Riverside Academy")


# An approved assessment and a draft (references no test or walk-through uses).
DEMO_POLICIES = (("MK-001", "Marking and feedback policy"), ("MT-002", "Staff meetings policy"))


# The approved one's workload: (staff group, hours a term each, staff): more for teachers, less
# for teaching assistants.
DEMO_WORKLOAD = (("teachers", "1.5", 24), ("teaching-assistants", "-0.5", 10))


PASSWORD = "demo-wellbeing-charter-2026"  # noqa: S105 - the demo's published password


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    role: Role
    school: str | None  # None: trust-wide


PEOPLE = (
    DemoPerson("admin@demo-trust.example", "Ada Admin", Role.ADMIN, None),
    DemoPerson("author@demo-trust.example", "Alex Author", Role.AUTHOR, SCHOOLS[0]),
    DemoPerson("author.riverside@demo-trust.example", "Rita Rivers", Role.AUTHOR, SCHOOLS[1]),
    DemoPerson("approver@demo-trust.example", "Priya Approver", Role.APPROVER, None),
    DemoPerson("auditor@demo-trust.example", "Omar Auditor", Role.AUDITOR, None),
)


def _answer_everything(session: Session, actor: Actor, version_id: int, rubric: Rubric) -> None:
    """Middling answers (the second option of each choice), as a first real assessment."""
    for question in rubric.questions():
        match question.kind:
            case AnswerKind.CHOICE:
                value = question.options[min(1, len(question.options) - 1)].value
            case AnswerKind.YES_NO:
                value = "no"
            case AnswerKind.NUMBER:
                value = "1"
            case _:
                value = "Discussed with the staff wellbeing group."
        answering.save_answer(
            session=session,
            actor=actor,
            version_id=version_id,
            question_id=question.id,
            data=AnswerSave(value=value),
        )


def _seed_assessments(session: Session, rubric_id: str) -> None:
    """An approved assessment and a draft, so the register and the approvals have something."""

    trust = accounts.trust_named(session=session, name=TRUST)
    assert trust is not None and trust.id is not None
    trust_id = trust.id

    def actor(email: str) -> Actor:
        user = people_queries.user_by_email(session, email, trust_id=trust_id)
        assert user is not None
        return accounts.actor_of(session, user)

    author, approver = actor(PEOPLE[1].email), actor(PEOPLE[3].email)
    school = trust_schools.school_named(session=session, actor=author, name=SCHOOLS[0])
    for reference, title in DEMO_POLICIES:
        data = PolicyCreate(
            reference=reference,
            title=title,
            category="teaching-and-learning",
            owner_user_id=author.user_id,
            school_id=school.id,
            review_cycle_months=24,
        )
        policy = catalogue.create_policy(session=session, actor=author, data=data)
        assert policy.id is not None
        version = editing.start_assessment(
            session=session, actor=author, policy_id=policy.id, rubric_id=rubric_id
        )
        assert version.id is not None
        if reference != DEMO_POLICIES[0][0]:
            continue  # the second stays a draft
        view = version_view.view_assessment(session=session, actor=author, version_id=version.id)
        _answer_everything(session, author, version.id, view.rubric)
        view = version_view.view_assessment(session=session, actor=author, version_id=version.id)
        flagged = [flag.question.id for flag in view.results.flagged]
        if flagged:
            mitigation.add_action(
                session=session,
                actor=author,
                version_id=version.id,
                data=mitigation.ActionSave(
                    description="Drop the termly written report that the new log replaces",
                    question_ids=flagged,
                    owner_user_id=author.user_id,  # on their home page once approved
                    residual_impact=1,
                ),
            )
        for group, hours, staff in DEMO_WORKLOAD:  # so the home page has hours to chart
            workload.save_workload_estimate(
                session=session,
                actor=author,
                version_id=version.id,
                staff_group=group,
                data=WorkloadEstimateSave(hours_per_term=Decimal(hours), staff_count=staff),
            )
        workflow.submit(session=session, actor=author, version_id=version.id)
        workflow.approve(session=session, actor=approver, version_id=version.id)


def seed_demo(*, session: Session, rubric_id: str | None = None) -> tuple[DemoPerson, ...]:
    """Make whatever part of the demo trust is missing; returns the people who can sign in."""
    if accounts.trust_named(session=session, name=TRUST) is None:
        accounts.create_trust(session=session, name=TRUST)
    operator = accounts.operator_of_trust(session=session, trust_name=TRUST)
    assert operator.trust_id is not None
    for name in SCHOOLS:
        trust_schools.create_school(session=session, actor=operator, name=name, if_missing=True)
    for person in PEOPLE:
        if people_queries.user_by_email(session, person.email, trust_id=operator.trust_id):
            continue
        school_id = None
        if person.school is not None:
            school_id = trust_schools.school_named(
                session=session, actor=operator, name=person.school
            ).id
        accounts.create_user(
            session=session,
            actor=operator,
            trust_id=operator.trust_id,
            email=person.email,
            name=person.name,
            password=PASSWORD,
            grants=[Grant(person.role, school_id)],
        )
    published = rubric_id and rubric_queries.latest_published_rubric(session, rubric_id)
    if published and not catalogue.list_policies(session=session, actor=operator):
        _seed_assessments(session, rubric_id or "")
    return PEOPLE
