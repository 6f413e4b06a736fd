"""Putting right a school's name, through its admin page, by the trust's admins: a name that
differs only in case or spacing from another is refused by its field, a new name shows on the
school's policies and in the register, a rename made meanwhile is not overwritten, and another
trust's school is not found."""

from __future__ import annotations

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.models import School
from assessments.people import accounts
from assessments.policies import trust_schools
from tests.app.correction_pages import (
    STALE,
    last_event,
    north,
    policy_of,
    register_rows,
    south,
    stored,
    summary,
)
from tests.app.pages import (
    Element,
    banner,
    error_for,
    error_summary,
    field_value,
    page,
    post_form,
    submit,
)
from tests.factories.decisions import open_page
from tests.factories.trusts import AUTHOR
from tests.factories.versions import make_draft

__all__ = ["north", "south"]  # the fixtures


def school_url(school: School) -> str:
    return f"/admin/schools/{school.id}"


def rename(
    client: TestClient, school: School, name: str, form: Element | None = None
) -> httpx2.Response:
    form = form or open_page(client, school_url(school))
    return submit(client, form, school_url(school), {"name": name})


def test_a_name_that_differs_only_in_case_or_spacing_is_refused_next_to_the_field(
    client: TestClient, session: Session, north: School, south: School
) -> None:
    form = open_page(client, school_url(south))
    assert field_value(form, "name") == "South School"

    response = rename(client, south, "north  SCHOOL", form)

    assert response.status_code == 422
    doc = page(response)
    message = "The trust already has a school called “North School”"
    assert error_for(doc, "name") == message
    assert error_summary(doc) == [(message, "#name")]
    assert field_value(doc, "name") == "north  SCHOOL"
    assert stored(session, School, south.id).name == "South School"


@pytest.mark.usefixtures("rubric_published")
def test_a_renamed_school_shows_its_new_name_on_its_policies_and_in_the_register(
    client: TestClient, session: Session, north: School
) -> None:
    draft = make_draft(session, reference="CP-030", title="Homework policy", school_id=north.id)

    response = rename(client, north, "  North   Academy ")

    assert response.status_code == 303
    assert response.headers["location"] == "/admin/schools"
    schools = open_page(client, "/admin/schools")
    assert banner(schools) == "The school's name is changed everywhere it is shown."
    assert "North Academy" in schools.by_id("schools").text
    policy = policy_of(session, draft)
    assert summary(open_page(client, f"/policies/{policy.id}"))["School"] == "North Academy"
    [(_, where)] = register_rows(client, north)
    assert where == "North Academy"
    action, _, changes = last_event(session, "school", north.id)
    assert (action, changes) == ("renamed", '{"name":["North School","North Academy"]}')


def test_a_rename_made_meanwhile_is_not_overwritten(
    client: TestClient, session: Session, north: School
) -> None:
    form = open_page(client, school_url(north))
    assert north.id is not None
    trust_schools.rename_school(
        session=session, actor=AUTHOR, school_id=north.id, name="North Primary", expected_revision=1
    )  # another admin, meanwhile

    response = rename(client, north, "North Academy", form)

    assert response.status_code == 409
    doc = page(response)
    assert error_for(doc, "name").startswith(STALE)
    assert field_value(doc, "name") == "North Academy"
    assert stored(session, School, north.id).name == "North Primary"


def test_another_trusts_school_is_not_found(client: TestClient, session: Session) -> None:
    accounts.create_trust(session=session, name="Hillside trust")
    operator = accounts.operator_of_trust(session=session, trust_name="Hillside trust")
    theirs = trust_schools.create_school(session=session, actor=operator, name="Hillside Academy")
    assert theirs is not None

    opened = client.get(school_url(theirs))
    renamed = post_form(client, school_url(theirs), {"name": "Taken Over", "revision": "1"})

    assert (opened.status_code, renamed.status_code) == (404, 404)
    assert stored(session, School, theirs.id).name == "Hillside Academy"
