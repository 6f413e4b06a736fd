"""Account emails' pages: a new person sets their first password from the invitation emailed
to them (the admin never types it); "Forgotten your password?" sends a reset link, saying the
same whether or not the email has an account; a person changes their own password. Each link
works once and expires, and setting a password ends the person's other sessions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx2
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.settings import Settings
from assessments.kernel import clock
from assessments.kernel.actors import Grant, Role
from assessments.models import AccountLink, Notification, NotificationKind, ResetRequest, User
from assessments.people import account_links, accounts, corrections
from tests.app.pages import banner, error_for, page, post_form, submit, title
from tests.app.trust_people import PASSWORD, add_user, invitation_path, is_signed_in, sign_in_as
from tests.factories.people import make_api_token
from tests.factories.trusts import AUTHOR, LOCAL_TRUST_ID

NEW_PASSWORD = "kettle meadow twelve lantern"
CHOSEN = {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD}


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    """Another browser than the admin's (`client`), signed in as nobody."""
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client


@pytest.fixture
def invited(session: Session) -> User:
    """Someone an admin has just added: they have no password yet, only an invitation."""
    operator = accounts.operator_of_trust(session=session, trust_name="Local trust")
    return accounts.create_user(
        session=session,
        actor=operator,
        trust_id=LOCAL_TRUST_ID,
        email="ivy.invited@local.example",
        name="Ivy Invited",
        password=None,
        grants=[Grant(Role.AUTHOR)],
    )


def account_emails(session: Session, user: User) -> list[Notification]:
    query = select(Notification).where(
        Notification.user_id == user.id, Notification.kind == NotificationKind.ACCOUNT
    )
    return list(session.exec(query.order_by(col(Notification.id))))


def answered(session: Session) -> None:
    """The worker's part: the links asked for on the reset form are emailed."""
    account_links.answer_reset_requests(session=session, now=clock.now())


def sign_in(browser: TestClient, email: str, password: str) -> httpx2.Response:
    form = page(browser.get("/sign-in"))
    return submit(browser, form, "/sign-in", {"email": email, "password": password})


def set_password(browser: TestClient, path: str, values: dict[str, str]) -> httpx2.Response:
    return submit(browser, page(browser.get(path)), path, values)


def test_an_invited_person_sets_their_password_once_and_signs_in_with_it(
    browser: TestClient, session: Session, settings: Settings, invited: User
) -> None:
    (email,) = account_emails(session, invited)
    assert email.subject == "Set your password for the Workload Impact Register"
    assert sign_in(browser, invited.email, "").status_code == 422  # no password to guess
    path = invitation_path(session, settings, invited.id)
    form = page(browser.get(path))
    assert "For ivy.invited@local.example." in form.text

    done = set_password(browser, path, CHOSEN)
    assert (done.status_code, done.headers["location"]) == (303, "/sign-in")
    assert banner(page(browser.get("/sign-in"))) == "Your password is set. Sign in with it."
    assert sign_in(browser, invited.email, NEW_PASSWORD).headers["location"] == "/"
    again = browser.get(path)
    assert again.status_code == 404
    assert "This link has expired or has already been used" in again.text


def twice(password: str) -> dict[str, str]:
    return {"password": password, "confirmation": password}


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (
            {"password": NEW_PASSWORD, "confirmation": "kettle meadow"},
            "confirmation",
            "Enter the same password twice",
        ),
        (twice("short one"), "password", "Use at least 12 characters"),
        (twice("password1234"), "password", "Choose a password that is harder"),
        (twice("ivy invited 2027"), "password", "Do not build your password from your name"),
    ],
    ids=["not the same", "short", "common", "from their name"],
)
def test_a_password_refused_is_shown_by_its_field_and_the_link_still_works(
    browser: TestClient,
    session: Session,
    settings: Settings,
    invited: User,
    values: dict[str, str],
    field: str,
    message: str,
) -> None:
    path = invitation_path(session, settings, invited.id)
    refused = set_password(browser, path, values)
    assert refused.status_code == 422
    doc = page(refused)
    assert title(doc).startswith("Error: Set your password")
    assert error_for(doc, field).startswith(message)
    assert "For ivy.invited@local.example." in refused.text  # still whose password it is
    assert values["password"] not in refused.text  # never shown back
    assert set_password(browser, path, CHOSEN).status_code == 303


