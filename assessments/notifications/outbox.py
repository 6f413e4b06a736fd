"""Telling a person something: a notification, and (as they chose) the message that carries
it, written in the caller's transaction, so that a change rolled back tells nobody and a
change committed is never lost before the worker delivers it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from assessments.kernel import clock
from assessments.models import (
    Delivery,
    MessageStatus,
    NotificationKind,
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
    if kind in (NotificationKind.ACCOUNT, NotificationKind.CONSULTATION):
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
) -> bool:
    """Tell `user` something (not a disabled account, nor when `dedupe_key` has been told
    already: then False). An email for each is queued now; a digest's wait for the sweep."""
    return notify_all(session, [Tell(user, kind, subject, facts, dedupe_key)]) == 1


def notify_all(session: Session, tells: Iterable[Tell], *, keys_checked: bool = False) -> int:
    """Tell each of `tells` (a sweep's hundreds of reminders in a few statements, however
    many): those not told already by their key (unless the caller has just checked them:
    `keys_checked`), to enabled accounts, as each person chose; how many were told. The
    caller keeps two sweeps from running at once (run_sweep's day)."""
    wanted = [t for t in tells if not t.user.disabled]
    keys = [t.dedupe_key for t in wanted if t.dedupe_key is not None and not keys_checked]
    told = queries.told_keys(session, keys)
    wanted = [t for t in wanted if t.dedupe_key is None or _first_time(t.dedupe_key, told)]
    if not wanted:
        return 0
    chosen = queries.choices_of(session, list({t.user.id for t in wanted if t.user.id}))
    deliveries = [delivery_of(t.kind, chosen.get((t.user.id or 0, t.kind))) for t in wanted]
    emailed = [t.user for t, d in zip(wanted, deliveries, strict=True) if d is Delivery.SINGLE]
    message_ids = iter(queue_messages(session, emailed, Delivery.SINGLE))  # in `emailed`'s order
    now = clock.now()
    queries.insert_notifications(
        session,
        [
            {
                "trust_id": t.user.trust_id,
                "user_id": t.user.id,
                "kind": t.kind,
                "subject": t.subject[:200],
                "facts": t.facts,
                "dedupe_key": t.dedupe_key,
                "delivery": delivery,
                "message_id": next(message_ids) if delivery is Delivery.SINGLE else None,
                "created_at": now,
            }
            for t, delivery in zip(wanted, deliveries, strict=True)
        ],
    )
    return len(wanted)


@dataclass(frozen=True)
class Letter:
    """One email to an address, which may have no account (a member of staff consulted)."""

    to_address: str
    subject: str
    facts: dict[str, Any]


def write_letters(
    session: Session, trust_id: int, kind: NotificationKind, letters: list[Letter]
) -> int:
    """An email for each of `letters` (each to an address of its own), queued now: to an
    address, not a person's account, so nobody's choices apply. How many were queued."""
    now = clock.now()
    message_rows = [
        _message_row(trust_id, None, letter.to_address, Delivery.SINGLE, now) for letter in letters
    ]
    message_ids = queries.insert_messages(session, message_rows)
    queries.insert_notifications(
        session,
        [
            {
                "trust_id": trust_id,
                "user_id": None,
                "kind": kind,
                "subject": letter.subject[:200],
                "facts": letter.facts,
                "dedupe_key": None,
                "delivery": Delivery.SINGLE,
                "message_id": message_id,
                "created_at": now,
            }
            for letter, message_id in zip(letters, message_ids, strict=True)
        ],
    )
    return len(letters)


def _first_time(key: str, told: set[str]) -> bool:
    """Whether `key` is not told yet (and, from now, is: a key given twice is told once)."""
    if key in told:
        return False
    told.add(key)
    return True


def queue_messages(session: Session, users: list[User], digest: Delivery) -> list[int]:
    """A message to each of `users`' addresses, for the worker to render and send; the new
    messages' ids, in `users`' order."""
    now = clock.now()
    rows = [_message_row(user.trust_id, user.id, user.email, digest, now) for user in users]
    return queries.insert_messages(session, rows)


def _message_row(
    trust_id: int, user_id: int | None, address: str, digest: Delivery, now: datetime
) -> dict[str, Any]:
    """A new outbox message, due now, as the table's insert takes it."""
    return {
        "trust_id": trust_id,
        "user_id": user_id,
        "to_address": address,
        "digest": digest,
        "status": MessageStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": "",
        "created_at": now,
    }
