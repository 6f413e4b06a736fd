"""A draft's workload estimates, one per staff group."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Response

from app.api.etags import ETAGGED
from app.deps import ActorDep, Id, RevisionQuery, SessionDep
from app.revisions import IfMatch, based_on, etagged, precondition, write_at
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
    save = partial(workload.save_workload_estimate, session=session, actor=actor)
    row = write_at(if_match, data, partial(save, version_id=version_id, staff_group=staff_group))
    return etagged(response, row, WorkloadEstimateRead)


@router.delete("/assessment-versions/{version_id}/workload/{staff_group}", status_code=204)
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
    clear = partial(workload.clear_workload_estimate, session=session, actor=actor)
    with precondition(based_on(if_match, expected_revision)) as revision:
        clear(version_id=version_id, staff_group=staff_group, expected_revision=revision)
