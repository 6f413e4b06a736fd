"""What the screening tests share: the shipped rubric's screening questions, a cast, saving
a screening page's answers, and a version screened out and submitted."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from assessments.drafting import screening
from assessments.drafting.schemas import AnswerSave
from assessments.kernel.actors import Actor
from assessments.workflow import transitions as workflow
from tests.factories.people import Cast, make_cast
from tests.factories.trusts import RUBRIC
from tests.factories.versions import (
    draft_for,
    screen_out,
)

assert RUBRIC.screening is not None
QUESTIONS = RUBRIC.screening.questions
HIGH = [q.id for q in RUBRIC.questions() if q.required][:6]  # answered at their highest
WHY_FULL = "The change moves the marking of mocks to form tutors: assess it in full."


@pytest.fixture
def cast(session: Session) -> Cast:
    return make_cast(session)


def save(
    session: Session, actor: Actor, version_id: int, reason: str = "", **answers: str
) -> dict[str, str]:
    return screening.save_screening(
        session=session,
        actor=actor,
        version_id=version_id,
        answers={qid: AnswerSave(value=value) for qid, value in answers.items()},
        reason=reason,
    )


def screened_out_and_submitted(session: Session, cast: Cast) -> int:
    version_id = draft_for(session, cast)
    screen_out(session, version_id, cast.author)
    workflow.submit(session=session, actor=cast.author, version_id=version_id)
    return version_id
