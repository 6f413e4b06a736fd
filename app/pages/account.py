"""Signing in and out, and a person's own account: its page, and their API tokens."""

from __future__ import annotations

import logging
from functools import partial

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from app.auth import (
    clear_session_cookie,
    safe_next,
    session_cookie_name,
    set_session_cookie,
)
from app.deps import (
    ActorDep,
    FormDep,
    Id,
    OptionalActorDep,
    RawFormDep,
    SessionDep,
    SettingsDep,
)
from app.forms import render_form, submit_form
from app.inputs import text_errors
from app.security import rotate_csrf_token
from app.settings import Settings
from app.web import redirect, render
from assessments.kernel.actors import Actor
from assessments.kernel.clock import now
from assessments.models import User
from assessments.people import api_tokens, authentication, sessions, signing_in

router = APIRouter()
events = logging.getLogger("wia.auth")


def _sign_in_page(
    request: Request,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
    trusts: tuple[tuple[int, str], ...] = (),
) -> Response:
    trust_items = [{"value": str(trust_id), "text": name} for trust_id, name in trusts]
    context = {"title": "Sign in", "values": values, "trusts": trust_items}
    return render_form(request, "account/sign_in.html", context, errors, status_code=status_code)


def client_address(request: Request) -> str:
    """The client's address as the ASGI server saw it (behind a proxy, uvicorn's
    --proxy-headers with --forwarded-allow-ips makes it the real client's)."""
    return (request.client.host if request.client else "unknown")[:64]


def _trust_choice(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def _sign_in_errors(email: str, password: str) -> dict[str, str]:
    errors = text_errors([("email", email), ("password", password)])
    if not email:
        errors["email"] = "Enter your email address"
    if not password:
        errors["password"] = "Enter your password"  # noqa: S105 - a message
    return errors


@router.get("/sign-in")
def sign_in_page(request: Request, actor: OptionalActorDep, next: str = "/") -> Response:
    """The sign-in form (someone already signed in goes straight on)."""
    if actor is not None:
        return redirect(request, safe_next(next))
    return _sign_in_page(request, {"email": "", "next": safe_next(next)}, {})


@router.post("/sign-in")
def sign_in(request: Request, form: RawFormDep, settings: SettingsDep) -> Response:
    """Check the email and password; start a session and go on to the page asked for."""
    email, password = str(form.get("email", "")).strip(), str(form.get("password", ""))
    values = {"email": email, "next": safe_next(str(form.get("next", "/")))}
    if errors := _sign_in_errors(email, password):
        return _sign_in_page(request, values, errors, 422)
    outcome = signing_in.sign_in_with_password(
        open_unit=request.app.state.unit_of_work,
        email=email,
        password=password,
        client_address=client_address(request),
        trust_id=_trust_choice(str(form.get("trust", ""))),
    )
    return _answer(request, settings, values, outcome)


def _answer(
    request: Request, settings: Settings, values: dict[str, str], outcome: authentication.SignIn
) -> Response:
    """On to the page asked for, signed in; or the form again, saying why not."""
    if outcome.token is None or outcome.user is None:
        return _refused(request, values, outcome, client_address(request))
    return _signed_in(request, settings, outcome.user, outcome.token, values["next"])


def _signed_in(request: Request, settings: Settings, user: User, token: str, to: str) -> Response:
    events.info("signed in", extra={"user_id": user.id})
    response = redirect(request, to)
    set_session_cookie(response, settings, token)
    rotate_csrf_token(request, response, token)
    return response


def _refused(
    request: Request, values: dict[str, str], outcome: authentication.SignIn, address: str
) -> Response:
    extra = {"email_sha256": authentication.email_key(values["email"])[:16], "client": address}
    if outcome.trusts:  # the password was right: the person chooses which account
        return _sign_in_page(request, values, {"trust": outcome.problem or ""}, 422, outcome.trusts)
    if outcome.throttled is not None:
        events.warning("sign-in throttled", extra=extra)
        response = _sign_in_page(request, values, {"email": outcome.problem or ""}, 429)
        response.headers["Retry-After"] = str(outcome.throttled.seconds)
        return response
    events.warning("sign-in failed", extra=extra)
    # One message for both fields: which of the two was wrong is not revealed.
    return _sign_in_page(request, values, {"email": outcome.problem or ""}, 422)


@router.post("/sign-out")
def sign_out(
    request: Request, session: SessionDep, settings: SettingsDep, actor: OptionalActorDep
) -> Response:
    """End this browser's session: its cookie signs no one in again, even if copied."""
    if token := request.cookies.get(session_cookie_name(settings)):
        sessions.sign_out(session=session, token=token)
    if actor is not None:
        events.info("signed out", extra={"user_id": actor.user_id})
    response = redirect(request, "/sign-in")
    clear_session_cookie(response, settings)
    rotate_csrf_token(request, response, None)
    return response


def _tokens_page(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    *,
    new_secret: str | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    settings: Settings = request.app.state.settings
    context = {
        "title": "API tokens",
        "tokens": api_tokens.list_api_tokens(session=session, actor=actor),
        "now": now(),
        "lifetime": token_lifetime(settings),
        "new_secret": new_secret,
        "values": values or {},
    }
    return render_form(request, "account/tokens.html", context, errors)


@router.get("/account")
def account(request: Request, actor: ActorDep) -> Response:
    """The person's own account: where their notifications and API tokens are."""
    return render(request, "account/index.html", {"title": "Your account"})


@router.get("/account/tokens")
def tokens(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """The person's own API tokens, for scripts and the auditors' tools."""
    return _tokens_page(request, session, actor)


def token_lifetime(settings: Settings) -> api_tokens.TokenLifetime:
    return api_tokens.TokenLifetime(settings.api_token_default_days, settings.api_token_max_days)


def _days(text: str) -> int | None:
    """The days asked for: None for the default when blank; 0 (refused) when not a number."""
    text = text.strip()
    if not text:
        return None
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else 0


@router.post("/account/tokens")
def create_token(
    request: Request, form: FormDep, session: SessionDep, actor: ActorDep, settings: SettingsDep
) -> Response:
    """Make a token that expires after the days chosen, and show its secret, this once."""
    name, days = str(form.get("name", "")), str(form.get("days", ""))
    form_again = partial(_tokens_page, request, session, actor, values={"name": name, "days": days})
    return submit_form(
        lambda: _new_token(request, session, actor, settings, name, days), form_again
    )


def _new_token(
    request: Request, session: Session, actor: Actor, settings: Settings, name: str, days: str
) -> Response:
    token, secret = api_tokens.create_api_token(
        session=session,
        actor=actor,
        name=name,
        now=now(),
        days=_days(days),
        lifetime=token_lifetime(settings),
    )
    events.info(
        "api token created",
        extra={"user_id": actor.user_id, "token_id": token.id, "expires_at": token.expires_at},
    )
    return _tokens_page(request, session, actor, new_secret=secret)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: Id, session: SessionDep, actor: ActorDep) -> Response:
    """Stop a token working, at once."""
    api_tokens.revoke_api_token(session=session, actor=actor, token_id=token_id, now=now())
    events.info("api token revoked", extra={"user_id": actor.user_id, "token_id": token_id})
    return redirect(request, "/account/tokens")
