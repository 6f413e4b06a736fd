"""Assessment versions ready to submit and approve, built through the real use-cases; the
people who decide on them; and the audit trail as the database holds it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from assessments.drafting import answering, mitigation, workload
from assessments.drafting.mitigation import ActionSave
from assessments.drafting.schemas import AnswerSave, WorkloadEstimateSave
from assessments.kernel.actors import Actor, Grant, Role
from assessments.models import AssessmentVersion, AuditEvent, AuditHead
from assessments.rubrics.schema import AnswerKind, Question
from assessments.workflow import transitions as workflow
from tests.factories import AUTHOR, LOCAL_TRUST_ID, default_rubric, make_draft, make_person

RUBRIC = default_rubric()
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


def low_answer(question: Question) -> str:
    """A valid answer below the mitigation threshold."""
    match question.kind:
        case AnswerKind.CHOICE:
            return min(question.options, key=lambda option: option.impact).value
        case AnswerKind.YES_NO:
            return "yes" if (question.yes_impact or 0) < (question.no_impact or 0) else "no"
        case AnswerKind.NUMBER:
            return str(question.min_value if question.min_value is not None else 0)
        case AnswerKind.TEXT:
            return f"What we found about {question.id}."


def make_approver(session: Session, name: str = "Ama Approver") -> Actor:
    return make_person(session, name, Grant(Role.APPROVER))


def fill_in(session: Session, version_id: int, actor: Actor = AUTHOR) -> None:
    """Answer every required question (one high enough to need the action added here) and
    estimate one staff group's workload: everything a submission asks for."""
    answers = {q.id: AnswerSave(value=low_answer(q)) for q in RUBRIC.questions() if q.required}
    answers[HIGH_QUESTION.id] = AnswerSave(value=HIGH_VALUE)
    errors = answering.save_answers(
        session=session, actor=actor, version_id=version_id, answers=answers
    )
    assert not errors, errors
    workload.save_workload_estimate(
        session=session, actor=actor, version_id=version_id, staff_group="teachers", data=WORKLOAD
    )
    mitigation.add_action(session=session, actor=actor, version_id=version_id, data=MITIGATION)


def make_submitted(session: Session, **policy_fields: Any) -> AssessmentVersion:
    """Version 1 of a new policy's assessment, filled in by AUTHOR and submitted."""
    draft = make_draft(session, **policy_fields)
    assert draft.id is not None
    fill_in(session, draft.id)
    return workflow.submit(session=session, actor=AUTHOR, version_id=draft.id)


def make_approved(session: Session, approver: Actor, **policy_fields: Any) -> AssessmentVersion:
    submitted = make_submitted(session, **policy_fields)
    assert submitted.id is not None
    return workflow.approve(session=session, actor=approver, version_id=submitted.id)


def head(session: Session, chain: int = LOCAL_TRUST_ID) -> tuple[int, str]:
    """A trust's audit chain's head (last sequence number and MAC), as stored now."""
    query = select(AuditHead).where(col(AuditHead.chain) == chain)
    row = session.exec(query.execution_options(populate_existing=True)).first()
    return (row.seq, row.hash) if row else (0, "0" * 64)


def events_after(session: Session, seq: int, chain: int = LOCAL_TRUST_ID) -> list[AuditEvent]:
    """A trust's audit events after `seq`, in order, as stored now."""
    query = (
        select(AuditEvent)
        .where(col(AuditEvent.chain) == chain, col(AuditEvent.seq) > seq)
        .order_by(col(AuditEvent.seq))
    )
    return list(session.exec(query.execution_options(populate_existing=True)))


def sql(session: Session, statement: str, **params: Any) -> sa.CursorResult[Any]:
    """A plain SQL statement, run in the session's transaction as a direct user of the
    database would run it: no use-case and no session cache in between."""
    return session.connection().execute(sa.text(statement), params)


def rows_of(session: Session, version_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every row of a version and its content, read with plain SQL (no session cache)."""
    queries = {
        "assessment_version": "SELECT * FROM assessment_version WHERE id = :v",
        **{
            table: f"SELECT * FROM {table} WHERE version_id = :v ORDER BY id"
            for table in ("answer", "workload_estimate", "mitigating_action")
        },
    }
    return {
        table: [dict(row._mapping) for row in sql(session, query, v=version_id)]
        for table, query in queries.items()
    }
