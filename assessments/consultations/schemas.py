"""What the pages and the API send about consultations, and what staff answer."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator

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
