"""The tables of policies, assessments and the audit trail (and, from assessments.people_models,
of people). The schema only changes through an Alembic migration in migrations/."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

# Re-exported: the column types are used by every table, and the people's tables (kept in a
# module of their own) are part of the schema that importing this module registers.
from assessments.columns import (
    HUNDREDTH as HUNDREDTH,
    EnumValue as EnumValue,
    UTCDateTime as UTCDateTime,
    timestamp as _timestamp,
    utcnow as utcnow,
)
from assessments.people_models import (
    ApiToken as ApiToken,
    RoleGrant as RoleGrant,
    SignInFailure as SignInFailure,
    Trust as Trust,
    User as User,
    WebSession as WebSession,
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


class VersionStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"
    SUPERSEDED = "superseded"


class School(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("trust_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    trust_id: int = Field(foreign_key="trust.id", index=True)
    name: str = Field(max_length=200)


class RubricVersion(SQLModel, table=True):
    """A published, frozen copy of a rubric; assessments pin one so YAML edits never reach them."""

    __tablename__ = "rubric_version"
    __table_args__ = (sa.UniqueConstraint("rubric_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    rubric_id: str = Field(max_length=64, index=True)
    version: int
    title: str = Field(max_length=300)
    content: str = Field(sa_type=sa.Text)  # canonical JSON of the validated rubric
    content_hash: str = Field(max_length=64)
    published_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class Policy(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("trust_id", "reference"),)

    id: int | None = Field(default=None, primary_key=True)
    trust_id: int = Field(foreign_key="trust.id", index=True)
    reference: str = Field(max_length=40)  # the trust's own code, unique within the trust
    title: str = Field(max_length=200)
    category: PolicyCategory = Field(sa_type=EnumValue(PolicyCategory, 40))
    owner: str = Field(max_length=120)
    school_id: int | None = Field(default=None, foreign_key="school.id", index=True)
    review_cycle_months: int
    next_review_date: date | None = None
    status: PolicyStatus = Field(sa_type=EnumValue(PolicyStatus, 20))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


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
    # Results as last computed (after every edit), so the register need not rescore versions.
    overall_score: Decimal | None = Field(default=None, sa_type=sa.Numeric(4, 1))
    rating: str | None = Field(default=None, max_length=40)  # a rating band's id
    rating_after: str | None = Field(default=None, max_length=40)  # once actions are done
    net_hours_per_year: Decimal = Field(default=Decimal(0), sa_type=sa.Numeric(12, 1))
    open_actions: int = 0  # planned or in progress
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())

    @property
    def editable(self) -> bool:
        """Only a draft's answers and estimates may change."""
        return self.status is VersionStatus.DRAFT


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


class ActionStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in-progress"
    DONE = "done"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        return self.value.replace("-", " ").capitalize()


class MitigatingAction(SQLModel, table=True):
    """What will be done to reduce an impact, for one or more questions of a version."""

    __tablename__ = "mitigating_action"

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="assessment_version.id", index=True)
    description: str = Field(sa_type=sa.Text)
    question_ids: list[str] = Field(sa_type=sa.JSON)  # the questions whose impact it answers
    owner: str = Field(max_length=120)
    due_date: date | None = None
    status: ActionStatus = Field(sa_type=EnumValue(ActionStatus, 20))
    residual_impact: int  # the impact expected once done, on the rubric's impact scale
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


class AuditEvent(SQLModel, table=True):
    """One entry of a chain of the append-only audit trail: one chain per trust, and one for
    installation-level events (chain 0). Each MAC (keyed, see assessments/audit_keys.py) covers
    the entry and the MAC before it, so editing, removing, inserting or reordering entries
    breaks the chain."""

    __tablename__ = "audit_event"
    # One record's history in order (the report's decisions on a version).
    __table_args__ = (sa.Index("ix_audit_event_entity", "entity", "entity_id", "seq"),)

    chain: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    occurred_at: datetime = Field(sa_column=_timestamp())
    trust_id: int | None = Field(default=None, index=True)
    actor_user_id: int | None = None
    actor_name: str = Field(max_length=120)
    entity: str = Field(max_length=40)
    entity_id: int | None = None
    action: str = Field(max_length=40)
    changes: str = Field(sa_type=sa.Text)  # canonical JSON: field → [before, after], or details
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)  # HMAC-SHA256 of the entry, under the key `key_id`
    key_id: str = Field(max_length=16)


class AuditHead(SQLModel, table=True):
    """A chain's last entry (one row a chain). Appends lock their chain's row only, so
    concurrent writers of one trust queue instead of forking its chain, and writers of two
    trusts never wait for each other; a cut-off tail no longer matches it."""

    __tablename__ = "audit_head"

    chain: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    seq: int = 0
    hash: str = Field(max_length=64)
