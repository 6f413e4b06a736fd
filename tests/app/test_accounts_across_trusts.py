"""Adding a person over HTTP tells an admin nothing about other trusts: an email with an
account in another trust is added like any other. Signing in, the password (or the person's
choice) picks which trust's account."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.kernel.actors import Grant, Role
from assessments.models import User
from assessments.people import accounts, authentication, queries as people_queries
from tests.app.pages import error_for, page, post_form, submit
from tests.factories.sign_in import sign_in, sign_in_form, signed_in_as
from tests.factories.trusts import LOCAL_TRUST, LOCAL_TRUST_ID

OTHER_TRUST = "Hillside trust"
SHARED = "olly.other@hillside.example"
PASSWORD, OTHER_PASSWORD = "ladder orchard quietly 47", "violet harbour sixty kettle"


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client


def add_in(session: Session, trust: str, name: str, email: str, password: str) -> User:
    operator = accounts.operator_of_trust(session=session, trust_name=trust)
    assert operator.trust_id is not None
    user = accounts.create_user(
        session=session,
        actor=operator,
        trust_id=operator.trust_id,
        email=email,
        name=name,
        password=password,
        grants=[Grant(Role.AUTHOR)],
    )
    session.commit()
    return user


@pytest.fixture
def olly(session: Session) -> User:
    """Someone of another trust."""
    accounts.create_trust(session=session, name=OTHER_TRUST)
    return add_in(session, OTHER_TRUST, "Olly Other", SHARED, PASSWORD)


def add_person(client: TestClient, email: str) -> httpx2.Response:
    fields = {"name": "Olly Other", "email": email, "password": OTHER_PASSWORD}
    return post_form(client, "/admin/users", {**fields, "grants": "author:"})


def answer(client: TestClient, response: httpx2.Response) -> tuple[int, str, int]:
    """What the admin sees: the status, then the page they are sent to and its messages."""
    assert response.status_code == 303
    shown = page(client.get(response.headers["location"]))
    return (
        response.status_code,
        shown.find("h1").text,
        len(shown.find_all(cls="govuk-error-summary")),
    )


@pytest.mark.usefixtures("olly")
def test_an_email_with_an_account_in_another_trust_is_added_like_a_new_one(
    client: TestClient, session: Session
) -> None:
    elsewhere = add_person(client, SHARED)
    new = add_person(client, "olly.new@hillside.example")

    assert answer(client, elsewhere) == answer(client, new) == (303, "Olly Other", 0)
    added = people_queries.user_by_email(session, SHARED, trust_id=LOCAL_TRUST_ID)
    assert added is not None and elsewhere.headers["location"] == f"/admin/users/{added.id}"


@pytest.mark.usefixtures("olly")
def test_within_the_admins_own_trust_an_email_is_refused_a_second_time(
    client: TestClient, session: Session
) -> None:
    assert add_person(client, SHARED).status_code == 303
    again = add_person(client, SHARED.upper())

    assert again.status_code == 422
    assert error_for(page(again), "email") == f"{SHARED} already has an account in this trust"
    assert len(people_queries.users_by_email(session, SHARED)) == 2


def test_the_password_picks_the_trust_and_a_shared_one_asks_which(
    browser: TestClient, session: Session, olly: User
) -> None:
    here = add_in(session, LOCAL_TRUST, "Olly Local", SHARED, OTHER_PASSWORD)
    assert sign_in(browser, SHARED, OTHER_PASSWORD).status_code == 303
    assert signed_in_as(browser) == "Olly Local"
    post_form(browser, "/sign-out", {})
    assert sign_in(browser, SHARED, PASSWORD).status_code == 303
    assert signed_in_as(browser) == "Olly Other"
    post_form(browser, "/sign-out", {})

    here.password_hash = olly.password_hash  # the same password in both trusts
    session.add(here)
    session.commit()
    asked = sign_in(browser, SHARED, PASSWORD)

    assert asked.status_code == 422
    doc = page(asked)
    assert error_for(doc, "trust") == authentication.CHOOSE_TRUST
    choices = {box.attrs["value"]: box for box in doc.find_all("input", name="trust")}
    assert set(choices) == {str(LOCAL_TRUST_ID), str(olly.trust_id)}
    chosen = submit(browser, doc, "/sign-in", {"password": PASSWORD, "trust": str(olly.trust_id)})
    assert chosen.status_code == 303
    assert signed_in_as(browser) == "Olly Other"


def test_a_wrong_password_is_answered_alike_whatever_accounts_the_email_has(
    browser: TestClient, olly: User, session: Session
) -> None:
    add_in(session, LOCAL_TRUST, "Olly Local", SHARED, OTHER_PASSWORD)
    answers = []
    for email in (SHARED, "nobody@hillside.example"):
        response = sign_in(browser, email, "not the password, 2026")
        answers.append((response.status_code, error_for(page(response), "email")))
    assert answers == [(422, authentication.WRONG_DETAILS)] * 2
    assert sign_in_form(browser).find_all("input", name="trust") == []
