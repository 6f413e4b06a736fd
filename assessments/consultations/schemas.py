"""What the pages and the API send about consultations, and what staff answer."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, field_validator

from assessments.kernel.inputs import Day, IdNumber, Input, Number, Revision

MAX_TEXT = 4000
MAX_INVITED = 5000
MAX_HOURS = Decimal(40)  # a week's change either way: more is not a week's work
AGREEMENT = {
    5: "Strongly agree",
    4: "Agree",
    3: "Neither agree nor disagree",
    2: "Disagree",
    1: "Strongly disagree",
}


class Invitee(Input):
    """One member of staff asked: where they work, and their email address for the link."""

    email: str = Field(min_length=3, max_length=254)
    school_id: IdNumber | None = Field(default=None, description="Empty: trust-wide staff")
    staff_group: str = Field(min_length=1, max_length=60, description="A rubric staff group id")


class ConsultationOpen(Input):
    opens_on: Day
    closes_on: Day = Field(description="Its last day: the links work to the end of it")
    summary: str = Field(
        min_length=1, max_length=MAX_TEXT, description="The change, in plain words for staff"
    )
    # As typed, blank lines and all: a refusal names the line the author sees.
    invitees: Annotated[str, StringConstraints(strip_whitespace=False)] = Field(
        max_length=MAX_INVITED * 400,
        description="A line for each person: email, staff group and (trust-wide) school",
    )


class AnswerGive(Input):
    """What one member of staff says, anonymously."""

    hours_per_week: Number = Field(
        ge=-MAX_HOURS,
        le=MAX_HOURS,
        description="Hours a week the change would add to their work (negative: remove)",
    )
    agreement: int = Field(ge=1, le=5, description="1 strongly disagree … 5 strongly agree")
    concerns: str = Field(default="", max_length=MAX_TEXT)
    would_help: str = Field(default="", max_length=MAX_TEXT)

    @field_validator("hours_per_week")
    @classmethod
    def _to_the_quarter_hour(cls, hours: Decimal) -> Decimal:
        return hours.quantize(Decimal("0.01"))


class ThemeSave(Input):
    """A theme of what staff said, and what the author did about it."""

    title: str = Field(min_length=1, max_length=200, description="What staff raised, briefly")
    staff_said: str = Field(default="", max_length=MAX_TEXT, description="Its gist")
    changed: bool = Field(description="Whether the draft changed for it")
    response: str = Field(
        min_length=1, max_length=MAX_TEXT, description="What changed, or why nothing did"
    )
    expected_revision: Revision | None = None


class FormalSave(Input):
    """A consultation held with a body that speaks for staff."""

    body: str = Field(min_length=1, max_length=200, description="Who was consulted")
    met_on: Day
    views: str = Field(min_length=1, max_length=MAX_TEXT, description="The views they gave")
    agreed: str = Field(default="", max_length=MAX_TEXT, description="What was agreed")


# What the API sends: a consultation's figures as its pages show them, groups too small to
# show anonymously given as null.


class ThemeRead(BaseModel):
    title: str
    staff_said: str
    changed: bool = Field(description="Whether the draft changed for it")
    response: str = Field(description="What changed, or why nothing did")


class ConsultationRead(BaseModel):
    id: int
    version_id: int
    opens_on: date
    closes_on: date = Field(description="Its last day: links take answers to the end of it")
    summary: str
    staff_groups: list[str] = Field(description="The rubric's staff group ids asked")
    standing: Literal["not-open", "open", "closed"]
    closed_at: datetime | None = Field(description="When its author closed it early, if they did")
    responded_at: datetime | None = Field(description="When staff were told what was done")
    invited: int
    answered: int
    response_rate: int | None = Field(description="Percent of those asked, rounded half up")
    themes: list[ThemeRead]


class ShareRead(BaseModel):
    label: str
    answered: int | None = Field(description="null: too few answered to show (min_group)")
    hours_per_week: Decimal | None = Field(description="Their mean; + adds, - saves")
    agreement: Decimal | None = Field(description="Their mean, 1 (strongly disagree) to 5")


class PredictionRead(BaseModel):
    label: str
    hours_per_week: Decimal | None = Field(description="The author's estimate per person")


class CommentRead(BaseModel):
    concerns: str
    would_help: str


class ConsultationResultsRead(ConsultationRead):
    min_group: int = Field(description="The fewest answers a school or group is shown with")
    shown: bool = Field(
        description="Whether what staff said is shown: once it has closed, and at least "
        "min_group answered (until then its figures are null, its lists empty)"
    )
    hours_per_week: Decimal | None = Field(description="The mean of everyone who answered")
    agreement: Decimal | None
    agreement_counts: dict[str, int] = Field(description="Answers for each level of agreement")
    by_school: list[ShareRead]
    by_group: list[ShareRead]
    predictions: list[PredictionRead]
    comments: list[CommentRead] = Field(description="In no order that says whose")


class FormalRead(BaseModel):
    id: int
    body: str
    met_on: date
    views: str
    agreed: str
    recorded_by: str


class VersionConsultationsRead(BaseModel):
    version_id: int
    consultations: list[ConsultationRead]
    formal: list[FormalRead]
