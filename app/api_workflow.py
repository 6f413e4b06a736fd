"""The JSON API for mitigating actions and their progress, the approval workflow and the
register (/api/v1).
Each route calls the same use-case as its page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session
from starlette.responses import StreamingResponse

from app.api import ETAGGED, ETAGGED_NEW
from app.deps import ActorDep, Id, RevisionQuery, SessionDep
from app.pages.register import stream_export
from app.revisions import IfMatch, based_on, etagged, precondition, send_etag, write_at
from app.security import guard_api_request
from assessments.drafting import mitigation, version_view
from assessments.drafting.mitigation import ActionSave
from assessments.kernel.actors import Actor
from assessments.kernel.clock import today
from assessments.kernel.inputs import Day, Input, Revision
from assessments.models import ActionStatus, AssessmentVersion, VersionStatus
from assessments.progress import recording
from assessments.progress.recording import ProgressSave
from assessments.workflow import review, transitions as workflow

router = APIRouter(prefix="/api/v1", tags=["workflow"], dependencies=[Depends(guard_api_request)])
VERSION = "/assessment-versions/{version_id}"


class ActionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version_id: int
    description: str
    question_ids: list[str]
    owner: str
    owner_user_id: int | None = Field(description="The owner's account; null if they have none")
    due_date: date | None
    status: ActionStatus = Field(description="Where it stood when its version was written")
    residual_impact: int
    revision: int


class ProgressRead(BaseModel):
    """How an approved version's action stands now."""

    model_config = ConfigDict(from_attributes=True)

    action_id: int
    version_id: int
    status: ActionStatus
    note: str
    done_on: date | None
    evidence_url: str
    revision: int
    updated_by: str
    updated_at: datetime


class HistoryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    by: str
    changes: list[tuple[str, Any, Any]] = Field(description="[field, before, after] each")


class ActionDetail(BaseModel):
    action: ActionRead
    status: ActionStatus = Field(description="Where it stands now")
    progress: ProgressRead | None = Field(description="Null until its version is approved")
    history: list[HistoryRead]


class Decision(Input):
    expected_revision: Revision | None = Field(
        default=None,
        description="The version's revision you read (or send If-Match); 409 if it has "
        "changed since, 428 if neither is sent",
    )


MEETING = "The date of the meeting that decided, if any (not after today)"


class SubmitDecision(Decision):
    unconsulted_reason: str = Field(
        default="",
        description="Why staff were not consulted, where the version's rating asks for it and "
        "they were not (422 names this field when it is wanted)",
    )


class ReturnDecision(Decision):
    reason: str = Field(description="What the author needs to change")
    minute: str = Field(default="", description="The meeting's minute reference, if any")
    meeting_date: Day | None = Field(default=None, description=MEETING)


class ApproveDecision(Decision):
    reason: str = Field(
        default="",
        description="Why it is approved: needed (else 422) when its rating after the planned "
        "actions is one the rubric marks as needing a reason (high, very high)",
    )
    minute: str = Field(default="", description="The meeting's minute reference, if any")
    meeting_date: Day | None = Field(default=None, description=MEETING)


class WithdrawDecision(Decision):
    reason: str = Field(description="Why it is withdrawn, kept in the register")


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
    decision_reason: str = Field(description="Why it was returned, withdrawn or approved")
    review_due: date | None
    overall_score: Decimal | None
    rating: str | None
    rating_after: str | None = Field(description="Once the actions it commits to are done")
    rating_done: str | None = Field(description="Counting the actions done so far")
    open_actions: int
    approvals: int | None = Field(
        default=None,
        description="While it awaits an approving body's decision (in the responses to submit "
        "and approve): its members' approvals so far; else null. A member's approval that "
        "leaves it awaiting more changes nothing of the version, so not its revision",
    )
    approvals_needed: int | None = Field(
        default=None, description="…and the approvals its rule needs to approve it"
    )


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


