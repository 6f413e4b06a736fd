"""The trust admin's pages over HTTP: people, their roles and access, and the trust's schools;
and everyone else refused them."""

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
from assessments.policies import queries as policy_queries, trust_schools
from tests.app.pages import (
    Element,
    csrf_cookie,
    error_for,
    error_summary,
    field_value,
    page,
    post_form,
    submit,
)
from tests.factories.people import make_api_token, start_session
from tests.factories.sign_in import SESSION_COOKIE
from tests.factories.trusts import AUTHOR, AUTHOR_EMAIL, LOCAL_TRUST, LOCAL_TRUST_ID, make_school

PASSWORD = "ladder orchard quietly 47"
OTHER_TRUST = "Hillside trust"
FIRST = [("Policies", "/policies"), ("Register", "/register")]
REST = [("API tokens", "/account/tokens"), ("Sign out", "/sign-out")]
EVERYONES_LINKS = [*FIRST, *REST]
ADMIN_LINKS = [*FIRST, ("People", "/admin/users"), ("Schools", "/admin/schools"), *REST]


@pytest.fixture
def school(session: Session) -> School:
    return make_school(session, "Northfield Primary")


@pytest.fixture
def bea(session: Session, school: School) -> User:
    """Someone who writes assessments for one school, and is no admin."""
    return add_user(session, "Bea Brown", [Grant(Role.AUTHOR, school.id)])


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


def add_user(session: Session, name: str, grants: list[Grant], trust: str = LOCAL_TRUST) -> User:
    operator = accounts.operator_of_trust(session=session, trust_name=trust)
    assert operator.trust_id is not None
    email = f"{name.split()[0].lower()}@{trust.split()[0].lower()}.example"
    return accounts.create_user(
        session=session,
        actor=operator,
        trust_id=operator.trust_id,
        email=email,
        name=name,
        password=PASSWORD,
        grants=grants,
    )


def sign_in_as(browser: TestClient, session: Session, user: User) -> None:
    browser.cookies.set(SESSION_COOKIE, start_session(session, accounts.actor_of(session, user)))


def is_signed_in(browser: TestClient) -> bool:
    response = browser.get("/account/tokens")
    assert response.status_code in {200, 303}, response.status_code
    return response.status_code == 200


def sign_in_through_page(browser: TestClient, email: str) -> httpx2.Response:
    form = page(browser.get("/sign-in"))
    return submit(browser, form, "/sign-in", {"email": email, "password": PASSWORD})


def grants_of(session: Session, user: int | None) -> set[Grant]:
    assert user is not None
    session.expire_all()
    return {Grant(row.role, row.school_id) for row in people_queries.grants_of_user(session, user)}


def checked_grants(doc: Element) -> set[str]:
    boxes = doc.find_all("input", name="grants")
    return {box.attrs["value"] for box in boxes if "checked" in box.attrs}


def post_with_grants(
    client: TestClient, action: str, fields: dict[str, str], grants: list[str]
) -> httpx2.Response:
    """Post a form with several roles ticked (`post_form` sends one value per name)."""
    return client.post(action, data={"csrf_token": csrf_cookie(client), **fields, "grants": grants})


def roles_error(doc: Element) -> str:
    return doc.by_id("grants").find(cls="govuk-error-message").text.removeprefix("Error:").strip()


# Who may use the admin pages ---------------------------------------------------------------
ADMIN_PAGES = ["/admin/users", "/admin/users/new", "/admin/users/1", "/admin/schools"]
FORMS = {  # a good form for each admin action; user 1 is the admin
    "/admin/users": {"name": "Eve", "email": "eve@local.example", "password": PASSWORD},
    "/admin/users/1/roles": {"grants": "author:"},
    "/admin/users/1/access": {"disabled": "true"},
    "/admin/schools": {"name": "Oakfield Academy"},
}


def where_to(response: httpx2.Response) -> str:
    assert response.status_code == 303, response.status_code
    return response.headers["location"]


def assert_nothing_changed(session: Session, schools: list[str]) -> None:
    assert (
        people_queries.user_by_email(session, "eve@local.example", trust_id=LOCAL_TRUST_ID) is None
    )
    assert grants_of(session, 1) == AUTHOR.grants
    assert [
        school.name for school in policy_queries.list_schools(session, LOCAL_TRUST_ID)
    ] == schools


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


