"""Sessions that end: signing out (even a copied cookie stops working), disabling someone or
changing their roles, and the idle and absolute time-outs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.settings import Settings
from assessments.kernel.actors import Grant, Role
from assessments.people import accounts, authentication, queries as people_queries
from tests.app.pages import CSRF_COOKIE, csrf_cookie, form_fields, page, post_form
from tests.factories.api import API
from tests.factories.people import add_local_auditor, start_session
from tests.factories.sign_in import (
    MINUTE,
    SESSION_COOKIE,
    cookies_set_by,
    signed_in_as,
    time_passes,
)
from tests.factories.trusts import AUTHOR, LOCAL_TRUST_ID

# Signing out, and sessions that end ------------------------------------------------------------


def test_signing_out_ends_the_session_even_for_a_copy_of_its_cookie(
    client: TestClient, session: Session
) -> None:
    copied = client.cookies[SESSION_COOKIE]
    before = csrf_cookie(client)

    response = post_form(client, "/sign-out", {})

    assert (response.status_code, response.headers["location"]) == (303, "/sign-in")
    removed = cookies_set_by(response)[SESSION_COOKIE]
    assert (removed.value, removed["max-age"], removed["path"]) == ("", "0", "/")
    assert client.cookies[CSRF_COOKIE] != before
    session.expire_all()
    assert people_queries.web_session(session, authentication.digest(copied)) is None
    client.cookies.clear()  # (the jar keeps the fixture's host-less cookie: replay it cleanly)
    client.cookies.set(SESSION_COOKIE, copied)
    assert signed_in_as(client) is None
    assert client.get(f"{API}/policies").status_code == 401


@pytest.mark.parametrize("token", [None, "forged.token"])
def test_signing_out_needs_the_csrf_token(client: TestClient, token: str | None) -> None:
    csrf_cookie(client)  # the browser has its token, but the form does not carry it

    response = client.post("/sign-out", data={"csrf_token": token} if token else {})

    assert response.status_code == 403
    assert signed_in_as(client) == AUTHOR.name


@pytest.mark.parametrize("change", ["disable them", "change their roles"])
def test_disabling_someone_or_changing_their_roles_signs_them_out_at_once(
    anonymous_client: TestClient, session: Session, change: str
) -> None:
    sam = accounts.create_user(
        session=session,
        actor=AUTHOR,
        trust_id=LOCAL_TRUST_ID,
        email="sam.second@local-trust.example",
        name="Sam Second",
        password="ladder orchard quietly 47",
        grants={Grant(Role.AUTHOR)},
    )
    assert sam.id is not None
    cookie = start_session(session, accounts.actor_of(session, sam))
    anonymous_client.cookies.set(SESSION_COOKIE, cookie)
    assert signed_in_as(anonymous_client) == "Sam Second"

    if change == "disable them":
        accounts.set_disabled(
            session=session, actor=AUTHOR, user_id=sam.id, disabled=True, now=datetime.now(UTC)
        )
    else:
        accounts.set_grants(
            session=session, actor=AUTHOR, user_id=sam.id, grants={Grant(Role.AUDITOR)}
        )
    session.commit()

    assert signed_in_as(anonymous_client) is None


@pytest.mark.parametrize("idle_too_long", [False, True])
def test_a_session_left_idle_too_long_ends(
    client: TestClient, session: Session, settings: Settings, idle_too_long: bool
) -> None:
    idle_for = timedelta(minutes=settings.session_idle_minutes + (1 if idle_too_long else -1))

    time_passes(session, client.cookies[SESSION_COOKIE], idle_for)

    assert signed_in_as(client) == (None if idle_too_long else AUTHOR.name)


def test_using_the_service_keeps_a_session_alive_until_its_absolute_limit(
    client: TestClient, session: Session, settings: Settings
) -> None:
    token = client.cookies[SESSION_COOKIE]
    nearly_idle = timedelta(minutes=settings.session_idle_minutes) - MINUTE
    absolute_limit = timedelta(hours=settings.session_absolute_hours)

    # Each request restarts the idle clock, so steps just short of it never sign anyone out...
    elapsed = timedelta(0)
    while elapsed + nearly_idle < absolute_limit:
        time_passes(session, token, nearly_idle)
        elapsed += nearly_idle
        assert signed_in_as(client) == AUTHOR.name, elapsed
    # ...until the session is older than the absolute limit, however active it is.
    time_passes(session, token, nearly_idle)
    assert signed_in_as(client) is None


def test_an_admin_lets_a_person_sign_in_at_once_after_failures(
    client: TestClient, session: Session
) -> None:
    sam = add_local_auditor(
        session, email="sam@local.example", name="Sam Smith", password="harbour-violet-kettle-88"
    )
    attempt_time = datetime.now(UTC) - timedelta(minutes=2)
    for _ in range(authentication.FREE_FAILURES + 1):  # each after the wait, so all count
        attempt_time += authentication.FIRST_DELAY + timedelta(seconds=1)
        attempt = authentication.check_credentials(
            session=session,
            email=sam.email,
            password="wrong",
            client_address="192.0.2.1",
            now=attempt_time,
        )
        authentication.sign_in(session=session, check=attempt, now=attempt_time)
    session.commit()

    doc = page(client.get(f"/admin/users/{sam.id}"))
    assert "failed 4 times in the last 15 minutes" in doc.by_id("locked").text
    lift = next(form for form in doc.find_all("form") if "Let them sign in now" in form.text)
    assert form_fields(lift)["disabled"] == "false"
    response = post_form(client, f"/admin/users/{sam.id}/access", form_fields(lift))

    assert response.status_code == 303
    session.expire_all()
    lifted = people_queries.get_user(session, sam.id or 0)
    assert lifted is not None
    assert not lifted.disabled
    assert (
        authentication.recent_failures(session=session, email=sam.email, now=datetime.now(UTC)) == 0
    )
    assert "Let them sign in now" not in client.get(f"/admin/users/{sam.id}").text
