"""Who may call the JSON API: scripts with a personal token, our own pages with the session
cookie and the CSRF header; no one else, and never another site's page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.drafting import queries as version_queries
from assessments.models import ApiToken, Policy
from assessments.people import accounts, api_tokens, authentication, queries as people_queries
from tests.app.pages import csrf_cookie
from tests.factories.api import API
from tests.factories.people import add_local_auditor, make_api_token
from tests.factories.trusts import AUTHOR, LOCAL_TRUST, make_policy

pytestmark = pytest.mark.usefixtures("rubric_published")
SIGN_IN_OR_TOKEN = "Sign in, or send a valid API token as 'Authorization: Bearer <token>'"


def start(client: TestClient, policy: Policy, **headers: str) -> int:
    return client.post(f"{API}/policies/{policy.id}/assessment", headers=headers).status_code


def nothing_started(session: Session, policy: Policy) -> bool:
    session.expire_all()
    return version_queries.versions_of_policy(session, policy.id or 0) == []


# --- scripts: a personal API token --------------------------------------------------------------


def test_a_script_with_a_token_reads_and_writes(
    anonymous_client: TestClient, session: Session
) -> None:
    policy = make_policy(session)
    bearer = {"Authorization": f"Bearer {make_api_token(session, AUTHOR)}"}

    assert anonymous_client.get(f"{API}/policies/{policy.id}", headers=bearer).status_code == 200
    assert start(anonymous_client, policy, **bearer) == 201  # no CSRF token needed


def test_using_a_token_is_recorded_against_it(
    anonymous_client: TestClient, session: Session
) -> None:
    secret = make_api_token(session, AUTHOR)

    anonymous_client.get(f"{API}/policies", headers={"Authorization": f"Bearer {secret}"})

    session.expire_all()
    token = people_queries.api_token(session, authentication.digest(secret))
    assert token is not None and token.last_used_at is not None


@pytest.mark.parametrize(
    "authorization",
    ["Bearer wia_made-up", "Bearer ", "Basic YWxleDpwYXNzd29yZA==", "wia_no-scheme"],
)
def test_a_bad_token_is_refused_with_401_and_the_cookie_is_not_used_instead(
    client: TestClient, session: Session, authorization: str
) -> None:
    policy = make_policy(session)  # `client` is signed in: its cookie must not rescue the call
    response = client.post(
        f"{API}/policies/{policy.id}/assessment", headers={"Authorization": authorization}
    )
    assert response.status_code == 401
    assert response.json() == {"detail": SIGN_IN_OR_TOKEN}
    assert response.headers["www-authenticate"] == "Bearer"
    assert nothing_started(session, policy)


def test_a_revoked_token_stops_working_at_once(
    anonymous_client: TestClient, session: Session
) -> None:
    secret = make_api_token(session, AUTHOR)
    bearer = {"Authorization": f"Bearer {secret}"}
    assert anonymous_client.get(f"{API}/policies", headers=bearer).status_code == 200
    token = people_queries.api_token(session, authentication.digest(secret))
    assert isinstance(token, ApiToken) and token.id is not None
    api_tokens.revoke_api_token(
        session=session, actor=AUTHOR, token_id=token.id, now=datetime.now(UTC)
    )
    session.commit()

    assert anonymous_client.get(f"{API}/policies", headers=bearer).status_code == 401


def test_a_disabled_users_token_stops_working(
    anonymous_client: TestClient, session: Session
) -> None:
    operator = accounts.operator_of_trust(session=session, trust_name=LOCAL_TRUST)
    user = add_local_auditor(
        session,
        email="sam.script@local-trust.example",
        name="Sam Script",
        password="termly-export-robot-2026",
    )
    assert user.id is not None
    secret = make_api_token(session, accounts.actor_of(session, user))
    bearer = {"Authorization": f"Bearer {secret}"}
    assert anonymous_client.get(f"{API}/policies", headers=bearer).status_code == 200

    accounts.set_disabled(
        session=session, actor=operator, user_id=user.id, disabled=True, now=datetime.now(UTC)
    )
    session.commit()

    assert anonymous_client.get(f"{API}/policies", headers=bearer).status_code == 401


def test_no_one_signed_in_gets_401(anonymous_client: TestClient, session: Session) -> None:
    policy = make_policy(session)
    response = anonymous_client.get(f"{API}/policies/{policy.id}")
    assert response.status_code == 401
    assert response.json() == {"detail": SIGN_IN_OR_TOKEN}


# --- our own pages: the session cookie and the CSRF header ------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{}, {"Sec-Fetch-Site": "same-origin"}, {"Origin": "https://testserver"}],
    ids=["no fetch metadata", "our own page", "our own origin"],
)
def test_our_own_pages_post_with_the_csrf_header(
    client: TestClient, session: Session, headers: dict[str, str]
) -> None:
    policy = make_policy(session)
    client.get("/")  # a page, which hands out the CSRF cookie
    assert start(client, policy, **headers, **{"X-CSRF-Token": csrf_cookie(client)}) == 201


@pytest.mark.parametrize("token", [None, "forged.token"], ids=["missing", "wrong"])
def test_a_cookie_call_without_the_csrf_header_is_refused(
    client: TestClient, session: Session, token: str | None
) -> None:
    policy = make_policy(session)
    client.get("/")
    headers = {"X-CSRF-Token": token} if token else {}
    assert start(client, policy, **headers) == 403
    assert nothing_started(session, policy)


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://evil.example"},
    ],
)
def test_a_page_on_another_site_cannot_post_to_the_api(
    client: TestClient, session: Session, headers: dict[str, str]
) -> None:
    # A bodiless POST is what a plain HTML form on another site could send with our cookie.
    policy = make_policy(session)
    client.get("/")

    response = client.post(
        f"{API}/policies/{policy.id}/assessment",
        headers={**headers, "X-CSRF-Token": csrf_cookie(client)},
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Requests from another site's pages are not accepted"}
    assert client.get(f"{API}/policies/{policy.id}").status_code == 200  # reading is fine
    assert nothing_started(session, policy)
