"""What the admin page tests share: a school of the trust, Bea who writes for it, people added
to a trust, and signing a browser in as one of them and telling whether it still is."""

from __future__ import annotations

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.mail.links import account_path
from app.settings import Settings
from assessments.kernel.actors import Grant, Role
from assessments.models import Notification, NotificationKind, School, User
from assessments.people import accounts, queries as people_queries
from tests.factories.people import start_session
from tests.factories.sign_in import SESSION_COOKIE
from tests.factories.trusts import LOCAL_TRUST, make_school

PASSWORD = "ladder orchard quietly 47"


@pytest.fixture
def school(session: Session) -> School:
    return make_school(session, "Northfield Primary")


@pytest.fixture
def bea(session: Session, school: School) -> User:
    """Someone who writes assessments for one school, and is no admin."""
    return add_user(session, "Bea Brown", [Grant(Role.AUTHOR, school.id)])


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


def grants_of(session: Session, user: int | None) -> set[Grant]:
    assert user is not None
    session.expire_all()
    return {Grant(row.role, row.school_id) for row in people_queries.grants_of_user(session, user)}


def where_to(response: httpx2.Response) -> str:
    assert response.status_code == 303, response.status_code
    return response.headers["location"]


def invitation_path(session: Session, settings: Settings, user_id: int | None) -> str:
    """The path the person's latest account email links to (as the worker would send it)."""
    query = (
        select(Notification)
        .where(Notification.user_id == user_id, Notification.kind == NotificationKind.ACCOUNT)
        .order_by(col(Notification.id).desc())
    )
    facts = session.exec(query).first()
    assert facts is not None, "no account email"
    return account_path(settings, facts.facts["link_id"], facts.facts["issued"])
