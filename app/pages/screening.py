"""The wizard's first page, where the rubric screens: a few questions that decide whether the
change needs the full assessment, and the author's reason when it does not."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from app.deps import ActorDep, FormDep, Id, SessionDep
from app.forms import parse_revision, render_form
from app.pages.steps import SCREENING_STEP, page_context, steps_of
from app.pages.wizard import read_answers, typed_answers
from app.web import redirect
from assessments.drafting import screening, version_view
from assessments.drafting.version_view import AssessmentView
from assessments.kernel.actors import Actor
from assessments.kernel.errors import NotFound

router = APIRouter(prefix="/assessments/{version_id}")
REASON, REASON_REVISION = screening.REASON, "screening_reason_revision"


def _page(
    request: Request,
    view: AssessmentView,
    errors: dict[str, str] | None = None,
    form: FormData | None = None,
) -> Response:
    if view.rubric.screening is None:
        raise NotFound("This assessment's rubric has no screening")
    asked = [q.id for q in view.rubric.screening.questions]
    context = {
        **page_context(view, SCREENING_STEP),
        "title": view.rubric.screening.title,
        "screening": view.rubric.screening,
        "outcome": view.screening_outcome(),
        "typed": typed_answers(form, asked) if form is not None else {},
        "typed_reason": str(form.get(REASON, "")) if form is not None else None,
    }
    # Each error by its field's id on the page, so the summary at the top links to it.
    shown = {
        (key if key == REASON else f"answer-{key}"): text for key, text in (errors or {}).items()
    }
    return render_form(request, "assessments/screening.html", context, shown)


@router.get("/screening")
def show_screening(
    request: Request, version_id: Id, session: SessionDep, actor: ActorDep
) -> Response:
    """The screening questions, with the answers and reason given so far."""
    return _page(
        request, version_view.view_assessment(session=session, actor=actor, version_id=version_id)
    )


@router.post("/screening")
def save_screening(
    request: Request, version_id: Id, form: FormDep, session: SessionDep, actor: ActorDep
) -> Response:
    """Save the screening and go on: to the summary when it screens the change out, else to the
    full assessment's first page."""
    view = version_view.view_assessment(session=session, actor=actor, version_id=version_id)
    errors = _save(form, session, actor, view)
    view = version_view.view_assessment(session=session, actor=actor, version_id=version_id)
    if errors:
        return _page(request, view, errors, form)
    return redirect(request, steps_of(view, SCREENING_STEP)[1].url)


def _save(form: FormData, session: Session, actor: Actor, view: AssessmentView) -> dict[str, str]:
    asked = [q.id for q in view.rubric.screening.questions] if view.rubric.screening else []
    answers, errors = read_answers(form, asked)
    assert view.version.id is not None
    return errors | screening.save_screening(
        session=session,
        actor=actor,
        version_id=view.version.id,
        answers=answers,
        reason=str(form.get(REASON, "")),
        reason_revision=parse_revision(str(form.get(REASON_REVISION, "")), REASON),
    )
