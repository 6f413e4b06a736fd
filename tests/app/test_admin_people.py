"""The trust admin's pages for people, over HTTP: each person listed with their roles and access,
a person added with their first role (a problem shown next to its field, nothing saved), roles
added and removed one at a time and access turned off and on (signing them out each time), an
admin unable to lock themself out, and another trust's person not found."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.settings import Settings
from assessments.kernel.actors import Grant, Role
from assessments.models import School, User
from assessments.people import accounts, queries as people_queries
from assessments.policies import trust_schools
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
from tests.app.trust_people import (
    PASSWORD,
    add_user,
    bea,
    grants_of,
    invitation_path,
    is_signed_in,
    school,
    sign_in_as,
    where_to,
)
from tests.factories.people import make_api_token
from tests.factories.trusts import AUTHOR, AUTHOR_EMAIL, LOCAL_TRUST_ID

__all__ = ["bea", "school"]  # the fixtures

OTHER_TRUST = "Hillside trust"


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client


@pytest.fixture
def other_trust_user(session: Session) -> User:
    accounts.create_trust(session=session, name=OTHER_TRUST)
    operator = accounts.operator_of_trust(session=session, trust_name=OTHER_TRUST)
    trust_schools.create_school(session=session, actor=operator, name="Hillside Academy")
    return add_user(session, "Olly Other", [Grant(Role.AUTHOR)], trust=OTHER_TRUST)


def sign_in_through_page(browser: TestClient, email: str) -> httpx2.Response:
    form = page(browser.get("/sign-in"))
    return submit(browser, form, "/sign-in", {"email": email, "password": PASSWORD})


def held_roles(doc: Element) -> list[tuple[str, str]]:
    """The person's roles as their page lists them: (role, where)."""
    if not doc.has_id("held-roles"):
        return []
    rows = doc.by_id("held-roles").find("tbody").find_all("tr")
    return [(row.find_all("td")[0].text, row.find_all("td")[1].text) for row in rows]


def remove_role(client: TestClient, doc: Element, role: str, where: str) -> httpx2.Response:
    """Press the Remove button on the row of `role` held `where`, as a browser would."""
    rows = doc.by_id("held-roles").find("tbody").find_all("tr")
    [row] = [r for r in rows if [td.text for td in r.find_all("td")[:2]] == [role, where]]
    form = row.find("form")
    return client.post(form.attrs["action"], data=form_fields(form))


def add_role(client: TestClient, user_id: int | None, role: str, place: str) -> httpx2.Response:
    """Choose a role and a place in the person's "Add a role" form and send it."""
    url = f"/admin/users/{user_id}"
    return submit(client, page(client.get(url)), f"{url}/roles/add", {"role": role, "place": place})


def test_the_admin_sees_each_person_with_their_roles_and_access(
    client: TestClient, session: Session, school: School, other_trust_user: User
) -> None:
    bea = add_user(session, "Bea Brown", [Grant(Role.AUTHOR, school.id), Grant(Role.APPROVER)])
    cal = add_user(session, "Cal Clark", [Grant(Role.AUDITOR)])
    post_form(client, f"/admin/users/{cal.id}/access", {"disabled": "true"})
    add_user(session, "Dev Dunn", [])

    rows = page(client.get("/admin/users")).find("tbody").find_all("tr")

    assert [[cell.text for cell in row.find_all("td")] for row in rows] == [
        ["Alex Author", AUTHOR_EMAIL, "Admin – trust-wide Author – trust-wide", "Yes"],
        [
            "Bea Brown",
            "bea@local.example",
            "Approver – trust-wide Author – Northfield Primary",
            "Yes",
        ],
        ["Cal Clark", "cal@local.example", "Auditor – trust-wide", "Disabled"],
        ["Dev Dunn", "dev@local.example", "None", "Yes"],
    ]
    assert rows[1].find("a").attrs["href"] == f"/admin/users/{bea.id}"


# Adding a person ---------------------------------------------------------------------------
NEW_PERSON = {"name": "Eve Evans", "email": "Eve.Evans@Local.example"}


def add_person(client: TestClient, changes: dict[str, str]) -> httpx2.Response:
    """Fill in the new-person form (the first role and place as `changes` say) and send it."""
    form = page(client.get("/admin/users/new"))
    return submit(client, form, "/admin/users", {**NEW_PERSON, **changes})


