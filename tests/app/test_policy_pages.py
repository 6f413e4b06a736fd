"""The policy pages over HTTP: the list, adding a policy, a policy's page and starting its
assessment."""

from __future__ import annotations

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.models import PolicyCategory, PolicyStatus
from assessments.people.directory import OWNER_MESSAGE
from assessments.policies import queries as policy_queries
from tests.app.pages import (
    Element,
    csrf_cookie,
    error_for,
    error_summary,
    field_value,
    fragment_roots,
    htmx_headers,
    is_fragment,
    page,
    submit,
    title,
)
from tests.factories.trusts import LOCAL_TRUST_ID, make_policy, make_school

GOOD_POLICY = {
    "title": "Homework policy",
    "reference": "TL-004",
    "category": PolicyCategory.TEACHING_AND_LEARNING.value,
    "school_id": "",
    "owner": "Deputy Headteacher",
    "review_cycle_months": "24",
    "status": PolicyStatus.UNDER_REVIEW.value,
}


def new_policy_form(client: TestClient) -> Element:
    response = client.get("/policies/new")
    assert response.status_code == 200
    return page(response)


def add_policy(
    client: TestClient, changes: dict[str, str] | None = None, *, htmx: bool = False
) -> httpx2.Response:
    """Fill in the "Add a policy" form and save it, with or without JavaScript."""
    form = new_policy_form(client)
    headers = htmx_headers(form) if htmx else None
    return submit(client, form, "/policies", {**GOOD_POLICY, **(changes or {})}, headers=headers)


def policy_id_from(location: str) -> int:
    prefix = "/policies/"
    assert location.startswith(prefix), location
    return int(location.removeprefix(prefix))


# The list ----------------------------------------------------------------------------------


def test_list_says_there_are_no_policies_yet(client: TestClient) -> None:
    response = client.get("/policies")

    assert response.status_code == 200
    assert "HX-Request" in response.headers["vary"]
    doc = page(response)
    assert title(doc) == "Policies – Workload Impact Register"
    assert "No policies yet" in doc.find("main").text
    assert doc.find("a", href="/policies/new").text == "Add a policy"


def test_list_shows_each_policy_with_its_school_category_and_status(
    client: TestClient, session: Session
) -> None:
    school = make_school(session, "Northfield Primary")
    in_school = make_policy(
        session,
        reference="TL-002",
        title="Feedback policy",
        school_id=school.id,
        status=PolicyStatus.IN_FORCE,
    )
    trust_wide = make_policy(
        session, reference="HR-001", title="Flexible working policy", category="people-and-hr"
    )

    rows = page(client.get("/policies")).find("tbody").find_all("tr")

    cells = [[cell.text for cell in row.find_all("td")] for row in rows]
    assert cells == [
        ["HR-001", "Flexible working policy", "Trust-wide", "People and HR", "New"],
        ["TL-002", "Feedback policy", "Northfield Primary", "Assessment and marking", "In force"],
    ]
    links = [row.find("a").attrs["href"] for row in rows]
    assert links == [f"/policies/{trust_wide.id}", f"/policies/{in_school.id}"]


# Adding a policy ---------------------------------------------------------------------------


def test_new_policy_page_is_a_form_that_works_without_javascript(
    client: TestClient, session: Session
) -> None:
    make_school(session, "Northfield Primary")

    response = client.get("/policies/new")

    assert response.status_code == 200
    assert "HX-Request" in response.headers["vary"]
    doc = page(response)
    assert title(doc) == "Add a policy – Workload Impact Register"
    form = doc.find("form", action="/policies")
    assert form.attrs["method"] == "post"
    assert form.find("input", name="csrf_token").attrs["value"] == csrf_cookie(client)
    for name in ("title", "reference", "owner", "review_cycle_months"):
        assert doc.find("label", **{"for": name}).text
    schools = [option.text for option in doc.by_id("school_id").find_all("option")]
    assert schools == ["Trust-wide (all schools)", "Northfield Primary"]
    categories = [option.attrs["value"] for option in doc.by_id("category").find_all("option")]
    assert categories == ["", *(category.value for category in PolicyCategory)]
    assert field_value(doc, "status") == PolicyStatus.NEW.value
    assert doc.by_id("main-content").find("button").text == "Save policy"


