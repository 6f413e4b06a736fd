"""The trust admin's pages: people and their roles, and the trust's schools."""

from __future__ import annotations

import logging
from functools import partial

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from app.deps import ActorDep, FormDep, Id, SessionDep
from app.flash import confirm
from app.forms import render_form, submit_form
from app.inputs import parse_optional_id
from app.web import redirect, render
from assessments.kernel.actors import Actor, Grant, Role, require_trust_admin
from assessments.kernel.clock import now
from assessments.kernel.errors import ValidationFailed
from assessments.people import accounts
from assessments.policies import trust_schools

router = APIRouter(prefix="/admin")
events = logging.getLogger("wia.auth")

ROLE_HINTS = {
    Role.AUTHOR: "Writes impact assessments and their mitigating actions",
    Role.APPROVER: "Approves or returns submitted assessments (governance)",
    Role.AUDITOR: "Reads the register and assessments; changes nothing",
    Role.ADMIN: "Manages people, roles and schools",
}


def grant_value(grant: Grant) -> str:
    """A grant as a checkbox value: `author:` (trust-wide) or `author:3` (school 3)."""
    return f"{grant.role.value}:{grant.school_id or ''}"


def _grant_of(value: object) -> Grant | None:
    role, _, school = str(value).partition(":")
    try:
        return Grant(Role(role), parse_optional_id(school, "grants"))
    except (ValueError, ValidationFailed):
        return None


def _grants_from(form: FormData) -> set[Grant]:
    grants = [_grant_of(value) for value in form.getlist("grants")]
    if None in grants:
        raise ValidationFailed({"grants": "Choose roles from the list"})
    return {grant for grant in grants if grant is not None}


def _ticked(form: FormData) -> set[Grant]:
    """The roles ticked, leaving out any value that is not one (to show the form again)."""
    return {grant for value in form.getlist("grants") if (grant := _grant_of(value))}


def _log_grants(event: str, actor: Actor, user_id: int | None, grants: set[Grant]) -> None:
    extra = {"by_user_id": actor.user_id, "user_id": user_id}
    events.info(event, extra=extra | {"grants": sorted(map(grant_value, grants))})


def _role_choices(session: Session, actor: Actor) -> list[dict[str, object]]:
    """For each role, the places it can be held: trust-wide or one of the trust's schools."""
    schools = trust_schools.list_schools(session=session, actor=actor)
    places = [(None, "Trust-wide")] + [(school.id, school.name) for school in schools]
    return [
        {
            "role": role,
            "hint": ROLE_HINTS[role],
            "items": [
                {"value": grant_value(Grant(role, school_id)), "text": name}
                for school_id, name in places
            ],
        }
        for role in Role
    ]


def _user_form(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    values: dict[str, str],
    grants: set[Grant],
    errors: dict[str, str],
) -> Response:
    require_trust_admin(actor)  # before anything of the trust is shown, errors included
    context = {
        "title": "Add a person",
        "values": values,
        "checked": {grant_value(g) for g in grants},
        "role_choices": _role_choices(session, actor),
    }
    return render_form(request, "admin/user_new.html", context, errors)


