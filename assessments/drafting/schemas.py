"""What the pages, the API and the CLI send and receive about a version being drafted."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from assessments.kernel.inputs import Input, Number, Revision, WholeNumber
from assessments.models import AssessmentKind, VersionStatus
from assessments.workflow.moves import Move


class AnswerSave(Input):
    value: str = Field(default="", max_length=5000, description="Empty clears the answer")
    comment: str = Field(default="", max_length=5000, description="Evidence or explanation")
    expected_revision: Revision | None = Field(
        default=None, description="The revision this change is based on; a newer one gives 409"
    )


class HoursPer(StrEnum):
    """What a figure of hours is counted over, as the author thinks of the task."""

    WEEK = "week"
    TERM = "term"
    YEAR = "year"


class WorkloadEstimateSave(Input):
    hours: Number | None = Field(
        default=None,
        ge=-20000,
        le=20000,
        decimal_places=2,
        description="Hours added (+) or removed (−) per staff member, per `per`; or send "
        "`hours_per_term`",
    )
    per: HoursPer = Field(default=HoursPer.TERM, description="What `hours` is counted over")
    hours_per_term: Number | None = Field(
        default=None,
        ge=-500,
        le=500,
        decimal_places=2,
        validate_default=True,
        description="Hours added (+) or removed (−) per staff member per term",
    )
    staff_count: WholeNumber = Field(
        ge=0, le=10000, description="How many staff in the group it affects"
    )
    note: str = Field(default="", max_length=2000)
    expected_revision: Revision | None = None

    @field_validator("hours_per_term")
    @classmethod
    def _one_figure(cls, per_term: Decimal | None, info: ValidationInfo) -> Decimal | None:
        given = info.data.get("hours")
        if per_term is None and given is None and "hours" not in info.data:
            return per_term  # `hours` was refused, and says why
        if (per_term is None) == (given is None):
            raise ValueError("Give the hours per term, or hours with what they are per")
        return per_term


class ScreeningReasonSave(Input):
    reason: str = Field(
        max_length=2000,
        description="Why the change needs no full assessment (empty clears it); asked for when "
        "the screening answers screen it out",
    )
    expected_revision: Revision | None = Field(
        default=None, description="The reason's revision this change is based on (or If-Match)"
    )


class ScreeningReasonRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    screening_reason: str
    screening_revision: int = Field(description="Bumped by every change of the reason; its ETag")
    kind: AssessmentKind


class WorkloadEstimateClear(Input):
    """Remove a staff group's estimate (it no longer applies)."""

    expected_revision: Revision | None = None


class AnswerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    question_id: str
    value: str
    comment: str
    revision: int
    updated_by: str
    updated_at: datetime


class WorkloadEstimateRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    staff_group: str
    hours_per_term: Decimal
    staff_count: int
    note: str
    revision: int


class AssessmentVersionRead(BaseModel):
    id: int
    policy_id: int
    number: int
    status: VersionStatus
    revision: int = Field(description="Bumped by every change of state; its ETag")
    rubric: str = Field(description="The pinned rubric, as id@version")
    kind: AssessmentKind = Field(
        description="A full assessment, or screened out: its rubric's screening (answered like "
        "any question) found none needed"
    )
    screening_reason: str = Field(description="Why the change needs no full assessment")
    full_required: bool = Field(
        description="An approver sent it back for the full assessment: its screening no longer "
        "decides"
    )
    author: str
    created_at: datetime
    updated_at: datetime
    answers: list[AnswerRead]
    workload_estimates: list[WorkloadEstimateRead]
    allowed_moves: list[Move] = Field(
        description="The workflow's moves you may make on it now (POST …/{move}); what a move "
        "needs besides, such as a complete draft, is checked when it is made"
    )


class SectionResultRead(BaseModel):
    section_id: str
    title: str
    score: Decimal | None
    rating: str | None
    answered: int
    questions: int
    missing_required: list[str]


class FlaggedAnswerRead(BaseModel):
    section_id: str
    question_id: str
    question: str
    value: str
    impact: int


class WorkloadLineRead(BaseModel):
    staff_group: str
    label: str
    hours_per_term: Decimal
    staff_count: int
    hours_per_person_per_year: Decimal
    net_hours_per_year: Decimal


class ResultsRead(BaseModel):
    version_id: int
    rubric: str
    overall_score: Decimal | None = Field(description="0–100, rounded half-up to 1 decimal place")
    rating: str | None
    mitigation_threshold: int
    sections: list[SectionResultRead]
    needs_mitigation: list[FlaggedAnswerRead]
    workload: list[WorkloadLineRead]
    net_hours_per_year: Decimal
    missing_required: list[str]
    complete: bool