def test_new_policy_form_for_htmx_is_just_the_form_block(client: TestClient) -> None:
    response = client.get("/policies/new", headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "HX-Request" in response.headers["vary"]
    doc = page(response)
    assert is_fragment(doc)
    assert title(doc) == "Add a policy – Workload Impact Register"  # for the tab, ahead of it
    root = fragment_roots(doc)
    assert [element.id for element in root] == ["policy-form"]
    assert doc.find("form", action="/policies").find_all("input", name="csrf_token")
    assert not doc.find_all(cls="govuk-breadcrumbs")


def test_boosted_link_to_new_policy_gets_the_whole_page(client: TestClient) -> None:
    response = client.get("/policies/new", headers={"HX-Request": "true", "HX-Boosted": "true"})

    doc = page(response)
    assert not is_fragment(doc)
    assert title(doc) == "Add a policy – Workload Impact Register"


def test_saving_a_policy_goes_to_its_page(client: TestClient, session: Session) -> None:
    response = add_policy(client)

    assert response.status_code == 303
    policy = policy_queries.policy_by_reference(session, LOCAL_TRUST_ID, "TL-004")
    assert policy is not None
    assert response.headers["location"] == f"/policies/{policy.id}"
    doc = page(client.get(response.headers["location"]))
    assert doc.find("h1").text == "Homework policy"
    details = {
        row.find("dt").text: row.find("dd").text
        for row in doc.find_all(cls="govuk-summary-list__row")
    }
    assert details["Category"] == "Teaching and learning"
    assert details["School"] == "Trust-wide (all schools)"
    assert details["Owner"] == "Deputy Headteacher (no account)"
    assert details["Review cycle"] == "24 months"
    assert details["Status"] == "Under review"


def test_saving_a_policy_with_htmx_redirects_by_header(
    client: TestClient, session: Session
) -> None:
    response = add_policy(client, htmx=True)

    assert response.status_code == 204
    policy = policy_queries.policy_by_reference(session, LOCAL_TRUST_ID, "TL-004")
    assert policy is not None
    assert response.headers["hx-redirect"] == f"/policies/{policy.id}"
    assert response.content == b""


def test_a_policy_can_be_for_one_school(client: TestClient, session: Session) -> None:
    school = make_school(session, "Northfield Primary")

    response = add_policy(client, {"school_id": str(school.id)})

    assert response.status_code == 303
    doc = page(client.get(response.headers["location"]))
    assert "Northfield Primary" in doc.find(cls="govuk-summary-list").text
    assert "Northfield Primary" in page(client.get("/policies")).find("tbody").text


def test_an_empty_form_shows_each_problem_next_to_its_field(
    client: TestClient, session: Session
) -> None:
    empty = dict.fromkeys(GOOD_POLICY, "")

    response = add_policy(client, empty)

    assert response.status_code == 422
    doc = page(response)
    assert title(doc).startswith("Error: Add a policy")
    assert error_for(doc, "title") == "Enter the policy's title (3 to 200 characters)"
    assert error_for(doc, "reference").startswith("Enter a reference")
    assert error_for(doc, "category") == "Select the policy's category"
    assert error_for(doc, "owner") == OWNER_MESSAGE
    assert "whole number of months" in error_for(doc, "review_cycle_months")
    summary = error_summary(doc)
    assert {href for _, href in summary} == {
        "#title",
        "#reference",
        "#category",
        "#owner",
        "#review_cycle_months",
    }
    for text, href in summary:
        assert doc.has_id(href.removeprefix("#"))  # each link lands on its field
        assert text == error_for(doc, href.removeprefix("#"))
    assert policy_queries.list_policies(session, LOCAL_TRUST_ID) == []


def test_a_form_with_errors_keeps_what_was_typed(client: TestClient, session: Session) -> None:
    typed = {"reference": "TL 004!", "review_cycle_months": "two years"}

    response = add_policy(client, typed)

    assert response.status_code == 422
    doc = page(response)
    assert "like TL-004" in error_for(doc, "reference")
    assert "whole number of months" in error_for(doc, "review_cycle_months")
    assert not doc.find_all(id="title-error")
    for name, value in {**GOOD_POLICY, **typed}.items():
        assert field_value(doc, name) == value, name
    assert policy_queries.list_policies(session, LOCAL_TRUST_ID) == []


def test_a_form_with_errors_sent_by_htmx_gets_just_the_form_back(client: TestClient) -> None:
    response = add_policy(client, {"title": "", "owner": "A"}, htmx=True)

    assert response.status_code == 422
    assert "HX-Request" in response.headers["vary"]
    doc = page(response)
    assert is_fragment(doc)
    assert doc.by_id("policy-form")
    assert error_for(doc, "title").startswith("Enter the policy's title")
    assert error_for(doc, "owner") == OWNER_MESSAGE
    assert [href for _, href in error_summary(doc)] == ["#title", "#owner"]
    assert field_value(doc, "reference") == "TL-004"


@pytest.mark.parametrize("months", ["0", "61", "1.5", "-3"])
def test_review_cycle_must_be_1_to_60_months(client: TestClient, months: str) -> None:
    response = add_policy(client, {"review_cycle_months": months})

    assert response.status_code == 422
    doc = page(response)
    assert error_for(doc, "review_cycle_months") == (
        "Enter the review cycle as a whole number of months from 1 to 60"
    )
    assert field_value(doc, "review_cycle_months") == months


def test_a_reference_already_used_is_refused(client: TestClient, session: Session) -> None:
    make_policy(session, reference="TL-004", title="Marking policy")

    response = add_policy(client)

    assert response.status_code == 422
    doc = page(response)
    assert error_for(doc, "reference") == "A policy with reference TL-004 already exists"
    assert error_summary(doc) == [("A policy with reference TL-004 already exists", "#reference")]
    assert field_value(doc, "title") == "Homework policy"
    assert [p.title for p in policy_queries.list_policies(session, LOCAL_TRUST_ID)] == [
        "Marking policy"
    ]


@pytest.mark.parametrize(
    ("school_id", "message"),
    [
        ("999999", "Select one of your schools, or trust-wide"),
        ("not-a-number", "Select a school, or trust-wide"),
    ],
)
def test_an_unknown_school_is_refused(
    client: TestClient, session: Session, school_id: str, message: str
) -> None:
    response = add_policy(client, {"school_id": school_id})

    assert response.status_code == 422
    doc = page(response)
    assert error_for(doc, "school_id") == message
    assert error_summary(doc) == [(message, "#school_id")]
    assert policy_queries.list_policies(session, LOCAL_TRUST_ID) == []
