"""The people of the tests: a user with any roles, the casts the tests of each kind work with,
users made through the accounts use-cases, and their sessions and API tokens."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from assessments.kernel.actors import Actor, Grant, Role
from assessments.models import RoleGrant, School, Trust, User, WebSession
from assessments.people import (
    accounts,
    api_tokens,
    authentication,
    queries as people_queries,
    sessions,
)
from assessments.policies import trust_schools
from tests.factories.trusts import LOCAL_TRUST, LOCAL_TRUST_ID, make_school

PASSWORD = "ladder orchard quietly 47"
OTHER_PASSWORD = "violet harbour sixty kettle"
LIMITS = sessions.SessionLimits(idle=timedelta(minutes=30), absolute=timedelta(hours=8))
SECOND = timedelta(seconds=1)
EMAIL = "alex.morgan@northfield.example"
HOME = "192.0.2.10"  # the person's own client address (TEST-NET-1)


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


def make_approver(session: Session, name: str = "Ama Approver") -> Actor:
    return make_person(session, name, Grant(Role.APPROVER))


def author_and_approver(session: Session) -> Actor:
    return make_person(session, "Bea Both", Grant(Role.AUTHOR), Grant(Role.APPROVER))


@dataclass(frozen=True)
class Cast:
    """A school and the people who work on its policies' assessments (the workflow tests')."""

    school: School
    author: Actor  # an author at the school
    second_author: Actor  # another author at the school
    author_approver: Actor  # an author at the school who is also a trust-wide approver
    approver: Actor  # a trust-wide approver
    auditor: Actor  # a trust-wide auditor
    other_author: Actor  # an author at another school of the trust


def make_cast(session: Session) -> Cast:
    school, other = make_school(session), make_school(session)
    return Cast(
        school=school,
        author=make_person(session, "Ann Author", Grant(Role.AUTHOR, school.id)),
        second_author=make_person(session, "Sam Second", Grant(Role.AUTHOR, school.id)),
        author_approver=make_person(
            session, "Bea Both", Grant(Role.AUTHOR, school.id), Grant(Role.APPROVER)
        ),
        approver=make_person(session, "Pat Approver", Grant(Role.APPROVER)),
        auditor=make_person(session, "Aud Auditor", Grant(Role.AUDITOR)),
        other_author=make_person(session, "Oli Other", Grant(Role.AUTHOR, other.id)),
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


# --- people of a trust of their own, made through the accounts use-cases (the people tests)


def operator_of(trust: Trust) -> Actor:
    """The command-line operator: a trust-wide admin of `trust` with no user of its own."""
    return Actor("command line", trust_id=trust.id, grants=frozenset({Grant(Role.ADMIN)}))


def school_of(session: Session, trust: Trust) -> School:
    school = trust_schools.create_school(
        session=session, actor=operator_of(trust), name="Oak School"
    )
    assert school is not None
    return school


def add_user(
    session: Session,
    trust: Trust,
    *,
    email: str = EMAIL,
    name: str = "Alex Morgan",
    password: str = PASSWORD,
    grants: Iterable[Grant] = (Grant(Role.AUTHOR),),
) -> User:
    assert trust.id is not None
    return accounts.create_user(
        session=session,
        actor=operator_of(trust),
        trust_id=trust.id,
        email=email,
        name=name,
        password=password,
        grants=grants,
    )


def user_id(user: User) -> int:
    assert user.id is not None
    return user.id


def users_of(session: Session, trust: Trust) -> list[User]:
    assert trust.id is not None
    return people_queries.users_of_trust(session, trust.id)


def add_local_auditor(session: Session, *, email: str, name: str, password: str) -> User:
    """A trust-wide auditor of the local test trust who signs in with `password`, added by the
    trust's operator as an admin adds anyone."""
    operator = accounts.operator_of_trust(session=session, trust_name=LOCAL_TRUST)
    return accounts.create_user(
        session=session,
        actor=operator,
        trust_id=LOCAL_TRUST_ID,
        email=email,
        name=name,
        password=password,
        grants=[Grant(Role.AUDITOR)],
    )
