"""Use-cases of an assessment: start it, answer it, estimate its workload, view its results.

Each takes a session and an actor, does one unit of work and flushes; the caller (the request,
or a CLI command) owns the transaction and commits it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import Session

from assessments import audit, repository
from assessments.actors import Actor, Role, require, require_sight
from assessments.answers import normalise_answer
from assessments.contributors import contributed, note_contribution
from assessments.errors import Conflict, InvalidTransition, StaleVersion, ValidationFailed
from assessments.models import (
    HUNDREDTH,
    ActionStatus,
    Answer,
    Assessment,
    AssessmentVersion,
    MitigatingAction,
    Policy,
    VersionStatus,
    WorkloadEstimate,
    utcnow,
)
from assessments.results import refresh, results_of
from assessments.rubric import Rubric
from assessments.schemas import AnswerSave, WorkloadEstimateClear, WorkloadEstimateSave
from assessments.scoring import Results


def start_assessment(
    *, session: Session, actor: Actor, policy_id: int, rubric_id: str
) -> AssessmentVersion:
    """Start version 1 of a policy's impact assessment against the latest published rubric."""
    policy = repository.get_policy(session, policy_id, for_update=True)  # a double click waits
    require(
        actor, Role.AUTHOR, trust_id=policy.trust_id, school_id=policy.school_id,
        what=f"policy {policy_id}",
    )  # fmt: skip
    if repository.assessment_for_policy(session, policy_id) is not None:
        raise Conflict(f"{policy.reference} already has an impact assessment")
    rubric_row = repository.latest_published_rubric(session, rubric_id)
    if rubric_row is None:
        raise Conflict(f"No version of rubric {rubric_id!r} has been published yet")
    assessment = Assessment(policy_id=policy_id)
    session.add(assessment)
    session.flush()
    assert assessment.id is not None and rubric_row.id is not None
    version = AssessmentVersion(
        assessment_id=assessment.id,
        trust_id=policy.trust_id,
        school_id=policy.school_id,
        number=1,
        rubric_version_id=rubric_row.id,
        status=VersionStatus.DRAFT,
        author=actor.name,
        author_user_id=actor.user_id,
    )
    session.add(version)
    session.flush()
    note_contribution(session, actor, version)
    rubric = f"{rubric_id}@{rubric_row.version}"
    audit.record(
        session, actor, entity="assessment_version", entity_id=version.id, action="started",
        details={"policy_id": policy_id, "number": 1, "rubric": rubric},
    )  # fmt: skip
    return version


def _version_seen(
    session: Session, actor: Actor, version_id: int, *, for_update: bool = False
) -> tuple[AssessmentVersion, Policy]:
    version = repository.get_version(session, version_id, for_update=for_update)
    policy = repository.policy_of_version(session, version)
    require_sight(
        actor, trust_id=policy.trust_id, school_id=policy.school_id,
        what=f"assessment version {version_id}",
    )  # fmt: skip
    return version, policy


def editable_version(session: Session, actor: Actor, version_id: int) -> AssessmentVersion:
    # Locked, so two saves to one version run one after the other: neither can insert the same
    # answer twice, nor pass the revision check on a row the other is changing.
    version, policy = _version_seen(session, actor, version_id, for_update=True)
    require(
        actor, Role.AUTHOR, trust_id=policy.trust_id, school_id=policy.school_id,
        what=f"assessment version {version_id}",
    )  # fmt: skip
    if not version.editable:
        raise InvalidTransition(
            f"Version {version.number} is {version.status.value} and can no longer be changed"
        )
    return version


NO_REVISION = 0  # what a form holds for something not yet saved


def check_revision(current: int, expected: int | None) -> None:
    if expected is not None and expected != current:
        raise StaleVersion(
            "Someone else changed this after you opened it. "
            "Your input is kept below: check the latest version and save again."
        )


