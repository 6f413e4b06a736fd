"""The table of published rubrics: each version frozen as the JSON it was published as."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from assessments.models.columns import (
    timestamp as _timestamp,
    utcnow,
)


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
