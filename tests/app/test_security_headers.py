"""Security headers on the HTML pages, markup within a strict CSP, the CSRF cookie, API docs."""

from __future__ import annotations

from collections.abc import Callable

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.main import create_app
from app.settings import Environment, Settings
from tests.app.pages import CSRF_COOKIE, Element, page, post_form, title
from tests.factories.targets import Targets, make_targets


@pytest.fixture
def targets(session: Session, rubric_published: None) -> Targets:
    return make_targets(session)


HSTS = "max-age=63072000; includeSubDomains"
# Every kind of response: a page, a static file, JSON, a refusal, a 404, a health check.
EVERY_KIND = ["/sign-in", "/static/app.css", "/api/v1/policies", "/nowhere", "/healthz"]


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


def sign_in_page(client: TestClient, targets: Targets) -> httpx2.Response:
    with TestClient(client.app, base_url="https://testserver") as signed_out:
        return signed_out.get("/sign-in")


PAGES = [
    "/",
    "/account/tokens",
    "/admin/users",
    "/admin/users/new",
    "/admin/users/1",
    "/admin/schools",
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
    "sign-in page": sign_in_page,
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
    assert response.headers["strict-transport-security"] == HSTS


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


@pytest.mark.parametrize("environment", [Environment.TEST, Environment.PRODUCTION])
def test_outside_development_the_csrf_cookie_is_secure_and_host_only(
    settings: Settings, environment: Environment
) -> None:
    served = settings.model_copy(update={"environment": environment})
    with TestClient(create_app(served), base_url="https://testserver") as client:
        cookie = client.get("/docs").headers["set-cookie"]

    assert cookie.startswith("__Host-wia_csrf=")
    assert "secure" in cookie.lower()
    assert "domain=" not in cookie.lower()


@pytest.mark.parametrize("environment", [Environment.TEST, Environment.PRODUCTION])
def test_outside_development_every_response_keeps_browsers_to_https(
    settings: Settings, environment: Environment
) -> None:
    served = settings.model_copy(update={"environment": environment})
    with TestClient(create_app(served), base_url="https://testserver") as client:
        responses = [client.get(url) for url in EVERY_KIND]

    assert [r.status_code for r in responses] == [200, 200, 401, 404, 200]
    assert [r.headers.get("strict-transport-security") for r in responses] == [HSTS] * 5


def test_in_development_on_plain_http_no_response_asks_for_https(settings: Settings) -> None:
    development = settings.model_copy(update={"environment": Environment.DEVELOPMENT})
    with TestClient(create_app(development), base_url="http://testserver") as client:
        responses = [client.get(url) for url in EVERY_KIND]

    assert [r.status_code for r in responses] == [200, 200, 401, 404, 200]
    assert all("strict-transport-security" not in r.headers for r in responses)


def test_in_development_on_plain_http_the_csrf_cookie_is_not_secure(settings: Settings) -> None:
    development = settings.model_copy(update={"environment": Environment.DEVELOPMENT})
    with TestClient(create_app(development), base_url="http://testserver") as client:
        cookie = client.get("/docs").headers["set-cookie"]

    assert cookie.startswith("wia_csrf=")
    assert "secure" not in cookie.lower()


def test_api_docs_page_loads_swagger_ui_from_our_own_files(client: TestClient) -> None:
    response = client.get("/docs")

    assert response.status_code == 200
    doc = page(response)
    assert title(doc) == "API documentation – Workload Impact Register"
    assert doc.has_id("swagger-ui")
    sources = [script.attrs["src"] for script in doc.find_all("script")]
    assert sources == ["/static/swagger-ui-bundle.js", "/static/docs.js"]
    assert client.get("/static/swagger-ui-bundle.js").status_code == 200
