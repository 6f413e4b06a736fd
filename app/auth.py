"""Who is making a request: a signed-in browser (session cookie) or a script (API token).

The actor is read in a short transaction of its own, before the request's transaction, so a
page that only reads never holds the write lock just to record that its session is active.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from starlette.responses import Response

from app.settings import Settings
from assessments.kernel.actors import Actor
from assessments.people import sessions, signing_in

events = logging.getLogger("wia.auth")


class SignInRequired(Exception):
    """No one is signed in (or the API token is unknown): pages send people to sign in,
    the API answers 401."""


def session_cookie_name(settings: Settings) -> str:
    # __Host-: only ever sent to this host over HTTPS, and no subdomain can set it.
    return "__Host-wia_session" if settings.secure_cookies else "wia_session"


def session_limits(settings: Settings) -> sessions.SessionLimits:
    return sessions.SessionLimits(
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_absolute_hours),
    )


def set_session_cookie(response: Response, settings: Settings, token: str) -> None:
    response.set_cookie(
        session_cookie_name(settings),
        token,
        max_age=settings.session_absolute_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        session_cookie_name(settings),
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )


def _bearer(request: Request) -> str | None:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" and secret.strip() else None


def optional_actor(request: Request) -> Actor | None:
    """The signed-in actor, or None. An API request with an Authorization header is
    authenticated by its bearer token alone (and so needs no CSRF token); a bad or unknown
    token is refused, never ignored."""
    if not hasattr(request.state, "actor"):
        settings: Settings = request.app.state.settings
        if request.url.path.startswith("/api/") and "Authorization" in request.headers:
            # Never fall back to the cookie: the API's CSRF guard lets such requests through.
            request.state.actor = _token_actor(request)
        elif cookie := request.cookies.get(session_cookie_name(settings)):
            request.state.actor = _session_actor(request, cookie, settings)
        else:
            request.state.actor = None
    actor: Actor | None = request.state.actor
    return actor


def _token_actor(request: Request) -> Actor:
    found = signing_in.token_use(open_unit=request.app.state.unit_of_work, secret=_bearer(request))
    if found is None or found.actor is None or found.token is None:
        refused: dict[str, object] = {
            "path": request.url.path,
            "reason": found.refused if found else "no token",
        }
        if found and found.token:  # a token we know of: expired, revoked or its user disabled
            refused |= {"token_id": found.token.id, "user_id": found.token.user_id}
        events.warning("api token refused", extra=refused)
        raise SignInRequired
    extra = {"user_id": found.actor.user_id, "token_id": found.token.id, "path": request.url.path}
    events.info("api token used", extra=extra)
    return found.actor


def _session_actor(request: Request, cookie: str, settings: Settings) -> Actor | None:
    return signing_in.session_actor(
        open_unit=request.app.state.unit_of_work, token=cookie, limits=session_limits(settings)
    )


def get_actor(actor: Annotated[Actor | None, Depends(optional_actor)]) -> Actor:
    """The signed-in actor; without one, the request goes no further."""
    if actor is None:
        raise SignInRequired
    return actor


def sign_in_url(request: Request) -> str:
    """The sign-in page, coming back to this page afterwards."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/sign-in?next={quote(here, safe='/')}"


def safe_next(target: str | None) -> str:
    """Where to go after signing in: only a path on this site (no open redirect). Browsers
    drop tabs and newlines from URLs and read a backslash as a slash, so a path holding one
    could still lead off the site: any such character sends the person home instead."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(c) < 0x21 or ord(c) == 0x7F for c in target):
        return "/"
    return target
