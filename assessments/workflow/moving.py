"""Checking that a person may make a move on a version now, by moves.MOVES: shared by the
workflow's use-cases (transitions.py and next_version.py)."""

from __future__ import annotations

from sqlmodel import Session

from assessments.drafting import queries as version_queries
from assessments.drafting.contributors import require_no_part_in
from assessments.drafting.editing import check_revision
from assessments.kernel.actors import Actor, require
from assessments.models import AssessmentVersion, Policy
from assessments.workflow import body_votes
from assessments.workflow.moves import RULES, Move, check_move


def locked(
    session: Session, actor: Actor, version_id: int, move: Move, expected_revision: int | None
) -> tuple[AssessmentVersion, Policy]:
    """The version, once the actor may make the move on it (by moves.MOVES)."""
    # Locked and re-read: of two people deciding at once, the second sees the first's outcome.
    version = version_queries.get_version(session, version_id, for_update=True)
    policy = version_queries.policy_of_version(session, version)
    require_may_make(session, actor, version, policy, move, expected_revision)
    return version, policy


def require_may_make(
    session: Session,
    actor: Actor,
    version: AssessmentVersion,
    policy: Policy,
    move: Move,
    expected_revision: int | None = None,
) -> None:
    what = f"assessment version {version.id}"
    rule = RULES[move]
    require(actor, rule.role, trust_id=policy.trust_id, school_id=policy.school_id, what=what)
    check_revision(version.revision, expected_revision)
    check_move(version, move)
    if rule.by_someone_else:  # a decision
        require_no_part_in(session, actor, version)
        body_votes.require_member(session, actor, policy)
