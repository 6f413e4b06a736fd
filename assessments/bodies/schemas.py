"""What the pages and the API send about approving bodies."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from assessments.kernel.inputs import IdNumber, Input, Revision, WholeNumber
from assessments.models import BodyKind, DecisionRule

MAX_QUORUM = 50


class BodyDetails(Input):
    """What is said of an approving body when it is added, and corrected afterwards."""

    name: str = Field(min_length=1, max_length=120, description="e.g. Standards committee")
    kind: BodyKind
    school_id: IdNumber | None = Field(
        default=None, description="The school it decides for; empty for a trust-wide body"
    )
    rule: DecisionRule = Field(description="How many of its members approve a version")
    quorum: WholeNumber = Field(
        default=2, ge=1, le=MAX_QUORUM, description="The members needed, by the rule 'number'"
    )


class BodyUpdate(BodyDetails):
    expected_revision: Revision | None = None


class BodyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    kind: BodyKind
    school_id: int | None
    rule: DecisionRule
    quorum: int
    revision: int
