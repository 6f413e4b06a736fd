"""Use-cases of rubrics: publishing a rubric file's version, and reading what is published."""

from __future__ import annotations

from sqlmodel import Session

from assessments.kernel import db
from assessments.kernel.actors import Actor
from assessments.kernel.errors import Conflict, NotFound
from assessments.models import RubricVersion
from assessments.rubrics import queries as rubric_queries
from assessments.rubrics.schema import Rubric, canonical_json


def publish_rubric(*, session: Session, actor: Actor, rubric: Rubric) -> RubricVersion:
    """Store a frozen copy of a rubric version; publishing the same content again is a no-op."""
    digest = rubric.content_hash()
    existing = rubric_queries.published_rubric(session, rubric.id, rubric.version)
    if existing is not None:
        if existing.content_hash != digest:
            raise Conflict(
                f"Rubric {rubric.key} is already published with different content. "
                "Published versions are frozen: give the changed rubric a new version number."
            )
        return existing
    row = RubricVersion(
        rubric_id=rubric.id,
        version=rubric.version,
        title=rubric.title,
        content=canonical_json(rubric),
        content_hash=digest,
    )
    try:
        db.insert_unique(session, row, Conflict("published at the same moment by another process"))
    except Conflict:
        # Several instances starting together all publish; the same content is not a clash.
        return publish_rubric(session=session, actor=actor, rubric=rubric)
    return row


def list_published_rubrics(*, session: Session, actor: Actor) -> list[RubricVersion]:
    """Every published rubric version, by id and version."""
    return rubric_queries.list_published_rubrics(session)


def published_rubric(*, session: Session, actor: Actor, rubric_id: str, version: int) -> Rubric:
    """The frozen content of one published rubric version."""
    row = rubric_queries.published_rubric(session, rubric_id, version)
    if row is None:
        raise NotFound(f"Rubric {rubric_id}@{version} has not been published")
    return rubric_queries.frozen_rubric(row)
