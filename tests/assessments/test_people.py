"""People: trusts, users and roles, signing in and out, sessions and API tokens, through the
use-cases against the real database."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from assessments import people, policies, repository
from assessments.actors import Actor, Grant, Role
from assessments.errors import NotAllowed, NotFound, ValidationFailed
from assessments.models import ApiToken, School, Trust, User, WebSession
from assessments.passwords import verify_password
from tests.factories import make_school

PASSWORD = "ladder orchard quietly 47"
OTHER_PASSWORD = "violet harbour sixty kettle"
LIMITS = people.SessionLimits(idle=timedelta(minutes=30), absolute=timedelta(hours=8))
SECOND = timedelta(seconds=1)


def operator_of(trust: Trust) -> Actor:
    """The command-line operator: a trust-wide admin of `trust` with no user of its own."""
    return Actor("command line", trust_id=trust.id, grants=frozenset({Grant(Role.ADMIN)}))


def school_of(session: Session, trust: Trust) -> School:
    school = policies.create_school(session=session, actor=operator_of(trust), name="Oak School")
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
    return people.create_user(
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
    return repository.users_of_trust(session, trust.id)


def sign_in(
    session: Session,
    when: datetime,
    *,
    email: str = "alex.morgan@northfield.example",
    password: str = PASSWORD,
) -> people.SignIn:
    check = people.check_credentials(session=session, email=email, password=password, now=when)
    return people.sign_in(session=session, check=check, now=when)


def signed_in_token(session: Session, when: datetime, **details: str) -> str:
    outcome = sign_in(session, when, **details)
    assert outcome.problem is None and outcome.token is not None
    return outcome.token


def actor_for(session: Session, token: str, when: datetime) -> Actor | None:
    session.expire_all()  # as a new request would, read the session back from the database
    signed_in = people.signed_in_actor(session=session, token=token, now=when, limits=LIMITS)
    return signed_in.actor if signed_in else None


@pytest.fixture
def now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
def trust(session: Session) -> Trust:
    return people.create_trust(session=session, name="Northfield Learning Trust")


@pytest.fixture
def other_trust(session: Session) -> Trust:
    return people.create_trust(session=session, name="Riverside Schools Trust")


@pytest.fixture
def alex(session: Session, trust: Trust) -> User:
    """A trust-wide author of `trust` who signs in with PASSWORD."""
    return add_user(session, trust)


# Trusts


def test_a_trust_is_created_with_its_name_trimmed(session: Session) -> None:
    trust = people.create_trust(session=session, name="  Northfield Learning Trust ")
    assert trust.id is not None
    assert repository.trust_by_name(session, "Northfield Learning Trust") == trust


@pytest.mark.parametrize("name", ["", "   "])
def test_a_trust_needs_a_name(session: Session, name: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        people.create_trust(session=session, name=name)
    assert set(refused.value.errors) == {"name"}


def test_a_trust_name_longer_than_the_column_is_refused(session: Session) -> None:
    with pytest.raises(ValidationFailed) as refused:
        people.create_trust(session=session, name="T" * 201)
    assert set(refused.value.errors) == {"name"}


def test_two_trusts_cannot_share_a_name(session: Session, trust: Trust) -> None:
    with pytest.raises(ValidationFailed) as refused:
        people.create_trust(session=session, name=" Northfield Learning Trust")
    assert set(refused.value.errors) == {"name"}
    assert "already exists" in refused.value.errors["name"]
    # The failed insert leaves the session usable.
    assert people.create_trust(session=session, name="Another Trust").id is not None


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
    rows = repository.grants_of_user(session, user_id(user))
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


def test_an_email_that_already_has_an_account_is_refused(
    session: Session, trust: Trust, alex: User
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        add_user(session, trust, email="ALEX.MORGAN@northfield.example", name="Another Alex")
    assert set(refused.value.errors) == {"email"}
    assert users_of(session, trust) == [alex]


def test_an_email_taken_in_another_trust_is_refused_too(
    session: Session, trust: Trust, other_trust: Trust, alex: User
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        add_user(session, other_trust, name="Another Alex")
    assert set(refused.value.errors) == {"email"}
    assert users_of(session, other_trust) == []


def _create_as(session: Session, actor: Actor, trust: Trust) -> User:
    assert trust.id is not None
    return people.create_user(
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

    actor = people.actor_of(session, user)

    assert actor == Actor(
        name="Alex Morgan",
        user_id=user.id,
        trust_id=trust.id,
        grants=frozenset({Grant(Role.AUTHOR, school.id), Grant(Role.AUDITOR)}),
    )
    assert actor.holds(Role.AUTHOR, school.id)
    assert not actor.holds(Role.APPROVER, school.id)


# Signing in


def test_the_right_password_signs_in_and_only_a_digest_is_stored(
    session: Session, alex: User, now: datetime
) -> None:
    outcome = sign_in(session, now, email=" Alex.Morgan@Northfield.Example ")

    assert outcome.problem is None and outcome.user == alex
    assert outcome.token is not None
    stored = session.exec(select(WebSession).where(WebSession.user_id == alex.id)).all()
    assert [row.id for row in stored] == [people.digest(outcome.token)]
    assert outcome.token not in stored[0].id


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(
    session: Session, alex: User, now: datetime
) -> None:
    wrong_password = sign_in(session, now, password=OTHER_PASSWORD)
    unknown_email = sign_in(session, now, email="nobody@northfield.example")

    for outcome in (wrong_password, unknown_email):
        assert outcome == people.SignIn(None, None, people.WRONG_DETAILS)
    assert session.exec(select(WebSession)).all() == []


def test_failures_are_counted(session: Session, alex: User, now: datetime) -> None:
    sign_in(session, now, password=OTHER_PASSWORD)
    sign_in(session, now, password=OTHER_PASSWORD)
    assert alex.failed_sign_ins == 2


def test_repeated_failures_pause_the_account_even_for_the_right_password(
    session: Session, alex: User, now: datetime
) -> None:
    for _ in range(people.SLOW_DOWN_AFTER):
        assert sign_in(session, now, password=OTHER_PASSWORD).problem == people.WRONG_DETAILS

    paused = sign_in(session, now + people.SLOW_DOWN - SECOND)
    # Paused, but saying so would tell a stranger the account exists: the same message.
    assert paused == people.SignIn(None, None, people.WRONG_DETAILS)

    assert sign_in(session, now + people.SLOW_DOWN + SECOND).token is not None


def test_many_failures_lock_the_account_until_the_lock_has_passed(
    session: Session, alex: User, now: datetime
) -> None:
    when = now
    for _ in range(people.LOCK_AFTER):  # each after any pause, so every one is counted
        assert sign_in(session, when, password=OTHER_PASSWORD).problem == people.WRONG_DETAILS
        last_failure, when = when, when + people.SLOW_DOWN + SECOND

    for later in (people.SLOW_DOWN + SECOND, people.LOCK - SECOND):
        locked = sign_in(session, last_failure + later)
        assert locked == people.SignIn(None, None, people.WRONG_DETAILS)
    assert alex.locked_until == last_failure + people.LOCK  # attempts while locked add nothing

    assert sign_in(session, last_failure + people.LOCK + SECOND).token is not None


def test_a_lock_that_has_run_out_starts_the_count_again(
    session: Session, alex: User, now: datetime
) -> None:
    when = now
    for _ in range(people.LOCK_AFTER):
        sign_in(session, when, password=OTHER_PASSWORD)
        when += people.SLOW_DOWN + SECOND
    after_the_lock = now + people.LOCK * 2

    sign_in(session, after_the_lock, password=OTHER_PASSWORD)  # one more wrong guess

    assert alex.failed_sign_ins == 1
    assert alex.locked_until is not None and alex.locked_until <= after_the_lock
    assert sign_in(session, after_the_lock).token is not None  # not locked for 15 more minutes


def test_an_admin_lifts_a_lock_by_letting_the_person_sign_in_again(
    session: Session, trust: Trust, alex: User, now: datetime
) -> None:
    when = now
    for _ in range(people.LOCK_AFTER):
        sign_in(session, when, password=OTHER_PASSWORD)
        when += people.SLOW_DOWN + SECOND
    assert sign_in(session, when).token is None

    people.set_disabled(
        session=session, actor=operator_of(trust), user_id=user_id(alex), disabled=False
    )

    assert sign_in(session, when).token is not None


def test_signing_in_resets_the_count_of_failures(
    session: Session, alex: User, now: datetime
) -> None:
    for _ in range(2):
        for _ in range(people.SLOW_DOWN_AFTER - 1):
            sign_in(session, now, password=OTHER_PASSWORD)
        assert sign_in(session, now).token is not None
        assert alex.failed_sign_ins == 0
    assert alex.locked_until is None


def test_a_disabled_user_cannot_sign_in_even_with_the_right_password(
    session: Session, trust: Trust, alex: User, now: datetime
) -> None:
    people.set_disabled(
        session=session, actor=operator_of(trust), user_id=user_id(alex), disabled=True
    )
    assert sign_in(session, now) == people.SignIn(None, None, people.WRONG_DETAILS)


# Sessions


def test_a_session_token_gives_the_signed_in_actor(
    session: Session, alex: User, now: datetime
) -> None:
    token = signed_in_token(session, now)
    assert actor_for(session, token, now) == people.actor_of(session, alex)


def test_an_unknown_token_gives_no_actor(session: Session, alex: User, now: datetime) -> None:
    signed_in_token(session, now)
    assert actor_for(session, "made-up-token", now) is None


def test_a_session_ends_after_being_idle(session: Session, alex: User, now: datetime) -> None:
    token = signed_in_token(session, now)
    assert actor_for(session, token, now + LIMITS.idle - SECOND) is not None
    assert actor_for(session, token, now + LIMITS.idle + SECOND) is None


def test_activity_keeps_a_session_alive_but_not_beyond_its_absolute_limit(
    session: Session, alex: User, now: datetime
) -> None:
    token = signed_in_token(session, now)
    just_before_the_limit = now + LIMITS.absolute - timedelta(minutes=1)
    people.touch_session(session=session, token=token, now=just_before_the_limit)
    assert actor_for(session, token, just_before_the_limit + timedelta(seconds=30)) is not None

    assert actor_for(session, token, now + LIMITS.absolute + SECOND) is None


def test_signing_out_ends_only_that_session(session: Session, alex: User, now: datetime) -> None:
    laptop, phone = signed_in_token(session, now), signed_in_token(session, now)
    people.sign_out(session=session, token=laptop)
    assert actor_for(session, laptop, now) is None
    assert actor_for(session, phone, now) is not None


def test_disabling_a_user_ends_their_sessions_for_good(
    session: Session, trust: Trust, alex: User, now: datetime
) -> None:
    token = signed_in_token(session, now)
    for disabled in (True, False):
        people.set_disabled(
            session=session, actor=operator_of(trust), user_id=user_id(alex), disabled=disabled
        )
        assert actor_for(session, token, now) is None
    assert actor_for(session, signed_in_token(session, now), now) is not None


def test_changing_roles_ends_sessions_and_the_new_roles_apply_at_the_next_sign_in(
    session: Session, trust: Trust, alex: User, now: datetime
) -> None:
    school = school_of(session, trust)
    old_token = signed_in_token(session, now)
    new_grants = [Grant(Role.APPROVER, school.id)]

    people.set_grants(
        session=session, actor=operator_of(trust), user_id=user_id(alex), grants=new_grants
    )

    assert actor_for(session, old_token, now) is None
    actor = actor_for(session, signed_in_token(session, now), now)
    assert actor is not None and actor.grants == frozenset(new_grants)


# Disabling users


def test_an_admin_cannot_disable_themselves(session: Session, trust: Trust) -> None:
    admin_user = add_user(session, trust, grants=[Grant(Role.ADMIN)])
    admin = people.actor_of(session, admin_user)
    with pytest.raises(ValidationFailed) as refused:
        people.set_disabled(
            session=session, actor=admin, user_id=user_id(admin_user), disabled=True
        )
    assert set(refused.value.errors) == {"disabled"}
    assert not admin_user.disabled


def test_an_admin_does_not_find_a_user_of_another_trust(
    session: Session, trust: Trust, other_trust: Trust
) -> None:
    outsider = add_user(session, other_trust)
    with pytest.raises(NotFound):
        people.set_disabled(
            session=session, actor=operator_of(trust), user_id=user_id(outsider), disabled=True
        )
    assert not outsider.disabled


# API tokens


def _new_token(session: Session, owner: User, now: datetime) -> tuple[ApiToken, str]:
    return people.create_api_token(
        session=session, actor=people.actor_of(session, owner), name="Reporting script", now=now
    )


def test_an_api_token_is_shown_once_and_stored_only_as_a_digest(
    session: Session, alex: User, now: datetime
) -> None:
    row, secret = _new_token(session, alex, now)
    assert secret.startswith("wia_")
    assert row.token_hash == people.digest(secret)
    assert all(secret not in str(value) for value in row.model_dump().values())


def test_an_api_token_acts_as_its_owner(session: Session, alex: User, now: datetime) -> None:
    row, secret = _new_token(session, alex, now)
    assert people.token_actor(session=session, secret=secret) == (
        people.actor_of(session, alex),
        row,
    )
    assert people.token_actor(session=session, secret="wia_made-up") is None


def test_a_revoked_api_token_stops_working(session: Session, alex: User, now: datetime) -> None:
    row, secret = _new_token(session, alex, now)
    assert row.id is not None
    people.revoke_api_token(
        session=session, actor=people.actor_of(session, alex), token_id=row.id, now=now
    )
    assert people.token_actor(session=session, secret=secret) is None


def test_nobody_can_revoke_another_users_api_token(
    session: Session, trust: Trust, alex: User, now: datetime
) -> None:
    sam = add_user(session, trust, email="sam.jones@northfield.example", name="Sam Jones")
    row, secret = _new_token(session, alex, now)
    assert row.id is not None
    with pytest.raises(NotFound):
        people.revoke_api_token(
            session=session, actor=people.actor_of(session, sam), token_id=row.id, now=now
        )
    assert people.token_actor(session=session, secret=secret) is not None


def test_a_disabled_owners_api_token_stops_working(
    session: Session, trust: Trust, alex: User, now: datetime
) -> None:
    _, secret = _new_token(session, alex, now)
    people.set_disabled(
        session=session, actor=operator_of(trust), user_id=user_id(alex), disabled=True
    )
    assert people.token_actor(session=session, secret=secret) is None


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_an_api_token_needs_a_name_of_up_to_100_characters(
    session: Session, alex: User, now: datetime, name: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        people.create_api_token(
            session=session, actor=people.actor_of(session, alex), name=name, now=now
        )
    assert set(refused.value.errors) == {"name"}
    assert repository.api_tokens_of_user(session, user_id(alex)) == []


def test_an_api_token_name_of_exactly_100_characters_is_accepted(
    session: Session, alex: User, now: datetime
) -> None:
    row, _ = people.create_api_token(
        session=session, actor=people.actor_of(session, alex), name="x" * 100, now=now
    )
    assert repository.api_tokens_of_user(session, user_id(alex)) == [row]


def test_roles_for_another_trusts_school_are_refused(session: Session, trust: Trust) -> None:
    elsewhere = make_school(session)  # a school of the test database's own trust
    with pytest.raises(ValidationFailed) as refused:
        add_user(session, trust, grants=[Grant(Role.AUTHOR, elsewhere.id)])
    assert refused.value.errors == {"grants": "Choose roles for the trust or for its own schools"}
    assert repository.user_by_email(session, "alex.morgan@northfield.example") is None
