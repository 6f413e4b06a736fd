"""Answers of any impact, saved through the use-cases, and mitigating actions for the high ones."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from sqlmodel import Session

from assessments.drafting import answering, mitigation
from assessments.drafting.mitigation import ActionSave
from assessments.drafting.schemas import AnswerSave, WorkloadEstimateSave
from assessments.kernel.actors import Actor
from assessments.models import ActionStatus, AssessmentVersion, MitigatingAction
from assessments.rubrics.schema import AnswerKind, Question
from tests.factories.trusts import AUTHOR, RUBRIC

QUESTIONS = {q.id: q for q in RUBRIC.questions()}
THRESHOLD = RUBRIC.mitigation_threshold
# Two questions whose worst answer is at or above the mitigation threshold.
FLAGGED = ("change-and-offset", "external-scrutiny-paperwork")
# A question answered at or above the mitigation threshold, so submitting needs an action.
HIGH_QUESTION, HIGH_VALUE = next(
    (question, option.value)
    for question in RUBRIC.questions()
    if question.kind is AnswerKind.CHOICE
    for option in question.options
    if option.impact >= RUBRIC.mitigation_threshold
)
MITIGATION = ActionSave(
    description="Replace written marking with whole-class feedback",
    question_ids=[HIGH_QUESTION.id],
    owner="Deputy Headteacher",
    residual_impact=1,
)
WORKLOAD = WorkloadEstimateSave(hours_per_term=Decimal("1.50"), staff_count=12)


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
    """The answer with the lowest impact (any text for a text question): below the mitigation
    threshold."""
    return min(_values(question), key=lambda v: impact(question, v))


def high_answer(question: Question) -> str:
    """The answer with the highest impact."""
    return max(_values(question), key=lambda v: impact(question, v))


def answer(
    session: Session,
    version: AssessmentVersion | int,
    question_id: str,
    value: str,
    *,
    actor: Actor = AUTHOR,
) -> None:
    """Save one answer of a version (or of the version with this id), as `actor`."""
    version_id = version if isinstance(version, int) else version.id
    assert version_id is not None
    answering.save_answer(
        session=session,
        actor=actor,
        version_id=version_id,
        question_id=question_id,
        data=AnswerSave(value=value),
    )


def answer_page(
    session: Session, version_id: int, answers: Mapping[str, str], *, actor: Actor = AUTHOR
) -> None:
    """Save question id → value as one page of answers (as a section posted at once), as
    `actor`; none of them may be refused."""
    page = {question_id: AnswerSave(value=value) for question_id, value in answers.items()}
    errors = answering.save_answers(
        session=session, actor=actor, version_id=version_id, answers=page
    )
    assert not errors, errors


def answer_all(
    session: Session,
    actor: Actor,
    version_id: int,
    *,
    high: Sequence[str] = (),
    skip: Sequence[str] = (),
) -> None:
    """Answer every question, as one page of answers: at its highest impact for `high`, its
    lowest for the rest."""
    answers = {
        question.id: (high_answer if question.id in high else low_answer)(question)
        for question in RUBRIC.questions()
        if question.id not in skip
    }
    answer_page(session, version_id, answers, actor=actor)


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
    return mitigation.add_action(session=session, actor=actor, version_id=version_id, data=data)
