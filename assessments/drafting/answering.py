"""Use-cases of answering a version's rubric questions, one at a time or a page at once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlmodel import Session

from assessments.drafting import queries as version_queries
from assessments.drafting.contributors import note_contribution
from assessments.drafting.editing import NO_REVISION, _audit_edit, check_revision, editable_version
from assessments.drafting.schemas import AnswerSave
from assessments.drafting.stored_results import store_results
from assessments.kernel.actors import Actor
from assessments.kernel.errors import StaleVersion, ValidationFailed
from assessments.models import Answer, AssessmentVersion, utcnow
from assessments.rubrics import queries as rubric_queries
from assessments.rubrics.answers import normalise_answer, normalise_screening_answer
from assessments.rubrics.schema import Rubric


@dataclass(frozen=True)
class _Saved:
    """One answer as a save left it, and what its audit event says changed (nothing: None)."""

    row: Answer | None
    before: dict[str, str] | None = None
    after: dict[str, str] = field(default_factory=dict)


def _write_answer(
    session: Session, actor: Actor, version: AssessmentVersion, question_id: str, data: AnswerSave
) -> _Saved:
    """Check one answer and write it (or clear it, with an empty value) on the locked draft."""
    assert version.id is not None
    value = _normalised(rubric_queries.rubric_of_version(session, version), question_id, data)
    if not value and data.comment.strip():
        # Evidence is kept with its answer; on its own it would be lost without a word.
        raise ValidationFailed({"value": "Give an answer before adding evidence or a comment"})
    row = version_queries.answer(session, version.id, question_id)
    if row is None and not value:
        return _Saved(None)
    if row is not None and (row.value, row.comment) == (value, data.comment):
        return _Saved(row)  # nothing changes, so nobody's newer work can be overwritten
    check_revision(row.revision if row is not None else NO_REVISION, data.expected_revision)
    note_contribution(session, actor, version)
    before = {"value": row.value, "comment": row.comment} if row is not None else {}
    version.updated_at = utcnow()
    if row is not None and not value:
        session.delete(row)
        session.flush()
        return _Saved(None, before)
    if row is None:
        row = Answer(
            version_id=version.id,
            question_id=question_id,
            value=value,
            comment=data.comment,
            updated_by=actor.name,
        )
    else:
        row.value, row.comment, row.revision = value, data.comment, row.revision + 1
        row.updated_by, row.updated_at = actor.name, utcnow()
    session.add_all([row, version])
    session.flush()
    return _Saved(row, before, {"value": value, "comment": data.comment})


def _normalised(rubric: Rubric, question_id: str, data: AnswerSave) -> str:
    """The answer as stored, to a question of the full assessment or of the screening (their
    ids are unique across the rubric); empty to clear it."""
    question = rubric.question(question_id)
    if question is None and rubric.screening_question(question_id) is None:
        raise ValidationFailed({"question_id": f"The rubric has no question {question_id!r}"})
    if not data.value.strip():
        return ""
    try:
        if question is None:
            return normalise_screening_answer(data.value)
        return normalise_answer(question, data.value)
    except ValueError as exc:
        raise ValidationFailed({"value": str(exc)}) from None


def _record(
    session: Session, actor: Actor, version: AssessmentVersion, saved: Mapping[str, _Saved]
) -> None:
    """The version's results stored once for all the answers saved, then an audit event for
    each. The events come last: the audit chain's head stays locked from the first to the
    commit, and every writer in the installation waits for it (PostgreSQL), so nothing slow
    may follow them."""
    changed = {question_id: s for question_id, s in saved.items() if s.before is not None}
    if not changed:
        return
    assert version.id is not None
    store_results(session, version)
    for question_id, s in changed.items():
        assert s.before is not None
        what = {"question_id": question_id}
        _audit_edit(session, actor, "answer", version.id, what, s.before, s.after)


def save_answer(
    *, session: Session, actor: Actor, version_id: int, question_id: str, data: AnswerSave
) -> Answer | None:
    """Save (or, with an empty value, clear) one answer of a draft. Returns None when cleared."""
    version = editable_version(session, actor, version_id)
    saved = _write_answer(session, actor, version, question_id, data)
    _record(session, actor, version, {question_id: saved})
    return saved.row


def save_answers(
    *, session: Session, actor: Actor, version_id: int, answers: Mapping[str, AnswerSave]
) -> dict[str, str]:
    """Save several answers of a draft (a whole section posted at once); returns question id →
    error for those that could not be saved. The others are saved, so nothing good is lost."""
    version = editable_version(session, actor, version_id)
    errors: dict[str, str] = {}
    saved: dict[str, _Saved] = {}
    for question_id, data in answers.items():
        try:
            with session.begin_nested():
                saved[question_id] = _write_answer(session, actor, version, question_id, data)
        except ValidationFailed as exc:
            errors[question_id] = next(iter(exc.errors.values()))
        except StaleVersion as exc:
            errors[question_id] = exc.message
    _record(session, actor, version, saved)
    return errors
