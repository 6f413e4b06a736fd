"""The wizard's saves: a page's answers or workload estimates written, and the version read
back (once) to show the page again or to find the step that follows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from assessments.drafting import answering, version_view, workload
from assessments.drafting.schemas import AnswerSave, WorkloadEstimateClear, WorkloadEstimateSave
from assessments.drafting.version_view import AssessmentView
from assessments.kernel.actors import Actor
from assessments.kernel.errors import NotFound, StaleVersion, ValidationFailed
from assessments.rubrics.schema import Question, Section, StaffGroup

Estimate = WorkloadEstimateSave | WorkloadEstimateClear
# What a page's form gave: the inputs to save, and a message for each that could not be read.
ReadAnswers = Callable[[list[str]], tuple[dict[str, AnswerSave], dict[str, str]]]
ReadEstimates = Callable[[list[StaffGroup]], tuple[dict[str, Estimate], dict[str, str]]]


def section_of(view: AssessmentView, section_id: str) -> Section:
    """The section of the version's rubric; NotFound if it has none by that id."""
    section = view.rubric.section(section_id)
    if section is None:
        raise NotFound(f"The rubric has no section {section_id!r}")
    return section


@dataclass(frozen=True)
class SectionSaved:
    view: AssessmentView  # read again when anything was refused, else as it was before saving
    section: Section
    errors: dict[str, str]  # by question id


def save_section(
    *, session: Session, actor: Actor, version_id: int, section_id: str, read: ReadAnswers
) -> SectionSaved:
    """Save the answers on a section's page, as `read` finds them for its questions; with any
    refused, the version is read again to show the page with what was saved."""
    view = version_view.view_assessment(session=session, actor=actor, version_id=version_id)
    section = section_of(view, section_id)
    answers, errors = read([q.id for q in section.questions])
    errors |= answering.save_answers(
        session=session, actor=actor, version_id=version_id, answers=answers
    )
    if errors:
        view = version_view.view_assessment(session=session, actor=actor, version_id=version_id)
    return SectionSaved(view, section, errors)


@dataclass(frozen=True)
class AnswerSaved:
    view: AssessmentView  # read after saving
    section: Section
    question: Question
    refused: ValidationFailed | StaleVersion | None


def autosave_answer(
    *, session: Session, actor: Actor, version_id: int, question_id: str, data: AnswerSave | None
) -> AnswerSaved:
    """Save one answer as it is given (`data`; None when the form could not be read).

    The answer is saved first and the version read once, afterwards: save_answer checks the
    version, the person and the question itself, so reading the version before as well only
    doubled the work (and, on SQLite, the time every other autosave waits for the write lock).
    """
    refused: ValidationFailed | StaleVersion | None = None
    if data is not None:
        try:
            answering.save_answer(
                session=session,
                actor=actor,
                version_id=version_id,
                question_id=question_id,
                data=data,
            )
        except (ValidationFailed, StaleVersion) as exc:
            refused = exc
    view = version_view.view_assessment(session=session, actor=actor, version_id=version_id)
    question = view.rubric.question(question_id)
    if question is None:  # nothing was saved: save_answer refuses a question it does not know
        raise NotFound(f"The rubric has no question {question_id!r}")
    section = next(s for s in view.rubric.sections if question in s.questions)
    return AnswerSaved(view, section, question, refused)


@dataclass(frozen=True)
class WorkloadSaved:
    view: AssessmentView  # read again when anything was refused
    errors: dict[str, str]  # what `read` could not read, as it keys them
    refused: dict[str, str]  # by staff group id: what the service refused (a stale revision)


def save_workload(
    *, session: Session, actor: Actor, version_id: int, read: ReadEstimates
) -> WorkloadSaved:
    """Save every staff group's estimate as `read` finds it (a row left empty clears it)."""
    view = version_view.view_assessment(session=session, actor=actor, version_id=version_id)
    estimates, errors = read(view.rubric.staff_groups)
    refused = workload.save_workload_estimates(
        session=session, actor=actor, version_id=version_id, estimates=estimates
    )
    if errors or refused:
        view = version_view.view_assessment(session=session, actor=actor, version_id=version_id)
    return WorkloadSaved(view, errors, refused)
