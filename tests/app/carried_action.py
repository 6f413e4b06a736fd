"""What the action progress tests share: an approved version whose one action is carried out
(the `carried` fixture), and the progress as it is saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from assessments.drafting import mitigation, workload
from assessments.kernel import clock
from assessments.kernel.actors import Actor, Grant, Role
from assessments.models import ActionStatus
from assessments.progress import recording
from assessments.progress.recording import ProgressSave
from tests.factories.answers import (
    THRESHOLD,
    WORKLOAD,
    answer_page,
    high_answer,
    impact,
    low_answer,
)
from tests.factories.people import make_approver, make_person
from tests.factories.trusts import AUTHOR, RUBRIC, make_school
from tests.factories.versions import make_version, view

# Eight answers at their highest impact rate the assessment Medium (25.3); the action, once
# done, takes the first of them to no impact at all, which rates it Low (20.4).
HIGH = [
    question.id
    for question in RUBRIC.questions()
    if question.required and impact(question, high_answer(question)) >= THRESHOLD
][:8]
ACTION = "Stop the weekly written report to parents"
SAVED_MESSAGE = "Progress saved. The register and the home page show it now."


class Carried:
    """An approved North version rated Medium, whose one action (due a month ago, so overdue)
    is owned by Olu, an account of the trust with no role: done, it rates the version Low."""

    def __init__(self, session: Session) -> None:
        self.today = clock.today()  # what the pages date by
        self.due = self.today - timedelta(days=30)
        self.north = make_school(session, "North School")
        self.owner = make_person(session, "Olu Owner")
        self.approver = make_approver(session, "Ama Approver")
        self.auditor = make_person(session, "Aud Auditor", Grant(Role.AUDITOR))
        self.version = make_version(
            session,
            "approved",
            approver=self.approver,
            fill=self._fill,
            reference="CA-001",
            title="Reporting policy",
            school_id=self.north.id,
        )
        assert self.version.id is not None
        self.version_id = self.version.id
        (action,) = view(session, self.version_id).actions
        assert action.id is not None
        self.action_id = action.id
        session.commit()

    def _fill(self, session: Session, version_id: int, actor: Actor) -> None:
        answers = {q.id: low_answer(q) for q in RUBRIC.questions() if q.required}
        high = {qid: high_answer(q) for qid in HIGH if (q := RUBRIC.question(qid))}
        answer_page(session, version_id, {**answers, **high}, actor=actor)
        workload.save_workload_estimate(
            session=session,
            actor=actor,
            version_id=version_id,
            staff_group="teachers",
            data=WORKLOAD,
        )
        action = mitigation.ActionSave(
            description=ACTION,
            question_ids=[HIGH[0]],
            owner_user_id=self.owner.user_id,
            due_date=self.due,
            residual_impact=0,
        )
        mitigation.add_action(session=session, actor=actor, version_id=version_id, data=action)
        for question_id in HIGH[1:]:
            mitigation.save_justification(
                session=session,
                actor=actor,
                version_id=version_id,
                question_id=question_id,
                text="Required by the exam board; nothing we can remove.",
            )

    @property
    def page(self) -> str:
        return f"/actions/{self.action_id}"

    @property
    def form(self) -> str:
        return f"/actions/{self.action_id}/progress"

    def record(self, session: Session, actor: Actor, **fields: object) -> None:
        """Progress recorded meanwhile (by someone else, in another browser)."""
        recording.record_progress(
            session=session,
            actor=actor,
            action_id=self.action_id,
            data=ProgressSave.model_validate({"status": "in-progress", **fields}),
            today=self.today,
        )
        session.commit()

    def done(self, session: Session) -> None:
        self.record(session, self.owner, status="done", done_on=self.today.isoformat())


@pytest.fixture
def carried(session: Session) -> Carried:
    return Carried(session)


def stored_progress(session: Session, carried: Carried) -> tuple[ActionStatus, str, int]:
    """(status, note, revision) as saved."""
    session.expire_all()
    shown = recording.view_action(session=session, actor=AUTHOR, action_id=carried.action_id)
    assert shown.progress is not None
    return shown.progress.status, shown.progress.note, shown.progress.revision
