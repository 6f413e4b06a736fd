"""Putting right a person's name, email and roles, through their admin page, by the trust's
admins: a wrong name or email refused by its field, a corrected email the one they sign in with,
roles added and removed one at a time (signing them out when they change), a role already held
or covered by a trust-wide one said so, and another trust's school refused as a place."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.kernel.actors import Grant, Role
from assessments.models import School, User
from assessments.people import accounts, queries as people_queries
from assessments.policies import trust_schools
from tests.app.correction_pages import last_event, north, stored, summary
from tests.app.pages import (
    Element,
    banner,
    error_for,
    error_summary,
    field_value,
    form_fields,
    page,
    post_form,
    submit,
)
from tests.factories.decisions import open_page
from tests.factories.people import add_local_auditor, make_person, start_session
from tests.factories.sign_in import SESSION_COOKIE, sign_in
from tests.factories.trusts import make_school

__all__ = ["north"]  # the fixture

PASSWORD = "termly-review-orchard-47"


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    """Someone else's browser, beside the admin's `client`."""
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as other:
        yield other


# --- A person's name and email ------------------------------------------------------------


@pytest.fixture
def bea(session: Session) -> User:
    return add_local_auditor(
        session, email="bea@local.example", name="Bea Brown", password=PASSWORD
    )


def person_url(user: User | int | None) -> str:
    return f"/admin/users/{user.id if isinstance(user, User) else user}"


def change_details(client: TestClient, user: User, changes: dict[str, str]) -> httpx2.Response:
    url = person_url(user)
    return submit(client, open_page(client, url), f"{url}/details", changes)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "CAL@local.example"}, "email", "cal@local.example already has an account"),
        ({"email": "bea at local"}, "email", "Enter an email address in the correct format"),
        ({"name": "   "}, "name", "Enter the person's name, up to"),
    ],
    ids=["email taken in the trust", "not an email", "no name"],
)
def test_a_wrong_name_or_email_is_refused_next_to_its_field(
    client: TestClient,
    session: Session,
    bea: User,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    make_person(session, "Cal Clark")  # cal.clark@accounts.example
    add_local_auditor(session, email="cal@local.example", name="Cal Clark", password=PASSWORD)
    typed = {"name": "Bea Browne", "email": "bea.browne@local.example", **changes}

    response = change_details(client, bea, typed)

    assert response.status_code == 422
    doc = page(response)
    assert error_for(doc, field).startswith(message)
    assert [href for _, href in error_summary(doc)] == [f"#{field}"]
    assert (field_value(doc, "name"), field_value(doc, "email")) == (typed["name"], typed["email"])
    saved = stored(session, User, bea.id)
    assert (saved.name, saved.email) == ("Bea Brown", "bea@local.example")


def test_a_corrected_name_and_email_are_saved_and_she_signs_in_with_the_new_email(
    client: TestClient, session: Session, bea: User, browser: TestClient
) -> None:
    response = change_details(
        client, bea, {"name": " Bea   Browne ", "email": "Bea.Browne@Local.example"}
    )

    assert response.status_code == 303
    assert response.headers["location"] == person_url(bea)
    doc = open_page(client, person_url(bea))
    assert banner(doc) == "Their details are saved."
    assert doc.find("h1").text == "Bea Browne"
    assert summary(doc)["Email address"] == "bea.browne@local.example"
    action, _, changes = last_event(session, "user", bea.id)
    assert action == "details changed" and '"email":["bea@local.example"' in changes
    assert sign_in(browser, "bea@local.example", PASSWORD).status_code == 422
    assert sign_in(browser, "bea.browne@local.example", PASSWORD).status_code == 303


# --- A person's roles ---------------------------------------------------------------------


def held_roles(doc: Element) -> list[tuple[str, str]]:
    if not doc.has_id("held-roles"):
        return []
    rows = doc.by_id("held-roles").find("tbody").find_all("tr")
    return [(row.find_all("td")[0].text, row.find_all("td")[1].text) for row in rows]


def notes(doc: Element) -> list[str]:
    return [
        note.find("strong").text.removeprefix("Warning").strip()
        for note in doc.find_all(cls="app-role-note")
    ]


def add_role(client: TestClient, user: User | int, role: str, place: object) -> httpx2.Response:
    url = person_url(user)
    changes = {"role": role, "place": "" if place is None else str(place)}
    return submit(client, open_page(client, url), f"{url}/roles/add", changes)


def remove_role(client: TestClient, doc: Element, role: str, where: str) -> httpx2.Response:
    rows = doc.by_id("held-roles").find("tbody").find_all("tr")
    [row] = [r for r in rows if [td.text for td in r.find_all("td")[:2]] == [role, where]]
    form = row.find("form")
    return client.post(form.attrs["action"], data=form_fields(form))


def is_signed_in(browser: TestClient) -> bool:
    return browser.get("/account/tokens").status_code == 200


def signed_in_as(browser: TestClient, session: Session, user: User) -> None:
    browser.cookies.set(SESSION_COOKIE, start_session(session, accounts.actor_of(session, user)))


def grants_of(session: Session, user: User) -> set[Grant]:
    assert user.id is not None
    session.expire_all()
    return {Grant(r.role, r.school_id) for r in people_queries.grants_of_user(session, user.id)}


@pytest.fixture
def thirty_schools(session: Session) -> list[School]:
    return [make_school(session, f"School {n:02d}") for n in range(1, 31)]


def test_a_trust_of_thirty_schools_offers_one_place_list_and_adds_the_one_role_chosen(
    client: TestClient,
    session: Session,
    thirty_schools: list[School],
    browser: TestClient,
) -> None:
    dev = add_local_auditor(session, email="dev@local.example", name="Dev Dunn", password=PASSWORD)
    removed = remove_role(client, open_page(client, person_url(dev)), "Auditor", "Trust-wide")
    assert removed.status_code == 303
    signed_in_as(browser, session, dev)
    doc = open_page(client, person_url(dev))
    assert not doc.find_all("input", type="checkbox")
    places = doc.find("select", name="place").find_all("option")
    assert [o.text for o in places] == ["Trust-wide (every school)"] + [
        f"School {n:02d}" for n in range(1, 31)
    ]
    assert len(doc.find_all("input", name="role")) == len(Role)
    assert notes(doc) == ["They have no role: they can sign in but see nothing until given one."]

    response = add_role(client, dev, "author", thirty_schools[16].id)

    assert response.status_code == 303
    after = open_page(client, person_url(dev))
    assert held_roles(after) == [("Author", "School 17")]
    assert notes(after) == []
    assert grants_of(session, dev) == {Grant(Role.AUTHOR, thirty_schools[16].id)}
    assert not is_signed_in(browser)


def test_a_role_they_already_have_there_is_refused_next_to_the_role(
    client: TestClient, session: Session, north: School, bea: User, browser: TestClient
) -> None:
    assert add_role(client, bea, "author", north.id).status_code == 303
    signed_in_as(browser, session, bea)

    response = add_role(client, bea, "author", north.id)

    assert response.status_code == 422
    doc = page(response)
    message = "They already have that role there"
    assert error_for(doc, "role") == message
    assert error_summary(doc) == [(message, "#role")]
    chosen = form_fields(doc.by_id("add-role"))
    assert (chosen["role"], chosen["place"]) == ("author", str(north.id))
    assert held_roles(doc) == [("Auditor", "Trust-wide"), ("Author", "North School")]
    assert is_signed_in(browser)  # nothing changed, so nobody was signed out


def test_removing_a_role_leaves_the_others_and_a_stale_remove_says_why(
    client: TestClient, session: Session, north: School, bea: User
) -> None:
    add_role(client, bea, "author", north.id)
    doc = open_page(client, person_url(bea))

    removed = remove_role(client, doc, "Author", "North School")
    again = remove_role(client, doc, "Author", "North School")  # the same page, pressed twice

    assert removed.status_code == 303
    assert again.status_code == 422
    refused = page(again)
    assert error_for(refused, "roles") == "They do not have that role there"
    assert error_summary(refused) == [("They do not have that role there", "#roles")]
    assert held_roles(refused) == [("Auditor", "Trust-wide")]
    assert grants_of(session, bea) == {Grant(Role.AUDITOR)}


def test_a_school_role_that_their_trust_wide_role_covers_is_noted_until_removed(
    client: TestClient, session: Session, north: School, bea: User
) -> None:
    add_role(client, bea, "auditor", north.id)
    doc = open_page(client, person_url(bea))
    assert notes(doc) == [
        "Auditor at North School is already covered by their trust-wide auditor role; "
        "it can be removed."
    ]

    remove_role(client, doc, "Auditor", "North School")

    assert notes(open_page(client, person_url(bea))) == []


def test_a_role_at_another_trusts_school_is_refused_next_to_the_place(
    client: TestClient, session: Session, bea: User
) -> None:
    accounts.create_trust(session=session, name="Hillside trust")
    operator = accounts.operator_of_trust(session=session, trust_name="Hillside trust")
    theirs = trust_schools.create_school(session=session, actor=operator, name="Hillside Academy")
    assert theirs is not None

    response = post_form(
        client, f"{person_url(bea)}/roles/add", {"role": "author", "place": str(theirs.id)}
    )

    assert response.status_code == 422
    doc = page(response)
    assert error_for(doc, "place") == "Choose roles for the trust or for its own schools"
    assert [href for _, href in error_summary(doc)] == ["#place"]
    assert grants_of(session, bea) == {Grant(Role.AUDITOR)}