@pytest.mark.parametrize(
    ("role", "at_school"),
    [(Role.AUTHOR, True), (Role.ADMIN, True), (Role.AUDITOR, False)],
    ids=["author at a school", "admin at a school", "trust-wide auditor"],
)
def test_someone_who_is_not_a_trust_wide_admin_is_refused_every_admin_page(
    anonymous_client: TestClient, session: Session, school: School, role: Role, at_school: bool
) -> None:
    grant = Grant(role, school.id if at_school else None)
    sign_in_as(anonymous_client, session, add_user(session, "Bea Brown", [grant]))

    gets = {url: anonymous_client.get(url).status_code for url in ADMIN_PAGES}
    posts = {url: post_form(anonymous_client, url, form).status_code for url, form in FORMS.items()}

    assert gets == dict.fromkeys(ADMIN_PAGES, 403)
    assert posts == dict.fromkeys(FORMS, 403)
    assert_nothing_changed(session, [school.name])
    # Signed in still, with no links to the admin pages.
    assert header_nav(page(anonymous_client.get("/account/tokens"))) == EVERYONES_LINKS


def test_someone_who_is_not_an_admin_is_refused_even_with_a_malformed_role(
    anonymous_client: TestClient, session: Session, bea: User
) -> None:
    sign_in_as(anonymous_client, session, bea)

    response = post_form(anonymous_client, "/admin/users", {"grants": "head:"})

    assert response.status_code == 403


def test_a_visitor_is_sent_to_sign_in(anonymous_client: TestClient, session: Session) -> None:
    gets = {url: where_to(anonymous_client.get(url)) for url in ADMIN_PAGES}
    posts = {url: where_to(post_form(anonymous_client, url, form)) for url, form in FORMS.items()}

    assert gets == {url: f"/sign-in?next={url}" for url in ADMIN_PAGES}
    assert posts == dict.fromkeys(FORMS, "/sign-in")
    assert_nothing_changed(session, [])


# Adding a person ---------------------------------------------------------------------------
NEW_PERSON = {"name": "Eve Evans", "email": "Eve.Evans@Local.example", "password": PASSWORD}


def add_person(client: TestClient, grants: list[str], changes: dict[str, str]) -> httpx2.Response:
    fields = {**NEW_PERSON, **changes}
    return post_with_grants(client, "/admin/users", fields, grants)


@pytest.mark.usefixtures("other_trust_user")  # whose school is not offered
def test_adding_a_person_saves_the_roles_ticked_and_they_can_sign_in(
    client: TestClient, session: Session, school: School, browser: TestClient
) -> None:
    form = page(client.get("/admin/users/new"))
    offered = [box.attrs["value"] for box in form.find_all("input", name="grants")]
    assert offered == [f"{role.value}:{place}" for role in Role for place in ("", school.id)]

    response = add_person(client, ["approver:", f"author:{school.id}"], {})

    eve = people_queries.user_by_email(session, "eve.evans@local.example", trust_id=LOCAL_TRUST_ID)
    assert eve is not None and eve.name == "Eve Evans"
    assert where_to(response) == f"/admin/users/{eve.id}"
    expected = {Grant(Role.APPROVER), Grant(Role.AUTHOR, school.id)}
    assert grants_of(session, eve.id) == expected
    doc = page(client.get(response.headers["location"]))
    assert checked_grants(doc) == {"approver:", f"author:{school.id}"}
    assert where_to(sign_in_through_page(browser, "eve.evans@local.example")) == "/"
    assert is_signed_in(browser)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "eve.evans"}, "email", "Enter an email address in the correct format"),
        ({"password": "short one"}, "password", "Use at least 12 characters"),
        ({"password": "password1234"}, "password", "Choose a password that is harder"),
        ({"email": AUTHOR_EMAIL}, "email", f"{AUTHOR_EMAIL} already has an account"),
        ({"grants": "author:{other}"}, "grants", "Choose roles for the trust or for its own"),
        ({"grants": "head:"}, "grants", "Choose roles from the list"),
    ],
)
@pytest.mark.usefixtures("other_trust_user")
def test_a_problem_is_shown_next_to_its_field_and_nothing_is_saved(
    client: TestClient, session: Session, changes: dict[str, str], field: str, message: str
) -> None:
    operator = accounts.operator_of_trust(session=session, trust_name=OTHER_TRUST)
    other_school = trust_schools.school_named(
        session=session, actor=operator, name="Hillside Academy"
    )
    ticked = changes.get("grants", "author:").format(other=other_school.id)
    people_before = len(people_queries.users_of_trust(session, LOCAL_TRUST_ID))
    typed = {**NEW_PERSON, **changes}

    response = add_person(client, [ticked], changes)

    assert response.status_code == 422
    doc = page(response)
    assert doc.find("title").text.startswith("Error: Add a person")
    shown = roles_error(doc) if field == "grants" else error_for(doc, field)
    assert shown.startswith(message)
    assert [href for _, href in error_summary(doc)] == [f"#{field}"]
    assert error_summary(doc)[0][0].startswith(message)
    assert (field_value(doc, "name"), field_value(doc, "email")) == (typed["name"], typed["email"])
    assert field_value(doc, "password") == ""
    assert typed["password"] not in response.text
    # A role ticked from the list stays ticked; a value that is not on the list cannot be.
    assert checked_grants(doc) == ({"author:"} if field != "grants" else set())
    session.expire_all()
    assert len(people_queries.users_of_trust(session, LOCAL_TRUST_ID)) == people_before


