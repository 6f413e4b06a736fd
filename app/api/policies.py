"""Policies, and starting a policy's impact assessment."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Response, status

from app.api.etags import ETAGGED, ETAGGED_NEW
from app.api.versions import version_read
from app.deps import ActorDep, Id, SessionDep, SettingsDep
from app.revisions import IfMatch, etagged, send_etag, write_at
from assessments.drafting import editing, version_view
from assessments.drafting.schemas import AssessmentVersionRead
from assessments.policies import catalogue, corrections
from assessments.policies.schemas import PolicyCreate, PolicyRead, PolicyUpdate

router = APIRouter()


@router.get("/policies")
def list_policies(session: SessionDep, actor: ActorDep) -> list[PolicyRead]:
    """Every policy."""
    listings = catalogue.list_policies(session=session, actor=actor)
    return [PolicyRead.model_validate(listing.policy) for listing in listings]


@router.post("/policies", status_code=status.HTTP_201_CREATED)
def create_policy(data: PolicyCreate, session: SessionDep, actor: ActorDep) -> PolicyRead:
    """Record a policy that is to be assessed."""
    return PolicyRead.model_validate(
        catalogue.create_policy(session=session, actor=actor, data=data)
    )


@router.get("/policies/{policy_id}", responses=ETAGGED)
def get_policy(
    policy_id: Id, session: SessionDep, actor: ActorDep, settings: SettingsDep, response: Response
) -> PolicyRead:
    """One policy; its ETag is the policy's revision, which a correction (PUT) is based on."""
    view = catalogue.view_policy(
        session=session, actor=actor, policy_id=policy_id, rubric_id=settings.default_rubric
    )
    return etagged(response, view.policy, PolicyRead)


@router.put("/policies/{policy_id}", responses=ETAGGED)
def update_policy(
    policy_id: Id,
    data: PolicyUpdate,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
    if_match: IfMatch = None,
) -> PolicyRead:
    """Correct a policy's details, given its revision (If-Match or `expected_revision`)."""
    update = partial(corrections.update_policy, session=session, actor=actor, policy_id=policy_id)
    return etagged(response, write_at(if_match, data, update), PolicyRead)


@router.post(
    "/policies/{policy_id}/assessment", status_code=status.HTTP_201_CREATED, responses=ETAGGED_NEW
)
def start_assessment(
    policy_id: Id, session: SessionDep, actor: ActorDep, settings: SettingsDep, response: Response
) -> AssessmentVersionRead:
    """Start the policy's impact assessment (version 1, a draft) on the latest rubric."""
    version = editing.start_assessment(
        session=session, actor=actor, policy_id=policy_id, rubric_id=settings.default_rubric
    )
    assert version.id is not None
    send_etag(response, version.revision)
    return version_read(
        version_view.view_assessment(session=session, actor=actor, version_id=version.id)
    )
