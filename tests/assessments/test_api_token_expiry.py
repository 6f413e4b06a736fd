"""API tokens expire: a lifetime chosen at creation (a default, a maximum), refused from its
expiry on; a disabled person's tokens are revoked for good. Time is passed in."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlmodel import Session

from app.settings import Settings
from assessments.kernel.errors import ValidationFailed
from assessments.models import Trust, User
from assessments.people import accounts, api_tokens, queries as people_queries
from tests.factories.people import operator_of, user_id

LIFETIME = api_tokens.TokenLifetime(default_days=90, max_days=365)


def _make(
    session: Session, owner: User, now: datetime, days: int | None = None
) -> tuple[int, str, datetime]:
    row, secret = api_tokens.create_api_token(
        session=session,
        actor=accounts.actor_of(session, owner),
        name="Script",
        now=now,
        days=days,
        lifetime=LIFETIME,
    )
    assert row.id is not None
    return row.id, secret, row.expires_at


def test_a_token_lasts_the_default_unless_another_lifetime_is_chosen(
    session: Session, alex: User, now: datetime
) -> None:
    assert _make(session, alex, now)[2] == now + timedelta(days=90)
    assert _make(session, alex, now, days=7)[2] == now + timedelta(days=7)
    assert _make(session, alex, now, days=365)[2] == now + timedelta(days=365)


@pytest.mark.parametrize("days", [0, -1, 366, 10**6])
def test_a_lifetime_beyond_the_maximum_or_under_a_day_is_refused(
    session: Session, alex: User, now: datetime, days: int
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        _make(session, alex, now, days=days)
    assert refused.value.errors == {"days": "Enter a number of days from 1 to 365"}
    assert people_queries.api_tokens_of_user(session, user_id(alex)) == []


def test_a_token_is_refused_from_its_expiry_on(session: Session, alex: User, now: datetime) -> None:
    _, secret, expires = _make(session, alex, now, days=30)

    assert api_tokens.token_actor(
        session=session, secret=secret, now=expires - timedelta(seconds=1)
    ).actor
    refused = api_tokens.token_actor(session=session, secret=secret, now=expires)
    assert (refused.actor, refused.refused) == (None, "expired")


def test_disabling_a_person_revokes_their_tokens_for_good(
    session: Session, trust: Trust, alex: User, now: datetime
) -> None:
    _, secret, _ = _make(session, alex, now)
    for disabled in (True, False):
        accounts.set_disabled(
            session=session,
            actor=operator_of(trust),
            user_id=user_id(alex),
            disabled=disabled,
            now=now,
        )
    # Enabled again, but the token stays revoked: they make a new one if they need it.
    use = api_tokens.token_actor(session=session, secret=secret, now=now)
    assert (use.actor, use.refused) == (None, "revoked")
    assert use.token is not None and use.token.revoked_at == now
    _, fresh, _ = _make(session, alex, now)
    assert api_tokens.token_actor(session=session, secret=fresh, now=now).actor is not None


def test_the_default_lifetime_may_not_exceed_the_maximum(settings: Settings) -> None:
    with pytest.raises(ValidationError, match="WIA_API_TOKEN_DEFAULT_DAYS"):
        Settings(**(settings.model_dump() | {"api_token_default_days": 400}))