# Changing roles and access -----------------------------------------------------------------
def test_saving_roles_replaces_them_and_signs_the_person_out(
    client: TestClient, session: Session, school: School, bea: User, browser: TestClient
) -> None:
    sign_in_as(browser, session, bea)
    assert is_signed_in(browser)

    grants = ["approver:", f"auditor:{school.id}"]
    response = post_with_grants(client, f"/admin/users/{bea.id}/roles", {}, grants)

    assert where_to(response) == f"/admin/users/{bea.id}"
    expected = {Grant(Role.APPROVER), Grant(Role.AUDITOR, school.id)}
    assert grants_of(session, bea.id) == expected
    assert checked_grants(page(client.get(f"/admin/users/{bea.id}"))) == {
        "approver:",
        f"auditor:{school.id}",
    }
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
    roles = post_with_grants(client, "/admin/users/1/roles", {}, ["author:", "approver:"])
    access = submit(client, page(client.get("/admin/users/1")), "/admin/users/1/access")

    assert (roles.status_code, access.status_code) == (422, 422)
    message = "You cannot remove your own trust-wide admin role"
    assert roles_error(page(roles)) == message
    assert error_summary(page(roles)) == [(message, "#grants")]
    assert checked_grants(page(roles)) == {"author:", "approver:"}
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
    roles = post_form(client, f"{url}/roles", {"grants": "auditor:"})
    access = post_form(client, f"{url}/access", {"disabled": "true"})

    assert [r.status_code for r in (their_page, roles, access)] == [404, 404, 404]
    assert grants_of(session, other_trust_user.id) == {Grant(Role.AUTHOR)}
    session.refresh(other_trust_user)
    assert not other_trust_user.disabled


# The header --------------------------------------------------------------------------------
def header_nav(doc: Element) -> list[tuple[str, str]]:
    nav = doc.find("nav", **{"aria-label": "Account"})
    links = [(link.text, link.attrs["href"]) for link in nav.find_all("a")]
    sign_out = nav.find("form", action="/sign-out")
    return [*links, (sign_out.find("button").text, sign_out.attrs["action"])]


def test_each_admin_page_is_a_whole_page_with_the_admin_header(client: TestClient) -> None:
    docs = [page(client.get(url)) for url in ADMIN_PAGES]

    headings = ["People and roles", "Add a person", "Alex Author", "Schools"]
    assert [doc.find("title").text for doc in docs] == [
        f"{heading} – Workload Impact Register" for heading in headings
    ]
    assert [header_nav(doc) for doc in docs] == [ADMIN_LINKS] * len(ADMIN_PAGES)
