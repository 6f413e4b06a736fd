"""Starting version n+1 of an assessment, as a draft copied from version n: the review of an
approved version (REVISE), or a withdrawn one started again (RESTART)."""

from __future__ import annotations

from sqlmodel import Session

from assessments.drafting import queries as version_queries
from assessments.drafting.contributors import carry_contributors, note_contribution
from assessments.drafting.stored_results import status_now, store_results
from assessments.kernel import audit
from assessments.kernel.actors import Actor
from assessments.kernel.errors import InvalidTransition
from assessments.models import (
    Answer,
    AssessmentVersion,
    MitigatingAction,
    VersionStatus,
    WorkloadEstimate,
)
from assessments.progress import queries as progress_queries
from assessments.workflow.moves import RULES, Move, blocked_by_siblings
from assessments.workflow.moving import locked


def revise(*, session: Session, actor: Actor, version_id: int) -> AssessmentVersion:
    """Start the next version of an approved assessment, as a draft copied from it."""
    return _next_version(session, actor, version_id, Move.REVISE)


def restart(*, session: Session, actor: Actor, version_id: int) -> AssessmentVersion:
    """Start a withdrawn assessment again: the next version, a draft copied from it."""
    return _next_version(session, actor, version_id, Move.RESTART)


def _next_version(session: Session, actor: Actor, version_id: int, move: Move) -> AssessmentVersion:
    """Version n+1 of the assessment, as a draft copied from `version_id` (left as it is)."""
    source, _ = locked(session, actor, version_id, move, None)
    versions = version_queries.versions_of_assessment(session, source.assessment_id)
    if move in blocked_by_siblings(source, versions):
        if any(v.status in VersionStatus.OPEN for v in versions):
            raise InvalidTransition("This assessment already has a version in progress")
        raise InvalidTransition(
            f"Version {source.number} is not the latest: start from version {versions[-1].number}"
        )
    draft = AssessmentVersion(
        assessment_id=source.assessment_id,
        trust_id=source.trust_id,
        school_id=source.school_id,
        number=max(v.number for v in versions) + 1,
        rubric_version_id=source.rubric_version_id,
        screening_reason=source.screening_reason,
        # A review is screened again; a version started again after a withdrawal is still
        # the one an approver asked to see assessed in full.
        full_required=source.full_required and move is Move.RESTART,
        status=RULES[move].end,
        author=actor.name,
        author_user_id=actor.user_id,
    )
    session.add(draft)
    session.flush()
    assert draft.id is not None and source.id is not None
    _copy_content(session, source.id, draft.id)
    carry_contributors(session, source, draft)
    note_contribution(session, actor, draft)
    store_results(session, draft)
    audit.record(
        session,
        actor,
        entity="assessment_version",
        entity_id=draft.id,
        action="revised" if move is Move.REVISE else "restarted",
        details={"from_version": source.number, "number": draft.number},
    )
    return draft


def _copy_content(session: Session, source: int, target: int) -> None:
    fresh = {"id", "version_id", "revision"}  # the copies are new rows of the new version
    rows: list[Answer | WorkloadEstimate] = [
        *version_queries.answers_of_version(session, source).values(),
        *version_queries.estimates_of_version(session, source).values(),
    ]
    session.add_all(type(row)(**row.model_dump(exclude=fresh), version_id=target) for row in rows)
    progress = progress_queries.progress_of_version(session, source)
    session.add_all(
        # Each action as it stands now, not as it stood when the source was approved.
        MitigatingAction(
            **action.model_dump(exclude={*fresh, "status"}),
            status=status_now(action, progress),
            version_id=target,
        )
        for action in version_queries.actions_of_version(session, source)
    )
    session.flush()
