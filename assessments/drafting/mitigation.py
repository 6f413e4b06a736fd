"""Use-cases of mitigation: the actions that answer high impacts, and written justifications
for a high impact that needs none. Both belong to a draft and change only with it."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator
from sqlmodel import Session

from assessments.drafting import queries as version_queries
from assessments.drafting.contributors import note_contribution
from assessments.drafting.editing import check_revision, editable_version
from assessments.drafting.stored_results import store_results
from assessments.drafting.version_view import AssessmentView, view_assessment
from assessments.kernel import audit
from assessments.kernel.actors import Actor, Role, require
from assessments.kernel.errors import InvalidTransition, NotFound, ValidationFailed
from assessments.kernel.inputs import Day, IdNumber, Input, Revision, WholeNumber
from assessments.models import ActionStatus, AssessmentVersion, MitigatingAction, utcnow
from assessments.people.directory import checked_owner, owner_named
from assessments.rubrics import queries as rubric_queries
from assessments.rubrics.schema import Rubric

MAX_JUSTIFICATION = 2000


class ActionSave(Input):
    """A mitigating action as an author enters it."""

    description: str = Field(min_length=3, max_length=2000)
    question_ids: list[str] = Field(min_length=1)
    owner_user_id: IdNumber | None = None  # one of the trust's people
    owner: str = Field(default="", max_length=120, validate_default=True)  # or a name
    due_date: Day | None = None
    status: ActionStatus = ActionStatus.PLANNED
    residual_impact: WholeNumber = Field(ge=0)
    expected_revision: Revision | None = None

    _owner = field_validator("owner")(checked_owner)

    @field_validator("question_ids")
    @classmethod
    def _distinct(cls, ids: list[str]) -> list[str]:
        return list(dict.fromkeys(ids))


def _checked(session: Session, version: AssessmentVersion, data: ActionSave) -> dict[str, Any]:
    """The action's fields, once the rubric knows its questions and impact and its owner is
    one of the trust's people or named."""
    errors: dict[str, str] = {}
    try:
        owner, owner_user_id = owner_named(
            session, version.trust_id, user_id=data.owner_user_id, name=data.owner
        )
    except ValidationFailed as exc:
        errors.update(exc.errors)
    try:
        _check_against_rubric(rubric_queries.rubric_of_version(session, version), data)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    fields = data.model_dump(exclude={"expected_revision"})
    return {**fields, "owner": owner, "owner_user_id": owner_user_id}


def _check_against_rubric(rubric: Rubric, data: ActionSave) -> None:
    errors: dict[str, str] = {}
    unknown = [qid for qid in data.question_ids if rubric.question(qid) is None]
    if unknown:
        errors["question_ids"] = f"The rubric has no question {unknown[0]!r}"
    scale = rubric.impact_scale
    if not scale.min <= data.residual_impact <= scale.max:
        errors["residual_impact"] = (
            f"Choose the impact expected afterwards, from {scale.min} to {scale.max}"
        )
    if errors:
        raise ValidationFailed(errors)


def _fields(action: MitigatingAction) -> dict[str, object]:
    return action.model_dump(
        include={
            "description",
            "question_ids",
            "owner",
            "owner_user_id",
            "due_date",
            "status",
            "residual_impact",
        }
    )


def add_action(
    *, session: Session, actor: Actor, version_id: int, data: ActionSave
) -> MitigatingAction:
    """Add a mitigating action to a draft."""
    version = editable_version(session, actor, version_id)
    fields = _checked(session, version, data)
    note_contribution(session, actor, version)
    action = MitigatingAction(version_id=version_id, **fields, updated_by=actor.name)
    session.add(action)
    session.flush()
    assert action.id is not None
    audit.record(
        session,
        actor,
        entity="mitigating_action",
        entity_id=action.id,
        action="added",
        details={"version_id": version_id, **audit.changes({}, _fields(action))},
    )
    store_results(session, version)
    return action


def _action_of(session: Session, version_id: int, action_id: int) -> MitigatingAction:
    action = version_queries.get_action(session, action_id)
    if action is None or action.version_id != version_id:
        raise NotFound(f"There is no action {action_id} in this assessment")
    return action


def update_action(
    *, session: Session, actor: Actor, version_id: int, action_id: int, data: ActionSave
) -> MitigatingAction:
    """Change a draft's action (refused if someone else changed it since it was read)."""
    version = editable_version(session, actor, version_id)
    action = _action_of(session, version_id, action_id)
    check_revision(action.revision, data.expected_revision)
    fields = _checked(session, version, data)
    before = _fields(action)
    for name, value in fields.items():
        setattr(action, name, value)
    diff = audit.changes(before, _fields(action))
    if not diff:
        return action
    note_contribution(session, actor, version)
    action.revision += 1
    action.updated_by, action.updated_at = actor.name, utcnow()
    session.add(action)
    session.flush()
    audit.record(
        session,
        actor,
        entity="mitigating_action",
        entity_id=action_id,
        action="changed",
        details={"version_id": version_id, **diff},
    )
    store_results(session, version)
    return action


def remove_action(
    *,
    session: Session,
    actor: Actor,
    version_id: int,
    action_id: int,
    expected_revision: int | None,
) -> None:
    """Remove an action from a draft."""
    version = editable_version(session, actor, version_id)
    action = _action_of(session, version_id, action_id)
    check_revision(action.revision, expected_revision)
    note_contribution(session, actor, version)
    details = {"version_id": version_id, **audit.changes(_fields(action), {})}
    session.delete(action)
    session.flush()
    audit.record(
        session,
        actor,
        entity="mitigating_action",
        entity_id=action_id,
        action="removed",
        details=details,
    )
    store_results(session, version)


def save_justification(
    *,
    session: Session,
    actor: Actor,
    version_id: int,
    question_id: str,
    text: str,
    expected_revision: int | None = None,
) -> None:
    """Say why an answer at or above the mitigation threshold needs no action (or clear it)."""
    version = editable_version(session, actor, version_id)
    row = version_queries.answer(session, version_id, question_id)
    if row is None:
        raise ValidationFailed({"justification": "Answer the question before justifying it"})
    text = text.strip()
    if len(text) > MAX_JUSTIFICATION:
        raise ValidationFailed(
            {"justification": f"Keep the justification to {MAX_JUSTIFICATION} characters"}
        )
    if text == row.justification:
        return
    check_revision(row.revision, expected_revision)
    note_contribution(session, actor, version)
    diff = audit.changes({"justification": row.justification}, {"justification": text})
    row.justification, row.revision = text, row.revision + 1
    row.updated_by, row.updated_at = actor.name, utcnow()
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        entity="answer",
        entity_id=row.id,
        action="justified",
        details={"version_id": version_id, "question_id": question_id, **diff},
    )


def view_for_editing(*, session: Session, actor: Actor, version_id: int) -> AssessmentView:
    """A draft as its authors see it to add or change its actions (refused to anyone else,
    and for a version that is no longer a draft)."""
    view = view_assessment(session=session, actor=actor, version_id=version_id)
    policy = view.policy
    require(
        actor,
        Role.AUTHOR,
        trust_id=policy.trust_id,
        school_id=policy.school_id,
        what=f"assessment version {version_id}",
    )
    if not view.version.editable:
        version = view.version
        raise InvalidTransition(
            f"Version {version.number} is {version.status.value} and can no longer be changed"
        )
    return view
