"""People: trusts, users and their roles, and disabling them, through the use-cases against the
real database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from assessments.kernel.actors import Actor, Grant, Role
from assessments.kernel.errors import NotAllowed, NotFound, ValidationFailed
from assessments.models import Trust, User
from assessments.people import accounts, queries as people_queries
from assessments.people.passwords import verify_password
from tests.factories.people import (
    OTHER_PASSWORD,
    PASSWORD,
    add_user,
    operator_of,
    school_of,
    user_id,
    users_of,
)
from tests.factories.trusts import make_school

# Trusts


def test_a_trust_is_created_with_its_name_trimmed(session: Session) -> None:
    trust = accounts.create_trust(session=session, name="  Northfield Learning Trust ")
    assert trust.id is not None
    assert people_queries.trust_by_name(session, "Northfield Learning Trust") == trust


@pytest.mark.parametrize("name", ["", "   "])
def test_a_trust_needs_a_name(session: Session, name: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        accounts.create_trust(session=session, name=name)
    assert set(refused.value.errors) == {"name"}


def test_a_trust_name_longer_than_the_column_is_refused(session: Session) -> None:
    with pytest.raises(ValidationFailed) as refused:
        accounts.create_trust(session=session, name="T" * 201)
    assert set(refused.value.errors) == {"name"}


def test_two_trusts_cannot_share_a_name(session: Session, trust: Trust) -> None:
    with pytest.raises(ValidationFailed) as refused:
        accounts.create_trust(session=session, name=" Northfield Learning Trust")
    assert set(refused.value.errors) == {"name"}
    assert "already exists" in refused.value.errors["name"]
    # The failed insert leaves the session usable.
    assert accounts.create_trust(session=session, name="Another Trust").id is not None


# Creating users


def test_a_trust_admin_creates_a_user_with_a_lower_case_email(
    session: Session, trust: Trust
) -> None:
    user = add_user(session, trust, email="  Alex.Morgan@Northfield.Example ", name=" Alex Morgan ")
    assert user.email == "alex.morgan@northfield.example"
    assert user.name == "Alex Morgan"
    assert user.trust_id == trust.id
    assert not user.disabled
    assert users_of(session, trust) == [user]


def test_the_password_is_stored_only_as_an_argon2id_hash(session: Session, alex: User) -> None:
    assert alex.password_hash.startswith("$argon2id$")
    assert verify_password(PASSWORD, alex.password_hash)[0]
    assert all(PASSWORD not in str(value) for value in alex.model_dump().values())


def test_grants_are_stored_exactly_once_each(session: Session, trust: Trust) -> None:
    school = school_of(session, trust)
    grants = [Grant(Role.AUTHOR, school.id), Grant(Role.AUTHOR, school.id), Grant(Role.AUDITOR)]
    user = add_user(session, trust, grants=grants)
    rows = people_queries.grants_of_user(session, user_id(user))
    stored = sorted((row.role.value, row.school_id or 0) for row in rows)
    assert stored == [(Role.AUDITOR.value, 0), (Role.AUTHOR.value, school.id)]


@pytest.mark.parametrize("email", ["not-an-email", "alex@", "@northfield.example", ""])
def test_a_badly_formed_email_is_refused_and_nothing_stored(
    session: Session, trust: Trust, email: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        add_user(session, trust, email=email)
    assert set(refused.value.errors) == {"email"}
    assert users_of(session, trust) == []


def test_a_blank_name_is_refused_and_nothing_stored(session: Session, trust: Trust) -> None:
    with pytest.raises(ValidationFailed) as refused:
        add_user(session, trust, name="  ")
    assert set(refused.value.errors) == {"name"}
    assert users_of(session, trust) == []


def test_a_name_longer_than_the_column_is_refused(session: Session, trust: Trust) -> None:
    with pytest.raises(ValidationFailed) as refused:
        add_user(session, trust, name="N" * 121)
    assert set(refused.value.errors) == {"name"}


@pytest.mark.parametrize(
    "password",
    [
        "short words",  # under the minimum length
        "password1234",  # common
        "alex morgan rides 9 bikes",  # built from the person's name
    ],
)
def test_a_weak_password_is_refused_and_nothing_stored(
    session: Session, trust: Trust, password: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        add_user(session, trust, password=password)
    assert set(refused.value.errors) == {"password"}
    assert users_of(session, trust) == []


def test_every_problem_with_the_form_is_named_at_once(session: Session, trust: Trust) -> None:
    with pytest.raises(ValidationFailed) as refused:
        add_user(session, trust, email="nope", name="", password="short")
    assert set(refused.value.errors) == {"email", "name", "password"}
    assert users_of(session, trust) == []


def test_an_email_that_already_has_an_account_in_the_trust_is_refused(
    session: Session, trust: Trust, alex: User
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        add_user(session, trust, email="ALEX.MORGAN@northfield.example", name="Another Alex")
    assert set(refused.value.errors) == {"email"}
    assert users_of(session, trust) == [alex]


def _create_as(session: Session, actor: Actor, trust: Trust) -> User:
    assert trust.id is not None
    return accounts.create_user(
        session=session,
        actor=actor,
        trust_id=trust.id,
        email="sam.jones@northfield.example",
        name="Sam Jones",
        password=OTHER_PASSWORD,
        grants=[Grant(Role.ADMIN)],
    )


def test_an_author_cannot_create_users(session: Session, trust: Trust) -> None:
    author = Actor("Author", 1, trust.id, frozenset({Grant(Role.AUTHOR)}))
    with pytest.raises(NotAllowed):
        _create_as(session, author, trust)
    assert users_of(session, trust) == []


def test_a_school_admin_cannot_create_users_for_the_trust(session: Session, trust: Trust) -> None:
    school = school_of(session, trust)
    school_admin = Actor("School admin", 1, trust.id, frozenset({Grant(Role.ADMIN, school.id)}))
    with pytest.raises(NotAllowed):
        _create_as(session, school_admin, trust)
    assert users_of(session, trust) == []


def test_an_admin_of_another_trust_does_not_find_this_trust(
    session: Session, trust: Trust, other_trust: Trust
) -> None:
    with pytest.raises(NotFound):
        _create_as(session, operator_of(other_trust), trust)
    assert users_of(session, trust) == []


# The actor of a user


def test_the_actor_of_a_user_carries_their_trust_and_roles(session: Session, trust: Trust) -> None:
    school = school_of(session, trust)
    user = add_user(session, trust, grants=[Grant(Role.AUTHOR, school.id), Grant(Role.AUDITOR)])
    session.expire_all()  # read the roles back from the database

    actor = accounts.actor_of(session, user)

    assert actor == Actor(
        name="Alex Morgan",
        user_id=user.id,
        trust_id=trust.id,
        grants=frozenset({Grant(Role.AUTHOR, school.id), Grant(Role.AUDITOR)}),
    )
    assert actor.holds(Role.AUTHOR, school.id)
    assert not actor.holds(Role.APPROVER, school.id)


# Disabling users


def test_an_admin_cannot_disable_themselves(session: Session, trust: Trust) -> None:
    admin_user = add_user(session, trust, grants=[Grant(Role.ADMIN)])
    admin = accounts.actor_of(session, admin_user)
    with pytest.raises(ValidationFailed) as refused:
        accounts.set_disabled(
            session=session,
            actor=admin,
            user_id=user_id(admin_user),
            disabled=True,
            now=datetime.now(UTC),
        )
    assert set(refused.value.errors) == {"disabled"}
    assert not admin_user.disabled


def test_an_admin_does_not_find_a_user_of_another_trust(
    session: Session, trust: Trust, other_trust: Trust
) -> None:
    outsider = add_user(session, other_trust)
    with pytest.raises(NotFound):
        accounts.set_disabled(
            session=session,
            actor=operator_of(trust),
            user_id=user_id(outsider),
            disabled=True,
            now=datetime.now(UTC),
        )
    assert not outsider.disabled


def test_roles_for_another_trusts_school_are_refused(session: Session, trust: Trust) -> None:
    elsewhere = make_school(session)  # a school of the test database's own trust
    with pytest.raises(ValidationFailed) as refused:
        add_user(session, trust, grants=[Grant(Role.AUTHOR, elsewhere.id)])
    assert refused.value.errors == {"grants": "Choose roles for the trust or for its own schools"}
    assert people_queries.users_by_email(session, "alex.morgan@northfield.example") == []
