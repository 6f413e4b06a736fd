"""API tokens: created, listed and revoked by their owner, expiring, and used by the API."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from assessments.kernel import audit
from assessments.kernel.actors import Actor
from assessments.kernel.errors import NotFound, ValidationFailed
from assessments.models import ApiToken
from assessments.people import queries as people_queries
from assessments.people.accounts import actor_of
from assessments.people.authentication import digest  # people.digest, as before
from assessments.people.sessions import activity_due


@dataclass(frozen=True)
class TokenLifetime:
    default_days: int  # a new token's life when none is chosen
    max_days: int  # the longest one may be given


TOKEN_LIFETIME = TokenLifetime(default_days=90, max_days=365)  # the settings' defaults


def create_api_token(
    *,
    session: Session,
    actor: Actor,
    name: str,
    now: datetime,
    days: int | None = None,
    lifetime: TokenLifetime = TOKEN_LIFETIME,
) -> tuple[ApiToken, str]:
    """A personal API token for the actor, expiring after `days` (the default when None, at
    most the maximum); the secret is returned once and never stored."""
    if actor.user_id is None:
        raise NotFound("There is no signed-in user")
    name = name.strip()
    errors = {}
    if not name or len(name) > 100:
        errors["name"] = "Enter a name for the token of up to 100 characters"
    days = lifetime.default_days if days is None else days
    if not 1 <= days <= lifetime.max_days:
        errors["days"] = f"Enter a number of days from 1 to {lifetime.max_days}"
    if errors:
        raise ValidationFailed(errors)
    secret = "wia_" + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=actor.user_id,
        name=name,
        token_hash=digest(secret),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        entity="api_token",
        entity_id=row.id,
        action="created",
        details={"name": name, "expires_at": row.expires_at.isoformat()},
        trust_id=actor.trust_id,
    )
    return row, secret


def list_api_tokens(*, session: Session, actor: Actor) -> list[ApiToken]:
    """The actor's own API tokens, oldest first (their secrets are not kept)."""
    if actor.user_id is None:
        return []
    return people_queries.api_tokens_of_user(session, actor.user_id)


def revoke_api_token(*, session: Session, actor: Actor, token_id: int, now: datetime) -> None:
    """Stop one of the actor's own tokens from working."""
    row = people_queries.get_api_token(session, token_id)
    if row is None or row.user_id != actor.user_id:
        raise NotFound(f"There is no token {token_id}")
    if row.revoked_at is None:
        row.revoked_at = now
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor,
            entity="api_token",
            entity_id=token_id,
            action="revoked",
            details={"name": row.name},
            trust_id=actor.trust_id,
        )


@dataclass(frozen=True)
class TokenUse:
    """What a bearer token is: the actor it acts as, or why it is refused."""

    actor: Actor | None
    token: ApiToken | None
    refused: str | None  # "unknown", "revoked", "expired" or "user disabled"


def token_actor(*, session: Session, secret: str, now: datetime) -> TokenUse:
    """The actor behind a bearer token, or why it is refused: unknown, revoked, expired or
    its user disabled."""
    row = people_queries.api_token(session, digest(secret))
    if row is None:
        return TokenUse(None, None, "unknown")
    if row.revoked_at is not None:
        return TokenUse(None, row, "revoked")
    if row.expires_at <= now:
        return TokenUse(None, row, "expired")
    user = people_queries.get_user(session, row.user_id)
    if user is None or user.disabled:
        return TokenUse(None, row, "user disabled")
    return TokenUse(actor_of(session, user), row, None)


def record_token_use(*, session: Session, token_id: int, now: datetime) -> None:
    """Note when a token was last used (shown on its owner's tokens page)."""
    row = people_queries.get_api_token(session, token_id)
    if row is not None and activity_due(row.last_used_at, now):
        row.last_used_at = now
        session.add(row)
        session.flush()
