"""Use-cases of action progress: an approved version's action is carried out after the decision,
so its owner and the policy's authors record where it stands (status, a note, the date done, a
link to evidence) without a new version. What it commits to stays frozen with the version;
every change of its progress is in the audit trail, which is its history."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from sqlmodel import Session

from assessments.drafting import queries as version_queries
from assessments.drafting.editing import check_revision
from assessments.drafting.stored_results import status_now, store_progress
from assessments.kernel import audit
from assessments.kernel.actors import Actor, Role
from assessments.kernel.errors import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from assessments.kernel.inputs import Day, Input, Revision
from assessments.models import (
    ActionProgress,
    ActionStatus,
    AssessmentVersion,
    MitigatingAction,
    Policy,
    VersionStatus,
    utcnow,
)
from assessments.progress import queries
from assessments.rubrics import queries as rubric_queries
from assessments.rubrics.schema import Question, Rubric

MAX_NOTE = 2000
LABELS = {
    "status": "Status",
    "note": "Progress note",
    "done_on": "Date done",
    "evidence_url": "Evidence",
}


class ProgressSave(Input):
    """Where an action stands, as its owner or an author records it."""

    status: ActionStatus
    note: str = Field(default="", max_length=MAX_NOTE)
    done_on: Day | None = None
    evidence_url: str = Field(default="", max_length=2000)
    expected_revision: Revision | None = None

    @field_validator("evidence_url")
    @classmethod
    def _web_address(cls, url: str) -> str:
        # Shown as a link: only a web address, never javascript: or data: (a stored XSS).
        if url and not (urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc):
            raise ValueError("Enter a web address starting https://, or leave it empty")
        return url


@dataclass(frozen=True)
class HistoryEntry:
    """One change of an action's progress: when, by whom, each field before and after."""

    at: datetime
    by: str
    changes: list[tuple[str, object, object]]  # label, before, after (None: nothing)


@dataclass(frozen=True)
class ActionView:
    """One action as its owner, the policy's authors or an approver reads it."""

    action: MitigatingAction
    version: AssessmentVersion
    policy: Policy
    rubric: Rubric  # the version's, for its questions and impact scale in words
    questions: list[Question]  # those whose answers it deals with
    progress: ActionProgress | None  # None until its version is approved
    status: ActionStatus  # where it stands now
    history: list[HistoryEntry]
    may_update: bool  # the viewer may record its progress now
    is_owner: bool
    sees_version: bool  # the viewer may open its version and policy (an owner may hold no role)


def _is_owner(actor: Actor, action: MitigatingAction) -> bool:
    return actor.user_id is not None and action.owner_user_id == actor.user_id


def _in_sight(session: Session, actor: Actor, action_id: int) -> tuple[MitigatingAction, Policy]:
    """The action, to anyone who may see its version, and to its owner (who may hold no role
    at the policy's school); to anyone else it does not exist."""
    action = version_queries.get_action(session, action_id)
    if action is not None:
        version = version_queries.get_version(session, action.version_id)
        policy = version_queries.policy_of_version(session, version)
        owner = _is_owner(actor, action) and actor.trust_id == policy.trust_id
        if owner or actor.sees(policy.trust_id, policy.school_id):
            return action, policy
    raise NotFound(f"There is no mitigating action {action_id}")


def _may_update(actor: Actor, action: MitigatingAction, policy: Policy) -> bool:
    return _is_owner(actor, action) or actor.holds(Role.AUTHOR, policy.school_id)


def _history(session: Session, action_id: int) -> list[HistoryEntry]:
    entries = []
    for event in audit.events_of(session, "mitigating_action", action_id):
        if event.action != "progressed":
            continue
        details = json.loads(event.changes)
        changes = [
            (LABELS[f], _typed(f, details[f][0]), _typed(f, details[f][1]))
            for f in LABELS
            if f in details
        ]
        entries.append(HistoryEntry(event.occurred_at, event.actor_name, changes))
    return entries


