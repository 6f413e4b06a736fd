"""Telling a person something: a notification, and (as they chose) the message that carries
it, written in the caller's transaction, so that a change rolled back tells nobody and a
change committed is never lost before the worker delivers it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from assessments.models import (
    Delivery,
    Notification,
    NotificationKind,
    OutboxMessage,
    User,
)
from assessments.notifications import queries


@dataclass(frozen=True)
class Tell:
    """One thing to tell one person; `dedupe_key` makes it once only (the sweep's reminders)."""

    user: User
    kind: NotificationKind
    subject: str
    facts: dict[str, Any] = field(default_factory=dict)
    dedupe_key: str | None = None


def delivery_chosen(session: Session, user_id: int, kind: NotificationKind) -> Delivery:
    """How the person hears of `kind`: an email for each unless they chose otherwise (and
    always for their account's own emails)."""
    return delivery_of(kind, queries.choices_of(session, [user_id]).get((user_id, kind)))


def delivery_of(kind: NotificationKind, choice: Delivery | None) -> Delivery:
    """The delivery a person's `choice` (None: they made none) gives `kind`."""
    if kind is NotificationKind.ACCOUNT:
        return Delivery.SINGLE
    return choice or Delivery.SINGLE


def notify(
    session: Session,
    *,
    user: User,
    kind: NotificationKind,
    subject: str,
    facts: dict[str, Any],
    dedupe_key: str | None = None,
) -> Notification | None:
    """Tell `user` something (nothing for a disabled account, or when `dedupe_key` has been
    told already). An email for each is queued now; a digest's wait for the daily sweep."""
    told = notify_all(session, [Tell(user, kind, subject, facts, dedupe_key)])
    return told[0] if told else None


def notify_all(session: Session, tells: Iterable[Tell]) -> list[Notification]:
    """Tell each of `tells` (a sweep's hundreds of reminders in a few statements, however
    many): those not told already by their key, to enabled accounts, as each person chose.
    The caller keeps two sweeps from running at once (reminders.run_sweep's day row)."""
    wanted = [t for t in tells if not t.user.disabled]
    keys = [t.dedupe_key for t in wanted if t.dedupe_key is not None]
    told_before = queries.told_keys(session, keys) if keys else set()
    wanted = [t for t in wanted if t.dedupe_key not in told_before]
    chosen = queries.choices_of(session, list({t.user.id for t in wanted if t.user.id}))
    deliveries = [delivery_of(t.kind, chosen.get((t.user.id or 0, t.kind))) for t in wanted]
    messages = {
        i: _message(t.user, Delivery.SINGLE)
        for i, (t, delivery) in enumerate(zip(wanted, deliveries, strict=True))
        if delivery is Delivery.SINGLE
    }
    session.add_all(messages.values())
    session.flush()  # the messages' ids, for their notifications
    notifications = [
        Notification(
            trust_id=t.user.trust_id,
            user_id=t.user.id or 0,
            kind=t.kind,
            subject=t.subject[:200],
            facts=t.facts,
            dedupe_key=t.dedupe_key,
            delivery=delivery,
            message_id=messages[i].id if i in messages else None,
        )
        for i, (t, delivery) in enumerate(zip(wanted, deliveries, strict=True))
    ]
    session.add_all(notifications)
    session.flush()
    return notifications


def _message(user: User, digest: Delivery) -> OutboxMessage:
    return OutboxMessage(
        trust_id=user.trust_id, user_id=user.id, to_address=user.email, digest=digest
    )


def queue_message(session: Session, *, user: User, digest: Delivery) -> OutboxMessage:
    """A message to `user`'s address, for the worker to render and send."""
    message = _message(user, digest)
    session.add(message)
    session.flush()
    return message
