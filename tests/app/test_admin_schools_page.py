"""The admin's schools page: the trust's own schools listed, each with a link to correct its
name, one added, and a blank or taken name (however it is spaced or capitalised) shown next to
the field."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.models import School
from assessments.people import accounts
from assessments.policies import queries as policy_queries, trust_schools
from tests.app.pages import Element, error_for, error_summary, field_value, page, submit
from tests.factories.trusts import LOCAL_TRUST_ID, make_school


@pytest.fixture
def school(session: Session) -> School:
    return make_school(session, "Northfield Primary")


@pytest.fixture
def other_trusts_school(session: Session) -> School:
    """A school of another trust, named as the one added below."""
    accounts.create_trust(session=session, name="Hillside trust")
    operator = accounts.operator_of_trust(session=session, trust_name="Hillside trust")
    made = trust_schools.create_school(session=session, actor=operator, name="Hillside Academy")
    assert made is not None
    return made


def school_names(doc: Element) -> list[str]:
    """The schools listed, without their "Change" links."""
    items = doc.by_id("schools").find_all("li")
    return [item.text.removesuffix(item.find("a").text).strip() for item in items]


def change_links(doc: Element) -> list[tuple[str, str]]:
    return [(a.text, a.attrs["href"]) for a in doc.by_id("schools").find_all("a")]


def banner(doc: Element) -> str | None:
    found = doc.find_all(cls="govuk-notification-banner")
    return found[0].find(cls="govuk-notification-banner__heading").text if found else None


@pytest.mark.usefixtures("other_trusts_school")
def test_the_schools_page_lists_the_trusts_own_schools_and_adds_one(
    client: TestClient, session: Session, school: School
) -> None:
    doc = page(client.get("/admin/schools"))
    assert school_names(doc) == ["Northfield Primary"]
    link = ("Change the name of Northfield Primary", f"/admin/schools/{school.id}")
    assert change_links(doc) == [link]

    # Another trust's school of the same name is no clash.
    response = submit(client, doc, "/admin/schools", {"name": " Hillside Academy "})

    assert response.status_code == 303, response.status_code
    assert response.headers["location"] == "/admin/schools"
    after = page(client.get("/admin/schools"))
    assert banner(after) == "School added. Give people roles there from their pages under People."
    assert school_names(after) == ["Hillside Academy", "Northfield Primary"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("   ", "Enter the school's name, up to"),
        ("Northfield Primary", "The trust already has a school called “Northfield Primary”"),
        (" northfield   PRIMARY", "The trust already has a school called “Northfield Primary”"),
    ],
    ids=["blank", "taken", "taken, spaced and capitalised otherwise"],
)
def test_a_blank_or_taken_school_name_is_shown_next_to_the_field(
    client: TestClient, session: Session, school: School, name: str, message: str
) -> None:
    response = submit(client, page(client.get("/admin/schools")), "/admin/schools", {"name": name})

    assert response.status_code == 422
    doc = page(response)
    assert error_for(doc, "name").startswith(message)
    assert [href for _, href in error_summary(doc)] == ["#name"]
    assert field_value(doc, "name") == name
    assert len(policy_queries.list_schools(session, LOCAL_TRUST_ID)) == 1
