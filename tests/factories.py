"""Small factories that build domain objects through the real use-cases."""

from __future__ import annotations

import itertools
import secrets
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from app.settings import PROJECT_ROOT
from assessments.drafting import answering, editing
from assessments.drafting.schemas import AnswerSave
from assessments.kernel.actors import Actor, Grant, Role
from assessments.models import (
    AssessmentVersion,
    Policy,
    RoleGrant,
    RubricVersion,
    School,
    User,
    WebSession,
)
from assessments.people import accounts, api_tokens, authentication
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


def default_rubric() -> Rubric:
    return load_rubric(DEFAULT_RUBRIC_PATH)


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


def make_draft(
    session: Session, *, actor: Actor = AUTHOR, **policy_fields: Any
) -> AssessmentVersion:
    """A policy with version 1 of its assessment started on the (published) default rubric."""
    policy = make_policy(session, **policy_fields)
    assert policy.id is not None
    return editing.start_assessment(
        session=session, actor=actor, policy_id=policy.id, rubric_id=default_rubric().id
    )


def answer(session: Session, version: AssessmentVersion, question_id: str, value: str) -> None:
    assert version.id is not None
    answering.save_answer(
        session=session,
        actor=AUTHOR,
        version_id=version.id,
        question_id=question_id,
        data=AnswerSave(value=value),
    )


def start_session(session: Session, actor: Actor) -> str:
    """A signed-in session for the actor's user, as signing in makes it; returns the cookie."""
    assert actor.user_id is not None
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    session.add(
        WebSession(
            id=authentication.digest(token), user_id=actor.user_id, created_at=now, last_seen_at=now
        )
    )
    session.commit()
    return token


def make_api_token(session: Session, actor: Actor) -> str:
    """A personal API token of the actor's user, made through the use-case; returns the secret."""
    _, secret = api_tokens.create_api_token(
        session=session, actor=actor, name="Test script", now=datetime.now(UTC)
    )
    session.commit()
    return secret


def make_person(
    session: Session, name: str, *grants: Grant, trust_id: int = LOCAL_TRUST_ID
) -> Actor:
    """A user with these roles, as `accounts.create_user` writes one but without an Argon2 hash
    (about 0.3 s each): for people who never sign in with a password in the test."""
    email = name.lower().replace(" ", ".") + "@accounts.example"
    user = User(trust_id=trust_id, email=email, name=name, password_hash="!")
    session.add(user)
    session.flush()
    assert user.id is not None
    session.add_all(RoleGrant(user_id=user.id, role=g.role, school_id=g.school_id) for g in grants)
    session.flush()
    return accounts.actor_of(session, user)
