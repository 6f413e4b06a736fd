"""The CSRF token is bound to the session it was issued for: one taken from another session,
or from the signed-out state, is refused, on page forms and cookie-authenticated API writes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.settings import Settings
from assessments.policies import queries as policy_queries
from tests.app.pages import CSRF_COOKIE, csrf_cookie
from tests.factories.api import API, policy_body
from tests.factories.sign_in import sign_in, sign_in_as
from tests.factories.trusts import AUTHOR, LOCAL_TRUST_ID

FORBIDDEN = "This form has expired or did not come from this service"
POLICY_FORM = {
    "reference": "BIND-001",
    "title": "Bound",
    "category": "other",
    "owner": "Someone",
    "review_cycle_months": "12",
}


@pytest.fixture
def browser_b(app: FastAPI, session: Session, settings: Settings) -> Iterator[TestClient]:
    """A second browser, signed in as the same person in a session of its own."""
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        sign_in_as(client, session, settings, AUTHOR)
        yield client


def _with_token(client: TestClient, token: str) -> None:
    """Put a CSRF cookie in the browser, as an attacker who copied it would."""
    client.cookies.set(CSRF_COOKIE, token, domain="testserver.local")


def _saved(session: Session) -> bool:
    session.expire_all()
    return policy_queries.policy_by_reference(session, LOCAL_TRUST_ID, "BIND-001") is not None


def test_a_token_from_another_session_is_refused_on_a_page_form(
    client: TestClient, browser_b: TestClient, session: Session
) -> None:
    token_of_a = csrf_cookie(client)
    _with_token(browser_b, token_of_a)

    response = browser_b.post("/policies", data={**POLICY_FORM, "csrf_token": token_of_a})

    assert response.status_code == 403 and FORBIDDEN in response.text
    assert not _saved(session)
    # Browser B's own token (reissued for its session) works.
    response = browser_b.post(
        "/policies", data={**POLICY_FORM, "csrf_token": browser_b.cookies[CSRF_COOKIE]}
    )
    assert response.status_code == 303 and _saved(session)


def test_a_token_from_another_session_is_refused_on_a_cookie_authenticated_api_write(
    client: TestClient, browser_b: TestClient, session: Session
) -> None:
    token_of_a = csrf_cookie(client)
    _with_token(browser_b, token_of_a)

    body = policy_body(reference="BIND-001")
    response = browser_b.post(f"{API}/policies", json=body, headers={"X-CSRF-Token": token_of_a})

    assert response.status_code == 403
    assert not _saved(session)
    own = {"X-CSRF-Token": browser_b.cookies[CSRF_COOKIE]}
    assert browser_b.post(f"{API}/policies", json=body, headers=own).status_code == 201


def test_a_token_issued_while_signed_out_is_refused_once_signed_in(
    anonymous_client: TestClient, session: Session, settings: Settings
) -> None:
    signed_out_token = csrf_cookie(anonymous_client)
    sign_in_as(anonymous_client, session, settings, AUTHOR)
    _with_token(anonymous_client, signed_out_token)

    response = anonymous_client.post(
        "/policies", data={**POLICY_FORM, "csrf_token": signed_out_token}
    )

    assert response.status_code == 403 and not _saved(session)


def test_signing_in_gives_a_token_bound_to_the_new_session(
    anonymous_client: TestClient, browser_b: TestClient, session: Session
) -> None:
    assert sign_in(anonymous_client).status_code == 303
    token = anonymous_client.cookies[CSRF_COOKIE]

    response = anonymous_client.post("/policies", data={**POLICY_FORM, "csrf_token": token})
    assert response.status_code == 303 and _saved(session)
    # The same token is worth nothing with any other session's cookie.
    _with_token(browser_b, token)
    again = browser_b.post("/policies", data={**POLICY_FORM, "csrf_token": token})
    assert again.status_code == 403
