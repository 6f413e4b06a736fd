"""API token expiry over HTTP: chosen on the tokens page, shown for each token, and an expired
token refused by the API (401) and its use logged."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.people import api_tokens, queries as people_queries
from tests.app.pages import error_for, error_summary, field_value, page, submit
from tests.factories.trusts import AUTHOR

TOKENS = "/account/tokens"
DAYS_PROBLEM = "Enter a number of days from 1 to 365"


@pytest.fixture
def script(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client


def expiry_cells(client: TestClient) -> list[tuple[str, str, str]]:
    """Each listed token's name, expiry and status."""
    rows = page(client.get(TOKENS)).find("tbody").find_all("tr")
    cells = [[cell.text.strip() for cell in row.find_all("td")] for row in rows]
    return [(name, expires, status) for name, _, expires, _, status in cells]


def test_the_form_offers_the_default_lifetime_and_the_list_shows_each_expiry(
    client: TestClient, session: Session
) -> None:
    form = page(client.get(TOKENS))
    assert field_value(form, "days") == "90"

    response = submit(client, form, TOKENS, {"name": "Week-long audit", "days": "7"})

    assert response.status_code == 200
    [token] = people_queries.api_tokens_of_user(session, 1)
    assert token.expires_at - token.created_at == timedelta(days=7)
    expires = token.expires_at.strftime("%-d %b %Y %H:%M") + " UTC"
    assert expiry_cells(client) == [("Week-long audit", expires, "Revoke Week-long audit")]


@pytest.mark.parametrize("days", ["0", "366", "seven", "²", "9" * 40, "-3"])
def test_a_lifetime_out_of_range_is_shown_next_to_the_field_and_nothing_is_saved(
    client: TestClient, session: Session, days: str
) -> None:
    response = submit(client, page(client.get(TOKENS)), TOKENS, {"name": "Script", "days": days})

    assert response.status_code == 422
    doc = page(response)
    assert error_for(doc, "days") == DAYS_PROBLEM
    assert error_summary(doc) == [(DAYS_PROBLEM, "#days")]
    assert field_value(doc, "days") == days
    assert people_queries.api_tokens_of_user(session, 1) == []


def test_an_expired_token_is_refused_and_its_use_logged(
    client: TestClient, session: Session, script: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    made = datetime.now(UTC) - timedelta(days=31)
    token, secret = api_tokens.create_api_token(
        session=session, actor=AUTHOR, name="Old script", now=made, days=30
    )
    session.commit()

    with caplog.at_level(logging.INFO, logger="wia.auth"):
        response = script.get("/api/v1/policies", headers={"Authorization": f"Bearer {secret}"})

    assert response.status_code == 401
    [line] = [r for r in caplog.records if r.name == "wia.auth"]
    assert (line.getMessage(), vars(line)["reason"], vars(line)["token_id"]) == (
        "api token refused",
        "expired",
        token.id,
    )
    assert secret not in str(vars(line))
    assert expiry_cells(client)[0][2] == "Expired"
