"""You said, we did: the author's themes of what staff said and their answers, on the
consultation's page, and telling everyone asked what was done."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from sqlmodel import Session
from starlette.responses import Response

from app.deps import ActorDep, FormDep, Id, SessionDep
from app.flash import confirm
from app.forms import form_errors, parse_revision, render_form, submit_form
from app.pages.consultations import results_page
from app.web import redirect
from assessments.consultations import themes
from assessments.consultations.schemas import MAX_TEXT, ThemeSave
from assessments.kernel.actors import Actor
from assessments.kernel.clock import today
from assessments.kernel.errors import StaleVersion, ValidationFailed

router = APIRouter(prefix="/consultations/{consultation_id}")
FIELDS = ("title", "staff_said", "changed", "response")
MESSAGES = {
    "title": "Enter what staff raised, in up to 200 characters",
    "staff_said": f"Write the gist of what they said in up to {MAX_TEXT:,} characters",
    "changed": "Select whether the draft changed for it",
    "response": f"Write what changed, or why nothing did, in up to {MAX_TEXT:,} characters",
}


def _theme_save(values: Mapping[str, str]) -> ThemeSave:
    """The theme typed; every field's problem at once, in the form's order."""
    changed = {"yes": True, "no": False}.get(values["changed"])
    errors = {} if changed is not None else {"changed": MESSAGES["changed"]}
    try:
        data = ThemeSave.model_validate(
            {
                **{field: values[field] for field in ("title", "staff_said", "response")},
                "changed": bool(changed),
                "expected_revision": parse_revision(values.get("revision", ""), "title"),
            }
        )
    except ValidationError as exc:
        errors |= form_errors(exc, MESSAGES)
    if errors:
        raise ValidationFailed({field: errors[field] for field in FIELDS if field in errors})
    return data


def _values(form: Mapping[str, Any]) -> dict[str, str]:
    return {field: str(form.get(field, "")) for field in (*FIELDS, "revision")}


def _add(
    request: Request, session: Session, actor: Actor, consultation_id: int, values: dict[str, str]
) -> Response:
    data = _theme_save(values)
    themes.add_theme(session=session, actor=actor, consultation_id=consultation_id, data=data)
    return redirect(request, f"/consultations/{consultation_id}#themes")


@router.post("/themes")
def add_theme(
    request: Request, consultation_id: Id, form: FormDep, session: SessionDep, actor: ActorDep
) -> Response:
    """A theme and its answer; or the page again, the problem next to its field."""
    values = _values(form)
    form_again = partial(results_page, request, session, actor, consultation_id, values)
    attempt = partial(_add, request, session, actor, consultation_id, values)
    return submit_form(attempt, form_again, MESSAGES)


def _edit_page(
    request: Request,
    session: Session,
    actor: Actor,
    ids: tuple[int, int],
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
) -> Response:
    consultation_id, theme_id = ids
    theme = themes.theme_to_change(
        session=session, actor=actor, consultation_id=consultation_id, theme_id=theme_id
    )
    shown = values or {
        "title": theme.title,
        "staff_said": theme.staff_said,
        "changed": "yes" if theme.changed else "no",
        "response": theme.response,
        "revision": str(theme.revision),
    }
    context = {"title": "Change a theme", "theme": theme, "values": shown}
    return render_form(request, "consultations/theme.html", context, errors)


@router.get("/themes/{theme_id}")
def edit_theme(
    request: Request, consultation_id: Id, theme_id: Id, session: SessionDep, actor: ActorDep
) -> Response:
    """The form to correct a theme or its answer, before staff are told."""
    return _edit_page(request, session, actor, (consultation_id, theme_id))


def _save(
    request: Request, session: Session, actor: Actor, ids: tuple[int, int], values: dict[str, str]
) -> Response:
    consultation_id, theme_id = ids
    save = partial(themes.update_theme, session=session, actor=actor)
    try:
        save(consultation_id=consultation_id, theme_id=theme_id, data=_theme_save(values))
    except StaleVersion as exc:  # someone saved it meanwhile: the form now builds on theirs
        raise ValidationFailed({"title": exc.message}) from exc
    return redirect(request, f"/consultations/{consultation_id}#themes")


@router.post("/themes/{theme_id}")
def save_theme(
    request: Request,
    consultation_id: Id,
    theme_id: Id,
    form: FormDep,
    session: SessionDep,
    actor: ActorDep,
) -> Response:
    """Save the corrected theme; or its form again, the problem next to its field."""
    values, ids = _values(form), (consultation_id, theme_id)
    form_again = partial(_edit_page, request, session, actor, ids, values)
    return submit_form(partial(_save, request, session, actor, ids, values), form_again, MESSAGES)


@router.post("/themes/{theme_id}/remove")
def remove_theme(
    request: Request, consultation_id: Id, theme_id: Id, session: SessionDep, actor: ActorDep
) -> Response:
    """Take a theme off, before staff are told."""
    remove = partial(themes.remove_theme, session=session, actor=actor)
    remove(consultation_id=consultation_id, theme_id=theme_id)
    return redirect(request, f"/consultations/{consultation_id}#themes")


@router.post("/tell")
def tell_staff(
    request: Request, consultation_id: Id, session: SessionDep, actor: ActorDep
) -> Response:
    """Email everyone asked what was done with what staff said."""
    tell = partial(themes.tell_staff, session=session, actor=actor)
    tell(consultation_id=consultation_id, today=today())
    return confirm(request, redirect(request, f"/consultations/{consultation_id}"), "staff-told")
