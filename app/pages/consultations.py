"""The author's pages of consulting staff on a draft: the form that opens a consultation
(its dates, a summary of the change, and the staff to ask), and a consultation's page of what
staff said, which its policy's readers see too, with its author's button to close it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from app.deps import ActorDep, FormDep, Id, SessionDep
from app.flash import confirm
from app.forms import render_form, submit_form
from app.inputs import day_parts, typed_day
from app.web import redirect
from assessments.consultations import opening, results
from assessments.consultations.schemas import MAX_INVITED, MAX_TEXT, ConsultationOpen
from assessments.kernel.actors import Actor
from assessments.kernel.clock import today

router = APIRouter()
DATES = ("opens_on", "closes_on")
TEXTS = ("summary", "invitees")
MESSAGES = {
    "opens_on": "Enter its first day, with its day, month and year, like 1 3 2027",
    "closes_on": "Enter its last day, with its day, month and year, like 14 3 2027",
    "summary": f"Describe the change for staff, in plain words, up to {MAX_TEXT:,} characters",
    "invitees": f"List the staff to ask, up to {MAX_INVITED:,} people",
}


def draft_form(
    form: tuple[str, str],
    request: Request,
    session: Session,
    actor: Actor,
    version_id: int,
    values: Mapping[str, str],
    errors: Mapping[str, str] | None = None,
) -> Response:
    """A form consulting a draft's staff (`form`: its template and the title's first words),
    for its authors only."""
    template, heading = form
    draft = opening.draft_to_consult(session=session, actor=actor, version_id=version_id)
    context = {"title": f"{heading}: {draft.policy.title}", "draft": draft, "values": values}
    return render_form(request, template, context, errors)


_FORM = ("consultations/new.html", "Consult staff")
_form_page = partial(draft_form, _FORM)


@router.get("/assessments/{version_id}/consultations/new")
def new_consultation(
    request: Request, version_id: Id, session: SessionDep, actor: ActorDep
) -> Response:
    """The form to consult a draft's staff: two weeks from today, to begin with."""
    start = today()
    values = {"opens_on": start.isoformat(), "closes_on": (start + timedelta(days=14)).isoformat()}
    return _form_page(request, session, actor, version_id, values)


def _values(form: Mapping[str, Any]) -> dict[str, str]:
    values = {field: str(form.get(field, "")) for field in TEXTS}
    for field in DATES:
        values |= {field: typed_day(form, field), **day_parts(form, field)}
    return values


def _open(
    request: Request, session: Session, actor: Actor, version_id: int, values: dict[str, str]
) -> Response:
    data = ConsultationOpen.model_validate({field: values[field] for field in (*DATES, *TEXTS)})
    consultation = opening.open_consultation(
        session=session, actor=actor, version_id=version_id, data=data, today=today()
    )
    return confirm(
        request, redirect(request, f"/consultations/{consultation.id}"), "consultation-opened"
    )


@router.post("/assessments/{version_id}/consultations")
def open_consultation(
    request: Request, version_id: Id, form: FormDep, session: SessionDep, actor: ActorDep
) -> Response:
    """Open it, and email each person asked their link; or the form again, with what is wrong."""
    values = _values(form)
    form_again = partial(_form_page, request, session, actor, version_id, values)
    attempt = partial(_open, request, session, actor, version_id, values)
    return submit_form(attempt, form_again, MESSAGES)


def results_page(
    request: Request,
    session: Session,
    actor: Actor,
    consultation_id: int,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
) -> Response:
    """The consultation's page; `values` and `errors` are its new theme's form's."""
    said = results.consultation_results(
        session=session, actor=actor, consultation_id=consultation_id, today=today()
    )
    context = {"title": "What staff said", "said": said, "values": values or {}}
    return render_form(request, "consultations/show.html", context, errors, prefix="theme-")


@router.get("/consultations/{consultation_id}")
def show_consultation(
    request: Request, consultation_id: Id, session: SessionDep, actor: ActorDep
) -> Response:
    """Who was asked, how many answered, what they said (in figures that hide each one), and
    the author's themes and answers."""
    return results_page(request, session, actor, consultation_id)


@router.post("/consultations/{consultation_id}/close")
def close_consultation(
    request: Request, consultation_id: Id, session: SessionDep, actor: ActorDep
) -> Response:
    """Close it before its last day: its links take no more answers."""
    opening.close_consultation(
        session=session, actor=actor, consultation_id=consultation_id, today=today()
    )
    return confirm(
        request, redirect(request, f"/consultations/{consultation_id}"), "consultation-closed"
    )
