"""A draft's formal consultations, recorded by its authors: the body consulted (a joint
consultative committee, the unions, the wellbeing champions), when it met, its views and what
was agreed. Listed on the summary, beside the draft's staff consultations."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from app.deps import ActorDep, FormDep, Id, SessionDep
from app.flash import confirm
from app.forms import submit_form
from app.inputs import day_parts, typed_day
from app.pages.consultations import draft_form
from app.web import redirect
from assessments.consultations import formal
from assessments.consultations.schemas import MAX_TEXT, FormalSave
from assessments.kernel.actors import Actor
from assessments.kernel.clock import today

router = APIRouter(prefix="/assessments/{version_id}/formal-consultations")
TEXTS = ("body", "views", "agreed")
MESSAGES = {
    "body": "Enter who was consulted, in up to 200 characters",
    "met_on": "Enter the day it met, with its day, month and year, like 14 3 2027",
    "views": f"Write the views they gave, in up to {MAX_TEXT:,} characters",
    "agreed": f"Write what was agreed in up to {MAX_TEXT:,} characters",
}


_form_page = partial(draft_form, ("consultations/formal.html", "Record a formal consultation"))


@router.get("/new")
def new_formal(request: Request, version_id: Id, session: SessionDep, actor: ActorDep) -> Response:
    """The form to record a formal consultation on the draft."""
    return _form_page(request, session, actor, version_id, {})


def _record(
    request: Request, session: Session, actor: Actor, version_id: int, values: dict[str, str]
) -> Response:
    data = FormalSave.model_validate({field: values[field] for field in (*TEXTS, "met_on")})
    record = partial(formal.record_formal, session=session, actor=actor, version_id=version_id)
    record(data=data, today=today())
    summary = f"/assessments/{version_id}/summary#consultations"
    return confirm(request, redirect(request, summary), "formal-recorded")


@router.post("")
def record_formal(
    request: Request, version_id: Id, form: FormDep, session: SessionDep, actor: ActorDep
) -> Response:
    """Record it; or the form again, the problem next to its field."""
    values = {field: str(form.get(field, "")) for field in TEXTS}
    values |= {"met_on": typed_day(form, "met_on"), **day_parts(form, "met_on")}
    form_again = partial(_form_page, request, session, actor, version_id, values)
    attempt = partial(_record, request, session, actor, version_id, values)
    return submit_form(attempt, form_again, MESSAGES)


@router.post("/{formal_id}/remove")
def remove_formal(
    request: Request, version_id: Id, formal_id: Id, session: SessionDep, actor: ActorDep
) -> Response:
    """Take off a record made in error (the draft's authors)."""
    remove = partial(formal.remove_formal, session=session, actor=actor)
    remove(version_id=version_id, formal_id=formal_id)
    return redirect(request, f"/assessments/{version_id}/summary#consultations")
