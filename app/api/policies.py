"""Policies, and starting a policy's impact assessment."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from app.api.etags import ETAGGED_NEW
from app.api.versions import version_read
from app.deps import ActorDep, Id, SessionDep, SettingsDep
from app.revisions import send_etag
from assessments.drafting import editing, version_view
from assessments.drafting.schemas import AssessmentVersionRead
from assessments.policies import catalogue
from assessments.policies.schemas import PolicyCreate, PolicyRead

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


@router.get("/policies/{policy_id}")
def get_policy(
    policy_id: Id, session: SessionDep, actor: ActorDep, settings: SettingsDep
) -> PolicyRead:
    """One policy."""
    view = catalogue.view_policy(
        session=session, actor=actor, policy_id=policy_id, rubric_id=settings.default_rubric
    )
    return PolicyRead.model_validate(view.policy)


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
