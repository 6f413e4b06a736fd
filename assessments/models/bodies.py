"""The tables of governance: the trust's approving bodies (its board, committees, each school's
local governing body, a headteacher the trust delegates to), their members, and each member's
decision on a version put to their body."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from assessments.models.columns import EnumValue, timestamp as _timestamp, utcnow


class BodyKind(StrEnum):
    BOARD = "board"  # the trust board: trust-wide
    COMMITTEE = "committee"  # one of the board's committees: trust-wide or a school's
    LOCAL_GOVERNING_BODY = "local-governing-body"  # one school's
    HEADTEACHER = "headteacher"  # one school's, where the trust delegates to its head

    @property
    def label(self) -> str:
        return self.value.replace("-", " ").capitalize()

    @property
    def of_a_school(self) -> bool:
        """Whether a body of this kind is always one school's."""
        return self in (BodyKind.LOCAL_GOVERNING_BODY, BodyKind.HEADTEACHER)


class DecisionRule(StrEnum):
    """How many of a body's members must approve a version before it is approved."""

    ONE = "one"  # any one member
    NUMBER = "number"  # a quorum: the body's `quorum` members
    ALL = "all"  # every member who may decide on it (none who contributed to it)


class ApprovingBody(SQLModel, table=True):
    __tablename__ = "approving_body"
    __table_args__ = (sa.UniqueConstraint("trust_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    trust_id: int = Field(foreign_key="trust.id", index=True)
    name: str = Field(max_length=120)
    kind: BodyKind = Field(sa_type=EnumValue(BodyKind, 30))
    school_id: int | None = Field(default=None, foreign_key="school.id")  # None: trust-wide
    rule: DecisionRule = Field(sa_type=EnumValue(DecisionRule, 10))
    quorum: int = 1  # the members needed, by the NUMBER rule
    revision: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class BodyMember(SQLModel, table=True):
    __tablename__ = "body_member"
    __table_args__ = (sa.UniqueConstraint("body_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    body_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("approving_body.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    user_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )


class MemberVote(StrEnum):
    APPROVE = "approve"
    RETURN = "return"


class MemberDecision(SQLModel, table=True):
    """One member's approval or return of a version, for their body, on one submission of it
    (a version returned and submitted again is decided afresh). Kept for good: the record of
    who decided what, and why."""

    __tablename__ = "member_decision"
    # One approval and one return at most by each member, of each submission: a member who
    # approved may still return it, on second thoughts.
    __table_args__ = (sa.UniqueConstraint("version_id", "submitted_at", "user_id", "vote"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="assessment_version.id", index=True)
    # The submission decided on: the version's submitted_at when the member decided.
    submitted_at: datetime = Field(sa_column=_timestamp())
    body_id: int = Field(foreign_key="approving_body.id")
    user_id: int = Field(foreign_key="user_account.id")
    name: str = Field(max_length=120)  # the member's name, as it was
    vote: MemberVote = Field(sa_type=EnumValue(MemberVote, 10))
    reason: str = Field(default="", max_length=2000)
    minute: str = Field(default="", max_length=200)
    meeting_date: date | None = None
    decided_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
