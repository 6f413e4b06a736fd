"""The trust admin's pages: people and their roles, and the trust's schools."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from app.deps import ActorDep, FormDep, Id, SessionDep
from app.flash import confirm
from app.forms import parse_revision, render_form, submit_form
from app.inputs import parse_optional_id
from app.web import redirect, render
from assessments.kernel.actors import Actor, Grant, Role, require_trust_admin
from assessments.kernel.clock import now
from assessments.kernel.errors import StaleVersion, ValidationFailed
from assessments.models import School, User
from assessments.people import accounts, corrections
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
    """A grant as the logs name it: `author:` (trust-wide) or `author:3` (school 3)."""
    return f"{grant.role.value}:{grant.school_id or ''}"


def _grant_from(form: FormData, *, optional: bool = False) -> Grant | None:
    """The role and place a form names; None if `optional` and no role was chosen."""
    role, place = str(form.get("role", "")), str(form.get("place", ""))
    if not role and optional:
        return None
    errors: dict[str, str] = {}
    try:
        chosen = Role(role)
    except ValueError:
        errors["role"] = "Choose a role"
    try:
        school_id = parse_optional_id(place, "place")
    except ValidationFailed:
        errors["place"] = "Choose trust-wide or one of the trust's schools"
    if errors:
        raise ValidationFailed(errors)
    return Grant(chosen, school_id)


def _at_place(errors: dict[str, str]) -> dict[str, str]:
    """The accounts use-cases name refused roles `grants`; where one role is chosen, it is its
    place that is not one of the trust's."""
    return {"place" if name == "grants" else name: message for name, message in errors.items()}


def _role_values(form: FormData) -> dict[str, str]:
    return {"role": str(form.get("role", "")), "place": str(form.get("place", ""))}


def _log_grants(event: str, actor: Actor, user_id: int | None, grants: set[Grant]) -> None:
    extra = {"by_user_id": actor.user_id, "user_id": user_id}
    events.info(event, extra=extra | {"grants": sorted(map(grant_value, grants))})


def _role_context(session: Session, actor: Actor) -> dict[str, Any]:
    """What the role fields offer: every role, and the trust's schools as places."""
    return {
        "roles": list(Role),
        "role_hints": ROLE_HINTS,
        "places": trust_schools.list_schools(session=session, actor=actor),
    }