def test_a_link_made_up_changed_or_expired_opens_nothing(
    browser: TestClient, session: Session, settings: Settings, invited: User
) -> None:
    path = invitation_path(session, settings, invited.id)
    link_id, issued, mac = path.rsplit("/", 1)[1].split(".")
    for made_up in (
        f"{int(link_id) + 1}.{issued}.{mac}",
        f"{link_id}.{int(issued) + 1}.{mac}",
        f"{link_id}.{issued}.{mac[:-2]}AA",
        "1.2",
        "1.2.é",
    ):
        response = browser.get(f"/account/set-password/{made_up}")
        assert response.status_code == 404, made_up
        posted = post_form(browser, f"/account/set-password/{made_up}", CHOSEN)
        assert posted.status_code == 404, made_up
    (link,) = session.exec(select(AccountLink).where(AccountLink.user_id == invited.id))
    link.expires_at = clock.now() - timedelta(seconds=1)
    session.add(link)
    session.flush()
    assert browser.get(path).status_code == 404


def test_a_new_invitation_stops_the_old_one(
    client: TestClient, browser: TestClient, session: Session, settings: Settings, invited: User
) -> None:
    first = invitation_path(session, settings, invited.id)
    sent = post_form(client, f"/admin/users/{invited.id}/invitation", {})
    assert sent.headers["location"] == f"/admin/users/{invited.id}"
    assert (banner(page(client.get(sent.headers["location"]))) or "").startswith(
        "A new invitation is on its way"
    )
    second = invitation_path(session, settings, invited.id)
    assert second != first
    assert browser.get(first).status_code == 404
    assert set_password(browser, second, CHOSEN).status_code == 303
    # Once they have a password, the admin cannot invite them again.
    assert post_form(client, f"/admin/users/{invited.id}/invitation", {}).status_code == 403


def test_a_forgotten_password_is_reset_from_the_emailed_link_ending_every_session(
    browser: TestClient, anonymous_client: TestClient, session: Session, settings: Settings
) -> None:
    dee = add_user(session, "Dee Forgetful", [Grant(Role.AUTHOR)])
    sign_in_as(anonymous_client, session, dee)  # signed in somewhere else
    bearer = {"Authorization": f"Bearer {make_api_token(session, accounts.actor_of(session, dee))}"}
    assert browser.get("/api/v1/policies", headers=bearer).status_code == 200
    assert page(browser.get("/sign-in")).find("a", href="/forgotten-password")

    asked = post_form(browser, "/forgotten-password", {"email": " DEE@local.example "})
    assert asked.status_code == 200 and "Check your email" in asked.text
    assert account_emails(session, dee) == []  # the worker answers, in a moment
    answered(session)
    (email,) = account_emails(session, dee)
    assert email.subject == "Reset your password for the Workload Impact Register"
    post_form(browser, "/forgotten-password", {"email": "dee@local.example"})  # again at once
    answered(session)
    assert len(account_emails(session, dee)) == 1  # not a second email within minutes

    path = invitation_path(session, settings, dee.id)
    assert set_password(browser, path, CHOSEN).status_code == 303
    assert not is_signed_in(anonymous_client)  # the other session ended
    # ...and the API token: whoever knew the old password may have made it.
    assert browser.get("/api/v1/policies", headers=bearer).status_code == 401
    assert sign_in(browser, dee.email, PASSWORD).status_code == 422
    assert sign_in(browser, dee.email, NEW_PASSWORD).headers["location"] == "/"


def test_an_email_without_an_account_gets_the_same_answer_and_nothing_is_sent(
    browser: TestClient, session: Session
) -> None:
    before = len(list(session.exec(select(Notification))))
    asked = post_form(browser, "/forgotten-password", {"email": "nobody@local.example"})
    assert asked.status_code == 200 and "Check your email" in asked.text
    assert "If nobody@local.example has an account" in asked.text
    answered(session)
    assert len(list(session.exec(select(Notification)))) == before
    refused = post_form(browser, "/forgotten-password", {"email": "not an email"})
    assert refused.status_code == 422
    assert error_for(page(refused), "email").startswith("Enter your email address")