def options(doc: Element, name: str) -> list[tuple[str, str]]:
    """A select's choices: (value, text)."""
    return [(o.attrs["value"], o.text) for o in doc.find("select", name=name).find_all("option")]


def radios(doc: Element, name: str) -> list[str]:
    return [box.attrs["value"] for box in doc.find_all("input", name=name, type="radio")]


@pytest.mark.usefixtures("other_trust_user")  # whose school is not offered
@pytest.mark.parametrize(
    ("role", "at_school"),
    [("approver", False), ("author", True), ("", False)],
    ids=["trust-wide approver", "author at the school", "no role yet"],
)
def test_adding_a_person_saves_their_first_role_and_they_can_sign_in(
    client: TestClient,
    session: Session,
    school: School,
    browser: TestClient,
    settings: Settings,
    role: str,
    at_school: bool,
) -> None:
    form = page(client.get("/admin/users/new"))
    assert radios(form, "role") == ["", "author", "approver", "auditor", "admin"]
    assert options(form, "place") == [
        ("", "Trust-wide (every school)"),
        (str(school.id), school.name),
    ]

    response = add_person(client, {"role": role, "place": str(school.id) if at_school else ""})

    eve = people_queries.user_by_email(session, "eve.evans@local.example", trust_id=LOCAL_TRUST_ID)
    assert eve is not None and eve.name == "Eve Evans"
    assert where_to(response) == f"/admin/users/{eve.id}"
    where = school.id if at_school else None
    assert grants_of(session, eve.id) == ({Grant(Role(role), where)} if role else set())
    doc = page(client.get(response.headers["location"]))
    assert (banner(doc) or "").startswith("Person added.")
    shown = "Northfield Primary" if at_school else "Trust-wide"
    assert held_roles(doc) == ([(role.capitalize(), shown)] if role else [])
    # Nobody typed a password for her: she sets her own from the invitation emailed to her.
    assert sign_in_through_page(browser, "eve.evans@local.example").status_code == 422
    link = invitation_path(session, settings, eve.id)
    chosen = {"password": PASSWORD, "confirmation": PASSWORD}
    assert where_to(submit(browser, page(browser.get(link)), link, chosen)) == "/sign-in"
    assert where_to(sign_in_through_page(browser, "eve.evans@local.example")) == "/"
    assert is_signed_in(browser)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "eve.evans"}, "email", "Enter an email address in the correct format"),
        ({"email": AUTHOR_EMAIL}, "email", f"{AUTHOR_EMAIL} already has an account"),
        ({"place": "{other}"}, "place", "Choose roles for the trust or for its own"),
        ({"place": "north"}, "place", "Choose trust-wide or one of the trust's schools"),
        ({"role": "head"}, "role", "Choose a role"),
    ],
    ids=[
        "bad email",
        "email taken",
        "another trust's school",
        "no such place",
        "no such role",
    ],
)
@pytest.mark.usefixtures("other_trust_user")
def test_a_problem_is_shown_next_to_its_field_and_nothing_is_saved(
    client: TestClient,
    session: Session,
    school: School,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    operator = accounts.operator_of_trust(session=session, trust_name=OTHER_TRUST)
    other_school = trust_schools.school_named(
        session=session, actor=operator, name="Hillside Academy"
    )
    first_role = {"role": "author", "place": str(school.id)}
    sent = {key: value.format(other=other_school.id) for key, value in changes.items()}
    people_before = len(people_queries.users_of_trust(session, LOCAL_TRUST_ID))
    typed = {**NEW_PERSON, **first_role, **sent}

    response = add_person(client, {**first_role, **sent})

    assert response.status_code == 422
    doc = page(response)
    assert doc.find("title").text.startswith("Error: Add a person")
    assert error_for(doc, field).startswith(message)
    assert [href for _, href in error_summary(doc)] == [f"#{field}"]
    assert error_summary(doc)[0][0].startswith(message)
    assert doc.has_id(field)  # the summary's link leads to the field
    assert (field_value(doc, "name"), field_value(doc, "email")) == (typed["name"], typed["email"])
    # The role and place chosen from the lists stay chosen; a value not on them cannot be.
    assert field_value(doc, "role") == (None if field == "role" else "author")
    assert field_value(doc, "place") == ("" if field == "place" else str(school.id))
    session.expire_all()
    assert len(people_queries.users_of_trust(session, LOCAL_TRUST_ID)) == people_before


# Changing roles and access -----------------------------------------------------------------
def test_adding_and_removing_a_role_saves_it_and_signs_the_person_out(
    client: TestClient, session: Session, school: School, bea: User, browser: TestClient
) -> None:
    url = f"/admin/users/{bea.id}"
    sign_in_as(browser, session, bea)
    assert is_signed_in(browser)

    added = add_role(client, bea.id, "approver", "")

    assert where_to(added) == f"{url}#roles"
    assert grants_of(session, bea.id) == {Grant(Role.APPROVER), Grant(Role.AUTHOR, school.id)}
    doc = page(client.get(url))
    assert banner(doc) == (
        "Their roles are saved. They were signed out, so the new roles apply at once."
    )
    assert held_roles(doc) == [("Approver", "Trust-wide"), ("Author", "Northfield Primary")]
    assert not is_signed_in(browser)
    assert is_signed_in(client)

    sign_in_as(browser, session, bea)
    removed = remove_role(client, doc, "Author", "Northfield Primary")

    assert where_to(removed) == f"{url}#roles"
    assert grants_of(session, bea.id) == {Grant(Role.APPROVER)}
    assert held_roles(page(client.get(url))) == [("Approver", "Trust-wide")]
    assert not is_signed_in(browser)
    assert is_signed_in(client)


def test_disabling_a_person_ends_their_session_and_token_and_enabling_lets_them_back(
    client: TestClient, session: Session, bea: User, browser: TestClient
) -> None:
    sign_in_as(browser, session, bea)
    bearer = {"Authorization": f"Bearer {make_api_token(session, accounts.actor_of(session, bea))}"}
    assert browser.get("/api/v1/policies", headers=bearer).status_code == 200
    url = f"/admin/users/{bea.id}"

    disabled = submit(client, page(client.get(url)), f"{url}/access")

    assert where_to(disabled) == url
    doc = page(client.get(url))
    assert "Can sign in No: disabled" in doc.find(cls="govuk-summary-list").text
    assert not is_signed_in(browser)
    assert browser.get("/api/v1/policies", headers=bearer).status_code == 401
    assert sign_in_through_page(browser, bea.email).status_code == 422

    enabled = submit(client, doc, f"{url}/access")

    assert where_to(enabled) == url
    assert where_to(sign_in_through_page(browser, bea.email)) == "/"
    assert is_signed_in(browser)


def test_an_admin_cannot_lock_themself_out(client: TestClient, session: Session) -> None:
    mine = page(client.get("/admin/users/1"))

    roles = remove_role(client, mine, "Admin", "Trust-wide")
    access = submit(client, mine, "/admin/users/1/access")

    assert (roles.status_code, access.status_code) == (422, 422)
    message = "You cannot remove your own trust-wide admin role"
    assert error_for(page(roles), "roles") == message  # under the Roles heading
    assert error_summary(page(roles)) == [(message, "#roles")]
    assert held_roles(page(roles)) == [("Admin", "Trust-wide"), ("Author", "Trust-wide")]
    refusal = "You cannot disable your own account"
    assert error_summary(page(access)) == [(refusal, "#disabled")]
    assert error_for(page(access), "disabled") == refusal  # next to the Access form
    assert grants_of(session, 1) == AUTHOR.grants
    me = people_queries.get_user(session, 1)
    assert me is not None and not me.disabled
    assert is_signed_in(client)


def test_another_trusts_person_is_not_found(
    client: TestClient, session: Session, other_trust_user: User
) -> None:
    url = f"/admin/users/{other_trust_user.id}"

    their_page = client.get(url)
    added = post_form(client, f"{url}/roles/add", {"role": "auditor", "place": ""})
    removed = post_form(client, f"{url}/roles/remove", {"role": "author", "place": ""})
    details = post_form(client, f"{url}/details", {"name": "Mal", "email": "mal@x.example"})
    access = post_form(client, f"{url}/access", {"disabled": "true"})

    statuses = [r.status_code for r in (their_page, added, removed, details, access)]
    assert statuses == [404] * 5
    assert grants_of(session, other_trust_user.id) == {Grant(Role.AUTHOR)}
    session.refresh(other_trust_user)
    assert (other_trust_user.name, other_trust_user.disabled) == ("Olly Other", False)
