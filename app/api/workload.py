"""A draft's workload estimates, one per staff group."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from app.api.etags import ETAGGED
from app.deps import ActorDep, Id, RevisionQuery, SessionDep
from app.revisions import IfMatch, based_on, precondition, send_etag
from assessments.drafting import workload
from assessments.drafting.schemas import WorkloadEstimateRead, WorkloadEstimateSave

router = APIRouter()


@router.put("/assessment-versions/{version_id}/workload/{staff_group}", responses=ETAGGED)
def save_workload_estimate(
    version_id: Id,
    staff_group: str,
    data: WorkloadEstimateSave,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
    if_match: IfMatch = None,
) -> WorkloadEstimateRead:
    """Save the hours a draft's policy adds or removes for one staff group. Changing a saved
    estimate needs its revision (If-Match or expected_revision)."""
    with precondition(based_on(if_match, data.expected_revision)) as revision:
        row = workload.save_workload_estimate(
            session=session,
            actor=actor,
            version_id=version_id,
            staff_group=staff_group,
            data=data.model_copy(update={"expected_revision": revision}),
        )
    send_etag(response, row.revision)
    return WorkloadEstimateRead.model_validate(row)


@router.delete(
    "/assessment-versions/{version_id}/workload/{staff_group}",
    status_code=status.HTTP_204_NO_CONTENT,
)
def clear_workload_estimate(
    version_id: Id,
    staff_group: str,
    session: SessionDep,
    actor: ActorDep,
    expected_revision: RevisionQuery = None,
    if_match: IfMatch = None,
) -> None:
    """Remove a draft's estimate for one staff group, given its revision (If-Match or
    `expected_revision`): only if nobody has changed it since."""
    with precondition(based_on(if_match, expected_revision)) as revision:
        workload.clear_workload_estimate(
            session=session,
            actor=actor,
            version_id=version_id,
            staff_group=staff_group,
            expected_revision=revision,
        )
