"""The test trust and its first user AUTHOR, the default rubric, schools and policies, built
through the real use-cases."""

from __future__ import annotations

import itertools
from functools import cache
from typing import Any

from sqlmodel import Session

from app.settings import PROJECT_ROOT
from assessments.kernel.actors import Actor, Grant, Role
from assessments.models import (
    Policy,
    RubricVersion,
    School,
)
from assessments.people import accounts
from assessments.policies import catalogue, trust_schools
from assessments.policies.schemas import PolicyCreate
from assessments.rubrics import publishing
from assessments.rubrics.files import load_rubric
from assessments.rubrics.schema import Rubric

DEFAULT_RUBRIC_PATH = PROJECT_ROOT / "rubrics" / "staff-wellbeing-impact.yaml"
LOCAL_TRUST = "Local trust"  # the test database's trust (tests/conftest.py makes it first)
LOCAL_TRUST_ID = 1
# The audit key of every test, in-process and in the servers and commands tests start.
TEST_AUDIT_KEY = "test-audit-key-that-is-long-enough-0123456789"
TEST_SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"  # the tests' Settings
AUTHOR_EMAIL = "alex.author@local-trust.example"
AUTHOR_PASSWORD = "marking-policy-review-2026"
# A trust-wide author and admin of the test trust (user 1): the factories build with it, and
# the `client` fixture is signed in as it.
AUTHOR = Actor(
    name="Alex Author",
    user_id=1,
    trust_id=LOCAL_TRUST_ID,
    grants=frozenset({Grant(Role.AUTHOR), Grant(Role.ADMIN)}),
)
_numbers = itertools.count(1)


def make_local_trust(session: Session) -> None:
    """The trust of a new test database and its user AUTHOR, with the ids AUTHOR assumes."""
    trust = accounts.create_trust(session=session, name=LOCAL_TRUST)
    assert trust.id == LOCAL_TRUST_ID, trust
    user = accounts.create_user(
        session=session,
        actor=accounts.operator_of_trust(session=session, trust_name=LOCAL_TRUST),
        trust_id=LOCAL_TRUST_ID,
        email=AUTHOR_EMAIL,
        name=AUTHOR.name,
        password=AUTHOR_PASSWORD,
        grants=AUTHOR.grants,
    )
    assert accounts.actor_of(session, user) == AUTHOR, user


@cache
def default_rubric() -> Rubric:
    """The shipped rubric, read once: a Rubric is frozen, so every test may share it."""
    return load_rubric(DEFAULT_RUBRIC_PATH)


RUBRIC = default_rubric()  # the shipped rubric, which every test database has published


def publish_default_rubric(session: Session) -> RubricVersion:
    return publishing.publish_rubric(session=session, actor=AUTHOR, rubric=default_rubric())


def make_school(session: Session, name: str | None = None) -> School:
    name = name or f"Test School {next(_numbers)}"
    school = trust_schools.create_school(session=session, actor=AUTHOR, name=name)
    assert school is not None
    return school


def make_policy(session: Session, **fields: Any) -> Policy:
    data = {
        "reference": f"TST-{next(_numbers):04d}",
        "title": "Marking and feedback policy",
        "category": "assessment-and-marking",
        "owner": "Deputy Headteacher",
        "review_cycle_months": 12,
        **fields,
    }
    return catalogue.create_policy(session=session, actor=AUTHOR, data=PolicyCreate(**data))
