"""Signing in: through the sign-in page as a person would, the browser signed in as someone
directly, and through the use-cases; reading cookies, and moving sessions and failed sign-ins
through time."""

from __future__ import annotations

from datetime import datetime, timedelta
from http.cookies import Morsel, SimpleCookie

import httpx2
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.auth import session_cookie_name
from app.settings import Settings
from assessments.kernel.actors import Actor
from assessments.models import SignInFailure
from assessments.people import authentication, queries as people_queries, sessions
from tests.app.pages import Element, page, submit
from tests.factories.people import EMAIL, HOME, LIMITS, PASSWORD, start_session
from tests.factories.trusts import AUTHOR_EMAIL, AUTHOR_PASSWORD

SESSION_COOKIE = "__Host-wia_session"  # outside development cookies are Secure and host-only
WRONG_PASSWORD = "harbour-kettle-violet-19"
MINUTE = timedelta(minutes=1)


def sign_in_form(client: TestClient, next_page: str = "/") -> Element:
    response = client.get("/sign-in", params={"next": next_page})
    assert response.status_code == 200
    return page(response)


def sign_in(
    client: TestClient, email: str = AUTHOR_EMAIL, password: str = AUTHOR_PASSWORD
) -> httpx2.Response:
    """Open the sign-in page, fill in its form and send it, as a person would."""
    doc = sign_in_form(client)
    return submit(client, doc, "/sign-in", {"email": email, "password": password})


def sign_in_as(client: TestClient, session: Session, settings: Settings, actor: Actor) -> None:
    """The browser signed in as `actor` from now on (the session row made directly)."""
    client.cookies.set(session_cookie_name(settings), start_session(session, actor))


def signed_in_as(client: TestClient) -> str | None:
    """The name in the page header, or None when the browser is sent to sign in instead."""
    response = client.get("/")
    if response.status_code == 303:
        assert response.headers["location"] == "/sign-in?next=/"
        return None
    assert response.status_code == 200
    return page(response).find(cls="app-header__user").text


def cookies_set_by(response: httpx2.Response) -> dict[str, Morsel[str]]:
    """The cookies a response sets, with their attributes."""
    jar = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        jar.load(header)
    return dict(jar)


def time_passes(session: Session, token: str, by: timedelta) -> None:
    """Move a session's sign-in and last use `by` into the past, as if that much time passed."""
    session.expire_all()
    row = people_queries.web_session(session, authentication.digest(token))
    assert row is not None
    row.created_at, row.last_seen_at = row.created_at - by, row.last_seen_at - by
    session.add(row)
    session.commit()


def failures_age(session: Session, by: timedelta) -> None:
    """As if every failed sign-in so far had happened `by` earlier."""
    for row in session.exec(select(SignInFailure)):
        row.occurred_at -= by
        session.add(row)
    session.commit()


# --- through the use-cases, without HTTP (the people tests)


def password_sign_in(
    session: Session,
    when: datetime,
    *,
    email: str = EMAIL,
    password: str = PASSWORD,
    client: str = HOME,
    trust_id: int | None = None,
) -> authentication.SignIn:
    """Check the credentials and sign in, as the sign-in page's use-cases do."""
    check = authentication.check_credentials(
        session=session,
        email=email,
        password=password,
        client_address=client,
        now=when,
        trust_id=trust_id,
    )
    return authentication.sign_in(session=session, check=check, now=when)


def signed_in_token(session: Session, when: datetime, email: str = EMAIL) -> str:
    outcome = password_sign_in(session, when, email=email)
    assert outcome.problem is None and outcome.token is not None
    return outcome.token


def actor_for(session: Session, token: str, when: datetime) -> Actor | None:
    session.expire_all()  # as a new request would, read the session back from the database
    signed_in = sessions.signed_in_actor(session=session, token=token, now=when, limits=LIMITS)
    return signed_in.actor if signed_in else None
