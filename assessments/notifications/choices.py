"""What a person has been told lately, and how they choose to hear of each kind (an email for
each, a daily or weekly digest, or none); the one-click unsubscribe sets one kind, or one
digest's kinds, to none."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from assessments.kernel.actors import Actor
from assessments.kernel.errors import NotAllowed, ValidationFailed
from assessments.models import (
    Delivery,
    MessageStatus,
    NotificationChoice,
    NotificationKind,
)
from assessments.notifications import queries
from assessments.notifications.outbox import delivery_chosen, delivery_of
from assessments.people import queries as people_queries

RECENT = 50  # notifications listed on a person's page
# Kinds a person chooses for: account emails are always sent, and a consultation's go to an
# address, not an account.
CHOSEN_KINDS: tuple[NotificationKind, ...] = tuple(
    kind
    for kind in NotificationKind
    if kind not in (NotificationKind.ACCOUNT, NotificationKind.CONSULTATION)
)


@dataclass(frozen=True)
class Told:
    """One notification as its person's page lists it."""

    subject: str
    kind: NotificationKind
    created_at: datetime
    delivery: Delivery
    status: MessageStatus | None  # of its email; None while a digest waits, or for no email
    sent_at: datetime | None


def _user_of(actor: Actor) -> int:
    if actor.user_id is None:
        raise NotAllowed("Only a person signed in has notifications")
    return actor.user_id


def recent(*, session: Session, actor: Actor) -> list[Told]:
    """What the actor was told lately, newest first, with how each went."""
    return [
        Told(
            subject=n.subject,
            kind=n.kind,
            created_at=n.created_at,
            delivery=n.delivery,
            status=message.status if message else None,
            sent_at=message.sent_at if message else None,
        )
        for n, message in queries.told_lately(session, _user_of(actor), limit=RECENT)
    ]


def chosen(*, session: Session, actor: Actor) -> dict[NotificationKind, Delivery]:
    """How the actor hears of each kind they may choose for."""
    user_id = _user_of(actor)
    made = queries.choices_of(session, [user_id])
    return {kind: delivery_of(kind, made.get((user_id, kind))) for kind in CHOSEN_KINDS}


def choose(*, session: Session, actor: Actor, choices: dict[str, str]) -> None:
    """Save the actor's choices: every kind, each one of Delivery's values."""
    user_id = _user_of(actor)
    errors, wanted = {}, {}
    for kind in CHOSEN_KINDS:
        try:
            wanted[kind] = Delivery(choices.get(kind.value, ""))
        except ValueError:
            errors[kind.value] = f"Choose how you hear of “{kind.label.lower()}”"
    if errors:
        raise ValidationFailed(errors)
    for kind, delivery in wanted.items():
        _set(session, user_id, kind, delivery)
    session.flush()


def _set(session: Session, user_id: int, kind: NotificationKind, delivery: Delivery) -> None:
    choice = queries.choice_of(session, user_id, kind)
    if choice is None:
        choice = NotificationChoice(user_id=user_id, kind=kind, delivery=delivery)
    choice.delivery = delivery
    session.add(choice)
    if delivery is not Delivery.SINGLE:  # what waits for a digest follows the new choice
        for waiting in queries.waiting_of(session, user_id, kind):
            waiting.delivery = delivery
            session.add(waiting)


def stop(session: Session, *, user_id: int, topic: str) -> list[NotificationKind]:
    """One-click unsubscribe: `topic` (one kind, or a digest) stopped for the person; the kinds
    it stopped (none when it already was, or the account is gone)."""
    if people_queries.get_user(session, user_id) is None:
        return []
    if topic in (Delivery.DAILY.value, Delivery.WEEKLY.value):
        kinds: list[NotificationKind] = [
            k for k in CHOSEN_KINDS if delivery_chosen(session, user_id, k).value == topic
        ]
    elif topic in {kind.value for kind in CHOSEN_KINDS}:
        kinds = [NotificationKind(topic)]
        if delivery_chosen(session, user_id, kinds[0]) is Delivery.NONE:
            kinds = []
    else:
        kinds = []
    for kind in kinds:
        _set(session, user_id, kind, Delivery.NONE)
    session.flush()
    return kinds
