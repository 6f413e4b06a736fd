"""The summary of a version and its mitigation: actions and justifications. (Its workflow's
moves are in app/pages/workflow.py.)"""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.responses import Response

from app.deps import ActorDep, FormDep, Id, SessionDep
from app.forms import error_list, form_errors, parse_revision
from app.inputs import day_parts, typed_day
from app.pages.steps import SUMMARY_STEP, page_context
from app.web import redirect, render
from assessments.consultations import formal, requirement, results as consultation_results
from assessments.drafting import mitigation, version_view
from assessments.drafting.mitigation import ActionSave
from assessments.drafting.version_view import AssessmentView
from assessments.kernel.clock import today
from assessments.kernel.errors import NotFound, StaleVersion, ValidationFailed
from assessments.models import ActionStatus, MitigatingAction
from assessments.people import directory
from assessments.people.directory import OWNER_MESSAGE
from assessments.workflow import review

router = APIRouter()
BASE = "/assessments/{version_id}"
ACTION_MESSAGES = {
    "description": "Describe what will be done (3 to 2000 characters)",
    "question_ids": "Choose the answer or answers the action deals with",
    "owner": OWNER_MESSAGE,
    "owner_user_id": "Choose one of the trust's people",
    "due_date": "Enter a real date it is due, with its day, month and year, like 31 3 2027",
    "status": "Choose where the action stands",
    "residual_impact": "Choose the impact you expect once it is done",
}


def _summary_context(view: AssessmentView, session: SessionDep, actor: ActorDep) -> dict[str, Any]:
    questions = {q.id: q for q in view.rubric.questions()}
    covering: dict[str, list[Any]] = {}
    for action in view.actions:
        for qid in action.question_ids:
            covering.setdefault(qid, []).append(action)
    return {
        **page_context(view, SUMMARY_STEP),
        "title": f"Summary: {view.policy.title}",
        "results": view.results,
        "results_after": view.results_after,
        "questions": questions,
        "section_of": {q.id: s.id for s in view.rubric.sections for q in s.questions},
        "covering": covering,
        "unmitigated": set(view.unmitigated()),
        "covered": view.covered(),
        "changes": review.changes_since_approved(session=session, actor=actor, view=view),
        "changes_since_returned": review.changes_since_returned(session=session, view=view),
        "standing": review.standing_of(session=session, view=view),
        "consultations": consultation_results.consultations_of(
            session=session, actor=actor, version_id=view.version.id or 0, today=today()
        ),
        "formal": formal.formal_of(session=session, actor=actor, version_id=view.version.id or 0),
        "unconsulted": requirement.reason_wanted(session, view),  # submitting needs a reason
        "unconsulted_said": requirement.reason_given(session, view.version),
    }


def _summary_page(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    version_id: int,
    errors: dict[str, str] | None = None,
    template: str = "assessments/summary.html",
    values: dict[str, str] | None = None,
) -> Response:
    view = version_view.view_assessment(session=session, actor=actor, version_id=version_id)
    errors = errors or {}
    context = {
        **_summary_context(view, session, actor),
        "values": values or {},  # what a refused decision said, to put right
        "errors": errors,
        "error_list": error_list(errors),
    }
    return render(request, template, context, status_code=422 if errors else 200)


@router.get(BASE + "/summary")
def show_summary(
    request: Request, version_id: Id, session: SessionDep, actor: ActorDep
) -> Response:
    """Scores by section, ratings before and after mitigation, workload hours, the actions,
    and what the version's workflow allows next."""
    return _summary_page(request, session, actor, version_id)


def _revision(form: FormData) -> int | None:
    """The revision the form was shown at (None if it sends none); one that is not a revision
    is refused, naming the field."""
    return parse_revision(str(form.get("revision", "")), "revision")


@router.post(BASE + "/justifications/{question_id}")
def justify(
    request: Request,
    version_id: Id,
    question_id: str,
    form: FormDep,
    session: SessionDep,
    actor: ActorDep,
) -> Response:
    """Say why an answer at or above the threshold needs no action."""
    save = partial(mitigation.save_justification, session=session, actor=actor)
    revision, text = _revision(form), str(form.get("justification", ""))
    try:
        save(version_id=version_id, question_id=question_id, text=text, expected_revision=revision)
    except (ValidationFailed, StaleVersion) as exc:
        return _summary_page(request, session, actor, version_id, _refusal(question_id, exc))
    return redirect(request, f"/assessments/{version_id}/summary#flagged")


def _refusal(question_id: str, exc: ValidationFailed | StaleVersion) -> dict[str, str]:
    """The error beside the question's justification: the field's own message, or the whole
    error's (a stale form)."""
    if isinstance(exc, ValidationFailed):
        return {f"justification-{question_id}": exc.errors.get("justification", exc.message)}
    return {f"justification-{question_id}": exc.message}