def save_answer(
    *, session: Session, actor: Actor, version_id: int, question_id: str, data: AnswerSave
) -> Answer | None:
    """Save (or, with an empty value, clear) one answer of a draft. Returns None when cleared."""
    version = editable_version(session, actor, version_id)
    question = repository.rubric_of_version(session, version).question(question_id)
    if question is None:
        raise ValidationFailed({"question_id": f"The rubric has no question {question_id!r}"})
    try:
        value = normalise_answer(question, data.value) if data.value.strip() else ""
    except ValueError as exc:
        raise ValidationFailed({"value": str(exc)}) from None
    if not value and data.comment.strip():
        # Evidence is kept with its answer; on its own it would be lost without a word.
        raise ValidationFailed({"value": "Give an answer before adding evidence or a comment"})
    row = repository.answer(session, version_id, question_id)
    if row is None and not value:
        return None
    if row is not None and (row.value, row.comment) == (value, data.comment):
        return row  # nothing changes, so nobody's newer work can be overwritten
    check_revision(row.revision if row is not None else NO_REVISION, data.expected_revision)
    note_contribution(session, actor, version)
    before = {"value": row.value, "comment": row.comment} if row is not None else {}
    if row is not None and not value:
        session.delete(row)
        version.updated_at = utcnow()
        session.flush()
        refresh(session, version)
        _audit_edit(session, actor, "answer", version_id, {"question_id": question_id}, before, {})
        return None
    if row is None:
        row = Answer(
            version_id=version_id,
            question_id=question_id,
            value=value,
            comment=data.comment,
            updated_by=actor.name,
        )
    else:
        row.value, row.comment, row.revision = value, data.comment, row.revision + 1
        row.updated_by, row.updated_at = actor.name, utcnow()
    version.updated_at = utcnow()
    session.add_all([row, version])
    session.flush()
    refresh(session, version)
    # Last: the audit chain's head stays locked from here to the commit, and every writer in
    # the installation waits for it (PostgreSQL), so nothing slow may follow it.
    _audit_edit(
        session, actor, "answer", version_id, {"question_id": question_id}, before,
        {"value": value, "comment": data.comment},
    )  # fmt: skip
    return row


def _audit_edit(
    session: Session,
    actor: Actor,
    entity: str,
    version_id: int,
    what: dict[str, str],
    before: Mapping[str, object],
    after: Mapping[str, object],
) -> None:
    """One audit event for a draft's answer or estimate saved or cleared, before and after."""
    audit.record(
        session, actor, entity=entity, entity_id=version_id,
        action="cleared" if not after else "saved",
        details={"version_id": version_id, **what, **audit.changes(before, after)},
    )  # fmt: skip


def _require_staff_group(session: Session, version: AssessmentVersion, staff_group: str) -> None:
    if repository.rubric_of_version(session, version).staff_group(staff_group) is None:
        raise ValidationFailed({"staff_group": f"The rubric has no staff group {staff_group!r}"})


def save_workload_estimate(
    *,
    session: Session,
    actor: Actor,
    version_id: int,
    staff_group: str,
    data: WorkloadEstimateSave,
) -> WorkloadEstimate:
    """Save the estimated hours a draft's policy adds or removes for one staff group."""
    version = editable_version(session, actor, version_id)
    _require_staff_group(session, version, staff_group)
    row = repository.estimate(session, version_id, staff_group)
    hours = data.hours_per_term.quantize(HUNDREDTH)  # as the database will give it back
    if row is not None and (row.hours_per_term, row.staff_count, row.note) == (
        hours,
        data.staff_count,
        data.note,
    ):
        return row  # nothing changes, so nobody's newer work can be overwritten
    check_revision(row.revision if row is not None else NO_REVISION, data.expected_revision)
    note_contribution(session, actor, version)
    before = _estimate_fields(row) if row is not None else {}
    if row is None:
        row = WorkloadEstimate(
            version_id=version_id,
            staff_group=staff_group,
            hours_per_term=hours,
            staff_count=data.staff_count,
            note=data.note,
            updated_by=actor.name,
        )
    else:
        row.hours_per_term, row.staff_count, row.note = hours, data.staff_count, data.note
        row.revision += 1
        row.updated_by, row.updated_at = actor.name, utcnow()
    version.updated_at = utcnow()
    session.add_all([row, version])
    session.flush()
    refresh(session, version)
    _audit_edit(
        session, actor, "workload_estimate", version_id, {"staff_group": staff_group}, before,
        _estimate_fields(row),
    )  # fmt: skip
    return row


def _estimate_fields(row: WorkloadEstimate) -> dict[str, object]:
    return row.model_dump(include={"hours_per_term", "staff_count", "note"})


