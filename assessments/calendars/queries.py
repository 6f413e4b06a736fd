"""The queries of calendar feeds: the reviews and open actions' due dates within a scope."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from assessments.models import (
    ActionProgress,
    AssessmentVersion,
    MitigatingAction,
    Policy,
    PolicyStatus,
    School,
)
from assessments.progress.queries import still_to_do


def _in_schools(query: Any, school: Any, schools: frozenset[int] | None) -> Any:
    """`query` narrowed to trust-wide records and those of `schools` (None: every school)."""
    if schools is None:
        return query
    return query.where(col(school).is_(None) | col(school).in_(schools))


def reviews_in(
    session: Session, trust_id: int, schools: frozenset[int] | None
) -> list[tuple[Policy, School | None]]:
    """The trust's policies in use that have a review date, trust-wide or of `schools`, each
    with its school (None if trust-wide), by date."""
    query = (
        select(Policy, School)
        .join(School, col(School.id) == Policy.school_id, isouter=True)
        .where(Policy.trust_id == trust_id)
        .where(col(Policy.next_review_date).is_not(None))
        .where(Policy.status != PolicyStatus.RETIRED)
        .order_by(col(Policy.next_review_date), col(Policy.id))
    )
    return list(session.exec(_in_schools(query, Policy.school_id, schools)).all())


def open_actions_in(
    session: Session, trust_id: int, schools: frozenset[int] | None
) -> list[tuple[MitigatingAction, ActionProgress, AssessmentVersion, Policy]]:
    """The actions still to be carried out, with a due date, of the approved versions of the
    trust's policies in use, trust-wide or of `schools`, by due date."""
    query = (
        still_to_do(select(MitigatingAction, ActionProgress, AssessmentVersion, Policy))
        .where(AssessmentVersion.trust_id == trust_id)
        .order_by(col(MitigatingAction.due_date), col(MitigatingAction.id))
    )
    return list(session.exec(_in_schools(query, AssessmentVersion.school_id, schools)).all())
