"""The queries of trusts, accounts, roles, sessions and sign-in failures."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from assessments.kernel.actors import Role
from assessments.models import (
    AccountLink,
    ApiToken,
    ResetRequest,
    RoleGrant,
    SignInFailure,
    Trust,
    User,
    WebSession,
)


def get_trust(session: Session, trust_id: int) -> Trust | None:
    return session.get(Trust, trust_id)


def list_trusts(session: Session) -> list[Trust]:
    return list(session.exec(select(Trust).order_by(col(Trust.name))))


def trust_by_name(session: Session, name: str) -> Trust | None:
    return session.exec(select(Trust).where(Trust.name == name)).first()


def get_user(session: Session, user_id: int, *, for_update: bool = False) -> User | None:
    return session.get(User, user_id, with_for_update=for_update, populate_existing=for_update)


def user_by_email(session: Session, email: str, *, trust_id: int) -> User | None:
    query = select(User).where(User.trust_id == trust_id, User.email == email)
    return session.exec(query).first()


def users_by_email(session: Session, email: str) -> list[User]:
    """The accounts of one email, one per trust at most, oldest first."""
    return list(session.exec(select(User).where(User.email == email).order_by(col(User.id))))


def most_accounts_per_email(session: Session) -> int:
    """The most accounts any one email has (at least 1): how many hashes a sign-in checks."""
    count = sa.func.count().label("accounts")
    query = select(count).select_from(User).group_by(col(User.email)).order_by(count.desc())
    return max(1, session.exec(query.limit(1)).first() or 0)


def trust_names(session: Session, trust_ids: list[int]) -> dict[int, str]:
    rows = session.exec(select(Trust.id, Trust.name).where(col(Trust.id).in_(trust_ids)))
    return {trust_id: name for trust_id, name in rows if trust_id is not None}


def sign_in_failure_times(
    session: Session,
    *,
    since: datetime,
    limit: int,
    email_key: str | None = None,
    client_address: str | None = None,
) -> list[datetime]:
    """When the latest failures after `since` (up to `limit`, newest first) for an email or an
    address were."""
    query = select(SignInFailure.occurred_at).where(col(SignInFailure.occurred_at) > since)
    if email_key is not None:
        query = query.where(SignInFailure.email_key == email_key)
    if client_address is not None:
        query = query.where(SignInFailure.client_address == client_address)
    order = col(SignInFailure.occurred_at).desc()
    return list(session.exec(query.order_by(order).limit(limit)))


def forget_sign_in_failures(
    session: Session, *, email_key: str | None = None, before: datetime | None = None
) -> None:
    """Delete an email's failures, or every failure older than `before`."""
    query = sa.delete(SignInFailure)
    if email_key is not None:
        query = query.where(col(SignInFailure.email_key) == email_key)
    if before is not None:
        query = query.where(col(SignInFailure.occurred_at) < before)
    session.execute(query)


def users_of_trust(session: Session, trust_id: int) -> list[User]:
    query = select(User).where(User.trust_id == trust_id).order_by(col(User.name))
    return list(session.exec(query))


def grants_of_user(session: Session, user_id: int) -> list[RoleGrant]:
    return list(session.exec(select(RoleGrant).where(RoleGrant.user_id == user_id)))


def web_session(session: Session, digest: str) -> WebSession | None:
    return session.get(WebSession, digest)


def web_session_with_user(
    session: Session, digest: str
) -> tuple[WebSession, User, list[tuple[Role, int | None]]] | None:
    """A session, its user and the user's grants (role, school), in one query: every signed-in
    request asks, and on PostgreSQL each query is a round trip."""
    query = (
        select(WebSession, User, RoleGrant.role, RoleGrant.school_id)
        .join(User, col(User.id) == WebSession.user_id)
        .outerjoin(RoleGrant, col(RoleGrant.user_id) == User.id)
        .where(WebSession.id == digest)
    )
    rows = session.exec(query).all()
    if not rows:
        return None
    grants = [(Role(role), school_id) for _, _, role, school_id in rows if role is not None]
    return rows[0][0], rows[0][1], grants


def end_web_sessions(session: Session, user_id: int) -> None:
    session.execute(sa.delete(WebSession).where(col(WebSession.user_id) == user_id))


def api_token(session: Session, digest: str) -> ApiToken | None:
    return session.exec(select(ApiToken).where(ApiToken.token_hash == digest)).first()


def revoke_api_tokens_of_user(session: Session, user_id: int, now: datetime) -> list[int]:
    """Revoke every token of the person's still in use; their ids."""
    revoked = live_api_tokens_of_user(session, user_id)
    for token in revoked:
        token.revoked_at = now
        session.add(token)
    return [token.id for token in revoked if token.id is not None]


def live_api_tokens_of_user(session: Session, user_id: int) -> list[ApiToken]:
    query = select(ApiToken).where(ApiToken.user_id == user_id, col(ApiToken.revoked_at).is_(None))
    return list(session.exec(query.order_by(col(ApiToken.id))))


def api_tokens_of_user(session: Session, user_id: int) -> list[ApiToken]:
    query = select(ApiToken).where(ApiToken.user_id == user_id).order_by(col(ApiToken.id))
    return list(session.exec(query))


def get_api_token(session: Session, token_id: int) -> ApiToken | None:
    return session.get(ApiToken, token_id)


def holders_of(session: Session, *, trust_id: int, role: Role, school_id: int | None) -> list[User]:
    """The trust's enabled people holding `role` for a school's records (or, with None, for
    the trust-wide ones): grants for that school or trust-wide, as Actor.holds reads them."""
    trust_wide = col(RoleGrant.school_id).is_(None)
    held = (
        trust_wide
        if school_id is None
        else sa.or_(trust_wide, col(RoleGrant.school_id) == school_id)
    )
    query = (
        select(User)
        .where(User.trust_id == trust_id, col(User.disabled).is_(False))
        .where(
            col(User.id).in_(select(RoleGrant.user_id).where(RoleGrant.role == role).where(held))
        )
        .order_by(col(User.name))
    )
    return list(session.exec(query))


def account_link(session: Session, link_id: int, *, for_update: bool = False) -> AccountLink | None:
    return session.get(AccountLink, link_id, with_for_update=for_update)


def reset_requests(session: Session, *, limit: int) -> list[ResetRequest]:
    """The oldest requests still to be answered; locked, skipping those another worker has."""
    query = select(ResetRequest).order_by(col(ResetRequest.id)).limit(limit)
    return list(session.exec(query.with_for_update(skip_locked=True)))


def account_links_of(session: Session, user_id: int) -> list[AccountLink]:
    query = select(AccountLink).where(AccountLink.user_id == user_id)
    return list(session.exec(query.order_by(col(AccountLink.id))))
