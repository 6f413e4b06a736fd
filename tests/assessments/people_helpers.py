"""Shared by the people tests: users made through the use-cases, signing in, and reading a
session back as a new request would."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlmodel import Session

from assessments.kernel.actors import Actor, Grant, Role
from assessments.models import School, Trust, User
from assessments.people import accounts, authentication, queries as people_queries, sessions
from assessments.policies import trust_schools

PASSWORD = "ladder orchard quietly 47"
OTHER_PASSWORD = "violet harbour sixty kettle"
LIMITS = sessions.SessionLimits(idle=timedelta(minutes=30), absolute=timedelta(hours=8))
SECOND = timedelta(seconds=1)
EMAIL = "alex.morgan@northfield.example"
HOME = "192.0.2.10"  # the person's own client address (TEST-NET-1)


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
    email: str = "alex.morgan@northfield.example",
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


def sign_in(
    session: Session,
    when: datetime,
    *,
    email: str = "alex.morgan@northfield.example",
    password: str = PASSWORD,
    client: str = HOME,
    trust_id: int | None = None,
) -> authentication.SignIn:
    check = authentication.check_credentials(
        session=session,
        email=email,
        password=password,
        client_address=client,
        now=when,
        trust_id=trust_id,
    )
    return authentication.sign_in(session=session, check=check, now=when)


def signed_in_token(session: Session, when: datetime, email: str = EMAIL) -> str:
    outcome = sign_in(session, when, email=email)
    assert outcome.problem is None and outcome.token is not None
    return outcome.token


def actor_for(session: Session, token: str, when: datetime) -> Actor | None:
    session.expire_all()  # as a new request would, read the session back from the database
    signed_in = sessions.signed_in_actor(session=session, token=token, now=when, limits=LIMITS)
    return signed_in.actor if signed_in else None
