"""User text on the HTML pages is always escaped: titles, owners, typed values and answers."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.models import Policy
from assessments.policies import queries as policy_queries
from tests.app.pages import Element, field_value, page, submit, title
from tests.factories.targets import Targets, make_targets
from tests.factories.trusts import LOCAL_TRUST_ID

XSS = "<script>alert(1)</script>"


@pytest.fixture
def targets(session: Session, rubric_published: None) -> Targets:
    return make_targets(session)


def only_our_scripts(doc: Element) -> bool:
    return all(
        script.attrs.get("src", "").startswith("/static/") for script in doc.find_all("script")
    )


@pytest.fixture
def hostile_policy(client: TestClient, session: Session) -> Policy:
    """A policy whose title and owner are markup, added through the form."""
    form = page(client.get("/policies/new"))
    response = submit(
        client,
        form,
        "/policies",
        {
            "title": XSS,
            "reference": "XSS-001",
            "category": "other",
            "owner": '"><img src=x onerror=alert(2)>',
            "review_cycle_months": "12",
        },
    )
    assert response.status_code == 303
    policy = policy_queries.policy_by_reference(session, LOCAL_TRUST_ID, "XSS-001")
    assert policy is not None
    return policy


def test_a_policy_title_is_shown_as_text_on_the_list(
    client: TestClient, hostile_policy: Policy
) -> None:
    response = client.get("/policies")

    assert XSS not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    doc = page(response)
    assert doc.find("a", href=f"/policies/{hostile_policy.id}").text == XSS
    assert only_our_scripts(doc)


def test_a_policy_title_and_owner_are_shown_as_text_on_its_page(
    client: TestClient, hostile_policy: Policy
) -> None:
    response = client.get(f"/policies/{hostile_policy.id}")

    assert XSS not in response.text
    assert "onerror=alert(2)>" not in response.text
    doc = page(response)
    assert doc.find("h1").text == XSS
    assert title(doc) == f"{XSS} – Workload Impact Register"
    assert not doc.find_all("img")
    assert only_our_scripts(doc)


def test_typed_values_shown_back_in_a_form_stay_inside_their_attribute(
    client: TestClient,
) -> None:
    typed = '"><script>alert(3)</script>'
    form = page(client.get("/policies/new"))

    response = submit(client, form, "/policies", {"reference": typed, "title": typed})

    assert response.status_code == 422
    doc = page(response)
    assert field_value(doc, "reference") == typed
    assert field_value(doc, "title") == typed
    assert only_our_scripts(doc)


def test_answers_are_shown_as_text(client: TestClient, session: Session, targets: Targets) -> None:
    url = targets.url("/assessments/{draft}/sections/about-the-change")
    hostile = "</textarea><img src=x onerror=alert(4)>"
    doc = page(client.get(url))
    response = submit(client, doc, url, {"answer-what-is-stopped": hostile})
    assert response.status_code == 303

    again = page(client.get(url))

    assert field_value(again, "answer-what-is-stopped") == hostile
    assert not again.find_all("img")
    assert only_our_scripts(again)