def _typed(field: str, value: object) -> object:
    """A value as the audit trail recorded it (plain JSON), typed again for showing."""
    if value in (None, ""):
        return None
    if field == "status":
        return ActionStatus(str(value))
    if field == "done_on":
        return date.fromisoformat(str(value))
    return value


def view_action(*, session: Session, actor: Actor, action_id: int) -> ActionView:
    """An action: what its version commits to, where it stands, and its history."""
    action, policy = _in_sight(session, actor, action_id)
    version = version_queries.get_version(session, action.version_id)
    rubric = rubric_queries.rubric_of_version(session, version)
    progress = queries.get_progress(session, action_id, for_update=False)
    return ActionView(
        action=action,
        version=version,
        policy=policy,
        rubric=rubric,
        questions=[q for qid in action.question_ids if (q := rubric.question(qid)) is not None],
        progress=progress,
        status=status_now(action, {action_id: progress} if progress else {}),
        history=_history(session, action_id),
        may_update=(
            version.status is VersionStatus.APPROVED
            and progress is not None
            and _may_update(actor, action, policy)
        ),
        is_owner=_is_owner(actor, action),
        sees_version=actor.sees(policy.trust_id, policy.school_id),
    )


def _problems(data: ProgressSave, today: date) -> dict[str, str]:
    problems = {}
    if data.status is ActionStatus.DONE and data.done_on is None:
        problems["done_on"] = "Enter the date it was done"
    if data.status is not ActionStatus.DONE and data.done_on is not None:
        problems["done_on"] = "Leave the date done empty until it is done"
    if data.done_on is not None and data.done_on > today:
        problems["done_on"] = "The date done cannot be in the future"
    if data.status is ActionStatus.DROPPED and not data.note:
        problems["note"] = "Say why it was dropped"
    return problems


def _fields(progress: ActionProgress) -> dict[str, object]:
    return progress.model_dump(include=set(LABELS))


def record_progress(
    *, session: Session, actor: Actor, action_id: int, data: ProgressSave, today: date
) -> ActionProgress:
    """Record where an approved version's action stands (refused if someone else recorded it
    since it was read)."""
    action, policy = _in_sight(session, actor, action_id)
    # The version is locked first: its stored figures are worked out from all its actions.
    version = version_queries.get_version(session, action.version_id, for_update=True)
    if version.status is not VersionStatus.APPROVED:
        raise InvalidTransition(
            f"Version {version.number} is {version.status.value}: "
            + (
                "its actions change with it, on its summary"
                if version.editable
                else "progress is recorded on the version in force"
            )
        )
    if not _may_update(actor, action, policy):
        raise NotAllowed("Only the action's owner or the policy's authors can record its progress")
    progress = queries.get_progress(session, action_id, for_update=True)
    assert progress is not None  # made for each action when its version was approved
    check_revision(progress.revision, data.expected_revision)
    if problems := _problems(data, today):
        raise ValidationFailed(problems)
    before = _fields(progress)
    for name, value in data.model_dump(include=set(LABELS)).items():
        setattr(progress, name, value)
    diff = audit.changes(before, _fields(progress))
    if not diff:
        return progress
    progress.revision += 1
    progress.updated_by, progress.updated_by_user_id = actor.name, actor.user_id
    progress.updated_at = utcnow()
    session.add(progress)
    session.flush()
    audit.record(
        session,
        actor,
        entity="mitigating_action",
        entity_id=action_id,
        action="progressed",
        details={"version_id": version.id, **diff},
    )
    store_progress(session, version)
    return progress


def start_progress(session: Session, actor: Actor, version: AssessmentVersion) -> None:
    """Give each action of a version being approved its progress, from where it stands."""
    assert version.id is not None
    for action in version_queries.actions_of_version(session, version.id):
        assert action.id is not None
        session.add(
            ActionProgress(
                action_id=action.id,
                version_id=version.id,
                status=action.status,
                updated_by=actor.name,
                updated_by_user_id=actor.user_id,
            )
        )
    session.flush()
