"""The assessment wizard: one rubric section per page, the workload estimate, and the summary."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.responses import Response

from app.deps import ActorDep, FormDep, Id, SessionDep
from app.forms import error_list, parse_revision
from app.pages.steps import SUMMARY_STEP as SUMMARY_STEP, WORKLOAD_STEP, page_context, steps_of
from app.web import redirect, render
from assessments.drafting import version_view, wizard_steps
from assessments.drafting.schemas import (
    AnswerSave,
    HoursPer,
    WorkloadEstimateClear,
    WorkloadEstimateSave,
)
from assessments.drafting.version_view import AssessmentView
from assessments.kernel.errors import StaleVersion, ValidationFailed
from assessments.rubrics.schema import Question, Section, StaffGroup
from assessments.rubrics.scoring import SCHOOL_WEEKS_PER_YEAR

router = APIRouter(prefix="/assessments/{version_id}")


def _field(question_id: str, part: str) -> str:
    return f"{part}-{question_id}"


def _answer_from_form(form: FormData, question_id: str) -> AnswerSave:
    def text(part: str) -> str:
        value = form.get(_field(question_id, part))
        return value if isinstance(value, str) else ""

    return AnswerSave(
        value=text("answer"),
        comment=text("comment"),
        expected_revision=parse_revision(text("revision"), _field(question_id, "revision")),
    )


def read_answers(
    form: FormData, question_ids: Iterable[str]
) -> tuple[dict[str, AnswerSave], dict[str, str]]:
    """Answers to save, and per-question errors, of the questions on the page that was posted."""
    answers: dict[str, AnswerSave] = {}
    errors: dict[str, str] = {}
    for question_id in _posted(form, question_ids):
        try:
            answers[question_id] = _answer_from_form(form, question_id)
        except ValidationError as exc:
            errors[question_id] = exc.errors()[0]["msg"]
        except ValidationFailed as exc:
            errors[question_id] = next(iter(exc.errors.values()))
    return answers, errors


def _posted(form: FormData, question_ids: Iterable[str]) -> list[str]:
    """The questions on the page that was posted."""
    return [q for q in question_ids if _field(q, "revision") in form]


def typed_answers(form: FormData, question_ids: Iterable[str]) -> dict[str, dict[str, str]]:
    """What was typed for each question on the page, to show it back."""
    return {
        question_id: {
            part: str(form.get(_field(question_id, part), "")) for part in ("answer", "comment")
        }
        for question_id in _posted(form, question_ids)
    }


def _section_page(
    request: Request,
    view: AssessmentView,
    section: Section,
    *,
    errors: dict[str, str] | None = None,
    submitted: dict[str, dict[str, str]] | None = None,
    saved: str | None = None,
    status_code: int = 200,
    block: str | None = None,
    question: Question | None = None,
) -> Response:
    errors = errors or {}
    context = {
        **page_context(view, section.id),
        "title": section.title,
        "section": section,
        "errors": errors,
        "error_list": error_list(errors, prefix="answer-"),
        "submitted": submitted or {},
        "saved": saved,
        "question": question,
    }
    return render(
        request, "assessments/section.html", context, block=block, status_code=status_code
    )


@router.get("")
def open_assessment(
    request: Request, version_id: Id, session: SessionDep, actor: ActorDep
) -> Response:
    """Go to the first step still to do: a section with unanswered required questions, the
    workload if no estimate is in yet, or else the summary."""
    view = version_view.view_assessment(session=session, actor=actor, version_id=version_id)
    step = next((s for s in steps_of(view, "") if not s.done), None)
    return redirect(request, step.url if step else f"/assessments/{version_id}/summary")


@router.get("/sections/{section_id}")
def show_section(
    request: Request, version_id: Id, section_id: str, session: SessionDep, actor: ActorDep
) -> Response:
    """One section of the rubric, with the answers given so far."""
    view = version_view.view_assessment(session=session, actor=actor, version_id=version_id)
    return _section_page(request, view, wizard_steps.section_of(view, section_id))


@router.post("/sections/{section_id}")
def save_section(
    request: Request,
    version_id: Id,
    section_id: str,
    form: FormDep,
    session: SessionDep,
    actor: ActorDep,
) -> Response:
    """Save every answer on the page (the no-JavaScript path) and go on to the next step."""
    read = partial(read_answers, form)
    saved = wizard_steps.save_section(
        session=session, actor=actor, version_id=version_id, section_id=section_id, read=read
    )
    return _after_section(request, saved, form)


def _after_section(request: Request, saved: wizard_steps.SectionSaved, form: FormData) -> Response:
    """The page again with what was refused (422); else on to the step that follows."""
    if saved.errors:
        submitted = typed_answers(form, [q.id for q in saved.section.questions])
        return _section_page(
            request,
            saved.view,
            saved.section,
            errors=saved.errors,
            submitted=submitted,
            status_code=422,
        )
    steps = steps_of(saved.view, saved.section.id)
    following = steps[next(i for i, s in enumerate(steps) if s.current) + 1]
    return redirect(request, following.url)


@router.post("/answers/{question_id}")
def autosave_answer(
    request: Request,
    version_id: Id,
    question_id: str,
    form: FormDep,
    session: SessionDep,
    actor: ActorDep,
) -> Response:
    """Save one answer as it is given (htmx) and return its refreshed block."""
    answer, errors = _read_answer(form, question_id)
    saved = wizard_steps.autosave_answer(
        session=session, actor=actor, version_id=version_id, question_id=question_id, data=answer
    )
    return _answer_block(request, saved, errors, typed_answers(form, [question_id]))


def _read_answer(form: FormData, question_id: str) -> tuple[AnswerSave | None, dict[str, str]]:
    """The one answer posted (None if it cannot be saved), and what is wrong with it."""
    answers, errors = read_answers(form, [question_id])
    if not errors and question_id not in answers:
        errors[question_id] = "This page is out of date: reload it and give your answer again"
    return None if errors else answers[question_id], errors


def _answer_block(
    request: Request,
    saved: wizard_steps.AnswerSaved,
    errors: dict[str, str],
    submitted: dict[str, dict[str, str]],
) -> Response:
    """The question's block: saved, or with what was wrong (409 if it was changed meanwhile)."""
    question_id, status_code = saved.question.id, 422
    if isinstance(saved.refused, StaleVersion):
        errors[question_id], status_code = saved.refused.message, 409
    elif saved.refused is not None:
        errors[question_id] = next(iter(saved.refused.errors.values()))
    return _section_page(
        request,
        saved.view,
        saved.section,
        errors=errors,
        submitted=submitted if errors else {},
        saved=None if errors else question_id,
        status_code=status_code if errors else 200,
        block="question",
        question=saved.question,
    )


