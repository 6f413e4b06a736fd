"""An assessment version, with its answers and workload estimates."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.api.etags import ETAGGED
from app.deps import ActorDep, Id, SessionDep
from app.revisions import send_etag
from assessments.drafting import version_view
from assessments.drafting.schemas import AnswerRead, AssessmentVersionRead, WorkloadEstimateRead
from assessments.drafting.version_view import AssessmentView

router = APIRouter()


@router.get("/assessment-versions/{version_id}", responses=ETAGGED)
def get_version(
    version_id: Id, session: SessionDep, actor: ActorDep, response: Response
) -> AssessmentVersionRead:
    """One assessment version with its answers and workload estimates; its ETag is the
    version's revision, which a decision (submit, approve, …) is based on."""
    view = version_view.view_assessment(session=session, actor=actor, version_id=version_id)
    send_etag(response, view.version.revision)
    return version_read(view)


def version_read(view: AssessmentView) -> AssessmentVersionRead:
    """A version as the API sends it."""
    version = view.version
    assert version.id is not None and view.policy.id is not None
    return AssessmentVersionRead(
        id=version.id,
        policy_id=view.policy.id,
        number=version.number,
        status=version.status,
        revision=version.revision,
        rubric=view.rubric.key,
        kind=version.kind,
        screening_reason=version.screening_reason,
        full_required=version.full_required,
        author=version.author,
        created_at=version.created_at,
        updated_at=version.updated_at,
        answers=[AnswerRead.model_validate(a) for a in view.answers.values()],
        workload_estimates=[
            WorkloadEstimateRead.model_validate(e) for e in view.estimates.values()
        ],
        allowed_moves=list(view.allowed_moves),
    )
