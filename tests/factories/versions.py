"""Assessment versions in any status, built through the real use-cases (`make_version`), the
content a draft needs before it can be submitted, and a version read back."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from assessments.drafting import editing, mitigation, screening, version_view, workload
from assessments.drafting.mitigation import save_justification
from assessments.drafting.schemas import AnswerSave, WorkloadEstimateSave
from assessments.drafting.version_view import AssessmentView
from assessments.kernel.actors import Actor
from assessments.models import AssessmentVersion, VersionStatus
from assessments.workflow import transitions as workflow
from tests.factories.answers import (
    FLAGGED,
    HIGH_QUESTION,
    HIGH_VALUE,
    MITIGATION,
    WORKLOAD,
    add,
    answer_all,
    answer_page,
    low_answer,
)
from tests.factories.people import Cast, make_approver
from tests.factories.trusts import AUTHOR, RUBRIC, make_policy

RETURN_REASON = "Say which staff groups the new deadlines reach."
WITHDRAW_REASON = "The trust adopted a new policy in its place."
# Given on every submission here: kept only where the rating asks for staff to be consulted.
UNCONSULTED_REASON = "Staff were consulted at the staff meeting in September, before the register."
Fill = Callable[[Session, int, Actor], object]
_approvers = itertools.count(1)


def make_draft(
    session: Session, *, actor: Actor = AUTHOR, **policy_fields: Any
) -> AssessmentVersion:
    """A policy with version 1 of its assessment started on the (published) default rubric."""
    policy = make_policy(session, **policy_fields)
    assert policy.id is not None
    return editing.start_assessment(
        session=session, actor=actor, policy_id=policy.id, rubric_id=RUBRIC.id
    )


def fill_in(session: Session, version_id: int, actor: Actor = AUTHOR) -> None:
    """Answer every required question (one high enough to need the action added here) and
    estimate one staff group's workload: everything a submission asks for."""
    answers = {q.id: low_answer(q) for q in RUBRIC.questions() if q.required}
    answer_page(session, version_id, {**answers, HIGH_QUESTION.id: HIGH_VALUE}, actor=actor)
    workload.save_workload_estimate(
        session=session, actor=actor, version_id=version_id, staff_group="teachers", data=WORKLOAD
    )
    mitigation.add_action(session=session, actor=actor, version_id=version_id, data=MITIGATION)


SCREENED_OUT_BECAUSE = "The policy's new name only: nothing staff do changes."


def screening_answers(*, full: bool = False) -> dict[str, AnswerSave]:
    """Answers to the shipped rubric's screening: every one screening the change out, unless
    `full`, when the first calls for the full assessment."""
    assert RUBRIC.screening is not None
    answers = {
        q.id: AnswerSave(value="yes" if q.full_if == "no" else "no")
        for q in RUBRIC.screening.questions
    }
    if full:
        first = RUBRIC.screening.questions[0]
        answers[first.id] = AnswerSave(value=first.full_if)
    return answers


def screen_out(session: Session, version_id: int, actor: Actor = AUTHOR) -> None:
    """Answer the screening so that it screens the change out, with a reason: everything a
    screened-out version needs to be submitted."""
    refused = screening.save_screening(
        session=session,
        actor=actor,
        version_id=version_id,
        answers=screening_answers(),
        reason=SCREENED_OUT_BECAUSE,
    )
    assert not refused, refused


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


def _completed(session: Session, version_id: int, actor: Actor) -> None:
    complete_draft(session, actor, version_id)


def make_version(
    session: Session,
    status: VersionStatus | str,
    *,
    actor: Actor = AUTHOR,
    approver: Actor | None = None,
    fill: Fill = fill_in,
    **policy_fields: Any,
) -> AssessmentVersion:
    """Version 1 of a new policy's assessment (of a policy with `policy_fields`), brought to
    `status` the way people bring it there: started and filled in (by `fill`) by `actor`, then
    submitted by `actor`; approved or returned by `approver` (a new trust-wide approver if
    none); withdrawn as a draft by `actor`. A superseded version 1 is approved, revised by
    `actor` and version 2 submitted and approved."""
    status = VersionStatus(status)
    draft = make_draft(session, actor=actor, **policy_fields)
    assert draft.id is not None
    if status is VersionStatus.DRAFT:
        return draft
    if status is VersionStatus.WITHDRAWN:
        return workflow.withdraw(
            session=session, actor=actor, version_id=draft.id, reason=WITHDRAW_REASON
        )
    fill(session, draft.id, actor)
    submitted = workflow.submit(
        session=session, actor=actor, version_id=draft.id, unconsulted_reason=UNCONSULTED_REASON
    )
    if status is VersionStatus.SUBMITTED:
        return submitted
    approver = approver or make_approver(session, f"Ama Approver {next(_approvers)}")
    if status is VersionStatus.RETURNED:
        return workflow.return_version(
            session=session, actor=approver, version_id=draft.id, reason=RETURN_REASON
        )
    approved = workflow.approve(session=session, actor=approver, version_id=draft.id)
    if status is VersionStatus.APPROVED:
        return approved
    second = workflow.revise(session=session, actor=actor, version_id=draft.id)
    assert second.id is not None
    workflow.submit(
        session=session, actor=actor, version_id=second.id, unconsulted_reason=UNCONSULTED_REASON
    )
    workflow.approve(session=session, actor=approver, version_id=second.id)
    session.refresh(approved)
    assert approved.status is VersionStatus.SUPERSEDED, approved
    return approved


# --- the workflow tests' versions: of a cast's school, completed by `complete_draft`, by id


def draft_for(session: Session, cast: Cast, actor: Actor | None = None, **policy: object) -> int:
    """A new policy of the cast's school with version 1 of its assessment started by `actor`
    (the cast's author by default); returns the version's id."""
    version = make_draft(session, actor=actor or cast.author, school_id=cast.school.id, **policy)
    assert version.id is not None
    return version.id


def submitted(session: Session, cast: Cast, author: Actor | None = None) -> int:
    """A complete draft of a new policy, submitted by its author; returns the version id."""
    version = make_version(
        session, "submitted", actor=author or cast.author, fill=_completed, school_id=cast.school.id
    )
    assert version.id is not None
    return version.id


def approved(session: Session, cast: Cast) -> int:
    """Version 1 of a new policy, submitted by the cast's author and approved by its approver."""
    version = make_version(
        session,
        "approved",
        actor=cast.author,
        approver=cast.approver,
        fill=_completed,
        school_id=cast.school.id,
    )
    assert version.id is not None
    return version.id


def view(session: Session, version_id: int) -> AssessmentView:
    return version_view.view_assessment(session=session, actor=AUTHOR, version_id=version_id)


def version(session: Session, version_id: int) -> AssessmentVersion:
    row = session.get(AssessmentVersion, version_id)
    assert row is not None
    return row
