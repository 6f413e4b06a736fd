"""Shared by the sign-in and session tests: signing in through the page, reading cookies,
and moving a session or failed sign-ins through time."""

from __future__ import annotations

from datetime import timedelta
from http.cookies import Morsel, SimpleCookie

import httpx2
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from assessments.models import SignInFailure
from assessments.people import authentication, queries as people_queries
from tests.app.pages import (
    Element,
    page,
    submit,
)
from tests.factories import (
    AUTHOR_EMAIL,
    AUTHOR_PASSWORD,
)

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
