"""Signing in: checking an email and password, and throttling failures by email and by client
address (OWASP's Authentication Cheat Sheet) instead of locking accounts.

After a few failures for one email, each attempt must wait a delay that grows with the
failures; once it has passed, the right password is let through, however many attempts an
attacker makes meanwhile (those made during a delay are refused unchecked and count for
nothing). One client address that fails too often, across any emails, is refused for a while.
Failures are kept by a digest of the email as typed, whether or not it has an account, so no
answer, status or timing tells whether an email exists. They live in the database, so every
instance counts the same.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from assessments.models import SignInFailure, User, WebSession
from assessments.people import queries as people_queries
from assessments.people.passwords import hash_password, verify_password

WRONG_DETAILS = "Enter a correct email address and password"


CHOOSE_TRUST = "This email address and password sign in to more than one trust: choose one"


WINDOW = timedelta(minutes=15)  # failures older than this count for nothing


FREE_FAILURES = 3  # failures for one email before each attempt must wait


FIRST_DELAY, MAX_DELAY = timedelta(seconds=15), timedelta(minutes=5)  # doubling in between


ADDRESS_LIMIT = 30  # failures from one client address, across all emails, within WINDOW


# Verified in place of a missing account, so every sign-in costs the same number of checks.
_NO_ACCOUNT_HASH = hash_password(secrets.token_urlsafe(16))


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def email_key(email: str) -> str:
    """What failures are counted by: the email as typed, lower-case, by SHA-256."""
    return digest(email.strip().lower())


def delay_after(failures: int) -> timedelta:
    """How long after the last failure for one email the next attempt must wait."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(FIRST_DELAY * (1 << min(failures - FREE_FAILURES, 16)), MAX_DELAY)


@dataclass(frozen=True)
class Throttled:
    """An attempt refused before its password is checked, and when to try again."""

    retry_after: timedelta
    problem: str

    @property
    def seconds(self) -> int:
        return max(1, math.ceil(self.retry_after.total_seconds()))


def _wait(retry_after: timedelta, who: str) -> Throttled:
    minutes = max(1, math.ceil(retry_after.total_seconds() / 60))
    when = "in a minute" if minutes == 1 else f"in {minutes} minutes"
    return Throttled(retry_after, f"Too many failed sign-ins {who}. Try again {when}")


def throttle(
    *, session: Session, email: str, client_address: str, now: datetime
) -> Throttled | None:
    """Whether this attempt must wait: its address failed too often lately, or its email
    failed several times and the delay since the last failure has not yet passed."""
    since = now - WINDOW
    from_address = people_queries.sign_in_failure_times(
        session, client_address=client_address, since=since, limit=ADDRESS_LIMIT
    )
    if len(from_address) >= ADDRESS_LIMIT:  # until the oldest of them leaves the window
        return _wait(from_address[-1] + WINDOW - now, "from your network")
    for_email = people_queries.sign_in_failure_times(
        session, email_key=email_key(email), since=since, limit=FREE_FAILURES + 16
    )
    until = for_email[0] + delay_after(len(for_email)) if for_email else now
    return _wait(until - now, "for this email address") if until > now else None


@dataclass(frozen=True)
class CredentialCheck:
    """What checking an email and password found; `sign_in` records it."""

    email: str
    client_address: str
    throttled: Throttled | None = None
    user_id: int | None = None  # the one account the password opens, if any
    new_hash: str | None = None  # a rehash of the password with today's parameters, to store
    trusts: tuple[tuple[int, str], ...] = ()  # (id, name) when it opens accounts in several


def check_credentials(
    *,
    session: Session,
    email: str,
    password: str,
    client_address: str,
    now: datetime,
    trust_id: int | None = None,
) -> CredentialCheck:
    """The slow part of signing in (Argon2), which only reads: callers run it outside any write
    transaction. An email may have an account in several trusts (one per trust): the password
    picks the account, or `trust_id` when it opens more than one. Every unthrottled attempt
    checks as many hashes as the most accounts any email has, so the time taken tells nothing
    about this email's accounts."""
    if throttled := throttle(session=session, email=email, client_address=client_address, now=now):
        return CredentialCheck(email=email, client_address=client_address, throttled=throttled)
    accounts = people_queries.users_by_email(session, email.strip().lower())
    opened: list[tuple[User, str | None]] = []
    for user in accounts:
        matches, new_hash = verify_password(password, user.password_hash)
        if matches and not user.disabled and trust_id in (None, user.trust_id):
            opened.append((user, new_hash))
    for _ in range(people_queries.most_accounts_per_email(session) - len(accounts)):
        verify_password(password, _NO_ACCOUNT_HASH)
    if len(opened) == 1:
        user, new_hash = opened[0]
        return CredentialCheck(email, client_address, user_id=user.id, new_hash=new_hash)
    if len(opened) > 1:
        names = people_queries.trust_names(session, [user.trust_id for user, _ in opened])
        return CredentialCheck(email, client_address, trusts=tuple(sorted(names.items())))
    return CredentialCheck(email, client_address)  # no account that this password opens


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in attempt: a session token, or a message for the person."""

    user: User | None
    token: str | None
    problem: str | None
    throttled: Throttled | None = None
    trusts: tuple[tuple[int, str], ...] = ()  # to choose from (the password was right)


def sign_in(*, session: Session, check: CredentialCheck, now: datetime) -> SignIn:
    """Record a credential check: start a session (forgetting the email's failures), or
    count the failure against the email and the client address."""
    if check.throttled is not None:  # refused unchecked: counts for nothing
        return SignIn(None, None, check.throttled.problem, throttled=check.throttled)
    if check.trusts:
        return SignIn(None, None, CHOOSE_TRUST, trusts=check.trusts)
    user = (
        people_queries.get_user(session, check.user_id, for_update=True) if check.user_id else None
    )
    if user is None or user.disabled:
        people_queries.forget_sign_in_failures(session, before=now - WINDOW)
        session.add(
            SignInFailure(
                email_key=email_key(check.email),
                client_address=check.client_address,
                occurred_at=now,
            )
        )
        session.flush()
        return SignIn(None, None, WRONG_DETAILS)
    people_queries.forget_sign_in_failures(session, email_key=email_key(check.email))
    if check.new_hash:
        user.password_hash = check.new_hash
        session.add(user)
    return SignIn(user, start_web_session(session, user, now), None)


def start_web_session(session: Session, user: User, now: datetime) -> str:
    """A new signed-in session of `user`; its cookie's token (only its digest is kept)."""
    token = secrets.token_urlsafe(32)
    assert user.id is not None
    session.add(WebSession(id=digest(token), user_id=user.id, created_at=now, last_seen_at=now))
    session.flush()
    return token


def recent_failures(*, session: Session, email: str, now: datetime) -> int:
    """How many times signing in with this email failed lately (up to a few more than make
    each attempt wait)."""
    key, limit = email_key(email), FREE_FAILURES + 16
    return len(
        people_queries.sign_in_failure_times(
            session, email_key=key, since=now - WINDOW, limit=limit
        )
    )


def forget_failures(*, session: Session, email: str) -> None:
    """Let an email be tried again at once (an admin re-enabling its account)."""
    people_queries.forget_sign_in_failures(session, email_key=email_key(email))