# Mitigating actions -----------------------------------------------------------------------------


def _action_values(form: FormData) -> dict[str, Any]:
    return {
        "description": str(form.get("description", "")),
        "question_ids": [str(q) for q in form.getlist("question_ids")],
        "owner": str(form.get("owner", "")),
        "owner_user_id": str(form.get("owner_user_id", "")) or None,
        "due_date": typed_day(form, "due_date") or None,
        "status": str(form.get("status", "")) or ActionStatus.PLANNED.value,
        "residual_impact": str(form.get("residual_impact", "")),
        "expected_revision": _revision(form),
    }


def _action_page(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    view: AssessmentView,
    values: dict[str, Any],
    errors: dict[str, str],
    action_id: int | None = None,
) -> Response:
    flagged = [f.question for f in view.results.flagged]
    others = [q for q in view.rubric.questions() if q not in flagged and q.id in view.answers]
    return render(
        request,
        "assessments/action.html",
        {
            **page_context(view, SUMMARY_STEP),
            "title": "Change a mitigating action" if action_id else "Add a mitigating action",
            "action_id": action_id,
            "values": values,
            "errors": errors,
            "error_list": error_list(errors),
            "flagged": flagged,
            "others": others,
            "statuses": list(ActionStatus),
            "people": directory.people_to_name(session=session, actor=actor),
            "scale": range(view.rubric.impact_scale.min, view.rubric.impact_scale.max + 1),
        },
        block="action_form",
        status_code=422 if errors else 200,
    )


@router.get(BASE + "/actions/new")
def new_action(
    request: Request, version_id: Id, session: SessionDep, actor: ActorDep, question: str = ""
) -> Response:
    """The form for a new mitigating action (for one flagged answer, if `question` is given)."""
    view = mitigation.view_for_editing(session=session, actor=actor, version_id=version_id)
    values = {"question_ids": [question] if question else [], "status": ActionStatus.PLANNED.value}
    return _action_page(request, session, actor, view, values, {})


def _save_action(
    request: Request,
    version_id: int,
    form: FormData,
    session: SessionDep,
    actor: ActorDep,
    action_id: int | None,
) -> Response:
    values = _action_values(form)
    try:
        data = ActionSave.model_validate(values)
        if action_id is None:
            mitigation.add_action(session=session, actor=actor, version_id=version_id, data=data)
        else:
            mitigation.update_action(
                session=session, actor=actor, version_id=version_id, action_id=action_id, data=data
            )
    except ValidationError as exc:
        errors = form_errors(exc, ACTION_MESSAGES)
    except ValidationFailed as exc:
        errors = exc.errors
    except StaleVersion as exc:
        errors = {"description": exc.message}
    else:
        return redirect(request, f"/assessments/{version_id}/summary#actions")
    view = version_view.view_assessment(session=session, actor=actor, version_id=version_id)
    shown = {**values, **day_parts(form, "due_date")}  # the date as typed, field by field
    return _action_page(request, session, actor, view, shown, errors, action_id)


@router.post(BASE + "/actions")
def create_action(
    request: Request, version_id: Id, form: FormDep, session: SessionDep, actor: ActorDep
) -> Response:
    """Add the action and go back to the summary."""
    return _save_action(request, version_id, form, session, actor, None)


@router.get(BASE + "/actions/{action_id}")
def edit_action(
    request: Request, version_id: Id, action_id: Id, session: SessionDep, actor: ActorDep
) -> Response:
    """The form to change an action."""
    view = mitigation.view_for_editing(session=session, actor=actor, version_id=version_id)
    action = next((a for a in view.actions if a.id == action_id), None)
    if action is None:
        raise NotFound(f"There is no action {action_id} in this assessment")
    return _action_page(request, session, actor, view, _stored_values(action), {}, action_id)


def _stored_values(action: MitigatingAction) -> dict[str, Any]:
    """A saved action as its form shows it: an owner with an account chosen, one without
    typed in."""
    return {
        **action.model_dump(),
        "owner": "" if action.owner_user_id else action.owner,
        "status": action.status.value,
        "expected_revision": action.revision,
    }


@router.post(BASE + "/actions/{action_id}")
def update_action(
    request: Request,
    version_id: Id,
    action_id: Id,
    form: FormDep,
    session: SessionDep,
    actor: ActorDep,
) -> Response:
    """Save the changed action."""
    return _save_action(request, version_id, form, session, actor, action_id)


@router.post(BASE + "/actions/{action_id}/remove")
def remove_action(
    request: Request,
    version_id: Id,
    action_id: Id,
    form: FormDep,
    session: SessionDep,
    actor: ActorDep,
) -> Response:
    """Remove the action."""
    remove = partial(mitigation.remove_action, session=session, actor=actor, version_id=version_id)
    remove(action_id=action_id, expected_revision=_revision(form))
    return redirect(request, f"/assessments/{version_id}/summary#actions")
