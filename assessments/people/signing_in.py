"""Signing in and recognising who is signed in, each in the short transactions it needs.

The slow password check only reads, so it runs before, not inside, the write that records it;
recognising a session or an API token reads in one transaction and records the use (at most
once a minute) in another, so that page views never queue for the write lock just to say they
happened. `open_unit(read_only=...)` opens one unit of work (`kernel.db.unit_of_work`)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

from sqlmodel import Session

from assessments.kernel import clock
from assessments.kernel.actors import Actor
from assessments.people import api_tokens, authentication, sessions

OpenUnit = Callable[..., AbstractContextManager[Session]]


def sign_in_with_password(
    *,
    open_unit: OpenUnit,
    email: str,
    password: str,
    client_address: str,
    trust_id: int | None,
) -> authentication.SignIn:
    """Check the email and password, then record the outcome: a new session, or a failure
    counted against the email and the client address."""
    with open_unit(read_only=True) as session:
        check = authentication.check_credentials(
            session=session,
            email=email,
            password=password,
            client_address=client_address,
            now=clock.now(),
            trust_id=trust_id,
        )
    with open_unit(read_only=False) as session:
        return authentication.sign_in(session=session, check=check, now=clock.now())


def session_actor(
    *, open_unit: OpenUnit, token: str, limits: sessions.SessionLimits
) -> Actor | None:
    """Who a session cookie signs in, or None when its session has ended or is unknown."""
    with open_unit(read_only=True) as session:
        signed_in = sessions.signed_in_actor(
            session=session, token=token, now=clock.now(), limits=limits
        )
    if signed_in is None:
        return None
    if signed_in.touch_due:
        with open_unit(read_only=False) as session:
            sessions.touch_session(session=session, token=token, now=clock.now())
    return signed_in.actor


def token_use(*, open_unit: OpenUnit, secret: str | None) -> api_tokens.TokenUse | None:
    """What a bearer token is (None when none was sent), its use recorded if it acts."""
    with open_unit(read_only=True) as session:
        found = (
            api_tokens.token_actor(session=session, secret=secret, now=clock.now())
            if secret
            else None
        )
    if found is None or found.token is None or found.actor is None:
        return found
    token_id = found.token.id
    assert token_id is not None
    if sessions.activity_due(found.token.last_used_at, clock.now()):
        with open_unit(read_only=False) as session:
            api_tokens.record_token_use(session=session, token_id=token_id, now=clock.now())
    return found
