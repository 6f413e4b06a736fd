"""The outbox as the worker sees it: messages claimed for sending, a batch at a time (several
workers on PostgreSQL never take the same one: FOR UPDATE SKIP LOCKED), their content, and
each outcome. A message is marked sent in its own transaction the moment the mail server
accepts it, not with the rest of its batch: a worker that dies mid-batch leaves no message
that was sent looking unsent, for another worker to send again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from assessments.models import MessageStatus, Notification, OutboxMessage, User
from assessments.notifications import queries

MAX_ERROR = 1000  # characters of a server's refusal kept on the message


@dataclass(frozen=True)
class Outgoing:
    """One claimed message, with what it carries and to whom."""

    message: OutboxMessage
    notifications: list[Notification]
    recipient: User | None  # None if the account has since been removed


def take(session: Session, *, now: datetime, lease: timedelta, limit: int) -> list[Outgoing]:
    """Up to `limit` messages due for sending, held for `lease` (after which, if their worker
    died, another takes them), each with what it carries; none when nothing is due. The
    caller commits before sending, so that the hold is seen by the other workers and no lock
    is kept while the mail server is talked to."""
    messages = queries.due_messages(session, now=now, limit=limit)
    ids = [m.id for m in messages if m.id is not None]
    if not ids:
        return []
    queries.hold(session, ids, now + lease)  # the messages' claimed_until too: the hold's token
    carried = queries.carried_by_each(session, ids)
    people = queries.people(session, {m.user_id for m in messages if m.user_id is not None})
    return [Outgoing(m, carried.get(m.id or 0, []), people.get(m.user_id or 0)) for m in messages]


def mark_sent(session: Session | sa.Connection, message_id: int, *, now: datetime) -> None:
    """The mail server accepted the message: never sent again (one statement)."""
    queries.mark_sent(session, message_id, now)


def mark_not_sent(
    session: Session,
    message_id: int,
    *,
    now: datetime,
    error: str,
    max_attempts: int,
    permanent: bool = False,
    held_until: datetime | None = None,
) -> MessageStatus:
    """A try that failed: tried again later, each wait twice the last (from a minute, up to
    six hours), or given up after `max_attempts` (or at once when the failure is `permanent`,
    such as an address the server refuses for good). With `held_until`, the hold the try was
    made under: nothing changes if the message is no longer held under it (another worker
    took it when the hold ran out, and its hold must stand)."""
    message = _message(session, message_id)
    if held_until is not None and (
        message.status is not MessageStatus.PENDING or message.claimed_until != held_until
    ):
        return message.status
    message.attempts += 1
    message.last_error, message.claimed_until = error[:MAX_ERROR], None
    if permanent or message.attempts >= max_attempts:
        message.status = MessageStatus.FAILED
    else:
        message.next_attempt_at = now + retry_wait(message.attempts)
    session.add(message)
    session.flush()
    return message.status


def release(
    session: Session, message_ids: list[int], *, held_until: datetime, error: str = ""
) -> None:
    """Give messages back untried, their tries untouched: the fault was the mail server's or
    the settings' (`error`, kept on them), or their worker stopped short of them; the next
    round tries them again as they were. Only those still held under `held_until`: a hold
    that ran out may be another worker's by now, and its hold must stand."""
    queries.give_back(session, message_ids, held_until=held_until, error=error[:MAX_ERROR])


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
