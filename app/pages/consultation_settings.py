"""The trust's consultation settings, for its admins: how many staff must answer before a
consultation's answers are shown by school or staff group."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from app.deps import ActorDep, FormDep, SessionDep
from app.flash import confirm
from app.forms import parse_revision, render_form, submit_form
from app.web import redirect
from assessments.consultations import settings
from assessments.kernel.actors import Actor
from assessments.kernel.errors import StaleVersion
from assessments.kernel.inputs import integer_text

router = APIRouter(prefix="/admin")
PAGE = "/admin/consultations"


def _page(
    request: Request,
    session: Session,
    actor: Actor,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    status_code: int | None = None,
) -> Response:
    trust = settings.trust_settings(session=session, actor=actor)
    context: dict[str, Any] = {
        "title": "Staff consultations",
        "values": values
        or {settings.FIELD: str(trust.consultation_min_group), "revision": str(trust.revision)},
        "fewest": settings.FEWEST_ALLOWED,
        "most": settings.MOST_ALLOWED,
    }
    return render_form(
        request, "admin/consultations.html", context, errors, status_code=status_code
    )


@router.get("/consultations")
def consultation_settings(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """The fewest answers a consultation's breakdown by school or staff group shows."""
    return _page(request, session, actor)


@router.post("/consultations")
def change_consultation_settings(
    request: Request, form: FormDep, session: SessionDep, actor: ActorDep
) -> Response:
    """Save the fewest answers a consultation's breakdown shows."""
    values = {key: str(form.get(key, "")) for key in (settings.FIELD, "revision")}
    form_again = partial(_page, request, session, actor, values)
    try:
        return submit_form(lambda: _saved(request, session, actor, values), form_again)
    except StaleVersion as exc:  # shown with the setting as it is now
        return _page(request, session, actor, None, {settings.FIELD: exc.message}, 409)


def _saved(request: Request, session: Session, actor: Actor, values: dict[str, str]) -> Response:
    settings.change_min_group(
        session=session,
        actor=actor,
        min_group=integer_text(values[settings.FIELD]),
        expected_revision=parse_revision(values["revision"], settings.FIELD),
    )
    return confirm(request, redirect(request, PAGE), "consultation-settings-changed")
