"""The home page's queries: a person's own open versions, overdue actions, and the totals of
the approved versions they may see."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from assessments.kernel.actors import Actor, Role
from assessments.models import (
    ActionProgress,
    ActionStatus,
    AssessmentKind,
    AssessmentVersion,
    MitigatingAction,
    Policy,
    RubricVersion,
    VersionStatus,
    WorkloadEstimate,
)
from assessments.register.queries import in_sight, with_policies
from assessments.register.schemas import (
    Count,
    MyVersion,
    OverdueAction,
)
from assessments.rubrics import queries as rubric_queries
from assessments.rubrics.scoring import round_one_place

SHOWN = 10  # rows of each list on the home page; the rest are a link away


def approved_versions(actor: Actor) -> Any:
    """The ids of the approved (in force) versions the actor may see."""
    query = sa.select(col(AssessmentVersion.id)).where(
        col(AssessmentVersion.status) == VersionStatus.APPROVED
    )
    return in_sight(query, actor)


def my_versions(session: Session, actor: Actor) -> list[MyVersion]:
    """The actor's own drafts, returned and submitted versions, the longest untouched first."""
    if actor.user_id is None or not actor.has_role(Role.AUTHOR):
        return []
    query = (
        with_policies(
            sa.select(
                col(AssessmentVersion.id),
                col(AssessmentVersion.number),
                col(AssessmentVersion.status),
                col(Policy.reference),
                col(Policy.title),
                col(AssessmentVersion.decision_reason),
            ).select_from(AssessmentVersion)
        )
        .where(col(AssessmentVersion.author_user_id) == actor.user_id)
        .where(col(AssessmentVersion.status).in_(sorted(VersionStatus.OPEN)))
        .order_by(col(AssessmentVersion.updated_at))
    )
    return [MyVersion(*row) for row in session.execute(in_sight(query, actor).limit(SHOWN))]


def _with_progress(query: Any) -> Any:
    """Actions of approved versions, by how they stand now (their progress)."""
    return query.join(ActionProgress, col(ActionProgress.action_id) == MitigatingAction.id)


def overdue_actions(session: Session, actor: Actor, today: date) -> tuple[list[OverdueAction], int]:
    where = (
        col(ActionProgress.version_id).in_(approved_versions(actor)),
        col(ActionProgress.status).in_(sorted(ActionStatus.OPEN)),
        col(MitigatingAction.due_date) < today,
    )
    counted = _with_progress(sa.select(sa.func.count()).select_from(MitigatingAction))
    total = session.execute(counted.where(*where)).scalar_one()
    query = with_policies(
        _with_progress(
            sa.select(
                col(MitigatingAction.id),
                col(MitigatingAction.version_id),
                col(Policy.reference),
                col(Policy.title),
                col(MitigatingAction.description),
                col(MitigatingAction.owner),
                col(MitigatingAction.due_date),
                col(ActionProgress.status),
            ).select_from(MitigatingAction)
        ).join(AssessmentVersion, col(AssessmentVersion.id) == MitigatingAction.version_id)
    )
    query = query.where(*where).order_by(col(MitigatingAction.due_date)).limit(SHOWN)
    return [OverdueAction(*row) for row in session.execute(query)], total


def _assessed_in_full() -> Any:
    """A screened-out version's estimates, if any were made, count for nothing."""
    return col(AssessmentVersion.kind) == AssessmentKind.FULL


def rating_counts(session: Session, actor: Actor) -> dict[str | None, int]:
    """Approved full assessments by rating (a screened-out version has none)."""
    query = (
        sa.select(col(AssessmentVersion.rating), sa.func.count())
        .where(col(AssessmentVersion.id).in_(approved_versions(actor)), _assessed_in_full())
        .group_by(col(AssessmentVersion.rating))
    )
    return {rating: n for rating, n in session.execute(query)}


def hours_by_staff_group(session: Session, actor: Actor) -> list[Count]:
    """Net hours a year per staff group, each rubric's estimates counted with its own terms
    a year, in a rubric's order of staff groups and named as one of those rubrics names it."""
    query = (
        sa.select(
            col(AssessmentVersion.rubric_version_id),
            col(WorkloadEstimate.staff_group),
            sa.func.sum(col(WorkloadEstimate.hours_per_term) * col(WorkloadEstimate.staff_count)),
        )
        .join(AssessmentVersion, col(AssessmentVersion.id) == WorkloadEstimate.version_id)
        .where(col(WorkloadEstimate.version_id).in_(approved_versions(actor)), _assessed_in_full())
        .group_by(col(AssessmentVersion.rubric_version_id), col(WorkloadEstimate.staff_group))
    )
    hours: dict[str, Decimal] = {}
    labels: dict[str, tuple[int, str]] = {}  # the group's place in its rubric, and its name
    for rubric_version_id, group_id, per_term in session.execute(query):
        row = session.get(RubricVersion, rubric_version_id)
        assert row is not None  # guaranteed by the foreign key
        rubric = rubric_queries.frozen_rubric(row)
        places = [g.id for g in rubric.staff_groups]
        group = rubric.staff_group(group_id)
        place = places.index(group_id) if group else len(places)
        labels[group_id] = (place, group.label if group else group_id)
        terms = rubric.workload.terms_per_year
        hours[group_id] = hours.get(group_id, Decimal(0)) + Decimal(per_term) * terms
    in_order = sorted(hours, key=lambda g: labels[g])
    return [Count(labels[g][1], round_one_place(hours[g])) for g in in_order]


def actions_by_status(session: Session, actor: Actor) -> list[Count]:
    query = (
        sa.select(col(ActionProgress.status), sa.func.count())
        .where(col(ActionProgress.version_id).in_(approved_versions(actor)))
        .group_by(col(ActionProgress.status))
    )
    counts = dict(session.execute(query).all())
    shown = [Count(status.label, Decimal(counts.get(status, 0))) for status in ActionStatus]
    return shown if any(c.value for c in shown) else []
