"""The screening's saves: its answers (kept as answers of the version, their ids unique across
the rubric) and the author's reason for screening the change out."""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import Session

from assessments.drafting import answering
from assessments.drafting.contributors import note_contribution
from assessments.drafting.editing import _audit_edit, check_revision, editable_version
from assessments.drafting.schemas import AnswerSave
from assessments.drafting.stored_results import store_results
from assessments.kernel.actors import Actor
from assessments.kernel.errors import NotFound, StaleVersion, ValidationFailed
from assessments.models import AssessmentVersion, utcnow
from assessments.rubrics import queries as rubric_queries
from assessments.rubrics.schema import Rubric

MAX_SCREENING_REASON = 2000
REASON = "screening_reason"  # its field, on the page and in the API


def _screening_draft(
    session: Session, actor: Actor, version_id: int
) -> tuple[AssessmentVersion, Rubric]:
    """The draft, locked, once its author may change it and its rubric screens."""
    version = editable_version(session, actor, version_id)
    rubric = rubric_queries.rubric_of_version(session, version)
    if rubric.screening is None:
        raise NotFound("This assessment's rubric has no screening")
    return version, rubric


def save_screening_reason(
    *,
    session: Session,
    actor: Actor,
    version_id: int,
    reason: str,
    expected_revision: int | None = None,
) -> AssessmentVersion:
    """Say why the change needs no full assessment (empty clears it). A change based on an
    older revision of the reason than the version holds is refused (StaleVersion)."""
    version, _ = _screening_draft(session, actor, version_id)
    reason, before = reason.strip(), version.screening_reason
    if len(reason) > MAX_SCREENING_REASON:
        raise ValidationFailed(
            {REASON: f"Keep the reason to {MAX_SCREENING_REASON} characters or fewer"}
        )
    if reason == before:
        return version  # nothing changes, so nobody's newer work can be overwritten
    check_revision(version.screening_revision, expected_revision)
    note_contribution(session, actor, version)
    version.screening_reason, version.updated_at = reason, utcnow()
    version.screening_revision += 1
    store_results(session, version)
    assert version.id is not None
    _audit_edit(
        session, actor, "assessment_version", version.id, {}, {REASON: before}, {REASON: reason}
    )
    return version


def save_screening(
    *,
    session: Session,
    actor: Actor,
    version_id: int,
    answers: Mapping[str, AnswerSave],
    reason: str,
    reason_revision: int | None = None,
) -> dict[str, str]:
    """Save the screening page: its answers and the reason. Returns field → what was refused
    (an answer by its question id, the reason as REASON); everything else is saved."""
    _, rubric = _screening_draft(session, actor, version_id)
    errors = {
        qid: f"The screening has no question {qid!r}"
        for qid in answers
        if rubric.screening_question(qid) is None
    }
    asked = {qid: data for qid, data in answers.items() if qid not in errors}
    errors |= answering.save_answers(
        session=session, actor=actor, version_id=version_id, answers=asked
    )
    try:
        with session.begin_nested():
            save_screening_reason(
                session=session,
                actor=actor,
                version_id=version_id,
                reason=reason,
                expected_revision=reason_revision,
            )
    except ValidationFailed as exc:
        errors |= exc.errors
    except StaleVersion as exc:
        errors[REASON] = exc.message
    return errors
