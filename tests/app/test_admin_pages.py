"""Who may use the trust admin's pages: everyone but a trust-wide admin refused every page and
form, even with a malformed role, a visitor sent to sign in, and nothing changed by any of them;
and each admin page a whole page with the admin links in its header."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.kernel.actors import Grant, Role
from assessments.models import School, User
from assessments.people import queries as people_queries
from assessments.policies import queries as policy_queries
from tests.app.pages import Element, page, post_form
from tests.app.trust_people import (
    PASSWORD,
    add_user,
    bea,
    grants_of,
    is_signed_in,
    school,
    sign_in_as,
    where_to,
)
from tests.factories.trusts import AUTHOR, AUTHOR_EMAIL, LOCAL_TRUST_ID

__all__ = ["bea", "school"]  # the fixtures

ADMIN_LINKS = [
    ("People", "/admin/users"),
    ("Schools", "/admin/schools"),
    ("Bodies", "/admin/bodies"),
]


# Who may use the admin pages ---------------------------------------------------------------
def admin_pages(school_id: int | None) -> list[str]:
    return [
        "/admin/users",
        "/admin/users/new",
        "/admin/users/1",
        "/admin/schools",
        f"/admin/schools/{school_id}",
    ]


def admin_forms(school_id: int | None) -> dict[str, dict[str, str]]:
    """A good form for each admin action; user 1 is the admin."""
    return {
        "/admin/users": {"name": "Eve", "email": "eve@local.example", "password": PASSWORD},
        "/admin/users/1/roles/add": {"role": "auditor", "place": ""},
        "/admin/users/1/roles/remove": {"role": "author", "place": ""},
        "/admin/users/1/details": {"name": "Eve", "email": "eve@local.example", "revision": "1"},
        "/admin/users/1/access": {"disabled": "true"},
        "/admin/schools": {"name": "Oakfield Academy"},
        f"/admin/schools/{school_id}": {"name": "Oakfield Academy", "revision": "1"},
    }


def assert_nothing_changed(session: Session, schools: list[str]) -> None:
    assert (
        people_queries.user_by_email(session, "eve@local.example", trust_id=LOCAL_TRUST_ID) is None
    )
    me = people_queries.get_user(session, 1)
    assert me is not None and (me.name, me.email, me.disabled) == (
        "Alex Author",
        AUTHOR_EMAIL,
        False,
    )
    assert grants_of(session, 1) == AUTHOR.grants
    assert [
        school.name for school in policy_queries.list_schools(session, LOCAL_TRUST_ID)
    ] == schools


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
    pages, forms = admin_pages(school.id), admin_forms(school.id)

    gets = {url: anonymous_client.get(url).status_code for url in pages}
    posts = {url: post_form(anonymous_client, url, form).status_code for url, form in forms.items()}

    assert gets == dict.fromkeys(pages, 403)
    assert posts == dict.fromkeys(forms, 403)
    assert_nothing_changed(session, [school.name])
    # Signed in still, with no links to the admin pages.
    assert is_signed_in(anonymous_client)
    assert admin_links(page(anonymous_client.get("/account/tokens"))) == []


def test_someone_who_is_not_an_admin_is_refused_even_with_a_malformed_role(
    anonymous_client: TestClient, session: Session, bea: User
) -> None:
    sign_in_as(anonymous_client, session, bea)

    added = post_form(anonymous_client, "/admin/users", {"role": "head", "place": "x"})
    given = post_form(anonymous_client, f"/admin/users/{bea.id}/roles/add", {"role": "head"})

    assert (added.status_code, given.status_code) == (403, 403)


def test_a_visitor_is_sent_to_sign_in(anonymous_client: TestClient, session: Session) -> None:
    pages, forms = admin_pages(1), admin_forms(1)

    gets = {url: where_to(anonymous_client.get(url)) for url in pages}
    posts = {url: where_to(post_form(anonymous_client, url, form)) for url, form in forms.items()}

    assert gets == {url: f"/sign-in?next={url}" for url in pages}
    assert posts == dict.fromkeys(forms, "/sign-in")
    assert_nothing_changed(session, [])


# The header --------------------------------------------------------------------------------
def admin_links(doc: Element) -> list[tuple[str, str]]:
    """The header's links to the admin pages."""
    nav = doc.find("nav", **{"aria-label": "Account"})
    links = [(link.text, link.attrs["href"]) for link in nav.find_all("a")]
    return [(text, href) for text, href in links if href.startswith("/admin/")]


def test_each_admin_page_is_a_whole_page_with_the_admin_header(
    client: TestClient, school: School
) -> None:
    docs = [page(client.get(url)) for url in admin_pages(school.id)]

    headings = [
        "People and roles",
        "Add a person",
        "Alex Author",
        "Schools",
        "Change the name of Northfield Primary",
    ]
    assert [doc.find("title").text for doc in docs] == [
        f"{heading} – Workload Impact Register" for heading in headings
    ]
    assert [admin_links(doc) for doc in docs] == [ADMIN_LINKS] * len(docs)