def _user_form(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    require_trust_admin(actor)  # before anything of the trust is shown, errors included
    context = {"title": "Add a person", "values": values, **_role_context(session, actor)}
    return render_form(request, "admin/user_new.html", context, _at_place(errors))


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
    return _user_form(request, session, actor, {}, {})


@router.post("/users")
def create_user(request: Request, form: FormDep, session: SessionDep, actor: ActorDep) -> Response:
    """Add the person with their first role, then show their page."""
    values = {field: str(form.get(field, "")) for field in ("name", "email")} | _role_values(form)
    trust_id = require_trust_admin(actor)
    form_again = partial(_user_form, request, session, actor, values)
    return submit_form(lambda: _add(request, session, actor, trust_id, form), form_again)


def _add(
    request: Request, session: Session, actor: Actor, trust_id: int, form: FormData
) -> Response:
    first = _grant_from(form, optional=True)
    grants = {first} if first else set()
    user = accounts.create_user(
        session=session,
        actor=actor,
        trust_id=trust_id,
        email=str(form.get("email", "")),
        name=str(form.get("name", "")),
        password=None,  # they set their own, from the invitation this emails them
        grants=grants,
        now=now(),
    )
    _log_grants("user created", actor, user.id, grants)
    return confirm(request, redirect(request, f"/admin/users/{user.id}"), "person-added")


def _user_page(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    user_id: int,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    details: dict[str, str] | None = None,
    status_code: int | None = None,
) -> Response:
    view = accounts.view_user(session=session, actor=actor, user_id=user_id, now=now())
    roles = _role_context(session, actor)
    names = {school.id: school.name for school in roles["places"] if school.id is not None}
    held = [
        (grant, names.get(grant.school_id, "") if grant.school_id is not None else "Trust-wide")
        for grant in sorted(view.grants, key=lambda g: (g.role.value, g.school_id or 0))
    ]
    user = view.user
    context = {
        "title": user.name,
        "view": view,
        "held": held,
        "notes": corrections.role_notes(view.grants, names),
        "values": values or {},
        "details": details
        or {"name": user.name, "email": user.email, "revision": str(user.revision)},
        **roles,
    }
    errors = _at_place(errors or {})
    return render_form(request, "admin/user.html", context, errors, status_code=status_code)


@router.get("/users/{user_id}")
def user(request: Request, user_id: Id, session: SessionDep, actor: ActorDep) -> Response:
    """A person: their roles, their name and email, and whether they can sign in."""
    return _user_page(request, session, actor, user_id)


@router.post("/users/{user_id}/roles/add")
def add_role(
    request: Request, user_id: Id, form: FormDep, session: SessionDep, actor: ActorDep
) -> Response:
    """Give the person one more role; they are signed out so it applies at once."""
    form_again = partial(_user_page, request, session, actor, user_id, values=_role_values(form))
    change = partial(_change_roles, request, session, actor, user_id, form, corrections.add_grant)
    return submit_form(change, form_again)


@router.post("/users/{user_id}/roles/remove")
def remove_role(
    request: Request, user_id: Id, form: FormDep, session: SessionDep, actor: ActorDep
) -> Response:
    """Take one role from the person; they are signed out so it applies at once."""
    form_again = partial(_removal_refused, request, session, actor, user_id)
    change = partial(
        _change_roles, request, session, actor, user_id, form, corrections.remove_grant
    )
    return submit_form(change, form_again)


def _removal_refused(
    request: Request, session: Session, actor: Actor, user_id: int, errors: dict[str, str]
) -> Response:
    """What stops a Remove (a role no longer held, your own admin role) is about the roles
    listed, so it is shown under their heading."""
    return _user_page(request, session, actor, user_id, {"roles": "; ".join(errors.values())})


def _change_roles(
    request: Request,
    session: Session,
    actor: Actor,
    user_id: int,
    form: FormData,
    change: Callable[..., User],
) -> Response:
    grant = _grant_from(form)
    assert grant is not None
    user = change(session=session, actor=actor, user_id=user_id, grant=grant)
    assert user.id is not None
    _log_grants("roles changed", actor, user_id, corrections.grants_of(session, user.id))
    return confirm(request, redirect(request, f"/admin/users/{user_id}#roles"), "roles-changed")


@router.post("/users/{user_id}/details")
def change_details(
    request: Request, user_id: Id, form: FormDep, session: SessionDep, actor: ActorDep
) -> Response:
    """Correct the person's name and email."""
    details = {key: str(form.get(key, "")) for key in ("name", "email", "revision")}
    errors, status = _corrected(session, actor, user_id, details)
    if not errors:
        return confirm(request, redirect(request, f"/admin/users/{user_id}"), "person-changed")
    return _user_page(request, session, actor, user_id, errors, details=details, status_code=status)


def _corrected(
    session: Session, actor: Actor, user_id: int, details: dict[str, str]
) -> tuple[dict[str, str], int]:
    """(errors by field, the status to show them with); no errors once saved."""
    try:
        corrections.update_person(
            session=session,
            actor=actor,
            user_id=user_id,
            name=details["name"],
            email=details["email"],
            expected_revision=parse_revision(details["revision"], "name"),
        )
    except ValidationFailed as exc:
        return exc.errors, 422
    except StaleVersion as exc:
        return {"name": exc.message}, 409
    return {}, 303


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


def _school_page(
    request: Request,
    school: School,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int | None = None,
) -> Response:
    context = {"title": f"Change the name of {school.name}", "school": school, "values": values}
    return render_form(request, "admin/school.html", context, errors, status_code=status_code)


@router.get("/schools/{school_id}")
def school(request: Request, school_id: Id, session: SessionDep, actor: ActorDep) -> Response:
    """The form to correct a school's name."""
    found = trust_schools.school_to_rename(session=session, actor=actor, school_id=school_id)
    return _school_page(request, found, {"name": found.name, "revision": str(found.revision)}, {})


def _renamed(
    session: Session, actor: Actor, school_id: int, values: dict[str, str]
) -> tuple[dict[str, str], int]:
    """(errors by field, the status to show them with); no errors once renamed."""
    try:
        trust_schools.rename_school(
            session=session,
            actor=actor,
            school_id=school_id,
            name=values["name"],
            expected_revision=parse_revision(values["revision"], "name"),
        )
    except ValidationFailed as exc:
        return exc.errors, 422
    except StaleVersion as exc:
        return {"name": exc.message}, 409
    return {}, 303


@router.post("/schools/{school_id}")
def rename_school(
    request: Request, school_id: Id, form: FormDep, session: SessionDep, actor: ActorDep
) -> Response:
    """Save the school's corrected name."""
    values = {"name": str(form.get("name", "")), "revision": str(form.get("revision", ""))}
    errors, status = _renamed(session, actor, school_id, values)
    if not errors:
        return confirm(request, redirect(request, "/admin/schools"), "school-renamed")
    found = trust_schools.school_to_rename(session=session, actor=actor, school_id=school_id)
    return _school_page(request, found, {**values, "revision": str(found.revision)}, errors, status)
