"""Starting the schedule from the catalogue of England's statutory policies, on the import page:
the kind of trust chosen (refused, next to the field, when none is), the policies added marked
statutory, and a second start adding nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.pages.schedule_import import england_catalogue
from app.settings import Settings
from assessments.kernel.actors import Grant, Role
from assessments.policies import queries as policy_queries
from assessments.policies.policy_catalogue import TrustKind, schedule_for
from tests.app.pages import error_for, page, post_form
from tests.factories.people import make_person
from tests.factories.sign_in import sign_in_as
from tests.factories.trusts import LOCAL_TRUST_ID, make_school


def start(client: TestClient, kind: str) -> object:
    return post_form(client, "/schedule/start", {"kind": kind})


def test_the_import_page_offers_the_statutory_list_for_each_kind(client: TestClient) -> None:
    form = page(client.get("/schedule/import")).find("form", action="/schedule/start")
    radios = [radio.attrs["value"] for radio in form.find_all("input", type="radio")]
    assert radios == [kind.value for kind in TrustKind]


@pytest.mark.parametrize("kind", ["", "free-school"])
def test_no_kind_or_an_unknown_one_is_refused_next_to_the_field(
    client: TestClient, session: Session, kind: str
) -> None:
    response = post_form(client, "/schedule/start", {"kind": kind})

    assert response.status_code == 422
    assert error_for(page(response), "kind").startswith("Choose whether the trust is")
    assert policy_queries.policies_by_reference(session, LOCAL_TRUST_ID) == {}


def test_the_statutory_policies_are_added_once_and_shown_as_statutory(
    client: TestClient, session: Session
) -> None:
    wanted = schedule_for(england_catalogue(), TrustKind.MAINTAINED_SCHOOL)

    response = post_form(client, "/schedule/start", {"kind": "maintained-school"})

    assert response.status_code == 303 and response.headers["location"] == "/schedule"
    schedule = page(client.get("/schedule"))
    assert "The statutory policies are in the schedule" in schedule.text
    rows = schedule.by_id("schedule").find("tbody").find_all("tr")
    assert len(rows) == len(wanted)
    statutory = sum(1 for row in rows if "Statutory" in row.text)
    assert statutory == sum(1 for entry in wanted if entry.statutory) > 0
    again = post_form(client, "/schedule/start", {"kind": "maintained-school"})
    assert again.status_code == 303
    assert len(policy_queries.policies_by_reference(session, LOCAL_TRUST_ID)) == len(wanted)


def test_a_school_author_may_not_start_it(
    client: TestClient, session: Session, settings: Settings
) -> None:
    school = make_school(session)
    school_author = make_person(session, "Sam School", Grant(Role.AUTHOR, school.id))
    sign_in_as(client, session, settings, school_author)

    assert post_form(client, "/schedule/start", {"kind": "academy-trust"}).status_code == 403
    assert post_form(client, "/schedule/start", {"kind": ""}).status_code == 403
    assert policy_queries.policies_by_reference(session, LOCAL_TRUST_ID) == {}