@router.get("/users")
def users(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """Everyone in the trust who can sign in, with their roles."""
    listing = accounts.list_users(session=session, actor=actor)
    schools = {s.id: s.name for s in trust_schools.list_schools(session=session, actor=actor)}
    return render(
        request,
        "admin/users.html",
        {"title": "People and roles", "users": listing, "schools": schools},
    )


@router.get("/users/new")
def new_user(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """The form for a new person."""
    return _user_form(request, session, actor, {}, set(), {})


@router.post("/users")
def create_user(request: Request, form: FormDep, session: SessionDep, actor: ActorDep) -> Response:
    """Add the person with their roles, then show them in the list."""
    values = {field: str(form.get(field, "")) for field in ("name", "email")}
    trust_id = require_trust_admin(actor)
    form_again = partial(_user_form, request, session, actor, values, _ticked(form))
    return submit_form(lambda: _add(request, session, actor, trust_id, form), form_again)


def _add(
    request: Request, session: Session, actor: Actor, trust_id: int, form: FormData
) -> Response:
    grants = _grants_from(form)
    user = accounts.create_user(
        session=session,
        actor=actor,
        trust_id=trust_id,
        email=str(form.get("email", "")),
        name=str(form.get("name", "")),
        password=str(form.get("password", "")),
        grants=grants,
    )
    _log_grants("user created", actor, user.id, grants)
    return confirm(request, redirect(request, f"/admin/users/{user.id}"), "person-added")


def _user_page(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    user_id: int,
    errors: dict[str, str] | None = None,
    checked: set[Grant] | None = None,
) -> Response:
    view = accounts.view_user(session=session, actor=actor, user_id=user_id, now=now())
    context = {
        "title": view.user.name,
        "view": view,
        "checked": {grant_value(g) for g in (view.grants if checked is None else checked)},
        "role_choices": _role_choices(session, actor),
    }
    return render_form(request, "admin/user.html", context, errors)


@router.get("/users/{user_id}")
def user(request: Request, user_id: Id, session: SessionDep, actor: ActorDep) -> Response:
    """A person: their roles, and whether they can sign in."""
    return _user_page(request, session, actor, user_id)


@router.post("/users/{user_id}/roles")
def set_roles(
    request: Request, user_id: Id, form: FormDep, session: SessionDep, actor: ActorDep
) -> Response:
    """Replace the person's roles; they are signed out so the new roles apply at once."""
    form_again = partial(_user_page, request, session, actor, user_id, checked=_ticked(form))
    return submit_form(lambda: _set_roles(request, session, actor, user_id, form), form_again)


def _set_roles(
    request: Request, session: Session, actor: Actor, user_id: int, form: FormData
) -> Response:
    grants = _grants_from(form)
    accounts.set_grants(session=session, actor=actor, user_id=user_id, grants=grants)
    _log_grants("roles changed", actor, user_id, grants)
    return redirect(request, f"/admin/users/{user_id}")


@router.post("/users/{user_id}/access")
def set_access(
    request: Request, user_id: Id, form: FormDep, session: SessionDep, actor: ActorDep
) -> Response:
    """Disable the person (their sessions end and their API tokens are revoked at once), or
    let them sign in again."""
    disabled = form.get("disabled") == "true"
    form_again = partial(_user_page, request, session, actor, user_id)
    return submit_form(lambda: _set_access(request, session, actor, user_id, disabled), form_again)


def _set_access(
    request: Request, session: Session, actor: Actor, user_id: int, disabled: bool
) -> Response:
    accounts.set_disabled(
        session=session, actor=actor, user_id=user_id, disabled=disabled, now=now()
    )
    events.info(
        "user disabled" if disabled else "user enabled",
        extra={"by_user_id": actor.user_id, "user_id": user_id},
    )
    return redirect(request, f"/admin/users/{user_id}")


def _schools_page(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    require_trust_admin(actor)
    schools = trust_schools.list_schools(session=session, actor=actor)
    context = {"title": "Schools", "schools": schools, "values": values}
    return render_form(request, "admin/schools.html", context, errors)


@router.get("/schools")
def schools(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """The trust's schools, and a form to add one."""
    return _schools_page(request, session, actor, {}, {})


@router.post("/schools")
def create_school(
    request: Request, form: FormDep, session: SessionDep, actor: ActorDep
) -> Response:
    """Add a school to the trust."""
    name = str(form.get("name", ""))
    form_again = partial(_schools_page, request, session, actor, {"name": name})
    return submit_form(lambda: _add_school(request, session, actor, name), form_again)


def _add_school(request: Request, session: Session, actor: Actor, name: str) -> Response:
    trust_schools.create_school(session=session, actor=actor, name=name)
    return confirm(request, redirect(request, "/admin/schools"), "school-added")
