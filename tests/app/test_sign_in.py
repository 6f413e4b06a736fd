"""Signing in and out over HTTP: the sign-in page, the session and its cookie, waits after
failures and per-address limits, sessions that end (signed out, disabled, idle, too old), and
what is logged."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlmodel import Session

from app.main import create_app
from app.settings import DEVELOPMENT_SECRET, Environment, Settings
from assessments.people import authentication, queries as people_queries
from tests.app.pages import (
    CSRF_COOKIE,
    csrf_cookie,
    error_for,
    error_summary,
    field_value,
    page,
    post_form,
    submit,
    the_form,
    title,
)
from tests.factories.sign_in import (
    SESSION_COOKIE,
    WRONG_PASSWORD,
    cookies_set_by,
    failures_age,
    sign_in,
    sign_in_form,
    signed_in_as,
)
from tests.factories.trusts import AUTHOR, AUTHOR_EMAIL, AUTHOR_PASSWORD, make_policy

# Not signed in ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/policies/new", "/policies/{policy}"])
def test_a_page_sends_someone_not_signed_in_to_sign_in_and_back(
    anonymous_client: TestClient, session: Session, path: str
) -> None:
    path = path.format(policy=make_policy(session).id)

    response = anonymous_client.get(path)

    assert response.status_code == 303
    assert response.headers["location"] == f"/sign-in?next={path}"
    assert field_value(page(anonymous_client.get(response.headers["location"])), "next") == path


def test_htmx_not_signed_in_is_told_to_send_the_whole_page_to_sign_in(
    anonymous_client: TestClient, session: Session
) -> None:
    path = f"/policies/{make_policy(session).id}"

    response = anonymous_client.get(path, headers={"HX-Request": "true"})

    assert response.status_code == 401
    assert response.headers["hx-redirect"] == f"/sign-in?next={path}"
    assert response.text == ""  # nothing to swap into the page


def test_the_sign_in_page_asks_for_email_and_password(anonymous_client: TestClient) -> None:
    doc = sign_in_form(anonymous_client, "/policies/new")

    assert title(doc) == "Sign in – Workload Impact Register"
    form = the_form(doc, "/sign-in")
    assert form.attrs["method"] == "post"
    assert form.find("input", name="email").attrs["type"] == "email"
    assert form.find("input", name="password").attrs["type"] == "password"
    assert form.find("input", name="next").attrs["type"] == "hidden"
    assert field_value(doc, "next") == "/policies/new"
    assert field_value(doc, "csrf_token") == csrf_cookie(anonymous_client)
    assert not doc.find_all(cls="app-header__user")


# Signing in ------------------------------------------------------------------------------------


@pytest.mark.parametrize("email", [AUTHOR_EMAIL, f"  {AUTHOR_EMAIL.upper()} "])
def test_signing_in_starts_a_session_and_goes_on_to_the_page_asked_for(
    anonymous_client: TestClient, session: Session, email: str
) -> None:
    doc = sign_in_form(anonymous_client, "/policies/new")
    before = csrf_cookie(anonymous_client)

    response = submit(
        anonymous_client, doc, "/sign-in", {"email": email, "password": AUTHOR_PASSWORD}
    )

    assert (response.status_code, response.headers["location"]) == (303, "/policies/new")
    cookie = cookies_set_by(response)[SESSION_COOKIE]
    assert cookie["httponly"] and cookie["samesite"].lower() == "lax" and cookie["path"] == "/"
    assert cookie["secure"]  # only plain-HTTP development drops Secure
    row = people_queries.web_session(session, authentication.digest(cookie.value))
    assert row is not None and row.user_id == AUTHOR.user_id
    assert anonymous_client.cookies[CSRF_COOKIE] not in {"", before}  # a new CSRF token
    assert signed_in_as(anonymous_client) == AUTHOR.name


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "/policies\\..\\\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "evil.example",
        "",
    ],
)
def test_signing_in_never_goes_to_another_site(anonymous_client: TestClient, target: str) -> None:
    doc = sign_in_form(anonymous_client, target)
    assert field_value(doc, "next") == "/"

    # A forged form can post any `next` it likes.
    changes = {"email": AUTHOR_EMAIL, "password": AUTHOR_PASSWORD, "next": target}
    response = submit(anonymous_client, doc, "/sign-in", changes)

    assert (response.status_code, response.headers["location"]) == (303, "/")


def test_htmx_is_sent_on_with_an_encoded_address(client: TestClient) -> None:
    response = client.get(
        "/sign-in", params={"next": "/policies/€"}, headers={"HX-Request": "true"}
    )
    assert (response.status_code, response.headers["hx-redirect"]) == (204, "/policies/%E2%82%AC")


def test_someone_signed_in_skips_the_sign_in_page(client: TestClient) -> None:
    response = client.get("/sign-in", params={"next": "/policies/new"})

    assert response.status_code == 303
    assert response.headers["location"] == "/policies/new"


@pytest.mark.parametrize(
    ("email", "password"),
    [(AUTHOR_EMAIL, WRONG_PASSWORD), ("nobody@local-trust.example", AUTHOR_PASSWORD)],
    ids=["wrong password", "unknown email"],
)
def test_wrong_details_get_one_message_that_does_not_say_which_was_wrong(
    anonymous_client: TestClient, email: str, password: str
) -> None:
    response = sign_in(anonymous_client, email, password)

    assert response.status_code == 422
    doc = page(response)
    assert title(doc) == "Error: Sign in – Workload Impact Register"
    assert error_for(doc, "email") == authentication.WRONG_DETAILS
    assert error_summary(doc) == [(authentication.WRONG_DETAILS, "#email")]
    assert field_value(doc, "email") == email
    assert field_value(doc, "password") == ""
    assert password not in response.text
    assert SESSION_COOKIE not in anonymous_client.cookies


def test_empty_fields_are_each_asked_for(anonymous_client: TestClient) -> None:
    response = sign_in(anonymous_client, " ", "")

    assert response.status_code == 422
    doc = page(response)
    assert error_for(doc, "email") == "Enter your email address"
    assert error_for(doc, "password") == "Enter your password"
    assert error_summary(doc) == [
        ("Enter your email address", "#email"),
        ("Enter your password", "#password"),
    ]


def test_repeated_wrong_passwords_make_attempts_wait_then_the_right_one_signs_in(
    anonymous_client: TestClient, session: Session
) -> None:
    def attempt(password: str, email: str = AUTHOR_EMAIL) -> tuple[int, str, str | None]:
        response = sign_in(anonymous_client, email, password)
        assert SESSION_COOKIE not in anonymous_client.cookies
        message = error_for(page(response), "email")
        return response.status_code, message, response.headers.get("Retry-After")

    for email in (AUTHOR_EMAIL, "nobody@local-trust.example"):
        for _ in range(authentication.FREE_FAILURES):
            assert attempt(WRONG_PASSWORD, email) == (422, authentication.WRONG_DETAILS, None)
        # Now even the right password must wait, and an email with no account is answered
        # alike, so the answer tells nothing about whether the account exists.
        status, message, retry_after = attempt(AUTHOR_PASSWORD, email)
        assert (status, message) == (
            429,
            "Too many failed sign-ins for this email address. Try again in a minute",
        )
        assert 0 < int(retry_after or 0) <= authentication.FIRST_DELAY.total_seconds()
    assert "up to 5 minutes" in page(anonymous_client.get("/sign-in")).text

    failures_age(session, authentication.FIRST_DELAY)
    assert sign_in(anonymous_client).status_code == 303
    assert signed_in_as(anonymous_client) == AUTHOR.name


# Production, and the logs ----------------------------------------------------------------------


@pytest.fixture
def production_client(app: FastAPI, settings: Settings) -> Iterator[TestClient]:
    """The service as deployed, working inside the test's transaction like `app`."""
    deployed = create_app(Settings(**(settings.model_dump() | {"environment": "production"})))
    deployed.state.unit_of_work = app.state.unit_of_work
    with TestClient(deployed, base_url="https://testserver", follow_redirects=False) as client:
        yield client
    deployed.state.engine.dispose()


