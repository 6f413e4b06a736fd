"""Deciding as a body: only the members of the body a policy names decide on its assessments;
each member's approval or return is recorded, with their reason, meeting and minute."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from assessments.bodies import queries as body_queries
from assessments.bodies.quorum import Standing, body_of, standing
from assessments.kernel.actors import Actor
from assessments.kernel.errors import InvalidTransition, NotAllowed
from assessments.models import AssessmentVersion, MemberDecision, MemberVote, Policy, VersionStatus
from assessments.workflow.moves import MOVES, Move

DECISIONS = frozenset(rule.move for rule in MOVES if rule.by_someone_else)


def is_member(session: Session, actor: Actor, policy: Policy) -> bool:
    """Whether the actor may decide for the policy's body (anyone may, where it names none)."""
    if policy.approving_body_id is None:
        return True
    return actor.user_id is not None and (
        body_queries.membership(session, policy.approving_body_id, actor.user_id) is not None
    )


def require_member(session: Session, actor: Actor, policy: Policy) -> None:
    if not is_member(session, actor, policy):
        body = body_of(session, policy)
        name = body.name if body else "its approving body"
        raise NotAllowed(f"Only the members of {name} decide on this policy's assessments")


def _approved_already(session: Session, actor: Actor, version: AssessmentVersion) -> bool:
    if actor.user_id is None or version.id is None:
        return False
    return version.id in body_queries.decided_by_member(
        session, actor.user_id, [(version.id, version.submitted_at)]
    )


def blocked_by_body(
    session: Session, actor: Actor, version: AssessmentVersion, policy: Policy
) -> set[Move]:
    """The decisions the actor may not make for the policy's body: all, for someone not a
    member; approving again, for a member who has approved this submission already (unless
    the approvals recorded meet the body's rule as it is now)."""
    if policy.approving_body_id is None or version.status not in VersionStatus.AWAITING_DECISION:
        return set()
    if not is_member(session, actor, policy):
        return set(DECISIONS)
    return (
        {Move.APPROVE}
        if _approved_already(session, actor, version) and not _met(session, version, policy)
        else set()
    )


def _met(session: Session, version: AssessmentVersion, policy: Policy) -> bool:
    """Whether the approvals recorded meet the rule already (it was loosened since, or a
    member taken off): the next approval by any member approves the version."""
    now = standing(session, version, policy)
    return now is not None and now.met


def record(
    session: Session,
    actor: Actor,
    version: AssessmentVersion,
    policy: Policy,
    vote: MemberVote,
    said: dict[str, str],
    meeting_date: date | None,
) -> Standing | None:
    """Record the member's decision for the policy's body, and where the version then stands
    (None, recording nothing, where the policy names no body)."""
    body = body_of(session, policy)
    if body is None:
        return None
    assert body.id is not None and version.id is not None and actor.user_id is not None
    if vote is MemberVote.APPROVE and _approved_already(session, actor, version):
        if _met(session, version, policy):
            return standing(session, version, policy)  # approved by what is recorded
        raise InvalidTransition(
            f"You have approved version {version.number} already: it awaits the other "
            f"members of {body.name}"
        )
    assert version.submitted_at is not None
    session.add(
        MemberDecision(
            version_id=version.id,
            submitted_at=version.submitted_at,
            body_id=body.id,
            user_id=actor.user_id,
            name=actor.name[:120],
            vote=vote,
            reason=said.get("reason", ""),
            minute=said.get("minute", ""),
            meeting_date=meeting_date,
        )
    )
    session.flush()
    return standing(session, version, policy)