@router.get("/actions/{action_id}")
def get_action(action_id: Id, session: SessionDep, actor: ActorDep) -> ActionDetail:
    """A mitigating action: what its version commits to, where it stands, and its history."""
    view = recording.view_action(session=session, actor=actor, action_id=action_id)
    return ActionDetail(
        action=ActionRead.model_validate(view.action),
        status=view.status,
        progress=ProgressRead.model_validate(view.progress) if view.progress else None,
        history=[HistoryRead.model_validate(entry) for entry in view.history],
    )


@router.put("/actions/{action_id}/progress", responses=ETAGGED)
def record_progress(
    action_id: Id,
    data: ProgressSave,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
    if_match: IfMatch = None,
) -> ProgressRead:
    """Record where an approved version's action stands (its owner or the policy's authors),
    given its progress's revision (If-Match or `expected_revision`)."""
    record = partial(
        recording.record_progress, session=session, actor=actor, action_id=action_id, today=today()
    )
    return etagged(response, write_at(if_match, data, record), ProgressRead)


def _decided(
    move: Callable[..., AssessmentVersion], data: Decision, if_match: str | None, response: Response
) -> VersionState:
    """A move of the workflow, made on the revision the request names."""
    with precondition(based_on(if_match, data.expected_revision)) as revision:
        version = move(expected_revision=revision)
    send_etag(response, version.revision)
    return VersionState.model_validate(version)


def _decided_by_body(
    move: Callable[..., AssessmentVersion],
    data: Decision,
    if_match: str | None,
    response: Response,
    session: Session,
    actor: Actor,
) -> VersionState:
    """A move, with where the version then stands with its policy's approving body."""
    state = _decided(move, data, if_match, response)
    view = version_view.view_assessment(session=session, actor=actor, version_id=state.id)
    if (standing := review.standing_of(session=session, view=view)) is not None:
        state.approvals, state.approvals_needed = len(standing.approvals), standing.needed
    return state


@router.post(VERSION + "/submit", responses=ETAGGED)
def submit(
    version_id: Id,
    data: SubmitDecision,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
    if_match: IfMatch = None,
) -> VersionState:
    """Send a complete draft for approval (422 lists what is missing, or asks why staff were
    not consulted where its rating asks for them to be)."""
    made = partial(workflow.submit, session=session, actor=actor, version_id=version_id)
    made = partial(made, unconsulted_reason=data.unconsulted_reason)
    return _decided_by_body(made, data, if_match, response, session, actor)


@router.post(VERSION + "/approve", responses=ETAGGED)
def approve(
    version_id: Id,
    data: ApproveDecision,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
    if_match: IfMatch = None,
) -> VersionState:
    """Approve a submitted version (never your own). Where its policy names an approving body,
    this is your approval as one of its members: it stays submitted, with `approvals` and
    `approvals_needed` saying where it stands, until enough members have approved."""
    said = data.model_dump(include={"reason", "minute", "meeting_date"})
    made = partial(workflow.approve, session=session, actor=actor, version_id=version_id, **said)
    return _decided_by_body(made, data, if_match, response, session, actor)


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
    said = data.model_dump(include={"reason", "minute", "meeting_date"})
    made = partial(workflow.return_version, session=session, actor=actor, **said)
    return _decided(partial(made, version_id=version_id), data, if_match, response)


@router.post(VERSION + "/require-full", responses=ETAGGED)
def require_full(
    version_id: Id,
    data: ReturnDecision,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
    if_match: IfMatch = None,
) -> VersionState:
    """Send a screened-out version back to its author for the full assessment, with a reason."""
    said = data.model_dump(include={"reason", "minute", "meeting_date"})
    made = partial(workflow.require_full, session=session, actor=actor, **said)
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
    data: WithdrawDecision,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
    if_match: IfMatch = None,
) -> VersionState:
    """Withdraw a draft or a returned version, saying why."""
    made = partial(
        workflow.withdraw, session=session, actor=actor, version_id=version_id, reason=data.reason
    )
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


@router.post(VERSION + "/restart", status_code=status.HTTP_201_CREATED, responses=ETAGGED_NEW)
def restart(
    version_id: Id, session: SessionDep, actor: ActorDep, response: Response
) -> VersionState:
    """Start a withdrawn assessment again: the next version, a draft copied from this one."""
    version = workflow.restart(session=session, actor=actor, version_id=version_id)
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
