"""The tables of an assessment: its versions, their answers, workload estimates and
contributors."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from assessments.models.columns import (
    EnumValue,
    UTCDateTime,
    timestamp as _timestamp,
    utcnow,
)


class VersionStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"
    SUPERSEDED = "superseded"

    # The sets of statuses the rules speak of, each named once here (assigned below the class:
    # its body cannot use its own members yet).
    OPEN: ClassVar[frozenset[VersionStatus]]  # in progress: an assessment has one at most
    EDITABLE: ClassVar[frozenset[VersionStatus]]  # answers, workload and actions may change
    AWAITING_DECISION: ClassVar[frozenset[VersionStatus]]  # with the approvers
    APPROVED_ONCE: ClassVar[frozenset[VersionStatus]]  # approved, now or before a newer one


VersionStatus.OPEN = frozenset(
    {VersionStatus.DRAFT, VersionStatus.SUBMITTED, VersionStatus.RETURNED}
)
VersionStatus.EDITABLE = frozenset({VersionStatus.DRAFT})
VersionStatus.AWAITING_DECISION = frozenset({VersionStatus.SUBMITTED})
VersionStatus.APPROVED_ONCE = frozenset({VersionStatus.APPROVED, VersionStatus.SUPERSEDED})


class AssessmentKind(StrEnum):
    """What a version is: the full assessment, or a screening that found none was needed."""

    FULL = "full"
    SCREENED_OUT = "screened-out"


class Assessment(SQLModel, table=True):
    """The impact assessment of one policy; its content lives in numbered versions."""

    id: int | None = Field(default=None, primary_key=True)
    policy_id: int = Field(foreign_key="policy.id", unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class AssessmentVersion(SQLModel, table=True):
    __tablename__ = "assessment_version"
    __table_args__ = (
        sa.UniqueConstraint("assessment_id", "number"),
        # The register's filters and sorts within a trust: a count reads one index range, a
        # page reads an index in its order.
        sa.Index("ix_assessment_version_trust_status", "trust_id", "status", "review_due"),
        sa.Index("ix_assessment_version_trust_rating", "trust_id", "rating", "overall_score"),
        sa.Index("ix_assessment_version_trust_school", "trust_id", "school_id", "decided_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    # The policy's trust and school, copied (a policy never moves) so that the register need
    # not join every version to its policy to filter and count.
    trust_id: int = Field(foreign_key="trust.id")
    school_id: int | None = Field(default=None, foreign_key="school.id")
    number: int
    rubric_version_id: int = Field(foreign_key="rubric_version.id")
    status: VersionStatus = Field(sa_type=EnumValue(VersionStatus, 20), index=True)
    author: str = Field(max_length=120)
    author_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    # Everyone who contributed to the content (version_contributor), their names kept here
    # too so that the register's export need not look them up row by row.
    prepared_by: str = Field(default="", sa_type=sa.Text, sa_column_kwargs={"server_default": ""})
    submitted_by: str = Field(
        default="", max_length=120, sa_column_kwargs={"server_default": ""}
    )  # who last submitted it
    content_hash: str | None = Field(default=None, max_length=64)  # set once it leaves draft
    revision: int = 1  # bumped by every change of state; a decision on an older one is refused
    submitted_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    decided_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    decided_by: str = Field(default="", max_length=120)
    decided_by_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    decision_reason: str = Field(default="", sa_type=sa.Text)  # why it was returned
    review_due: date | None = None  # set on approval, from the policy's review cycle
    # Screening (when its rubric has one): the author's reason the change needs no full
    # assessment, and whether an approver sent it back for one (then its screening no longer
    # decides). Its kind is stored with its results, as they are, after every edit.
    screening_reason: str = Field(
        default="", sa_type=sa.Text, sa_column_kwargs={"server_default": ""}
    )
    screening_revision: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    full_required: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    kind: AssessmentKind = Field(
        default=AssessmentKind.FULL,
        sa_type=EnumValue(AssessmentKind, 20),
        sa_column_kwargs={"server_default": AssessmentKind.FULL.value},
    )
    # Results as last computed (after every edit), so the register need not rescore versions.
    overall_score: Decimal | None = Field(default=None, sa_type=sa.Numeric(4, 1))
    rating: str | None = Field(default=None, max_length=40)  # a rating band's id
    rating_after: str | None = Field(default=None, max_length=40)  # once its actions are done
    net_hours_per_year: Decimal = Field(default=Decimal(0), sa_type=sa.Numeric(12, 1))
    # Living: how the actions stand now, which changes after approval too (the triggers let
    # only these two columns of an approved version change).
    rating_done: str | None = Field(default=None, max_length=40)  # after the actions done
    open_actions: int = 0  # planned or in progress
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())

    @property
    def editable(self) -> bool:
        """Only a draft's answers and estimates may change."""
        return self.status in VersionStatus.EDITABLE


class Answer(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("version_id", "question_id"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="assessment_version.id", index=True)
    question_id: str = Field(max_length=64)
    value: str = Field(sa_type=sa.Text)
    comment: str = Field(default="", sa_type=sa.Text)
    # Why an answer at or above the mitigation threshold needs no mitigating action.
    justification: str = Field(default="", sa_type=sa.Text)
    revision: int = 1  # bumped on every change; a write from an older revision is refused
    updated_by: str = Field(max_length=120)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class WorkloadEstimate(SQLModel, table=True):
    """Hours added (+) or removed (−) per staff member per term, for one staff group."""

    __tablename__ = "workload_estimate"
    __table_args__ = (sa.UniqueConstraint("version_id", "staff_group"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="assessment_version.id", index=True)
    staff_group: str = Field(max_length=64)
    hours_per_term: Decimal = Field(sa_type=sa.Numeric(7, 2))  # up to ±99999.99
    staff_count: int
    note: str = Field(default="", sa_type=sa.Text)
    revision: int = 1
    updated_by: str = Field(max_length=120)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class VersionContributor(SQLModel, table=True):
    """Someone who started, edited, revised or submitted a version's content: they may not
    decide on it."""

    __tablename__ = "version_contributor"
    __table_args__ = (sa.UniqueConstraint("version_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("assessment_version.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )  # a draft deleted takes its contributors with it (an approved one is never deleted)
    user_id: int = Field(foreign_key="user_account.id")
    name: str = Field(max_length=120)
    first_contributed_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
