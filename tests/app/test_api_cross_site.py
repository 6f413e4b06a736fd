"""The JSON API refuses posts from other sites' pages and accepts scripts and our own pages."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments import repository
from tests.app.api_helpers import API
from tests.factories import make_policy

# --- requests from other sites' pages ---------------------------------------------------------


@pytest.mark.usefixtures("rubric_published")
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
    # A bodiless POST is what a plain HTML form on another site could send.
    policy = make_policy(session)

    response = client.post(f"{API}/policies/{policy.id}/assessment", headers=headers)

    assert response.status_code == 403
    assert response.json() == {"detail": "Requests from another site's pages are not accepted"}
    assert client.get(f"{API}/policies/{policy.id}").status_code == 200  # reading is fine
    assert repository.versions_of_policy(session, policy.id or 0) == []


@pytest.mark.usefixtures("rubric_published")
@pytest.mark.parametrize(
    "headers",
    [{}, {"Sec-Fetch-Site": "same-origin"}, {"Origin": "https://testserver"}],
    ids=["a script", "our own page", "our own origin"],
)
def test_scripts_and_our_own_pages_can_post(
    client: TestClient, session: Session, headers: dict[str, str]
) -> None:
    policy = make_policy(session)
    response = client.post(f"{API}/policies/{policy.id}/assessment", headers=headers)
    assert response.status_code == 201
