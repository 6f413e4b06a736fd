"""Use-cases of answering a version's rubric questions, one at a time or a page at once."""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import Session

from assessments.drafting import queries as version_queries
from assessments.drafting.contributors import note_contribution
from assessments.drafting.editing import NO_REVISION, _audit_edit, check_revision, editable_version
from assessments.drafting.schemas import AnswerSave
from assessments.drafting.stored_results import store_results
from assessments.kernel.actors import Actor
from assessments.kernel.errors import StaleVersion, ValidationFailed
from assessments.models import (
    Answer,
    utcnow,
)
from assessments.rubrics import queries as rubric_queries
from assessments.rubrics.answers import normalise_answer


def save_answer(
    *, session: Session, actor: Actor, version_id: int, question_id: str, data: AnswerSave
) -> Answer | None:
    """Save (or, with an empty value, clear) one answer of a draft. Returns None when cleared."""
    version = editable_version(session, actor, version_id)
    question = rubric_queries.rubric_of_version(session, version).question(question_id)
    if question is None:
        raise ValidationFailed({"question_id": f"The rubric has no question {question_id!r}"})
    try:
        value = normalise_answer(question, data.value) if data.value.strip() else ""
    except ValueError as exc:
        raise ValidationFailed({"value": str(exc)}) from None
    if not value and data.comment.strip():
        # Evidence is kept with its answer; on its own it would be lost without a word.
        raise ValidationFailed({"value": "Give an answer before adding evidence or a comment"})
    row = version_queries.answer(session, version_id, question_id)
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
        store_results(session, version)
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
    store_results(session, version)
    # Last: the audit chain's head stays locked from here to the commit, and every writer in
    # the installation waits for it (PostgreSQL), so nothing slow may follow it.
    _audit_edit(
        session,
        actor,
        "answer",
        version_id,
        {"question_id": question_id},
        before,
        {"value": value, "comment": data.comment},
    )
    return row


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
