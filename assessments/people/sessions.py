"""Signed-in sessions: who a browser's session cookie is, how long it lasts, signing out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from assessments.kernel.actors import Actor
from assessments.people import queries as people_queries
from assessments.people.accounts import _actor
from assessments.people.authentication import digest  # people.digest, as before

TOUCH_EVERY = timedelta(minutes=1)  # how often a session's or token's last use is recorded


@dataclass(frozen=True)
class SessionLimits:
    idle: timedelta  # signed out after this long without a request
    absolute: timedelta  # and after this long whatever happens


@dataclass(frozen=True)
class SignedIn:
    actor: Actor
    touch_due: bool  # the session's last activity is old enough to record again


def signed_in_actor(
    *, session: Session, token: str, now: datetime, limits: SessionLimits
) -> SignedIn | None:
    """The actor behind a session cookie, or None when it has ended, expired or is unknown.
    Reads only: `touch_session` records activity, in a transaction of its own and at most
    once a minute, so that page views do not all queue for the database's write lock."""
    found = people_queries.web_session_with_user(session, digest(token))
    if found is None:
        return None
    row, user, grants = found
    ended = now - row.created_at > limits.absolute or now - row.last_seen_at > limits.idle
    if ended or user.disabled:
        return None
    return SignedIn(_actor(user, grants), touch_due=activity_due(row.last_seen_at, now))


def activity_due(last_recorded: datetime | None, now: datetime) -> bool:
    """Whether a session's or token's last use is old enough to be recorded again."""
    return last_recorded is None or now - last_recorded >= TOUCH_EVERY


def touch_session(*, session: Session, token: str, now: datetime) -> None:
    """Record that a session was used, for the idle time-out."""
    row = people_queries.web_session(session, digest(token))
    if row is not None:
        row.last_seen_at = now
        session.add(row)
        session.flush()


def sign_out(*, session: Session, token: str) -> None:
    """End one session; its cookie no longer signs anyone in."""
    row = people_queries.web_session(session, digest(token))
    if row is not None:
        session.delete(row)
        session.flush()
