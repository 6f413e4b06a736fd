"""The tables of what is assessed: the trust's schools and its policies."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from assessments.models.columns import (
    EnumValue,
    UTCDateTime,
    timestamp as _timestamp,
    utcnow,
)


class PolicyCategory(StrEnum):
    TEACHING_AND_LEARNING = "teaching-and-learning"
    ASSESSMENT_AND_MARKING = "assessment-and-marking"
    BEHAVIOUR = "behaviour"
    PEOPLE_AND_HR = "people-and-hr"
    SAFEGUARDING = "safeguarding"
    COMMUNICATIONS = "communications"
    DATA_AND_ADMINISTRATION = "data-and-administration"
    HEALTH_AND_SAFETY = "health-and-safety"
    OTHER = "other"

    @property
    def label(self) -> str:
        return (
            self.value.replace("-and-", " and ").replace("-", " ").capitalize().replace("hr", "HR")
        )


class PolicyStatus(StrEnum):
    """Where the policy itself stands (the assessment has a workflow of its own)."""

    NEW = "new"  # being written, not yet adopted
    IN_FORCE = "in-force"
    UNDER_REVIEW = "under-review"
    RETIRED = "retired"

    @property
    def label(self) -> str:
        return self.value.replace("-", " ").capitalize()


class School(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("trust_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    trust_id: int = Field(foreign_key="trust.id", index=True)
    name: str = Field(max_length=200)
    revision: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


class Policy(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("trust_id", "reference"),)

    id: int | None = Field(default=None, primary_key=True)
    trust_id: int = Field(foreign_key="trust.id", index=True)
    reference: str = Field(max_length=40)  # the trust's own code, unique within the trust
    title: str = Field(max_length=200)
    category: PolicyCategory = Field(sa_type=EnumValue(PolicyCategory, 40))
    owner: str = Field(max_length=120)  # the owner's name, as shown
    owner_user_id: int | None = Field(default=None, foreign_key="user_account.id")  # if any
    school_id: int | None = Field(default=None, foreign_key="school.id", index=True)
    review_cycle_months: int
    next_review_date: date | None = None
    status: PolicyStatus = Field(sa_type=EnumValue(PolicyStatus, 20))
    # The law asks it of the trust (the catalogue says which; an import may say so too).
    statutory: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    # Who decides on its assessments; None: any one approver for its school.
    approving_body_id: int | None = Field(default=None, foreign_key="approving_body.id")
    revision: int = Field(default=1, sa_column_kwargs={"server_default": "1"})  # edits bump it
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class ScheduleUpload(SQLModel, table=True):
    """A policy schedule as uploaded, kept between its preview and its import (the service's
    instances keep nothing of their own); removed a day after."""

    __tablename__ = "schedule_upload"

    id: int | None = Field(default=None, primary_key=True)
    trust_id: int = Field(foreign_key="trust.id", index=True)
    uploaded_by_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    filename: str = Field(max_length=255)
    data: bytes = Field(sa_type=sa.LargeBinary)
    uploaded_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    imported_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
