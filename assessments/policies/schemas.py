"""What the pages, the API and the CLI send and receive about schools and policies."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from assessments.kernel.inputs import IdNumber, Input, WholeNumber
from assessments.models import PolicyCategory, PolicyStatus


class PolicyCreate(Input):
    reference: str = Field(
        min_length=2,
        max_length=40,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$",
        description="The trust's reference code for the policy, e.g. TL-004",
    )
    title: str = Field(min_length=3, max_length=200)
    category: PolicyCategory
    owner: str = Field(min_length=2, max_length=120, description="Who is responsible for it")
    school_id: IdNumber | None = Field(default=None, description="Empty for a trust-wide policy")
    review_cycle_months: WholeNumber = Field(ge=1, le=60)
    status: PolicyStatus = PolicyStatus.NEW


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
    school_id: int | None
    review_cycle_months: int
    next_review_date: date | None
    status: PolicyStatus
    created_at: datetime
