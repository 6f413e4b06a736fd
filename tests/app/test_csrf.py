"""CSRF on every unsafe page route: a form or htmx request needs this browser's signed token."""

from __future__ import annotations

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.drafting import queries as version_queries
from assessments.policies import queries as policy_queries
from tests.app.pages import CSRF_COOKIE, csrf_cookie, htmx_headers, page
from tests.factories.targets import Targets, make_targets
from tests.factories.trusts import LOCAL_TRUST_ID

FORBIDDEN_MESSAGE = "This form has expired or did not come from this service"


@pytest.fixture
def targets(session: Session, rubric_published: None) -> Targets:
    return make_targets(session)


UNSAFE_ROUTES: dict[str, tuple[str, dict[str, str]]] = {
    "add a policy": (
        "/policies",
        {
            "reference": "CSRF-001",
            "title": "Forged policy",
            "category": "other",
            "owner": "Someone",
            "review_cycle_months": "12",
        },
    ),
    "start an assessment": ("/policies/{policy}/assessment", {}),
    "save a section": (
        "/assessments/{draft}/sections/about-the-change",
        {"answer-what-is-stopped": "Forged", "revision-what-is-stopped": "0"},
    ),
    "autosave an answer": (
        "/assessments/{draft}/answers/what-is-stopped",
        {"answer-what-is-stopped": "Forged", "revision-what-is-stopped": "0"},
    ),
    "save the workload": (
        "/assessments/{draft}/workload",
        {"hours-teachers": "9", "staff-teachers": "9"},
    ),
}


def anything_saved(session: Session, targets: Targets, route: str) -> bool:
    """Whether the route's change reached the database."""
    session.expire_all()
    draft_id = targets.draft.id or 0
    match route:
        case "add a policy":
            return (
                policy_queries.policy_by_reference(session, LOCAL_TRUST_ID, "CSRF-001") is not None
            )
        case "start an assessment":
            return bool(version_queries.versions_of_policy(session, targets.policy.id or 0))
        case "save a section" | "autosave an answer":
            return bool(version_queries.answers_of_version(session, draft_id))
        case "save the workload":
            return bool(version_queries.estimates_of_version(session, draft_id))
    raise AssertionError(route)


def send(
    client: TestClient,
    targets: Targets,
    route: str,
    *,
    field: str | None = None,
    header: str | None = None,
) -> httpx2.Response:
    url, data = UNSAFE_ROUTES[route]
    form = {**data, **({"csrf_token": field} if field is not None else {})}
    headers = {"HX-Request": "true", "X-CSRF-Token": header} if header is not None else {}
    return client.post(targets.url(url), data=form, headers=headers)


def assert_refused(
    response: httpx2.Response, session: Session, targets: Targets, route: str
) -> None:
    assert response.status_code == 403
    doc = page(response)
    assert doc.find("h1").text == "You cannot do that"
    assert FORBIDDEN_MESSAGE in doc.find("main").text
    assert not anything_saved(session, targets, route)


@pytest.fixture
def browser_token(client: TestClient) -> str:
    """The CSRF token this browser was given."""
    return csrf_cookie(client)


def other_browsers_token(client: TestClient) -> str:
    """A genuine token, but one the service gave to a different browser."""
    with TestClient(client.app, base_url="https://testserver") as other:
        return csrf_cookie(other)


@pytest.mark.parametrize("route", UNSAFE_ROUTES)
def test_a_form_with_its_token_is_accepted(
    client: TestClient, session: Session, targets: Targets, route: str, browser_token: str
) -> None:
    response = send(client, targets, route, field=browser_token)

    # Autosave answers with the refreshed question; every other form redirects.
    assert response.status_code == (200 if route == "autosave an answer" else 303)
    assert anything_saved(session, targets, route)


@pytest.mark.parametrize("route", UNSAFE_ROUTES)
def test_htmx_with_the_token_in_its_header_is_accepted(
    client: TestClient, session: Session, targets: Targets, route: str, browser_token: str
) -> None:
    response = send(client, targets, route, header=browser_token)

    # Autosave answers with the refreshed question; every other form sends HX-Redirect.
    assert response.status_code == (200 if route == "autosave an answer" else 204)
    assert anything_saved(session, targets, route)


@pytest.mark.parametrize("route", UNSAFE_ROUTES)
def test_without_a_token_nothing_is_saved(
    client: TestClient, session: Session, targets: Targets, route: str, browser_token: str
) -> None:
    assert_refused(send(client, targets, route), session, targets, route)


@pytest.mark.parametrize("route", UNSAFE_ROUTES)
@pytest.mark.parametrize("bad", ["", "not-a-token", "abc.def"])
def test_with_a_made_up_token_nothing_is_saved(
    client: TestClient,
    session: Session,
    targets: Targets,
    route: str,
    bad: str,
    browser_token: str,
) -> None:
    assert_refused(send(client, targets, route, field=bad), session, targets, route)
    assert_refused(send(client, targets, route, header=bad), session, targets, route)


@pytest.mark.parametrize("route", UNSAFE_ROUTES)
def test_a_token_that_is_not_ascii_is_refused_not_a_server_error(
    client: TestClient, session: Session, targets: Targets, route: str, browser_token: str
) -> None:
    # (compare_digest raises TypeError for such a str: the comparison is of bytes)
    assert_refused(send(client, targets, route, field="é.ü"), session, targets, route)


@pytest.mark.parametrize("route", UNSAFE_ROUTES)
def test_another_browsers_token_is_refused(
    client: TestClient, session: Session, targets: Targets, route: str, browser_token: str
) -> None:
    stolen = other_browsers_token(client)
    assert stolen != browser_token

    assert_refused(send(client, targets, route, field=stolen), session, targets, route)
    assert_refused(send(client, targets, route, header=stolen), session, targets, route)


@pytest.mark.parametrize("route", UNSAFE_ROUTES)
def test_a_token_without_its_cookie_is_refused(
    client: TestClient, session: Session, targets: Targets, route: str, browser_token: str
) -> None:
    client.cookies.clear()

    assert_refused(send(client, targets, route, field=browser_token), session, targets, route)


@pytest.mark.parametrize("route", UNSAFE_ROUTES)
def test_a_planted_cookie_not_signed_by_the_service_is_refused(
    client: TestClient, session: Session, targets: Targets, route: str
) -> None:
    planted = "attacker-nonce.0123456789abcdef"
    client.cookies.set(CSRF_COOKIE, planted)

    assert_refused(send(client, targets, route, field=planted), session, targets, route)


def test_the_forms_on_the_pages_carry_the_browsers_token(
    client: TestClient, targets: Targets
) -> None:
    for url in (
        "/policies/new",
        "/policies/{policy}",
        "/assessments/{draft}/sections/about-the-change",
        "/assessments/{draft}/workload",
    ):
        doc = page(client.get(targets.url(url)))
        token = csrf_cookie(client)
        forms = doc.find_all("form", method="post")
        assert forms, url
        for form in forms:
            assert form.find("input", name="csrf_token").attrs["value"] == token, url
        assert htmx_headers(doc)["X-CSRF-Token"] == token, url
