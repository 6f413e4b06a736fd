"""The JSON API for mitigating actions, the approval workflow and the register (/api/v1).
Each route calls the same use-case as its page."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request, status
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import StreamingResponse

from app.api import ERRORS
from app.deps import ActorDep, Id, RevisionQuery, SessionDep
from app.pages.register import stream_export
from app.security import guard_api_request
from assessments import mitigation, workflow
from assessments.mitigation import ActionSave
from assessments.models import ActionStatus, VersionStatus
from assessments.schemas import Input, Revision

router = APIRouter(prefix="/api/v1", tags=["workflow"], dependencies=[Depends(guard_api_request)])
VERSION = "/assessment-versions/{version_id}"


class ActionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version_id: int
    description: str
    question_ids: list[str]
    owner: str
    due_date: date | None
    status: ActionStatus
    residual_impact: int
    revision: int


class Decision(Input):
    expected_revision: Revision | None = Field(
        default=None, description="The version's revision you read; 409 if it has changed since"
    )


class ReturnDecision(Decision):
    reason: str = Field(description="What the author needs to change")


class VersionState(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: int
    status: VersionStatus
    revision: int
    content_hash: str | None
    submitted_at: datetime | None
    decided_at: datetime | None
    decided_by: str
    decision_reason: str
    review_due: date | None
    overall_score: Decimal | None
    rating: str | None
    rating_after: str | None


@router.post(VERSION + "/actions", status_code=status.HTTP_201_CREATED, responses=ERRORS)
def add_action(
    version_id: Id, data: ActionSave, session: SessionDep, actor: ActorDep
) -> ActionRead:
    """Add a mitigating action to a draft."""
    action = mitigation.add_action(session=session, actor=actor, version_id=version_id, data=data)
    return ActionRead.model_validate(action)


@router.put(VERSION + "/actions/{action_id}", responses=ERRORS)
def update_action(
    version_id: Id, action_id: Id, data: ActionSave, session: SessionDep, actor: ActorDep
) -> ActionRead:
    """Change a draft's action; with `expected_revision`, only if nobody changed it since."""
    action = mitigation.update_action(
        session=session, actor=actor, version_id=version_id, action_id=action_id, data=data
    )
    return ActionRead.model_validate(action)


@router.delete(
    VERSION + "/actions/{action_id}", status_code=status.HTTP_204_NO_CONTENT, responses=ERRORS
)
def remove_action(
    version_id: Id,
    action_id: Id,
    session: SessionDep,
    actor: ActorDep,
    expected_revision: RevisionQuery = None,
) -> None:
    """Remove a draft's action."""
    mitigation.remove_action(
        session=session, actor=actor, version_id=version_id, action_id=action_id,
        expected_revision=expected_revision,
    )  # fmt: skip


@router.post(VERSION + "/submit", responses=ERRORS)
def submit(version_id: Id, data: Decision, session: SessionDep, actor: ActorDep) -> VersionState:
    """Send a complete draft for approval (422 lists what is missing)."""
    version = workflow.submit(
        session=session,
        actor=actor,
        version_id=version_id,
        expected_revision=data.expected_revision,
    )
    return VersionState.model_validate(version)


@router.post(VERSION + "/approve", responses=ERRORS)
def approve(version_id: Id, data: Decision, session: SessionDep, actor: ActorDep) -> VersionState:
    """Approve a submitted version (never your own)."""
    version = workflow.approve(
        session=session,
        actor=actor,
        version_id=version_id,
        expected_revision=data.expected_revision,
    )
    return VersionState.model_validate(version)


@router.post(VERSION + "/return", responses=ERRORS)
def return_version(
    version_id: Id, data: ReturnDecision, session: SessionDep, actor: ActorDep
) -> VersionState:
    """Return a submitted version to its author with a reason."""
    version = workflow.return_version(
        session=session, actor=actor, version_id=version_id, reason=data.reason,
        expected_revision=data.expected_revision,
    )  # fmt: skip
    return VersionState.model_validate(version)


@router.post(VERSION + "/reopen", responses=ERRORS)
def reopen(version_id: Id, data: Decision, session: SessionDep, actor: ActorDep) -> VersionState:
    """Make a returned version a draft again."""
    version = workflow.reopen(
        session=session,
        actor=actor,
        version_id=version_id,
        expected_revision=data.expected_revision,
    )
    return VersionState.model_validate(version)


@router.post(VERSION + "/withdraw", responses=ERRORS)
def withdraw(version_id: Id, data: Decision, session: SessionDep, actor: ActorDep) -> VersionState:
    """Withdraw a draft or a returned version."""
    version = workflow.withdraw(
        session=session,
        actor=actor,
        version_id=version_id,
        expected_revision=data.expected_revision,
    )
    return VersionState.model_validate(version)


@router.post(VERSION + "/revise", status_code=status.HTTP_201_CREATED, responses=ERRORS)
def revise(version_id: Id, session: SessionDep, actor: ActorDep) -> VersionState:
    """Start the next version of an approved assessment, copied from it."""
    return VersionState.model_validate(
        workflow.revise(session=session, actor=actor, version_id=version_id)
    )


@router.get(
    "/register",
    responses={200: {"content": {"application/json": {}, "text/csv": {}}}},
    response_class=StreamingResponse,
)
def register_export(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    format: Literal["json", "csv"] = "json",
) -> Any:
    """Every version in scope under the filter (school, status, rating, overdue=yes, from, to,
    q, sort, order), streamed as JSON or, with format=csv, CSV."""
    return stream_export(request, session, actor, format)
