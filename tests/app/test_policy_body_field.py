"""The policy form naming the body that decides on its assessments: refused where the body
decides for another school, and a body's name always shown as text."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.settings import Settings
from assessments.bodies.keeping import BODY_KEEPERS
from assessments.kernel.actors import Grant, Role
from assessments.models import ApprovingBody, BodyKind, Policy, School
from tests.app.body_pages import (
    SCRIPT,
    add_body,
    body_url,
    committee,
    north,
    pat,
)
from tests.app.pages import (
    error_for,
    field_value,
    page,
    submit,
)
from tests.factories.decisions import open_page
from tests.factories.people import make_person
from tests.factories.sign_in import sign_in_as

__all__ = ["committee", "north", "pat"]  # the fixtures


# The policy form -------------------------------------------------------------------------------

POLICY = {
    "reference": "GV-001",
    "title": "Homework policy",
    "category": "teaching-and-learning",
    "owner": "Deputy Head",
    "review_cycle_months": "12",
}


def test_a_policy_names_the_body_that_decides_on_its_assessments(
    client: TestClient, session: Session, committee: ApprovingBody, north: School
) -> None:
    form = open_page(client, "/policies/new")
    options = form.by_id("approving_body_id").find_all("option")
    assert [(o.attrs["value"], o.text) for o in options] == [
        ("", "Any one approver for its school"),
        (str(committee.id), "Standards committee"),
    ]
    assert field_value(form, "approving_body_id") == ""

    made = submit(
        client,
        form,
        "/policies",
        {**POLICY, "school_id": str(north.id), "approving_body_id": str(committee.id)},
    )

    assert made.status_code == 303, made.text[:500]
    shown = open_page(client, made.headers["location"])
    rows = {
        row.find("dt").text: row.find("dd").text
        for row in shown.find_all("div", cls="govuk-summary-list__row")
    }
    assert rows["Approved by"] == "Standards committee, by any one member"
    policy = session.get(Policy, int(made.headers["location"].rsplit("/", 1)[1]))
    assert policy is not None and policy.approving_body_id == committee.id
    edit = open_page(client, f"/policies/{policy.id}/edit")
    assert field_value(edit, "approving_body_id") == str(committee.id)


def test_a_schools_local_governing_body_does_not_decide_a_trust_wide_policy(
    client: TestClient, session: Session, north: School
) -> None:
    lgb = add_body(session, "North LGB", BodyKind.LOCAL_GOVERNING_BODY, north)
    form = open_page(client, "/policies/new")

    refused = submit(
        client, form, "/policies", {**POLICY, "school_id": "", "approving_body_id": str(lgb.id)}
    )

    assert refused.status_code == 422, refused.text[:500]
    doc = page(refused)
    assert error_for(doc, "approving_body_id") == (
        "North LGB decides for one school only, not this policy's"
    )
    assert field_value(doc, "approving_body_id") == str(lgb.id)
    assert field_value(doc, "title") == "Homework policy"
    # North's own policy it may decide
    made = submit(
        client,
        doc,
        "/policies",
        {**POLICY, "school_id": str(north.id), "approving_body_id": str(lgb.id)},
    )
    assert made.status_code == 303, made.text[:500]


def test_a_bodys_name_is_shown_as_text_never_run_as_script(
    client: TestClient, session: Session
) -> None:
    body = add_body(session, SCRIPT)

    for url in ("/policies/new", "/admin/bodies", body_url(body)):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "<script>alert(" not in response.text, url
        assert "&lt;script&gt;alert(" in response.text, url
    form = open_page(client, "/policies/new")
    assert [o.text for o in form.by_id("approving_body_id").find_all("option")][1] == SCRIPT
    assert open_page(client, body_url(body)).find("h1").text == SCRIPT


def test_a_schools_author_is_told_next_to_the_field_who_says_who_approves(
    client: TestClient,
    session: Session,
    settings: Settings,
    committee: ApprovingBody,
    north: School,
) -> None:
    sign_in_as(client, session, settings, make_person(session, "Sol", Grant(Role.AUTHOR, north.id)))
    form = open_page(client, "/policies/new")
    # Shown, not offered: no list of bodies to pick from, and the form keeps what is named.
    assert form.by_id("approving_body_id").text == "Any one approver for its school"
    assert form.by_id("approving_body_id").tag == "p"
    assert (
        "Only the trust's admins and trust-wide authors"
        in form.by_id("approving_body_id-hint").text
    )

    refused = submit(  # as a forged form would
        client,
        form,
        "/policies",
        {**POLICY, "school_id": str(north.id), "approving_body_id": str(committee.id)},
    )

    assert refused.status_code == 422, refused.text[:500]
    assert error_for(page(refused), "approving_body_id") == BODY_KEEPERS
    made = submit(client, page(refused), "/policies", {"approving_body_id": ""})
    assert made.status_code == 303, made.text[:500]
