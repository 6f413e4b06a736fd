"""The tables of staff voice: a consultation on a draft version, the staff invited to it by a
personal link, and their answers, which are anonymous by construction: an answer has no column
that leads to its invitation, its person, the time it was given or the device that sent it,
and its key is random, so not even the order of answers says who gave which."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from assessments.models.columns import UTCDateTime, timestamp as _timestamp, utcnow


class Consultation(SQLModel, table=True):
    """The staff a draft affects asked, between two dates, what it would do to their work."""

    id: int | None = Field(default=None, primary_key=True)
    trust_id: int = Field(foreign_key="trust.id", index=True)
    version_id: int = Field(foreign_key="assessment_version.id", index=True)
    opened_by_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    opens_on: date
    closes_on: date  # its last day: links work to the end of it
    summary: str = Field(max_length=4000)  # the change, in plain words for staff
    staff_groups: list[str] = Field(default_factory=list, sa_type=sa.JSON)  # rubric group ids
    closed_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    # When its author told the staff asked what was done with what they said (its themes).
    responded_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    revision: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class ConsultationInvitation(SQLModel, table=True):
    """One person asked: their address (to send the link to, and what we did), where they work
    and whether they have answered, never what or when."""

    __tablename__ = "consultation_invitation"
    __table_args__ = (sa.UniqueConstraint("consultation_id", "email"),)

    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("consultation.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    email: str = Field(max_length=254)  # stored lower-case
    school_id: int | None = Field(default=None, foreign_key="school.id")
    staff_group: str = Field(max_length=60)
    answered: bool = False


class ConsultationAnswer(SQLModel, table=True):
    """One anonymous answer: where its giver works (shown only in groups big enough to hide
    them), and what they said."""

    __tablename__ = "consultation_answer"

    id: str = Field(primary_key=True, max_length=32)  # random: no order to the answers
    consultation_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("consultation.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    school_id: int | None = Field(default=None, foreign_key="school.id")
    staff_group: str = Field(max_length=60)
    hours_per_week: Decimal = Field(max_digits=5, decimal_places=2)  # + adds, - removes
    agreement: int  # 1 (strongly disagree) to 5 (strongly agree)
    concerns: str = Field(default="", max_length=4000)
    would_help: str = Field(default="", max_length=4000)


class ConsultationTheme(SQLModel, table=True):
    """One theme of what staff said, and the author's answer to it: what was changed, or why
    nothing was. Staff are told them all once the author says the consultation is answered."""

    __tablename__ = "consultation_theme"

    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("consultation.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    title: str = Field(max_length=200)  # what staff raised, in a few words
    staff_said: str = Field(default="", max_length=4000)  # its gist, in no one's words
    changed: bool  # the draft changed for it
    response: str = Field(max_length=4000)  # what changed, or why it did not
    revision: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class FormalConsultation(SQLModel, table=True):
    """A consultation held with a body that speaks for staff (a joint consultative committee,
    the unions, the wellbeing champions): when it met, the views it gave and what was agreed."""

    __tablename__ = "formal_consultation"

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="assessment_version.id", index=True)
    body: str = Field(max_length=200)
    met_on: date
    views: str = Field(max_length=4000)
    agreed: str = Field(default="", max_length=4000)
    recorded_by: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
