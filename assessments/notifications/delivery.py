"""The outbox as the worker sees it: messages claimed for sending (several workers on
PostgreSQL never take the same one: FOR UPDATE SKIP LOCKED), their content, and each outcome.
A message is marked sent in its own transaction the moment the mail server accepts it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from assessments.models import MessageStatus, Notification, OutboxMessage, User
from assessments.notifications import queries
from assessments.people import queries as people_queries

MAX_ERROR = 1000  # characters of a server's refusal kept on the message


@dataclass(frozen=True)
class Outgoing:
    """One claimed message, with what it carries and to whom."""

    message: OutboxMessage
    notifications: list[Notification]
    recipient: User | None  # None if the account has since been removed


def take(session: Session, *, now: datetime, lease: timedelta) -> Outgoing | None:
    """The next message due for sending, held for `lease` (after which, if its worker died,
    another takes it), with what it carries; None when nothing is due. The caller commits
    before sending, so that the hold is seen by the other workers and no lock is kept while
    the mail server is talked to."""
    message = queries.next_due_message(session, now=now)
    if message is None:
        return None
    message.claimed_until = now + lease
    session.add(message)
    session.flush()
    assert message.id is not None
    notifications = queries.carried_by(session, message.id)
    recipient = (
        None if message.user_id is None else people_queries.get_user(session, message.user_id)
    )
    return Outgoing(message, notifications, recipient)


def mark_sent(session: Session, message_id: int, *, now: datetime) -> None:
    """The mail server accepted the message: never sent again."""
    message = _message(session, message_id)
    message.status, message.sent_at, message.claimed_until = MessageStatus.SENT, now, None
    message.attempts += 1
    session.add(message)
    session.flush()


def mark_not_sent(
    session: Session,
    message_id: int,
    *,
    now: datetime,
    error: str,
    max_attempts: int,
    permanent: bool = False,
) -> MessageStatus:
    """A try that failed: tried again later, each wait twice the last (from a minute, up to
    six hours), or given up after `max_attempts` (or at once when the failure is `permanent`,
    such as an address the server refuses for good)."""
    message = _message(session, message_id)
    message.attempts += 1
    message.last_error, message.claimed_until = error[:MAX_ERROR], None
    if permanent or message.attempts >= max_attempts:
        message.status = MessageStatus.FAILED
    else:
        message.next_attempt_at = now + retry_wait(message.attempts)
    session.add(message)
    session.flush()
    return message.status


def release(session: Session, message_id: int, *, error: str) -> None:
    """Give a message back untried, its tries untouched: the fault was the mail server's or
    the settings', and the next worker round tries it again as it was."""
    message = _message(session, message_id)
    message.claimed_until, message.last_error = None, error[:MAX_ERROR]
    session.add(message)
    session.flush()


def retry_wait(attempts: int) -> timedelta:
    """How long to wait after the `attempts`th failed try."""
    return min(timedelta(minutes=2 ** (attempts - 1)), timedelta(hours=6))


def drop(session: Session, message_id: int, why: str) -> None:
    """A message not to be sent at all (`why` is kept on it)."""
    message = _message(session, message_id)
    message.status, message.claimed_until, message.last_error = MessageStatus.FAILED, None, why
    session.add(message)
    session.flush()


def _message(session: Session, message_id: int) -> OutboxMessage:
    return queries.message_locked(session, message_id)
