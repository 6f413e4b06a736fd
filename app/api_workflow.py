"""The JSON API for mitigating actions, the approval workflow and the register (/api/v1).
Each route calls the same use-case as its page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import StreamingResponse

from app.api import ETAGGED, ETAGGED_NEW
from app.deps import ActorDep, Id, RevisionQuery, SessionDep
from app.pages.register import stream_export
from app.revisions import IfMatch, based_on, etagged, precondition, send_etag, write_at
from app.security import guard_api_request
from assessments.drafting import mitigation
from assessments.drafting.mitigation import ActionSave
from assessments.kernel.inputs import Input, Revision
from assessments.models import ActionStatus, AssessmentVersion, VersionStatus
from assessments.workflow import transitions as workflow

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
        default=None,
        description="The version's revision you read (or send If-Match); 409 if it has "
        "changed since, 428 if neither is sent",
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


@router.post(VERSION + "/actions", status_code=status.HTTP_201_CREATED, responses=ETAGGED_NEW)
def add_action(
    version_id: Id, data: ActionSave, session: SessionDep, actor: ActorDep, response: Response
) -> ActionRead:
    """Add a mitigating action to a draft."""
    action = mitigation.add_action(session=session, actor=actor, version_id=version_id, data=data)
    send_etag(response, action.revision)
    return ActionRead.model_validate(action)


@router.put(VERSION + "/actions/{action_id}", responses=ETAGGED)
def update_action(
    version_id: Id,
    action_id: Id,
    data: ActionSave,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
    if_match: IfMatch = None,
) -> ActionRead:
    """Change a draft's action, given its revision (If-Match or `expected_revision`): only if
    nobody changed it since."""
    update = partial(mitigation.update_action, session=session, actor=actor)
    action = write_at(if_match, data, partial(update, version_id=version_id, action_id=action_id))
    return etagged(response, action, ActionRead)


@router.delete(VERSION + "/actions/{action_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_action(
    version_id: Id,
    action_id: Id,
    session: SessionDep,
    actor: ActorDep,
    expected_revision: RevisionQuery = None,
    if_match: IfMatch = None,
) -> None:
    """Remove a draft's action, given its revision (If-Match or `expected_revision`)."""
    remove = partial(mitigation.remove_action, session=session, actor=actor)
    with precondition(based_on(if_match, expected_revision)) as revision:
        remove(version_id=version_id, action_id=action_id, expected_revision=revision)


def _decided(
    move: Callable[..., AssessmentVersion], data: Decision, if_match: str | None, response: Response
) -> VersionState:
    """A move of the workflow, made on the revision the request names."""
    with precondition(based_on(if_match, data.expected_revision)) as revision:
        version = move(expected_revision=revision)
    send_etag(response, version.revision)
    return VersionState.model_validate(version)


@router.post(VERSION + "/submit", responses=ETAGGED)
def submit(
    version_id: Id,
    data: Decision,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
    if_match: IfMatch = None,
) -> VersionState:
    """Send a complete draft for approval (422 lists what is missing)."""
    made = partial(workflow.submit, session=session, actor=actor, version_id=version_id)
    return _decided(made, data, if_match, response)


@router.post(VERSION + "/approve", responses=ETAGGED)
def approve(
    version_id: Id,
    data: Decision,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
    if_match: IfMatch = None,
) -> VersionState:
    """Approve a submitted version (never your own)."""
    made = partial(workflow.approve, session=session, actor=actor, version_id=version_id)
    return _decided(made, data, if_match, response)


@router.post(VERSION + "/return", responses=ETAGGED)
def return_version(
    version_id: Id,
    data: ReturnDecision,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
    if_match: IfMatch = None,
) -> VersionState:
    """Return a submitted version to its author with a reason."""
    made = partial(workflow.return_version, session=session, actor=actor, reason=data.reason)
    return _decided(partial(made, version_id=version_id), data, if_match, response)


@router.post(VERSION + "/reopen", responses=ETAGGED)
def reopen(
    version_id: Id,
    data: Decision,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
    if_match: IfMatch = None,
) -> VersionState:
    """Make a returned version a draft again."""
    made = partial(workflow.reopen, session=session, actor=actor, version_id=version_id)
    return _decided(made, data, if_match, response)


@router.post(VERSION + "/withdraw", responses=ETAGGED)
def withdraw(
    version_id: Id,
    data: Decision,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
    if_match: IfMatch = None,
) -> VersionState:
    """Withdraw a draft or a returned version."""
    made = partial(workflow.withdraw, session=session, actor=actor, version_id=version_id)
    return _decided(made, data, if_match, response)


@router.post(VERSION + "/revise", status_code=status.HTTP_201_CREATED, responses=ETAGGED_NEW)
def revise(
    version_id: Id, session: SessionDep, actor: ActorDep, response: Response
) -> VersionState:
    """Start the next version of an approved assessment, copied from it (an approved version
    never changes, so this needs no revision)."""
    version = workflow.revise(session=session, actor=actor, version_id=version_id)
    send_etag(response, version.revision)
    return VersionState.model_validate(version)


@router.get(
    "/register",
    responses={200: {"content": {"application/json": {}, "text/csv": {}}}},
    response_class=StreamingResponse,
)
def register_export(
    request: Request, actor: ActorDep, format: Literal["json", "csv"] = "json"
) -> Any:
    """Every version in scope under the filter (school, status, rating, overdue=yes, from, to,
    q, sort, order), streamed as JSON or, with format=csv, CSV."""
    return stream_export(request, actor, format)
