"""Signing in and sessions, through the use-cases against the real database (throttling is in
test_sign_in_throttle.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from assessments.kernel.actors import Grant, Role
from assessments.models import Trust, User, WebSession
from assessments.people import accounts, authentication, sessions
from tests.factories.people import LIMITS, OTHER_PASSWORD, SECOND, operator_of, school_of, user_id
from tests.factories.sign_in import actor_for, password_sign_in, signed_in_token

# Signing in


def test_the_right_password_signs_in_and_only_a_digest_is_stored(
    session: Session, alex: User, now: datetime
) -> None:
    outcome = password_sign_in(session, now, email=" Alex.Morgan@Northfield.Example ")

    assert outcome.problem is None and outcome.user == alex
    assert outcome.token is not None
    stored = session.exec(select(WebSession).where(WebSession.user_id == alex.id)).all()
    assert [row.id for row in stored] == [authentication.digest(outcome.token)]
    assert outcome.token not in stored[0].id


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(
    session: Session, alex: User, now: datetime
) -> None:
    wrong_password = password_sign_in(session, now, password=OTHER_PASSWORD)
    unknown_email = password_sign_in(session, now, email="nobody@northfield.example")

    for outcome in (wrong_password, unknown_email):
        assert outcome == authentication.SignIn(None, None, authentication.WRONG_DETAILS)
    assert session.exec(select(WebSession)).all() == []


def test_a_disabled_user_cannot_sign_in_even_with_the_right_password(
    session: Session, trust: Trust, alex: User, now: datetime
) -> None:
    accounts.set_disabled(
        session=session, actor=operator_of(trust), user_id=user_id(alex), disabled=True, now=now
    )
    assert password_sign_in(session, now) == authentication.SignIn(
        None, None, authentication.WRONG_DETAILS
    )


# Sessions


def test_a_session_token_gives_the_signed_in_actor(
    session: Session, alex: User, now: datetime
) -> None:
    token = signed_in_token(session, now)
    assert actor_for(session, token, now) == accounts.actor_of(session, alex)


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
    sessions.touch_session(session=session, token=token, now=just_before_the_limit)
    assert actor_for(session, token, just_before_the_limit + timedelta(seconds=30)) is not None

    assert actor_for(session, token, now + LIMITS.absolute + SECOND) is None


def test_signing_out_ends_only_that_session(session: Session, alex: User, now: datetime) -> None:
    laptop, phone = signed_in_token(session, now), signed_in_token(session, now)
    sessions.sign_out(session=session, token=laptop)
    assert actor_for(session, laptop, now) is None
    assert actor_for(session, phone, now) is not None


def test_disabling_a_user_ends_their_sessions_for_good(
    session: Session, trust: Trust, alex: User, now: datetime
) -> None:
    token = signed_in_token(session, now)
    for disabled in (True, False):
        accounts.set_disabled(
            session=session,
            actor=operator_of(trust),
            user_id=user_id(alex),
            disabled=disabled,
            now=now,
        )
        assert actor_for(session, token, now) is None
    assert actor_for(session, signed_in_token(session, now), now) is not None


def test_changing_roles_ends_sessions_and_the_new_roles_apply_at_the_next_sign_in(
    session: Session, trust: Trust, alex: User, now: datetime
) -> None:
    school = school_of(session, trust)
    old_token = signed_in_token(session, now)
    new_grants = [Grant(Role.APPROVER, school.id)]

    accounts.set_grants(
        session=session, actor=operator_of(trust), user_id=user_id(alex), grants=new_grants
    )

    assert actor_for(session, old_token, now) is None
    actor = actor_for(session, signed_in_token(session, now), now)
    assert actor is not None and actor.grants == frozenset(new_grants)
