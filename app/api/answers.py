"""Saving a draft's answers."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.api.etags import ETAGGED
from app.deps import ActorDep, Id, SessionDep
from app.revisions import IfMatch, based_on, precondition, send_etag
from assessments.drafting import answering
from assessments.drafting.schemas import AnswerRead, AnswerSave

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
    with precondition(based_on(if_match, data.expected_revision)) as revision:
        row = answering.save_answer(
            session=session,
            actor=actor,
            version_id=version_id,
            question_id=question_id,
            data=data.model_copy(update={"expected_revision": revision}),
        )
    if row is None:
        return None
    send_etag(response, row.revision)
    return AnswerRead.model_validate(row)
