"""The queries of notifications and the outbox."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Row
from sqlmodel import Session, SQLModel, and_, col, or_, select

from assessments.kernel.bulk_queries import insert_many, is_one_of, update_many
from assessments.models import (
    AssessmentVersion,
    Delivery,
    MessageStatus,
    MitigatingAction,
    Notification,
    NotificationChoice,
    NotificationKind,
    OutboxMessage,
    Policy,
    PolicyStatus,
    SweepRun,
    Trust,
    User,
)
from assessments.progress import queries as progress_queries

CHUNK = 500  # values in one IN (…), well inside every database's limit
NOTIFICATION = SQLModel.metadata.tables["notification"]
OUTBOX = SQLModel.metadata.tables["outbox_message"]


def insert_notifications(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert `rows` at once (no entities: a sweep writes hundreds)."""
    insert_many(session, NOTIFICATION, rows)


def insert_messages(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert outbox messages at once; their ids, in the rows' order."""
    return insert_many(session, OUTBOX, rows)


def carry(session: Session, message_of: dict[int, int]) -> None:
    """Put each notification (by id) into its message (`message_of[notification]`)."""
    update_many(session, NOTIFICATION, "message_id", message_of)


def told_keys(session: Session, keys: list[str]) -> set[str]:
    """Which of `keys` (a sweep's thousands) have been told already."""
    if not keys:
        return set()
    dedupe_key = NOTIFICATION.c.dedupe_key
    query = sa.select(dedupe_key).where(is_one_of(session, dedupe_key, keys))
    return set(session.connection().execute(query).scalars())


def choices_of(
    session: Session, user_ids: list[int]
) -> dict[tuple[int, NotificationKind], Delivery]:
    """The choices these people made, by (person, kind): a kind without one is an email each."""
    chosen: dict[tuple[int, NotificationKind], Delivery] = {}
    for start in range(0, len(user_ids), CHUNK):
        chunk = user_ids[start : start + CHUNK]
        query = select(NotificationChoice).where(col(NotificationChoice.user_id).in_(chunk))
        chosen.update({(c.user_id, c.kind): c.delivery for c in session.exec(query)})
    return chosen


def told_lately(
    session: Session, user_id: int, *, limit: int
) -> list[tuple[Notification, OutboxMessage | None]]:
    """A person's notifications, newest first, each with the message that carries it."""
    query = (
        select(Notification, OutboxMessage)
        .join(OutboxMessage, isouter=True)
        .where(Notification.user_id == user_id)
        .order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
        .limit(limit)
    )
    return list(session.exec(query).all())


def due_messages(session: Session, *, now: datetime, limit: int) -> list[OutboxMessage]:
    """Up to `limit` pending messages due longest, not held by a worker; locked, skipping any
    another worker has locked (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite has one writer)."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == MessageStatus.PENDING)
        .where(col(OutboxMessage.next_attempt_at) <= now)
        .where(
            or_(
                col(OutboxMessage.claimed_until).is_(None),
                col(OutboxMessage.claimed_until) < now,
            )
        )
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.exec(query))


def hold(session: Session, message_ids: list[int], until: datetime) -> None:
    """Held by a worker until `until` (the loaded messages say so too)."""
    session.execute(
        sa.update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(message_ids))
        .values(claimed_until=until)
        .execution_options(synchronize_session="evaluate")
    )


def give_back(
    session: Session, message_ids: list[int], *, held_until: datetime, error: str
) -> None:
    """No longer held, those still pending under the hold `held_until` (with the reason they
    were not sent, if any: else the last one stays)."""
    changes: dict[str, Any] = {"claimed_until": None}
    if error:
        changes["last_error"] = error
    session.execute(
        sa.update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(message_ids))
        .where(col(OutboxMessage.status) == MessageStatus.PENDING)
        .where(col(OutboxMessage.claimed_until) == held_until)
        .values(**changes)
        .execution_options(synchronize_session=False)
    )


# Built once: the worker marks each message sent in a transaction of its own, and the ORM's
# UPDATE, built each time, costs more than the rest of that transaction.
MARK_SENT = (
    sa.update(OUTBOX)
    .where(OUTBOX.c.id == sa.bindparam("message_id"))
    # Once only: a mark made again (its first answer lost with the connection) changes nothing.
    .where(OUTBOX.c.status == MessageStatus.PENDING)
    .values(
        status=MessageStatus.SENT,
        sent_at=sa.bindparam("now"),
        claimed_until=None,
        attempts=OUTBOX.c.attempts + 1,
    )
)


def mark_sent(session: Session | sa.Connection, message_id: int, now: datetime) -> None:
    session.execute(MARK_SENT, {"message_id": message_id, "now": now})


def carried_by_each(session: Session, message_ids: list[int]) -> dict[int, list[Notification]]:
    """What each message carries, oldest first."""
    query = (
        select(Notification)
        .where(col(Notification.message_id).in_(message_ids))
        .order_by(col(Notification.id))
    )
    carried: dict[int, list[Notification]] = {}
    for notification in session.exec(query):
        carried.setdefault(notification.message_id or 0, []).append(notification)
    return carried


def choice_of(session: Session, user_id: int, kind: NotificationKind) -> NotificationChoice | None:
    return session.get(NotificationChoice, (user_id, kind))


def message_locked(session: Session, message_id: int) -> OutboxMessage:
    message = session.get(OutboxMessage, message_id, with_for_update=True)
    assert message is not None, message_id
    return message


# A row of columns (not entities) from one of the sweep's selections.
Selected = Row[*tuple[Any, ...]]


def reviews_due_by(session: Session, day: date) -> list[Selected]:
    """Policies in use whose review falls due by `day` (or already has), owned by an enabled
    account: the columns a reminder is written from (the sweep reads thousands: no entities),
    starting, as actions_due_by's do, with the id, the trust and the date it is due."""
    query: Any = (  # labelled columns: past what select()'s overloads can type
        sa.select(
            col(Policy.id),
            col(Policy.trust_id),
            col(Policy.next_review_date).label("due"),
            col(Policy.owner_user_id),
            col(Policy.reference),
            col(Policy.title),
        )
        .join(User, col(User.id) == Policy.owner_user_id)
        .where(col(Policy.next_review_date).is_not(None))
        .where(col(Policy.next_review_date) <= day)
        .where(col(Policy.status) != PolicyStatus.RETIRED)
        .where(col(User.disabled).is_(False))
        .order_by(col(Policy.id))
    )
    return list(session.execute(query).all())


def actions_due_by(session: Session, day: date) -> list[Selected]:
    """The actions of approved versions (of policies in use) still to be carried out and due by
    `day` (or overdue), owned by enabled accounts: the columns a reminder is written from,
    starting with the id, the trust and the date it is due."""
    query: Any = (  # labelled columns: past what select()'s overloads can type
        sa.select(
            col(MitigatingAction.id),
            col(Policy.trust_id),
            col(MitigatingAction.due_date).label("due"),
            col(MitigatingAction.owner_user_id),
            col(MitigatingAction.description),
            col(AssessmentVersion.id).label("version_id"),
            col(AssessmentVersion.number).label("version"),
            col(Policy.id).label("policy_id"),
            col(Policy.reference),
            col(Policy.title),
        )
    )
    query = (
        progress_queries.still_to_do(query)
        .join(User, col(User.id) == MitigatingAction.owner_user_id)
        .where(col(MitigatingAction.due_date) <= day)
        .where(col(User.disabled).is_(False))
        .order_by(col(MitigatingAction.id))
    )
    return list(session.execute(query).all())


def people(session: Session, user_ids: set[int]) -> dict[int, User]:
    """These accounts, by id (a sweep's few hundred owners, each read once)."""
    found: dict[int, User] = {}
    ordered = sorted(user_ids)
    for start in range(0, len(ordered), CHUNK):
        query = select(User).where(col(User.id).in_(ordered[start : start + CHUNK]))
        found.update({u.id: u for u in session.exec(query) if u.id is not None})
    return found


def waiting_for_digest(session: Session) -> list[tuple[int, Delivery, User]]:
    """Notifications (their ids) kept for a daily or weekly digest and not sent yet, with the
    digest and the person, oldest first; locked, so that two sweeps at once cannot put one
    into two digests."""
    query = (
        select(col(Notification.id), col(Notification.delivery), User)
        .join(User, col(User.id) == Notification.user_id)
        .where(col(Notification.message_id).is_(None))
        .where(col(Notification.delivery).in_((Delivery.DAILY, Delivery.WEEKLY)))
        .order_by(col(Notification.user_id), col(Notification.id))
        .with_for_update(of=Notification)
    )
    return [(n or 0, delivery, person) for n, delivery, person in session.exec(query)]


def trusts(session: Session) -> list[Trust]:
    return list(session.exec(select(Trust).order_by(col(Trust.id))))


def sweep_run_on(session: Session, day: date) -> SweepRun | None:
    return session.get(SweepRun, day)


def swept_before(session: Session, day: date) -> bool:
    query = select(col(SweepRun.day)).where(col(SweepRun.day) < day).limit(1)
    return session.exec(query).first() is not None


UNDELIVERED_SHOWN = 100


def undelivered(
    session: Session, trust_id: int
) -> list[tuple[OutboxMessage, list[Notification], str | None]]:
    """The trust's messages given up, or refused and waiting to be tried again, newest first,
    each with what it carries and its recipient's name."""
    query = (
        select(OutboxMessage, User.name)
        .join(User, col(User.id) == OutboxMessage.user_id, isouter=True)
        .where(OutboxMessage.trust_id == trust_id)
        .where(
            or_(
                OutboxMessage.status == MessageStatus.FAILED,
                and_(
                    OutboxMessage.status == MessageStatus.PENDING, col(OutboxMessage.attempts) > 0
                ),
            )
        )
        .order_by(col(OutboxMessage.id).desc())
        .limit(UNDELIVERED_SHOWN)
    )
    rows = list(session.exec(query).all())
    carried = carried_by_each(session, [m.id or 0 for m, _ in rows])
    return [(m, carried.get(m.id or 0, []), name) for m, name in rows]


def message_of_trust(session: Session, message_id: int, trust_id: int) -> OutboxMessage | None:
    message = session.get(OutboxMessage, message_id, with_for_update=True)
    return message if message is not None and message.trust_id == trust_id else None


def waiting_of(session: Session, user_id: int, kind: NotificationKind) -> list[Notification]:
    """A person's notifications of `kind` kept for a digest not yet sent."""
    query = (
        select(Notification)
        .where(Notification.user_id == user_id, Notification.kind == kind)
        .where(col(Notification.message_id).is_(None))
        .where(col(Notification.delivery).in_((Delivery.DAILY, Delivery.WEEKLY)))
    )
    return list(session.exec(query))
