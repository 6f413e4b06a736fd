"""Fixtures of the people tests: a trust, another trust, and Alex, a trust-wide author."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from assessments.models import Trust, User
from assessments.people import accounts
from tests.factories.people import add_user


@pytest.fixture
def now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
def trust(session: Session) -> Trust:
    return accounts.create_trust(session=session, name="Northfield Learning Trust")


@pytest.fixture
def other_trust(session: Session) -> Trust:
    return accounts.create_trust(session=session, name="Riverside Schools Trust")


@pytest.fixture
def alex(session: Session, trust: Trust) -> User:
    """A trust-wide author of `trust` who signs in with PASSWORD."""
    return add_user(session, trust)