def test_a_person_changes_their_own_password_and_their_other_sessions_end(
    browser: TestClient, anonymous_client: TestClient, session: Session
) -> None:
    cal = add_user(session, "Cal Changer", [Grant(Role.AUTHOR)])
    sign_in_as(browser, session, cal)
    sign_in_as(anonymous_client, session, cal)  # another device
    form = page(browser.get("/account/password"))
    wrong = submit(
        browser,
        form,
        "/account/password",
        {"current": "not it at all 99", **CHOSEN},
    )
    assert wrong.status_code == 422
    assert error_for(page(wrong), "current") == "Your current password is not right"

    changed = submit(browser, form, "/account/password", {"current": PASSWORD, **CHOSEN})
    assert changed.headers["location"] == "/account"
    assert banner(page(browser.get("/account"))) == (
        "Your password is changed. You were signed out everywhere else."
    )
    assert is_signed_in(browser)  # this browser: signed in again with a new session
    assert not is_signed_in(anonymous_client)


def test_a_corrected_address_stops_the_invitation_sent_to_the_old_one(
    client: TestClient, browser: TestClient, session: Session, settings: Settings, invited: User
) -> None:
    mistyped = invitation_path(session, settings, invited.id)
    assert invited.id is not None
    corrections.update_person(
        session=session,
        actor=AUTHOR,
        user_id=invited.id,
        name=invited.name,
        email="ivy.right@local.example",
        expected_revision=None,
    )
    assert browser.get(mistyped).status_code == 404  # whoever got the typo gets nothing
    latest = account_emails(session, invited)[-1]
    assert latest.subject == "Set your password for the Workload Impact Register"
    fresh = invitation_path(session, settings, invited.id)
    assert fresh != mistyped
    assert "For ivy.right@local.example." in browser.get(fresh).text


def test_a_reset_asked_for_stops_working_once_the_password_is_changed(
    browser: TestClient, anonymous_client: TestClient, session: Session, settings: Settings
) -> None:
    eli = add_user(session, "Eli Either", [Grant(Role.AUTHOR)])
    post_form(anonymous_client, "/forgotten-password", {"email": eli.email})
    answered(session)
    reset = invitation_path(session, settings, eli.id)
    sign_in_as(browser, session, eli)
    form = page(browser.get("/account/password"))
    changed = submit(browser, form, "/account/password", {"current": PASSWORD, **CHOSEN})
    assert changed.status_code == 303
    assert anonymous_client.get(reset).status_code == 404


def test_asking_for_a_reset_does_the_same_whether_or_not_the_email_has_an_account(
    browser: TestClient, session: Session, connection: sa.Connection
) -> None:
    """The same work, so the same time: one request queued, nothing else written or read
    about accounts; the worker then emails only the address with one."""
    fay = add_user(session, "Fay Known", [Grant(Role.AUTHOR)])
    statements: list[str] = []
    sa.event.listen(connection, "before_cursor_execute", lambda *a: statements.append(a[2]))
    for email in (fay.email, "nobody.known@local.example"):
        statements.clear()
        asked = post_form(browser, "/forgotten-password", {"email": email})
        assert "Check your email" in asked.text
        assert [s.split()[:3] for s in statements if "reset_request" in s] == [
            ["INSERT", "INTO", "reset_request"]
        ]
        assert not [s for s in statements if "user_account" in s or "account_link" in s]
    requests = list(session.exec(select(ResetRequest)))
    assert [r.email for r in requests] == [fay.email, "nobody.known@local.example"]
    answered(session)
    assert list(session.exec(select(ResetRequest))) == []  # answered, and not kept
    assert len(account_emails(session, fay)) == 1


def test_a_reset_asked_for_twice_waits_once_and_one_left_too_long_is_dropped(
    browser: TestClient, session: Session
) -> None:
    gil = add_user(session, "Gil Patient", [Grant(Role.AUTHOR)])
    for email in (gil.email, gil.email.upper(), "nobody.twice@local.example"):
        post_form(browser, "/forgotten-password", {"email": email})
    assert sorted(r.email for r in session.exec(select(ResetRequest))) == [
        gil.email,
        "nobody.twice@local.example",
    ]
    # The worker was stopped for longer than a reset link would have lasted.
    account_links.answer_reset_requests(session=session, now=clock.now() + timedelta(hours=2))
    assert list(session.exec(select(ResetRequest))) == []
    assert account_emails(session, gil) == []  # a link already expired would help nobody
