"""A policy's page and starting its assessment; ids that are not found."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.drafting import queries as version_queries
from tests.app.pages import (
    csrf_cookie,
    page,
    post_form,
    submit,
    title,
)
from tests.factories.trusts import default_rubric, make_policy

# A policy's page and starting its assessment ----------------------------------------------


def test_policy_page_says_no_rubric_is_published_yet(client: TestClient, session: Session) -> None:
    policy = make_policy(session, title="Marking policy")

    doc = page(client.get(f"/policies/{policy.id}"))

    assert title(doc) == "Marking policy – Workload Impact Register"
    assert "No rubric has been published yet" in doc.find(cls="govuk-inset-text").text
    assert not doc.by_id("main-content").find_all("form")
    assert not doc.find_all(cls="govuk-button--start")


@pytest.mark.usefixtures("rubric_published")
def test_policy_page_offers_to_start_the_assessment(client: TestClient, session: Session) -> None:
    policy = make_policy(session)

    doc = page(client.get(f"/policies/{policy.id}"))

    form = doc.find("form", action=f"/policies/{policy.id}/assessment")
    assert form.attrs["method"] == "post"
    button = form.find(cls="govuk-button--start")
    assert button.text == "Start impact assessment"
    assert form.find("input", name="csrf_token").attrs["value"] == csrf_cookie(client)


@pytest.mark.usefixtures("rubric_published")
def test_starting_the_assessment_opens_its_screening(client: TestClient, session: Session) -> None:
    policy = make_policy(session)
    action = f"/policies/{policy.id}/assessment"

    response = submit(client, page(client.get(f"/policies/{policy.id}")), action)

    assert response.status_code == 303
    (version,) = version_queries.versions_of_policy(session, policy.id or 0)
    assert response.headers["location"] == f"/assessments/{version.id}"
    opened = client.get(response.headers["location"])
    screening = default_rubric().screening
    assert opened.status_code == 303 and screening is not None
    assert opened.headers["location"] == f"/assessments/{version.id}/screening"
    assert page(client.get(opened.headers["location"])).find("h1").text == screening.title

    policy_page = page(client.get(f"/policies/{policy.id}"))
    row = policy_page.find("tbody").find("tr")
    assert [cell.text for cell in row.find_all("td")][:2] == ["1", "Draft"]
    assert row.find_all("a", href=f"/assessments/{version.id}")
    assert row.find_all("a", href=f"/assessments/{version.id}/summary")
    assert not policy_page.find_all(cls="govuk-button--start")


@pytest.mark.usefixtures("rubric_published")
def test_starting_with_htmx_redirects_by_header(client: TestClient, session: Session) -> None:
    policy = make_policy(session)

    response = post_form(client, f"/policies/{policy.id}/assessment", {}, htmx=True)

    assert response.status_code == 204
    (version,) = version_queries.versions_of_policy(session, policy.id or 0)
    assert response.headers["hx-redirect"] == f"/assessments/{version.id}"


@pytest.mark.usefixtures("rubric_published")
def test_starting_a_second_time_is_refused(client: TestClient, session: Session) -> None:
    policy = make_policy(session, reference="TL-009")
    action = f"/policies/{policy.id}/assessment"
    assert post_form(client, action, {}).status_code == 303

    response = post_form(client, action, {})

    assert response.status_code == 409
    doc = page(response)
    assert doc.find("h1").text == "That cannot be done now"
    assert "TL-009 already has an impact assessment" in doc.find("main").text
    assert len(version_queries.versions_of_policy(session, policy.id or 0)) == 1


def test_starting_before_a_rubric_is_published_is_refused(
    client: TestClient, session: Session
) -> None:
    policy = make_policy(session)

    response = post_form(client, f"/policies/{policy.id}/assessment", {})

    assert response.status_code == 409
    assert "No version of rubric" in page(response).find("main").text
    assert version_queries.versions_of_policy(session, policy.id or 0) == []


@pytest.mark.parametrize(
    ("method", "url"),
    [("GET", "/policies/999999"), ("POST", "/policies/999999/assessment")],
)
@pytest.mark.usefixtures("rubric_published")
def test_an_unknown_policy_is_page_not_found(client: TestClient, method: str, url: str) -> None:
    response = client.get(url) if method == "GET" else post_form(client, url, {})

    assert response.status_code == 404
    doc = page(response)
    assert title(doc) == "Page not found – Workload Impact Register"
    assert doc.find("h1").text == "Page not found"
    assert doc.find("main").find_all("a", href="/")


@pytest.mark.parametrize(
    "url", ["/policies/abc", "/assessments/abc", "/assessments/1.5/summary", "/policies/99999999"]
)
def test_a_url_with_an_id_that_is_not_one_is_page_not_found(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert title(page(response)).startswith("Page not found")


def test_the_api_says_an_id_that_is_not_one_names_no_record(client: TestClient) -> None:
    response = client.get("/api/v1/policies/abc")
    assert response.status_code == 404
    assert response.json()["detail"] == "There is no such record"
