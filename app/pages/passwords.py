"""Passwords: setting one from an emailed link (an invitation or a reset), "Forgotten your
password?", a person changing their own, and an admin sending a new invitation."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from app.auth import set_session_cookie
from app.deps import ActorDep, FormDep, Id, SessionDep, SettingsDep
from app.flash import confirm
from app.forms import render_form, submit_form
from app.mail.links import read_account_token
from app.security import rotate_csrf_token
from app.settings import Settings
from app.web import redirect, render
from assessments.kernel.actors import Actor
from assessments.kernel.clock import now
from assessments.kernel.errors import NotFound
from assessments.people import account_links, authentication

router = APIRouter()
LINK_PAGE = "account/set_password.html"  # where an account email's link leads


def _link_of(settings: Settings, token: str) -> tuple[int, int]:
    read = read_account_token(settings, token)
    if read is None:
        raise NotFound(account_links.EXPIRED)
    return read


def _email_of_link(session: Session, settings: Settings, token: str) -> str:
    """Whose password the link sets (NotFound once it cannot be used)."""
    _, user = account_links.usable_link(session, *_link_of(settings, token), now())
    return user.email


def _set_password_page(
    request: Request, context: dict[str, Any], errors: Mapping[str, str] | None = None
) -> Response:
    return render_form(request, LINK_PAGE, {"title": "Set your password", **context}, errors)


def _expired(request: Request) -> Response:
    context = {"title": "This link has expired", "expired": True}
    return render(request, LINK_PAGE, context, status_code=404)


@router.get("/account/set-password/{token}")
def set_password_form(
    request: Request, token: str, session: SessionDep, settings: SettingsDep
) -> Response:
    """The form an invitation or a reset email links to, while its link may be used."""
    try:
        email = _email_of_link(session, settings, token)
    except NotFound:
        return _expired(request)
    return _set_password_page(request, {"token": token, "email": email})


@router.post("/account/set-password/{token}")
def set_password(
    request: Request, token: str, form: FormDep, session: SessionDep, settings: SettingsDep
) -> Response:
    """Set the password; then sign in with it."""
    values = {key: str(form.get(key, "")) for key in ("password", "confirmation")}
    try:
        shown = {"token": token, "email": _email_of_link(session, settings, token)}
        return submit_form(
            lambda: _password_set(request, session, settings, token, values),
            partial(_set_password_page, request, shown),
        )
    except NotFound:
        return _expired(request)


def _password_set(
    request: Request, session: Session, settings: Settings, token: str, values: dict[str, str]
) -> Response:
    link_id, issued = _link_of(settings, token)
    account_links.set_password_by_link(
        session=session, link_id=link_id, issued_at=issued, now=now(), **values
    )
    return confirm(request, redirect(request, "/sign-in"), "password-set")


def _forgotten_page(
    request: Request, values: dict[str, str], *, sent: bool = False, errors: Any = None
) -> Response:
    context = {"title": "Reset your password", "values": values, "sent": sent}
    return render_form(request, "account/forgotten_password.html", context, errors)


@router.get("/forgotten-password")
def forgotten_password_form(request: Request) -> Response:
    """Ask for the email address to send a reset link to."""
    return _forgotten_page(request, {})


@router.post("/forgotten-password")
def forgotten_password(request: Request, form: FormDep, session: SessionDep) -> Response:
    """Email a reset link to the address's accounts; say the same whether or not it has any."""
    email = str(form.get("email", "")).strip()
    if not 3 <= len(email) <= 254 or "@" not in email:
        errors = {"email": "Enter your email address, like name@school.org.uk"}
        return _forgotten_page(request, {"email": email}, errors=errors)
    account_links.request_reset(session=session, email=email, now=now())
    return _forgotten_page(request, {"email": email}, sent=True)


def _change_page(request: Request, errors: dict[str, str] | None = None) -> Response:
    return render_form(request, "account/password.html", {"title": "Change your password"}, errors)


@router.get("/account/password")
def change_password_form(request: Request, actor: ActorDep) -> Response:
    """The form to change one's own password."""
    return _change_page(request)


@router.post("/account/password")
def change_password(
    request: Request, form: FormDep, session: SessionDep, actor: ActorDep, settings: SettingsDep
) -> Response:
    """Change one's own password, giving the current one: signed out everywhere else, and
    signed in here again with a new session."""
    values = {key: str(form.get(key, "")) for key in ("current", "password", "confirmation")}
    return submit_form(
        lambda: _changed(request, session, actor, settings, values),
        lambda errors: _change_page(request, errors),
    )


def _changed(
    request: Request, session: Session, actor: Actor, settings: Settings, values: dict[str, str]
) -> Response:
    user = account_links.change_password(session=session, actor=actor, **values)
    token = authentication.start_web_session(session, user, now())
    response = confirm(request, redirect(request, "/account"), "password-changed")
    set_session_cookie(response, settings, token)
    rotate_csrf_token(request, response, token)
    return response


@router.post("/admin/users/{user_id}/invitation")
def send_invitation(
    request: Request, user_id: Id, session: SessionDep, actor: ActorDep
) -> Response:
    """Send a person who has not set their password a new invitation (trust admins)."""
    account_links.reinvite(session=session, actor=actor, user_id=user_id, now=now())
    return confirm(request, redirect(request, f"/admin/users/{user_id}"), "invitation-sent")