def test_in_production_the_cookies_are_secure_and_kept_to_this_host(
    production_client: TestClient,
) -> None:
    response = sign_in(production_client)

    assert response.status_code == 303
    cookies = cookies_set_by(response)
    assert set(cookies) == {"__Host-wia_session", "__Host-wia_csrf"}
    for cookie in cookies.values():
        assert cookie["secure"] and cookie["httponly"] and cookie["path"] == "/"
        assert not cookie["domain"]  # __Host-: no subdomain can set or read it
    assert signed_in_as(production_client) == AUTHOR.name


@pytest.mark.parametrize("environment", [Environment.TEST, Environment.PRODUCTION])
@pytest.mark.parametrize("secret_key", [DEVELOPMENT_SECRET, "s" * 31])
def test_outside_development_a_default_or_short_secret_key_stops_start_up(
    environment: Environment, secret_key: str
) -> None:
    with pytest.raises(ValidationError, match="WIA_SECRET_KEY must be set"):
        Settings(environment=environment, secret_key=secret_key)


def test_development_may_use_the_default_secret_key_and_plain_http_cookies() -> None:
    assert not Settings(environment="development", secret_key=DEVELOPMENT_SECRET).secure_cookies


def test_signing_in_and_out_is_logged_without_the_password_or_email(
    anonymous_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="wia.auth"):
        sign_in(anonymous_client, password=WRONG_PASSWORD)
        sign_in(anonymous_client)
        post_form(anonymous_client, "/sign-out", {})

    lines = [r for r in caplog.records if r.name == "wia.auth"]
    assert [(r.levelname, r.getMessage(), getattr(r, "user_id", None)) for r in lines] == [
        ("WARNING", "sign-in failed", None),  # a wrong password picks no account
        ("INFO", "signed in", AUTHOR.user_id),
        ("INFO", "signed out", AUTHOR.user_id),
    ]
    failed = vars(lines[0])
    assert (
        failed["email_sha256"] == authentication.digest(AUTHOR_EMAIL)[:16]
    )  # to match up attempts
    assert failed["client"] == "testclient"  # the address that the throttle counts by
    everything = str([vars(r) for r in caplog.records])
    for secret in (WRONG_PASSWORD, AUTHOR_PASSWORD, AUTHOR_EMAIL):
        assert secret not in everything


def test_many_failures_from_one_address_throttle_it_and_not_another(app: FastAPI) -> None:
    def browser(address: str) -> TestClient:
        return TestClient(
            app, base_url="https://testserver", follow_redirects=False, client=(address, 50000)
        )

    with browser("203.0.113.66") as attacker, browser("198.51.100.7") as owner:
        for n in range(authentication.ADDRESS_LIMIT):  # a new email each time
            assert sign_in(attacker, f"guess{n}@local-trust.example").status_code == 422
        refused = sign_in(attacker)  # even the right password, for an untouched account
        assert refused.status_code == 429
        assert 0 < int(refused.headers["Retry-After"]) <= authentication.WINDOW.total_seconds()
        assert error_for(page(refused), "email") == (
            "Too many failed sign-ins from your network. Try again in 15 minutes"
        )
        assert SESSION_COOKIE not in attacker.cookies

        assert sign_in(owner).status_code == 303
        assert signed_in_as(owner) == AUTHOR.name
