"""The queries of published rubrics, and the parsed rubrics they hold, cached."""

from __future__ import annotations

from sqlmodel import Session, col, select

from assessments.kernel.bounded_cache import BoundedCache
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


# Published content never changes, so its parsed form is shared between requests. A trust
# publishes a handful of versions a year: the bounds only stop a runaway. Keyed by the content
# itself, so that content changed in the database behind the application's back is parsed
# afresh (an approval compares it with the hash taken at submission).
PARSED = BoundedCache[str, Rubric](32, "published rubric versions, parsed, by their content")
# For the register's filters: only each version's hash is read again.
LISTED = BoundedCache[str, Rubric](64, "published rubric versions, parsed, by content hash")


def frozen_rubric(row: RubricVersion) -> Rubric:
    return PARSED.get_or_make(row.content, lambda: Rubric.model_validate_json(row.content))


def published_rubrics(session: Session) -> list[Rubric]:
    """Every published rubric version, parsed. Once this process has parsed a version only its
    hash is read again: each register page asks, and the content is tens of kilobytes."""
    order = (col(RubricVersion.rubric_id), col(RubricVersion.version))
    hashes = session.exec(select(RubricVersion.content_hash).order_by(*order)).all()
    parsed = {h: rubric for h in hashes if (rubric := LISTED.get(h)) is not None}
    if unknown := [h for h in hashes if h not in parsed]:
        query = select(RubricVersion).where(col(RubricVersion.content_hash).in_(unknown))
        for row in session.exec(query):
            parsed[row.content_hash] = LISTED.put(row.content_hash, frozen_rubric(row))
    return [parsed[h] for h in hashes]
