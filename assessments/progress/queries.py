"""The queries of action progress: how an approved version's actions stand, and whose they are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from assessments.models import (
    ActionProgress,
    ActionStatus,
    Assessment,
    AssessmentVersion,
    MitigatingAction,
    Policy,
    PolicyStatus,
    VersionStatus,
)


def still_to_do(query: Any) -> Any:
    """`query`, from mitigating actions, narrowed to those still to be carried out that have a
    due date: open, of approved versions of policies in use (a retired policy's actions are
    moot). The reminders and the calendar feeds both draw on it."""
    return (
        query.join(ActionProgress, col(ActionProgress.action_id) == MitigatingAction.id)
        .join(AssessmentVersion, col(AssessmentVersion.id) == MitigatingAction.version_id)
        .join(Assessment, col(Assessment.id) == AssessmentVersion.assessment_id)
        .join(Policy, col(Policy.id) == Assessment.policy_id)
        .where(col(AssessmentVersion.status) == VersionStatus.APPROVED)
        .where(col(ActionProgress.status).in_(ActionStatus.OPEN))
        .where(col(MitigatingAction.due_date).is_not(None))
        .where(col(Policy.status) != PolicyStatus.RETIRED)
    )


def progress_of_version(session: Session, version_id: int) -> dict[int, ActionProgress]:
    """action id → its progress (empty for a version not yet approved)."""
    query = select(ActionProgress).where(ActionProgress.version_id == version_id)
    return {row.action_id: row for row in session.exec(query)}


def get_progress(session: Session, action_id: int, *, for_update: bool) -> ActionProgress | None:
    # for_update: two people saving one action's progress at once queue, and the second is
    # refused as stale rather than overwriting the first.
    return session.get(
        ActionProgress, action_id, with_for_update=for_update, populate_existing=for_update
    )


@dataclass(frozen=True)
class OwnedAction:
    action_id: int
    description: str
    due_date: date | None
    status: ActionStatus
    policy_reference: str
    policy_title: str


def open_actions_owned_by(session: Session, user_id: int, limit: int) -> list[OwnedAction]:
    """The open actions of approved versions whose owner is the account, soonest due first."""
    query = (
        sa.select(
            col(MitigatingAction.id),
            col(MitigatingAction.description),
            col(MitigatingAction.due_date),
            col(ActionProgress.status),
            col(Policy.reference),
            col(Policy.title),
        )
        .join(ActionProgress, col(ActionProgress.action_id) == MitigatingAction.id)
        .join(AssessmentVersion, col(AssessmentVersion.id) == MitigatingAction.version_id)
        .join(Assessment, col(Assessment.id) == AssessmentVersion.assessment_id)
        .join(Policy, col(Policy.id) == Assessment.policy_id)
        .where(col(MitigatingAction.owner_user_id) == user_id)
        .where(col(AssessmentVersion.status) == VersionStatus.APPROVED)
        .where(col(ActionProgress.status).in_(sorted(ActionStatus.OPEN)))
        .order_by(col(MitigatingAction.due_date).is_(None), col(MitigatingAction.due_date))
        .limit(limit)
    )
    return [OwnedAction(*row) for row in session.execute(query)]
