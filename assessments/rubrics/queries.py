"""The queries of published rubrics, and the parsed rubrics they hold, cached."""

from __future__ import annotations

from functools import lru_cache

from sqlmodel import Session, col, select

from assessments.models import (
    AssessmentVersion,
    RubricVersion,
)
from assessments.rubrics.schema import Rubric


def published_rubric(session: Session, rubric_id: str, version: int) -> RubricVersion | None:
    query = select(RubricVersion).where(
        RubricVersion.rubric_id == rubric_id, RubricVersion.version == version
    )
    return session.exec(query).first()


def list_published_rubrics(session: Session) -> list[RubricVersion]:
    query = select(RubricVersion).order_by(col(RubricVersion.rubric_id), col(RubricVersion.version))
    return list(session.exec(query))


def latest_published_rubric(session: Session, rubric_id: str) -> RubricVersion | None:
    query = (
        select(RubricVersion)
        .where(RubricVersion.rubric_id == rubric_id)
        .order_by(col(RubricVersion.version).desc())
    )
    return session.exec(query).first()


def rubric_of_version(session: Session, version: AssessmentVersion) -> Rubric:
    """The frozen rubric the version was answered against (never the YAML file of today)."""
    row = session.get(RubricVersion, version.rubric_version_id)
    assert row is not None  # guaranteed by the foreign key
    return frozen_rubric(row)


def frozen_rubric(row: RubricVersion) -> Rubric:
    return _parse_frozen(row.content)


_PUBLISHED: dict[str, Rubric] = {}  # by content hash: published content never changes


def published_rubrics(session: Session) -> list[Rubric]:
    """Every published rubric version, parsed. Once this process has parsed a version only its
    hash is read again: each register page asks, and the content is tens of kilobytes."""
    order = (col(RubricVersion.rubric_id), col(RubricVersion.version))
    hashes = session.exec(select(RubricVersion.content_hash).order_by(*order)).all()
    if unknown := [h for h in hashes if h not in _PUBLISHED]:
        query = select(RubricVersion).where(col(RubricVersion.content_hash).in_(unknown))
        _PUBLISHED.update((row.content_hash, frozen_rubric(row)) for row in session.exec(query))
    return [_PUBLISHED[h] for h in hashes]


@lru_cache(maxsize=32)
def _parse_frozen(content: str) -> Rubric:
    # Published content never changes, so its parsed form can be shared between requests.
    return Rubric.model_validate_json(content)
