"""Personal API tokens: made, shown once, stored as a digest, revoked, through the use-cases."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import Session

from assessments.kernel.errors import NotFound, ValidationFailed
from assessments.models import ApiToken, Trust, User
from assessments.people import accounts, api_tokens, authentication, queries as people_queries
from tests.factories.people import add_user, operator_of, user_id

# API tokens


def _new_token(session: Session, owner: User, now: datetime) -> tuple[ApiToken, str]:
    return api_tokens.create_api_token(
        session=session, actor=accounts.actor_of(session, owner), name="Reporting script", now=now
    )


def test_an_api_token_is_shown_once_and_stored_only_as_a_digest(
    session: Session, alex: User, now: datetime
) -> None:
    row, secret = _new_token(session, alex, now)
    assert secret.startswith("wia_")
    assert row.token_hash == authentication.digest(secret)
    assert all(secret not in str(value) for value in row.model_dump().values())


def test_an_api_token_acts_as_its_owner(session: Session, alex: User, now: datetime) -> None:
    row, secret = _new_token(session, alex, now)
    assert api_tokens.token_actor(session=session, secret=secret, now=now) == api_tokens.TokenUse(
        accounts.actor_of(session, alex), row, None
    )
    unknown = api_tokens.token_actor(session=session, secret="wia_made-up", now=now)
    assert unknown == api_tokens.TokenUse(None, None, "unknown")


def test_a_revoked_api_token_stops_working(session: Session, alex: User, now: datetime) -> None:
    row, secret = _new_token(session, alex, now)
    assert row.id is not None
    api_tokens.revoke_api_token(
        session=session, actor=accounts.actor_of(session, alex), token_id=row.id, now=now
    )
    assert api_tokens.token_actor(session=session, secret=secret, now=now).refused == "revoked"


def test_nobody_can_revoke_another_users_api_token(
    session: Session, trust: Trust, alex: User, now: datetime
) -> None:
    sam = add_user(session, trust, email="sam.jones@northfield.example", name="Sam Jones")
    row, secret = _new_token(session, alex, now)
    assert row.id is not None
    with pytest.raises(NotFound):
        api_tokens.revoke_api_token(
            session=session, actor=accounts.actor_of(session, sam), token_id=row.id, now=now
        )
    assert api_tokens.token_actor(session=session, secret=secret, now=now).actor is not None


def test_a_disabled_owners_api_token_stops_working(
    session: Session, trust: Trust, alex: User, now: datetime
) -> None:
    _, secret = _new_token(session, alex, now)
    accounts.set_disabled(
        session=session, actor=operator_of(trust), user_id=user_id(alex), disabled=True, now=now
    )
    assert api_tokens.token_actor(session=session, secret=secret, now=now).actor is None


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_an_api_token_needs_a_name_of_up_to_100_characters(
    session: Session, alex: User, now: datetime, name: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        api_tokens.create_api_token(
            session=session, actor=accounts.actor_of(session, alex), name=name, now=now
        )
    assert set(refused.value.errors) == {"name"}
    assert people_queries.api_tokens_of_user(session, user_id(alex)) == []


def test_an_api_token_name_of_exactly_100_characters_is_accepted(
    session: Session, alex: User, now: datetime
) -> None:
    row, _ = api_tokens.create_api_token(
        session=session, actor=accounts.actor_of(session, alex), name="x" * 100, now=now
    )
    assert people_queries.api_tokens_of_user(session, user_id(alex)) == [row]
