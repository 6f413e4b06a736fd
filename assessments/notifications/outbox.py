"""Telling a person something: a notification, and (as they chose) the message that carries
it, written in the caller's transaction, so that a change rolled back tells nobody and a
change committed is never lost before the worker delivers it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from assessments.models import (
    Delivery,
    Notification,
    NotificationKind,
    OutboxMessage,
    User,
)
from assessments.notifications import queries


def delivery_chosen(session: Session, user_id: int, kind: NotificationKind) -> Delivery:
    """How the person hears of `kind`: an email for each unless they chose otherwise (and
    always for their account's own emails)."""
    if kind is NotificationKind.ACCOUNT:
        return Delivery.SINGLE
    choice = queries.choice_of(session, user_id, kind)
    return choice.delivery if choice else Delivery.SINGLE


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
    assert user.id is not None
    if user.disabled or (dedupe_key is not None and queries.already_told(session, dedupe_key)):
        return None
    delivery = delivery_chosen(session, user.id, kind)
    notification = Notification(
        trust_id=user.trust_id,
        user_id=user.id,
        kind=kind,
        subject=subject[:200],
        facts=facts,
        dedupe_key=dedupe_key,
        delivery=delivery,
    )
    try:
        with session.begin_nested():  # two sweeps at once: the second one's key is refused
            if delivery is Delivery.SINGLE:
                message = queue_message(session, user=user, digest=Delivery.SINGLE)
                notification.message_id = message.id
            session.add(notification)
            session.flush()
    except IntegrityError:
        if dedupe_key is None:
            raise
        return None
    return notification


def queue_message(session: Session, *, user: User, digest: Delivery) -> OutboxMessage:
    """A message to `user`'s address, for the worker to render and send."""
    message = OutboxMessage(
        trust_id=user.trust_id, user_id=user.id, to_address=user.email, digest=digest
    )
    session.add(message)
    session.flush()
    return message