def _workload_page(
    request: Request,
    view: AssessmentView,
    *,
    errors: dict[str, str] | None = None,
    submitted: dict[str, dict[str, str]] | None = None,
    status_code: int = 200,
) -> Response:
    errors = errors or {}
    return render(
        request,
        "assessments/workload.html",
        {
            **page_context(view, WORKLOAD_STEP),
            "title": view.rubric.workload.title,
            "errors": errors,
            "error_list": error_list(errors),
            "submitted": submitted or {},
            "weeks_per_year": SCHOOL_WEEKS_PER_YEAR,
        },
        status_code=status_code,
    )


@router.get("/workload")
def show_workload(
    request: Request, version_id: Id, session: SessionDep, actor: ActorDep
) -> Response:
    """Hours the policy adds or removes for each staff group."""
    view = version_view.view_assessment(session=session, actor=actor, version_id=version_id)
    return _workload_page(request, view)


WORKLOAD_FIELDS = {
    "hours": "hours",
    "per": "hours",  # a "per" not offered: said on the hours, which it qualifies
    "hours_per_term": "hours",
    "staff_count": "staff",
    "note": "note",
}


def _group_name(label: str) -> str:
    """A staff group's label as it reads mid-sentence: "Support staff" → "support staff"."""
    if label[:2].isupper():  # an acronym, like "SENCos"
        return label
    return label[:1].lower() + label[1:]


