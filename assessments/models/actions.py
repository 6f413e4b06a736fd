"""The tables of mitigating actions: what a version commits to doing about a high impact
(frozen with the version), and how each one stands since its version was approved (living)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

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

    # Still to be carried out (assigned below the class: its body cannot use its own members).
    OPEN: ClassVar[frozenset[ActionStatus]]

    @property
    def label(self) -> str:
        return self.value.replace("-", " ").capitalize()


ActionStatus.OPEN = frozenset({ActionStatus.PLANNED, ActionStatus.IN_PROGRESS})


class MitigatingAction(SQLModel, table=True):
    """What will be done to reduce an impact, for one or more questions of a version."""

    __tablename__ = "mitigating_action"

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="assessment_version.id", index=True)
    description: str = Field(sa_type=sa.Text)
    question_ids: list[str] = Field(sa_type=sa.JSON)  # the questions whose impact it answers
    owner: str = Field(max_length=120)  # the owner's name, as shown; kept if they leave
    # The owner's account when they have one (someone without an account can be named too).
    owner_user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    due_date: date | None = None
    # Where it stood when the version was written; after approval, ActionProgress says.
    status: ActionStatus = Field(sa_type=EnumValue(ActionStatus, 20))
    residual_impact: int  # the impact expected once done, on the rubric's impact scale
    revision: int = 1
    updated_by: str = Field(max_length=120)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class ActionProgress(SQLModel, table=True):
    """How an approved version's action stands now: its owner and the policy's authors keep it
    up to date without a new version (each change is in the audit trail, which is its
    history). Made for every action when its version is approved."""

    __tablename__ = "action_progress"

    action_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("mitigating_action.id"), primary_key=True)
    )
    version_id: int = Field(foreign_key="assessment_version.id", index=True)
    status: ActionStatus = Field(sa_type=EnumValue(ActionStatus, 20))
    note: str = Field(default="", sa_type=sa.Text)  # progress so far; for a dropped one, why
    done_on: date | None = None
    evidence_url: str = Field(default="", max_length=2000)
    revision: int = 1
    updated_by: str = Field(max_length=120)
    updated_by_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
