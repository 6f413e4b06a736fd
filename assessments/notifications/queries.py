"""The queries of notifications and the outbox."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, and_, col, or_, select

from assessments.models import (
    ActionProgress,
    ActionStatus,
    Assessment,
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
    VersionStatus,
)

CHUNK = 500  # values in one IN (…), well inside every database's limit


def told_keys(session: Session, keys: list[str]) -> set[str]:
    """Which of `keys` have been told already."""
    found: set[str] = set()
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        query = select(Notification.dedupe_key).where(col(Notification.dedupe_key).in_(chunk))
        found.update(key for key in session.exec(query) if key is not None)
    return found


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


def next_due_message(session: Session, *, now: datetime) -> OutboxMessage | None:
    """The pending message due longest, not held by a worker; locked, skipping any another
    worker has locked (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite has one writer anyway)."""
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
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return session.exec(query).first()


def carried_by(session: Session, message_id: int) -> list[Notification]:
    query = select(Notification).where(Notification.message_id == message_id)
    return list(session.exec(query.order_by(col(Notification.id))))


def choice_of(session: Session, user_id: int, kind: NotificationKind) -> NotificationChoice | None:
    return session.get(NotificationChoice, (user_id, kind))


def message_locked(session: Session, message_id: int) -> OutboxMessage:
    message = session.get(OutboxMessage, message_id, with_for_update=True)
    assert message is not None, message_id
    return message


def reviews_due_by(session: Session, day: date) -> list[tuple[Policy, User]]:
    """Policies in use whose review falls due by `day` (or already has), with their owners'
    enabled accounts."""
    query = (
        select(Policy, User)
        .join(User, col(User.id) == Policy.owner_user_id)
        .where(col(Policy.next_review_date).is_not(None))
        .where(col(Policy.next_review_date) <= day)
        .where(Policy.status != PolicyStatus.RETIRED)
        .where(col(User.disabled).is_(False))
        .order_by(col(Policy.id))
    )
    return list(session.exec(query).all())


def actions_due_by(
    session: Session, day: date
) -> list[tuple[MitigatingAction, AssessmentVersion, Policy, User]]:
    """The actions of approved versions (of policies in use) still to be carried out and due by
    `day` (or overdue), with their versions, policies and owners' enabled accounts."""
    query = (
        select(MitigatingAction, AssessmentVersion, Policy, User)
        .join(ActionProgress, col(ActionProgress.action_id) == MitigatingAction.id)
        .join(AssessmentVersion, col(AssessmentVersion.id) == MitigatingAction.version_id)
        .join(Assessment, col(Assessment.id) == AssessmentVersion.assessment_id)
        .join(Policy, col(Policy.id) == Assessment.policy_id)
        .join(User, col(User.id) == MitigatingAction.owner_user_id)
        .where(AssessmentVersion.status == VersionStatus.APPROVED)
        .where(Policy.status != PolicyStatus.RETIRED)
        .where(col(ActionProgress.status).in_(ActionStatus.OPEN))
        .where(col(MitigatingAction.due_date).is_not(None))
        .where(col(MitigatingAction.due_date) <= day)
        .where(col(User.disabled).is_(False))
        .order_by(col(MitigatingAction.id))
    )
    return list(session.exec(query).all())


def waiting_for_digest(session: Session) -> list[tuple[Notification, User]]:
    """Notifications kept for a daily or weekly digest and not sent yet, by person, oldest
    first; locked, so that two sweeps at once cannot put one into two digests."""
    query = (
        select(Notification, User)
        .join(User, col(User.id) == Notification.user_id)
        .where(col(Notification.message_id).is_(None))
        .where(col(Notification.delivery).in_((Delivery.DAILY, Delivery.WEEKLY)))
        .order_by(col(Notification.user_id), col(Notification.id))
        .with_for_update(of=Notification)
    )
    return list(session.exec(query).all())


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
    return [(m, carried_by(session, m.id or 0), name) for m, name in rows]


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