def _workload_message(part: str, label: str) -> str:
    """What to do about one field of a staff group's row, in GOV.UK's words."""
    group = _group_name(label)
    match part:
        case "hours":
            return (
                f"Enter the hours added or removed per person for {group}, a number with up "
                "to 2 decimal places (a minus sign for hours removed)"
            )
        case "staff":
            return f"Enter the number of {group} affected, a whole number from 0 to 10000"
        case _:
            return f"The note about {group} must be 2000 characters or fewer"


@router.post("/workload")
def save_workload(
    request: Request, version_id: Id, form: FormDep, session: SessionDep, actor: ActorDep
) -> Response:
    """Save every staff group's estimate; a row left empty clears that group's estimate."""
    read = partial(_read_estimates, form)
    saved = wizard_steps.save_workload(
        session=session, actor=actor, version_id=version_id, read=read
    )
    return _after_workload(request, saved, form)


def _workload_rows(form: FormData, groups: Iterable[StaffGroup]) -> dict[str, dict[str, str]]:
    """What was typed in each staff group's row."""
    return {
        group.id: {
            part: str(form.get(f"{part}-{group.id}", "")).strip()
            for part in ("hours", "per", "staff", "note", "revision")
        }
        for group in groups
    }


def _read_estimates(
    form: FormData, groups: list[StaffGroup]
) -> tuple[dict[str, wizard_steps.Estimate], dict[str, str]]:
    """Each staff group's estimate, or its clearing when the row is left empty; errors are keyed
    by the id of the field they are about (`hours-<group>`, `staff-<group>`, `note-<group>`), so
    each is shown next to that field and the error summary links to it."""
    estimates: dict[str, wizard_steps.Estimate] = {}
    errors: dict[str, str] = {}
    rows = _workload_rows(form, groups)
    for group in groups:
        row = rows[group.id]
        try:
            revision = parse_revision(row["revision"], f"revision-{group.id}")
        except ValidationFailed as exc:
            errors[f"hours-{group.id}"] = next(iter(exc.errors.values()))
            continue
        if not any(row[part] for part in ("hours", "staff", "note")):
            estimates[group.id] = WorkloadEstimateClear(expected_revision=revision)
            continue
        try:
            estimates[group.id] = WorkloadEstimateSave(
                hours=row["hours"],
                per=row["per"] or HoursPer.TERM,
                staff_count=row["staff"],
                note=row["note"],
                expected_revision=revision,
            )
        except ValidationError as exc:
            for error in exc.errors():
                part = WORKLOAD_FIELDS[str(error["loc"][0])]
                errors.setdefault(f"{part}-{group.id}", _workload_message(part, group.label))
    return estimates, errors


def _after_workload(
    request: Request, saved: wizard_steps.WorkloadSaved, form: FormData
) -> Response:
    """On to the summary; or the page again with each error by its field, in the page's order."""
    # The service answers per staff group (a stale revision, say): shown on the group's hours.
    errors = dict(saved.errors)
    for group_id, message in saved.refused.items():
        errors.setdefault(f"hours-{group_id}", message)
    if not errors:
        return redirect(request, f"/assessments/{saved.view.version.id}/summary")
    groups = saved.view.rubric.staff_groups
    in_page_order = [f"{part}-{g.id}" for g in groups for part in WORKLOAD_FIELDS.values()]
    errors = {field: errors[field] for field in in_page_order if field in errors} | errors
    submitted = _workload_rows(form, groups)
    return _workload_page(request, saved.view, errors=errors, submitted=submitted, status_code=422)
