"""A person's own API tokens over HTTP: listing, creating (the secret shown once) and revoking."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.kernel.actors import Actor
from assessments.models import ApiToken
from assessments.people import accounts, api_tokens, authentication, queries as people_queries
from tests.app.pages import Element, error_for, error_summary, field_value, page, post_form, submit
from tests.factories.people import add_local_auditor, make_api_token
from tests.factories.trusts import AUTHOR

TOKENS = "/account/tokens"
NAME_PROBLEM = "Enter a name for the token of up to 100 characters"


@pytest.fixture
def script(app: FastAPI) -> Iterator[TestClient]:
    """A script calling the JSON API, with no browser cookies."""
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client


@pytest.fixture
def bea(session: Session) -> Actor:
    """Another person of the trust, with tokens of her own."""
    user = add_local_auditor(
        session, email="bea@local.example", name="Bea Brown", password="ladder orchard quietly 47"
    )
    return accounts.actor_of(session, user)


def make_token(session: Session, actor: Actor, name: str) -> ApiToken:
    token, _ = api_tokens.create_api_token(session=session, actor=actor, name=name, now=now())
    return token


def now() -> datetime:
    return datetime.now(UTC)


def token_of(session: Session, secret: str) -> ApiToken:
    session.expire_all()
    token = people_queries.api_token(session, authentication.digest(secret))
    assert token is not None
    return token


def api_status(script: TestClient, secret: str) -> int:
    """What the JSON API answers a script sending the secret as its bearer token."""
    return script.get("/api/v1/policies", headers={"Authorization": f"Bearer {secret}"}).status_code


def token_rows(doc: Element) -> list[tuple[str, str, str]]:
    """Each listed token's name, last use and status (not its times of creation and expiry)."""
    rows = doc.find("tbody").find_all("tr") if doc.find_all("tbody") else []
    cells = [[cell.text for cell in row.find_all("td")] for row in rows]
    return [(name, last_used, status) for name, _, _, last_used, status in cells]


def test_the_page_lists_only_your_own_tokens(
    client: TestClient, session: Session, bea: Actor
) -> None:
    make_token(session, AUTHOR, "Termly export")
    old = make_token(session, AUTHOR, "Old laptop")
    assert old.id is not None
    api_tokens.revoke_api_token(session=session, actor=AUTHOR, token_id=old.id, now=now())
    make_token(session, bea, "Bea's audit tool")

    response = client.get(TOKENS)

    assert response.status_code == 200
    doc = page(response)
    assert token_rows(doc) == [
        ("Termly export", "Never", "Revoke Termly export"),
        ("Old laptop", "Never", "Revoked"),
    ]
    assert "Bea's audit tool" not in response.text
    assert not doc.has_id("new-token")


def test_a_new_token_is_shown_once_works_for_the_api_and_is_stored_only_as_a_digest(
    client: TestClient, session: Session, script: TestClient
) -> None:
    response = submit(client, page(client.get(TOKENS)), TOKENS, {"name": "Termly export"})

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"  # not kept for the Back button
    secret = page(response).by_id("new-token").text
    assert secret.startswith("wia_") and len(secret) > 40
    assert api_status(script, secret) == 200
    stored = people_queries.api_tokens_of_user(session, 1)
    assert [(token.name, token.token_hash) for token in stored] == [
        ("Termly export", authentication.digest(secret))
    ]
    assert secret not in repr(stored[0].model_dump())
    again = client.get(TOKENS)
    assert not page(again).has_id("new-token")
    assert secret not in again.text
    [(name, last_used, _)] = token_rows(page(again))
    assert name == "Termly export"
    assert last_used != "Never"  # the script's call is recorded


def test_a_name_of_exactly_100_characters_will_do(client: TestClient, session: Session) -> None:
    response = post_form(client, TOKENS, {"name": "x" * 100})

    assert response.status_code == 200
    assert page(response).has_id("new-token")
    assert [token.name for token in people_queries.api_tokens_of_user(session, 1)] == ["x" * 100]


@pytest.mark.parametrize("name", ["", "   ", "x" * 101], ids=["empty", "blank", "101 characters"])
def test_a_blank_or_too_long_name_is_shown_next_to_the_field_and_nothing_is_saved(
    client: TestClient, session: Session, name: str
) -> None:
    response = submit(client, page(client.get(TOKENS)), TOKENS, {"name": name})

    assert response.status_code == 422
    doc = page(response)
    assert error_for(doc, "name") == NAME_PROBLEM
    assert error_summary(doc) == [(NAME_PROBLEM, "#name")]
    assert field_value(doc, "name") == name
    assert not doc.has_id("new-token")
    assert people_queries.api_tokens_of_user(session, 1) == []


def test_a_revoked_token_stops_working_at_once(
    client: TestClient, session: Session, script: TestClient
) -> None:
    secret = make_api_token(session, AUTHOR)
    assert api_status(script, secret) == 200
    action = f"{TOKENS}/{token_of(session, secret).id}/revoke"

    response = submit(client, page(client.get(TOKENS)), action)

    assert (response.status_code, response.headers["location"]) == (303, TOKENS)
    assert api_status(script, secret) == 401
    assert token_of(session, secret).revoked_at is not None
    doc = page(client.get(TOKENS))
    assert token_rows(doc)[0][2] == "Revoked"
    assert not doc.find_all("form", action=action)


def test_another_persons_token_cannot_be_revoked(
    client: TestClient, session: Session, bea: Actor, script: TestClient
) -> None:
    secret = make_api_token(session, bea)
    theirs = token_of(session, secret).id

    response = post_form(client, f"{TOKENS}/{theirs}/revoke", {})

    assert response.status_code == 404
    assert post_form(client, f"{TOKENS}/999999/revoke", {}).status_code == 404
    assert api_status(script, secret) == 200
    assert token_of(session, secret).revoked_at is None


def test_a_visitor_is_sent_to_sign_in(anonymous_client: TestClient, session: Session) -> None:
    secret = make_api_token(session, AUTHOR)
    revoke = f"{TOKENS}/{token_of(session, secret).id}/revoke"

    visit = anonymous_client.get(TOKENS)
    posts = [post_form(anonymous_client, url, {"name": "Sneaky"}) for url in (TOKENS, revoke)]

    assert [(r.status_code, r.headers.get("location")) for r in (visit, *posts)] == [
        (303, "/sign-in?next=/account/tokens"),
        (303, "/sign-in"),
        (303, "/sign-in"),
    ]
    assert [token.name for token in people_queries.api_tokens_of_user(session, 1)] == [
        "Test script"
    ]
    assert token_of(session, secret).revoked_at is None
