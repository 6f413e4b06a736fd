"""The tables of email: what each person is told (a notification), the messages that carry it
(the outbox, written in the same transaction as the change that causes it, delivered by the
worker), and how each person chooses to hear of each kind."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from assessments.models.columns import EnumValue, UTCDateTime, timestamp as _timestamp, utcnow


class NotificationKind(StrEnum):
    """What a notification is about: each person chooses how to hear of each kind."""

    AWAITING_DECISION = "awaiting-decision"  # to the approvers in scope
    DECIDED = "decided"  # to the author: returned, with the reason, or approved
    ACTION_ASSIGNED = "action-assigned"  # to an action's owner, when its version is approved
    ACTION_DUE = "action-due"  # before an action falls due, then weekly while it is overdue
    REVIEW_DUE = "review-due"  # to a policy's owner, before its review falls due
    ACCOUNT = "account"  # invitations and password resets: always sent, one by one
    # To staff asked about a draft (most have no account): their link, then what was done.
    CONSULTATION = "consultation"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    NotificationKind.AWAITING_DECISION: "Assessments awaiting your decision",
    NotificationKind.DECIDED: "Decisions on assessments you wrote",
    NotificationKind.ACTION_ASSIGNED: "Mitigating actions given to you",
    NotificationKind.ACTION_DUE: "Mitigating actions due or overdue",
    NotificationKind.REVIEW_DUE: "Policy reviews falling due",
    NotificationKind.ACCOUNT: "Your account",
    NotificationKind.CONSULTATION: "Consultations you were asked to answer",
}


class Delivery(StrEnum):
    """How a person hears of one kind of notification."""

    SINGLE = "single"  # an email for each
    DAILY = "daily"  # one digest a day
    WEEKLY = "weekly"  # one digest a week
    NONE = "none"  # no email (the Notifications page still lists what happened)

    @property
    def label(self) -> str:
        return {
            Delivery.SINGLE: "An email for each",
            Delivery.DAILY: "A daily digest",
            Delivery.WEEKLY: "A weekly digest",
            Delivery.NONE: "No emails",
        }[self]


class MessageStatus(StrEnum):
    PENDING = "pending"  # waiting for the worker (or for its next try)
    SENT = "sent"  # the mail server accepted it
    FAILED = "failed"  # given up after its tries: shown to the trust's admins


class OutboxMessage(SQLModel, table=True):
    """One email to send: its content is rendered when the worker sends it, from the
    notifications it carries (one, or a digest's several)."""

    __tablename__ = "outbox_message"
    __table_args__ = (sa.Index("ix_outbox_message_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    trust_id: int = Field(foreign_key="trust.id", index=True)
    user_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True),
    )
    to_address: str = Field(max_length=254)
    digest: Delivery = Field(sa_type=EnumValue(Delivery, 10))  # SINGLE, or the digest it is
    status: MessageStatus = Field(
        default=MessageStatus.PENDING, sa_type=EnumValue(MessageStatus, 10)
    )
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    # A worker holds a message while sending it; if it dies, another takes it after this time.
    claimed_until: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    last_error: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    sent_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))


class Notification(SQLModel, table=True):
    """One thing a person is told, in the facts its email is written from (chosen for that
    person: nothing they may not see). `dedupe_key` makes a reminder once only, however often
    the daily sweep runs. A consultation's are to an address, which may have no account."""

    id: int | None = Field(default=None, primary_key=True)
    trust_id: int = Field(foreign_key="trust.id", index=True)
    user_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=True, index=True
        ),
    )
    kind: NotificationKind = Field(sa_type=EnumValue(NotificationKind, 30))
    subject: str = Field(max_length=200)
    facts: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    dedupe_key: str | None = Field(default=None, max_length=200, unique=True)
    # The message that carries it; none yet for a digest still to be sent, or when the person
    # chose no emails of its kind.
    message_id: int | None = Field(default=None, foreign_key="outbox_message.id", index=True)
    delivery: Delivery = Field(sa_type=EnumValue(Delivery, 10))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class NotificationChoice(SQLModel, table=True):
    """How one person chooses to hear of one kind (without a row: an email for each)."""

    __tablename__ = "notification_choice"

    user_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    )
    kind: NotificationKind = Field(sa_type=EnumValue(NotificationKind, 30), primary_key=True)
    delivery: Delivery = Field(sa_type=EnumValue(Delivery, 10))


class SweepRun(SQLModel, table=True):
    """A day the daily sweep has run: a second run that day (another worker's, or cron's) finds
    it and sends nothing more."""

    __tablename__ = "sweep_run"

    day: date = Field(primary_key=True)
    ran_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    reminders: int = 0
    digests: int = 0
