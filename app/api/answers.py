"""Saving a draft's answers."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Response

from app.api.etags import ETAGGED
from app.deps import ActorDep, Id, SessionDep
from app.revisions import IfMatch, etagged, send_etag, write_at
from assessments.drafting import answering, screening
from assessments.drafting.schemas import (
    AnswerRead,
    AnswerSave,
    ScreeningReasonRead,
    ScreeningReasonSave,
)

router = APIRouter()


@router.put("/assessment-versions/{version_id}/answers/{question_id}", responses=ETAGGED)
def save_answer(
    version_id: Id,
    question_id: str,
    data: AnswerSave,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
    if_match: IfMatch = None,
) -> AnswerRead | None:
    """Save one answer of a draft; an empty value clears it (the response is then null).
    Changing a saved answer needs its revision (If-Match or expected_revision)."""
    save = partial(answering.save_answer, session=session, actor=actor, version_id=version_id)
    row = write_at(if_match, data, partial(save, question_id=question_id))
    return None if row is None else etagged(response, row, AnswerRead)


@router.put("/assessment-versions/{version_id}/screening-reason", responses=ETAGGED)
def save_screening_reason(
    version_id: Id,
    data: ScreeningReasonSave,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
    if_match: IfMatch = None,
) -> ScreeningReasonRead:
    """Say why a draft needs no full assessment (its screening questions are answered with PUT
    …/answers/{question_id}: yes, no or dont-know); the version's kind comes back."""
    save = partial(screening.save_screening_reason, session=session, actor=actor)
    version = write_at(if_match, data, lambda data: save(version_id=version_id, **dict(data)))
    send_etag(response, version.screening_revision)
    return ScreeningReasonRead.model_validate(version)
