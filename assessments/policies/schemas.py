"""What the pages, the API and the CLI send and receive about schools and policies."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assessments.kernel.inputs import IdNumber, Input, Revision, WholeNumber
from assessments.models import PolicyCategory, PolicyStatus
from assessments.people.directory import checked_owner


class PolicyDetails(Input):
    """What may be said of a policy when it is added, and corrected afterwards."""

    title: str = Field(min_length=3, max_length=200)
    category: PolicyCategory
    owner_user_id: IdNumber | None = Field(
        default=None, description="Who is responsible for it: one of the trust's people"
    )
    owner: str = Field(
        default="",
        max_length=120,
        validate_default=True,
        description="Or, when they have no account, their name",
    )

    _owner = field_validator("owner")(checked_owner)
    school_id: IdNumber | None = Field(default=None, description="Empty for a trust-wide policy")
    review_cycle_months: WholeNumber = Field(ge=1, le=60)
    approving_body_id: IdNumber | None = Field(
        default=None,
        description="The body that decides on its assessments; empty for any one approver. "
        "Left out of a correction, it stays as it is",
    )
    statutory: bool | None = Field(
        default=None,
        description="Whether the law asks it of the trust (a new policy: no, unless said). "
        "Left out of a correction, it stays as it is",
    )


class PolicyCreate(PolicyDetails):
    reference: str = Field(
        min_length=2,
        max_length=40,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$",
        description="The trust's reference code for the policy, e.g. TL-004",
    )
    status: PolicyStatus = PolicyStatus.NEW


class PolicyUpdate(PolicyDetails):
    expected_revision: Revision | None = Field(
        default=None, description="The policy's revision you read; 409 if it has changed since"
    )


class SchoolRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str


class PolicyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    reference: str
    title: str
    category: PolicyCategory
    owner: str
    owner_user_id: int | None
    school_id: int | None
    review_cycle_months: int
    approving_body_id: int | None
    revision: int
    next_review_date: date | None
    statutory: bool = Field(description="The law asks it of the trust")
    status: PolicyStatus
    created_at: datetime
