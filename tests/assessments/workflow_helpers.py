"""Shared helpers of the workflow and mitigation tests: the people of a school, answers of any
impact, drafts ready to submit, and what the audit trail recorded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session, col, select

from assessments.drafting import answering, version_view, workload
from assessments.drafting.mitigation import ActionSave, add_action, save_justification
from assessments.drafting.schemas import AnswerSave, WorkloadEstimateSave
from assessments.drafting.version_view import AssessmentView
from assessments.kernel.actors import Actor, Grant, Role
from assessments.models import ActionStatus, AssessmentVersion, AuditEvent, MitigatingAction, School
from assessments.rubrics.schema import AnswerKind, Question
from assessments.workflow import transitions as workflow
from tests.factories import (
    AUTHOR,
    default_rubric,
    make_draft,
    make_person,
    make_school,
)

RUBRIC = default_rubric()
QUESTIONS = {q.id: q for q in RUBRIC.questions()}
THRESHOLD = RUBRIC.mitigation_threshold
# Two questions whose worst answer is at or above the mitigation threshold.
FLAGGED = ("change-and-offset", "external-scrutiny-paperwork")


@dataclass(frozen=True)
class Cast:
    """A school and the people who work on its policies' assessments."""

    school: School
    author: Actor  # an author at the school
    second_author: Actor  # another author at the school
    author_approver: Actor  # an author at the school who is also a trust-wide approver
    approver: Actor  # a trust-wide approver
    auditor: Actor  # a trust-wide auditor
    other_author: Actor  # an author at another school of the trust


def make_cast(session: Session) -> Cast:
    school, other = make_school(session), make_school(session)
    return Cast(
        school=school,
        author=make_person(session, "Ann Author", Grant(Role.AUTHOR, school.id)),
        second_author=make_person(session, "Sam Second", Grant(Role.AUTHOR, school.id)),
        author_approver=make_person(
            session, "Bea Both", Grant(Role.AUTHOR, school.id), Grant(Role.APPROVER)
        ),
        approver=make_person(session, "Pat Approver", Grant(Role.APPROVER)),
        auditor=make_person(session, "Aud Auditor", Grant(Role.AUDITOR)),
        other_author=make_person(session, "Oli Other", Grant(Role.AUTHOR, other.id)),
    )


def draft_for(session: Session, cast: Cast, actor: Actor | None = None, **policy: object) -> int:
    """A new policy of the cast's school with version 1 of its assessment started by `actor`
    (the cast's author by default); returns the version's id."""
    version = make_draft(session, actor=actor or cast.author, school_id=cast.school.id, **policy)
    assert version.id is not None
    return version.id


def impact(question: Question, value: str) -> int:
    match question.kind:
        case AnswerKind.CHOICE:
            return next(o.impact for o in question.options if o.value == value)
        case AnswerKind.YES_NO:
            chosen = question.yes_impact if value == "yes" else question.no_impact
            assert chosen is not None
            return chosen
        case AnswerKind.NUMBER:
            return [s.impact for s in question.steps if Decimal(value) >= s.at_least][-1]
        case _:
            return 0


def _values(question: Question) -> list[str]:
    match question.kind:
        case AnswerKind.CHOICE:
            return [o.value for o in question.options]
        case AnswerKind.YES_NO:
            return ["yes", "no"]
        case AnswerKind.NUMBER:
            return [str(s.at_least) for s in question.steps]
        case _:
            return [f"What we found about {question.id}."]


def low_answer(question: Question) -> str:
    """The answer with the lowest impact (any text for a text question)."""
    return min(_values(question), key=lambda v: impact(question, v))


def high_answer(question: Question) -> str:
    """The answer with the highest impact."""
    return max(_values(question), key=lambda v: impact(question, v))


def save(session: Session, actor: Actor, version_id: int, question_id: str, value: str) -> None:
    answering.save_answer(
        session=session,
        actor=actor,
        version_id=version_id,
        question_id=question_id,
        data=AnswerSave(value=value),
    )


def answer_all(
    session: Session,
    actor: Actor,
    version_id: int,
    *,
    high: Sequence[str] = (),
    skip: Sequence[str] = (),
) -> None:
    """Answer every question: at its highest impact for `high`, its lowest for the rest."""
    for question in RUBRIC.questions():
        if question.id not in skip:
            pick = high_answer if question.id in high else low_answer
            save(session, actor, version_id, question.id, pick(question))


def action_data(
    question_ids: Sequence[str],
    *,
    residual: int = 0,
    status: ActionStatus = ActionStatus.PLANNED,
    description: str = "Stop the half-termly data drop to make room",
    expected_revision: int | None = None,
) -> ActionSave:
    return ActionSave(
        description=description,
        question_ids=list(question_ids),
        owner="Deputy Headteacher",
        status=status,
        residual_impact=residual,
        expected_revision=expected_revision,
    )


def add(
    session: Session,
    actor: Actor,
    version_id: int,
    question_ids: Sequence[str],
    *,
    residual: int = 0,
    status: ActionStatus = ActionStatus.PLANNED,
) -> MitigatingAction:
    data = action_data(question_ids, residual=residual, status=status)
    return add_action(session=session, actor=actor, version_id=version_id, data=data)


def complete_draft(
    session: Session, actor: Actor, version_id: int, *, flagged: Sequence[str] = FLAGGED
) -> AssessmentView:
    """Make a draft submittable: every question answered, `flagged` ones at their highest
    impact; the first of those gets an action, the others a written justification; and one
    workload estimate."""
    answer_all(session, actor, version_id, high=flagged)
    if flagged:
        add(session, actor, version_id, flagged[:1], residual=1)
    for question_id in flagged[1:]:
        save_justification(
            session=session,
            actor=actor,
            version_id=version_id,
            question_id=question_id,
            text="Already required by the exam board; nothing we can remove.",
        )
    workload.save_workload_estimate(
        session=session,
        actor=actor,
        version_id=version_id,
        staff_group="teachers",
        data=WorkloadEstimateSave(hours_per_term=Decimal("1.5"), staff_count=12),
    )
    return view(session, version_id)


def submitted(session: Session, cast: Cast, author: Actor | None = None) -> int:
    """A complete draft of a new policy, submitted by its author; returns the version id."""
    author = author or cast.author
    version_id = draft_for(session, cast, author)
    complete_draft(session, author, version_id)
    workflow.submit(session=session, actor=author, version_id=version_id)
    return version_id


def approved(session: Session, cast: Cast) -> int:
    """Version 1 of a new policy, submitted by the cast's author and approved by its approver."""
    version_id = submitted(session, cast)
    workflow.approve(session=session, actor=cast.approver, version_id=version_id)
    return version_id


def view(session: Session, version_id: int) -> AssessmentView:
    return version_view.view_assessment(session=session, actor=AUTHOR, version_id=version_id)


def version(session: Session, version_id: int) -> AssessmentVersion:
    row = session.get(AssessmentVersion, version_id)
    assert row is not None
    return row


def last_seq(session: Session) -> int:
    return max(session.exec(select(AuditEvent.seq)).all(), default=0)


def events_since(session: Session, seq: int, entity: str | None = None) -> list[AuditEvent]:
    """The audit events recorded after `seq`, oldest first (of one entity, if given)."""
    query = select(AuditEvent).where(AuditEvent.seq > seq)
    if entity is not None:
        query = query.where(AuditEvent.entity == entity)
    return list(session.exec(query.order_by(col(AuditEvent.seq))))
