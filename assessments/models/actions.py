"""The table of mitigating actions: what a version commits to doing about a high impact."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from assessments.models.columns import (
    EnumValue,
    timestamp as _timestamp,
    utcnow,
)


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
