"""The trust's email, as its admins see it: when the daily sweep reminds owners (the trust's
choice), and the messages the mail server has not taken, with why, to send again once the
problem is put right."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from assessments.kernel import audit
from assessments.kernel.actors import Actor, require_trust_admin
from assessments.kernel.errors import NotFound, StaleVersion, ValidationFailed
from assessments.models import MessageStatus, OutboxMessage, Trust
from assessments.notifications import queries
from assessments.people import queries as people_queries

MAX_OFFSETS, MAX_DAYS = 6, 366


@dataclass(frozen=True)
class Undelivered:
    message: OutboxMessage
    subjects: list[str]
    recipient: str


@dataclass(frozen=True)
class TrustEmail:
    trust: Trust
    failed: list[Undelivered]  # given up: sent again only when an admin says so
    retrying: list[Undelivered]  # refused so far, to be tried again


def _trust(session: Session, actor: Actor) -> Trust:
    trust = people_queries.get_trust(session, require_trust_admin(actor))
    assert trust is not None
    return trust


def view_trust_email(*, session: Session, actor: Actor) -> TrustEmail:
    """The trust's reminder settings and its mail that has not gone (trust admins)."""
    trust = _trust(session, actor)
    assert trust.id is not None
    undelivered = [
        Undelivered(message, [n.subject for n in carried], name or message.to_address)
        for message, carried, name in queries.undelivered(session, trust.id)
    ]
    return TrustEmail(
        trust=trust,
        failed=[u for u in undelivered if u.message.status is MessageStatus.FAILED],
        retrying=[u for u in undelivered if u.message.status is MessageStatus.PENDING],
    )


def _days(text: str, field: str, *, many: bool) -> list[int]:
    parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
    message = (
        f"Enter up to {MAX_OFFSETS} numbers of days from 1 to {MAX_DAYS}, separated by commas,"
        " like 60, 30, 7"
        if many
        else f"Enter a number of days from 0 to {MAX_DAYS}, like 7"
    )
    lowest = 1 if many else 0
    if not parts or len(parts) > (MAX_OFFSETS if many else 1):
        raise ValidationFailed({field: message})
    if not all(p.isascii() and p.isdigit() and lowest <= int(p) <= MAX_DAYS for p in parts):
        raise ValidationFailed({field: message})
    return sorted({int(p) for p in parts}, reverse=True)


def change_reminders(
    *,
    session: Session,
    actor: Actor,
    review_days: str,
    action_days: str,
    expected_revision: int | None,
) -> Trust:
    """Choose how many days ahead owners are reminded of reviews and actions (trust admins)."""
    trust = _trust(session, actor)
    errors: dict[str, str] = {}
    chosen: dict[str, list[int]] = {}
    for field, text, many in (
        ("review_days", review_days, True),
        ("action_days", action_days, False),
    ):
        try:
            chosen[field] = _days(text, field, many=many)
        except ValidationFailed as exc:
            errors |= exc.errors
    if errors:
        raise ValidationFailed(errors)
    if expected_revision is not None and expected_revision != trust.revision:
        raise StaleVersion("Someone changed the reminders meanwhile: check them and try again")
    before = {"review_days": trust.review_reminder_days, "action_days": trust.action_reminder_days}
    trust.review_reminder_days = chosen["review_days"]
    trust.action_reminder_days = chosen["action_days"][0]
    trust.revision += 1
    session.add(trust)
    session.flush()
    audit.record(
        session,
        actor,
        entity="trust",
        entity_id=trust.id,
        action="reminders-changed",
        details={
            "review_days": [before["review_days"], trust.review_reminder_days],
            "action_days": [before["action_days"], trust.action_reminder_days],
        },
        trust_id=trust.id,
    )
    return trust


def send_again(*, session: Session, actor: Actor, message_id: int, now: datetime) -> None:
    """Put a message that was given up back in the outbox, to be tried afresh (trust admins)."""
    trust = _trust(session, actor)
    message = queries.message_of_trust(session, message_id, trust.id or 0)
    if message is None or message.status is not MessageStatus.FAILED:
        raise NotFound("No such message waiting to be sent again")
    message.status, message.attempts, message.next_attempt_at = MessageStatus.PENDING, 0, now
    session.add(message)
    session.flush()
    audit.record(
        session,
        actor,
        entity="outbox_message",
        entity_id=message.id,
        action="sent-again",
        details={"last_error": message.last_error},
        trust_id=trust.id,
    )
