"""Security of the HTML pages: response headers, a strict CSP the pages keep to, CSRF on every
unsafe page route, and user text always escaped."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.main import create_app
from app.settings import Environment, Settings
from assessments import repository
from assessments.models import AssessmentVersion, Policy
from tests.app.pages import (
    CSRF_COOKIE,
    Element,
    csrf_cookie,
    field_value,
    htmx_headers,
    page,
    post_form,
    submit,
    title,
)
from tests.factories import make_draft, make_policy

XSS = "<script>alert(1)</script>"
FORBIDDEN_MESSAGE = "This form has expired or did not come from this service"


@dataclass(frozen=True)
class Targets:
    """Things in the database for the pages to show and the forms to change."""

    policy: Policy  # no assessment yet
    draft: AssessmentVersion

    def url(self, template: str) -> str:
        return template.format(policy=self.policy.id, draft=self.draft.id)


@pytest.fixture
def targets(session: Session, rubric_published: None) -> Targets:
    return Targets(
        policy=make_policy(session, reference="NEW-001"),
        draft=make_draft(session, reference="DRAFT-001"),
    )


# Headers ---------------------------------------------------------------------------------------


def csp_directives(response: httpx2.Response) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for directive in response.headers["content-security-policy"].split(";"):
        name, *values = directive.split()
        directives[name] = values
    return directives


def error_403(client: TestClient, targets: Targets) -> httpx2.Response:
    return client.post("/policies", data={"title": "No token"})


def error_422(client: TestClient, targets: Targets) -> httpx2.Response:
    return post_form(client, "/policies", {"title": ""})


def fragment(client: TestClient, targets: Targets) -> httpx2.Response:
    return client.get("/policies/new", headers={"HX-Request": "true"})


PAGES = [
    "/",
    "/policies/new",
    "/policies/{policy}",
    "/assessments/{draft}/sections/about-the-change",
    "/assessments/{draft}/workload",
    "/assessments/{draft}/summary",
    "/docs",
    "/policies/999999",
]
RESPONSES: dict[str, Callable[[TestClient, Targets], httpx2.Response] | None] = {
    **{url: None for url in PAGES},
    "forbidden": error_403,
    "invalid form": error_422,
    "htmx fragment": fragment,
}


def get(client: TestClient, targets: Targets, name: str) -> httpx2.Response:
    request = RESPONSES[name]
    return client.get(targets.url(name)) if request is None else request(client, targets)


@pytest.mark.parametrize("name", RESPONSES)
def test_pages_carry_the_security_headers(client: TestClient, targets: Targets, name: str) -> None:
    response = get(client, targets, name)

    assert response.headers["content-type"].startswith("text/html")
    policy = csp_directives(response)
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    assert "'unsafe-eval'" not in response.headers["content-security-policy"]
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] in {"same-origin", "no-referrer"}
    assert response.headers["cache-control"] == "no-store"


def inline_code(doc: Element) -> list[str]:
    """Whatever in the page a CSP without 'unsafe-inline' would block."""
    problems = []
    for element in doc.iter():
        if element.tag == "script" and ("src" not in element.attrs or element.raw_text.strip()):
            problems.append(f"inline <script>: {element.raw_text[:60]!r}")
        if element.tag == "script" and not element.attrs.get("src", "/").startswith("/"):
            problems.append(f"script from elsewhere: {element.attrs['src']}")
        if element.tag == "style":
            problems.append("<style> element")
        for name in element.attrs:
            if name == "style" or name.startswith("on") or name.startswith("hx-on"):
                problems.append(f"<{element.tag} {name}=…>")
        if element.attrs.get("href", "").startswith("javascript:"):
            problems.append(f"javascript: link in <{element.tag}>")
    return problems


@pytest.mark.parametrize("name", RESPONSES)
def test_pages_keep_to_their_content_security_policy(
    client: TestClient, targets: Targets, name: str
) -> None:
    assert inline_code(page(get(client, targets, name))) == []


def test_static_assets_may_be_cached(client: TestClient) -> None:
    response = client.get("/static/app.css")

    assert response.status_code == 200
    assert "no-store" not in response.headers.get("cache-control", "")
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_csrf_cookie_is_http_only_and_same_site(client: TestClient) -> None:
    response = client.get("/")

    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{CSRF_COOKIE}=")
    assert "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
    assert "path=/" in cookie.lower()
    assert "set-cookie" not in client.get("/").headers  # kept, not replaced on every request


def test_in_production_the_csrf_cookie_is_secure_and_host_only(settings: Settings) -> None:
    production = settings.model_copy(update={"environment": Environment.PRODUCTION})
    with TestClient(create_app(production), base_url="https://testserver") as client:
        cookie = client.get("/docs").headers["set-cookie"]

    assert cookie.startswith(f"__Host-{CSRF_COOKIE}=")
    assert "secure" in cookie.lower()
    assert "domain=" not in cookie.lower()


def test_api_docs_page_loads_swagger_ui_from_our_own_files(client: TestClient) -> None:
    response = client.get("/docs")

    assert response.status_code == 200
    doc = page(response)
    assert title(doc) == "API documentation – Workload Impact Register"
    assert doc.has_id("swagger-ui")
    sources = [script.attrs["src"] for script in doc.find_all("script")]
    assert sources == ["/static/swagger-ui-bundle.js", "/static/docs.js"]
    assert client.get("/static/swagger-ui-bundle.js").status_code == 200


# CSRF -------------------------------------------------------------------------------------------

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
            return repository.policy_by_reference(session, "CSRF-001") is not None
        case "start an assessment":
            return bool(repository.versions_of_policy(session, targets.policy.id or 0))
        case "save a section" | "autosave an answer":
            return bool(repository.answers_of_version(session, draft_id))
        case "save the workload":
            return bool(repository.estimates_of_version(session, draft_id))
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


# Escaping ---------------------------------------------------------------------------------------


def only_our_scripts(doc: Element) -> bool:
    return all(
        script.attrs.get("src", "").startswith("/static/") for script in doc.find_all("script")
    )


@pytest.fixture
def hostile_policy(client: TestClient, session: Session) -> Policy:
    """A policy whose title and owner are markup, added through the form."""
    form = page(client.get("/policies/new"))
    response = submit(
        client,
        form,
        "/policies",
        {
            "title": XSS,
            "reference": "XSS-001",
            "category": "other",
            "owner": '"><img src=x onerror=alert(2)>',
            "review_cycle_months": "12",
        },
    )
    assert response.status_code == 303
    policy = repository.policy_by_reference(session, "XSS-001")
    assert policy is not None
    return policy


def test_a_policy_title_is_shown_as_text_on_the_list(
    client: TestClient, hostile_policy: Policy
) -> None:
    response = client.get("/")

    assert XSS not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    doc = page(response)
    assert doc.find("a", href=f"/policies/{hostile_policy.id}").text == XSS
    assert only_our_scripts(doc)


def test_a_policy_title_and_owner_are_shown_as_text_on_its_page(
    client: TestClient, hostile_policy: Policy
) -> None:
    response = client.get(f"/policies/{hostile_policy.id}")

    assert XSS not in response.text
    assert "onerror=alert(2)>" not in response.text
    doc = page(response)
    assert doc.find("h1").text == XSS
    assert title(doc) == f"{XSS} – Workload Impact Register"
    assert not doc.find_all("img")
    assert only_our_scripts(doc)


def test_typed_values_shown_back_in_a_form_stay_inside_their_attribute(
    client: TestClient,
) -> None:
    typed = '"><script>alert(3)</script>'
    form = page(client.get("/policies/new"))

    response = submit(client, form, "/policies", {"reference": typed, "title": typed})

    assert response.status_code == 422
    doc = page(response)
    assert field_value(doc, "reference") == typed
    assert field_value(doc, "title") == typed
    assert only_our_scripts(doc)


def test_answers_are_shown_as_text(client: TestClient, session: Session, targets: Targets) -> None:
    url = targets.url("/assessments/{draft}/sections/about-the-change")
    hostile = "</textarea><img src=x onerror=alert(4)>"
    doc = page(client.get(url))
    response = submit(client, doc, url, {"answer-what-is-stopped": hostile})
    assert response.status_code == 303

    again = page(client.get(url))

    assert field_value(again, "answer-what-is-stopped") == hostile
    assert not again.find_all("img")
    assert only_our_scripts(again)