@dataclass(frozen=True)
class AssessmentView:
    """Everything a page or an API response shows about one version."""

    version: AssessmentVersion
    policy: Policy
    rubric: Rubric
    answers: dict[str, Answer]
    estimates: dict[str, WorkloadEstimate]
    actions: list[MitigatingAction]
    results: Results  # as answered
    results_after: Results  # once the mitigating actions are done
    authors_here: bool  # the viewer is one of the policy's school's authors
    may_edit: bool  # a draft, and the viewer authors here
    may_decide: bool  # submitted, the viewer approves there, and had no part in it

    def unmitigated(self) -> list[str]:
        """Question ids at or above the mitigation threshold with neither an action nor a
        written justification."""
        covered = {
            qid
            for action in self.actions
            if action.status is not ActionStatus.DROPPED  # a dropped action mitigates nothing
            for qid in action.question_ids
        }
        return [
            flag.question.id
            for flag in self.results.flagged
            if flag.question.id not in covered and not self.answers[flag.question.id].justification
        ]


def view_assessment(*, session: Session, actor: Actor, version_id: int) -> AssessmentView:
    """A version with its rubric, answers, estimates and computed results."""
    version, policy = _version_seen(session, actor, version_id)
    rubric = repository.rubric_of_version(session, version)
    answers = repository.answers_of_version(session, version_id)
    estimates = repository.estimates_of_version(session, version_id)
    actions = repository.actions_of_version(session, version_id)
    results = results_of(rubric, answers, estimates, actions)
    return AssessmentView(
        version=version,
        policy=policy,
        rubric=rubric,
        answers=answers,
        estimates=estimates,
        actions=actions,
        results=results.before,
        results_after=results.after,
        authors_here=actor.holds(Role.AUTHOR, policy.school_id),
        may_edit=version.editable and actor.holds(Role.AUTHOR, policy.school_id),
        may_decide=version.status is VersionStatus.SUBMITTED
        and actor.holds(Role.APPROVER, policy.school_id)
        and not contributed(session, actor, version),
    )


def save_answers(
    *, session: Session, actor: Actor, version_id: int, answers: Mapping[str, AnswerSave]
) -> dict[str, str]:
    """Save several answers of a draft (a whole section posted at once); returns question id →
    error for those that could not be saved. The others are saved, so nothing good is lost."""
    editable_version(session, actor, version_id)
    errors: dict[str, str] = {}
    for question_id, data in answers.items():
        try:
            with session.begin_nested():
                save_answer(
                    session=session,
                    actor=actor,
                    version_id=version_id,
                    question_id=question_id,
                    data=data,
                )
        except ValidationFailed as exc:
            errors[question_id] = next(iter(exc.errors.values()))
        except StaleVersion as exc:
            errors[question_id] = exc.message
    return errors


def save_workload_estimates(
    *,
    session: Session,
    actor: Actor,
    version_id: int,
    estimates: Mapping[str, WorkloadEstimateSave | WorkloadEstimateClear],
) -> dict[str, str]:
    """Save the workload page: staff group → an estimate, or a clear. Returns the errors."""
    editable_version(session, actor, version_id)
    errors: dict[str, str] = {}
    for staff_group, data in estimates.items():
        try:
            with session.begin_nested():
                if isinstance(data, WorkloadEstimateClear):
                    clear_workload_estimate(
                        session=session,
                        actor=actor,
                        version_id=version_id,
                        staff_group=staff_group,
                        expected_revision=data.expected_revision,
                    )
                else:
                    save_workload_estimate(
                        session=session,
                        actor=actor,
                        version_id=version_id,
                        staff_group=staff_group,
                        data=data,
                    )
        except ValidationFailed as exc:
            errors[staff_group] = next(iter(exc.errors.values()))
        except StaleVersion as exc:
            errors[staff_group] = exc.message
    return errors


def clear_workload_estimate(
    *,
    session: Session,
    actor: Actor,
    version_id: int,
    staff_group: str,
    expected_revision: int | None = None,
) -> None:
    """Remove a draft's estimate for one staff group (it no longer applies)."""
    version = editable_version(session, actor, version_id)
    _require_staff_group(session, version, staff_group)
    row = repository.estimate(session, version_id, staff_group)
    if row is None:
        return
    check_revision(row.revision, expected_revision)
    note_contribution(session, actor, version)
    before = _estimate_fields(row)
    session.delete(row)
    version.updated_at = utcnow()
    session.add(version)
    session.flush()
    _audit_edit(
        session, actor, "workload_estimate", version_id, {"staff_group": staff_group}, before, {}
    )  # fmt: skip
    refresh(session, version)
