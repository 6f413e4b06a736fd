"""Who is told of a move in the workflow, and what: each called by the use-case that makes the
move, in its transaction. The facts are what the email says (chosen for the recipient, who may
see the version: the approvers in its scope, its author, its actions' owners)."""

from __future__ import annotations

from sqlmodel import Session

from assessments.bodies import queries as body_queries
from assessments.drafting import queries as version_queries
from assessments.kernel.actors import Role
from assessments.models import ActionStatus, AssessmentVersion, NotificationKind, Policy, User
from assessments.notifications.outbox import notify
from assessments.people import queries as people_queries


def _about(version: AssessmentVersion, policy: Policy) -> dict[str, object]:
    return {
        "version_id": version.id,
        "version": version.number,
        "policy_id": policy.id,
        "reference": policy.reference,
        "title": policy.title,
    }


def _named(policy: Policy) -> str:
    return f"{policy.reference} {policy.title}"


def awaiting_decision(session: Session, version: AssessmentVersion, policy: Policy) -> None:
    """A version submitted: its approvers are asked to decide (those of its policy's body, where
    it names one; not those who contributed to it, who may not)."""
    contributors = {c.user_id for c in version_queries.contributors_of(session, version.id or 0)}
    contributors.add(version.author_user_id or 0)
    members = (
        None
        if policy.approving_body_id is None
        else {m.id for m in body_queries.members_of(session, policy.approving_body_id)}
    )
    for approver in people_queries.holders_of(
        session, trust_id=policy.trust_id, role=Role.APPROVER, school_id=policy.school_id
    ):
        if approver.id in contributors or (members is not None and approver.id not in members):
            continue
        notify(
            session,
            user=approver,
            kind=NotificationKind.AWAITING_DECISION,
            subject=f"Awaiting your decision: {_named(policy)} (version {version.number})",
            facts={**_about(version, policy), "submitted_by": version.submitted_by},
        )


def decided(
    session: Session, version: AssessmentVersion, policy: Policy, *, approved: bool
) -> None:
    """A version approved or returned: its author is told, with the approver's reason."""
    author = _account(session, version.author_user_id)
    if author is None:
        return
    outcome = "Approved" if approved else "Returned"
    notify(
        session,
        user=author,
        kind=NotificationKind.DECIDED,
        subject=f"{outcome}: {_named(policy)} (version {version.number})",
        facts={
            **_about(version, policy),
            "approved": approved,
            "decided_by": version.decided_by,
            "reason": version.decision_reason,
            "review_due": version.review_due.isoformat() if version.review_due else None,
            # Returned for the full assessment, whatever the version's screening says.
            "full_required": version.full_required and not approved,
        },
    )


def actions_assigned(session: Session, version: AssessmentVersion, policy: Policy) -> None:
    """A version approved: the owner of each of its actions still to be carried out is told
    what they now own, in one message per owner."""
    owned: dict[int, list[dict[str, object]]] = {}
    for action in version_queries.actions_of_version(session, version.id or 0):
        if action.owner_user_id is not None and action.status in ActionStatus.OPEN:
            owned.setdefault(action.owner_user_id, []).append(
                {
                    "action_id": action.id,
                    "description": action.description,
                    "due": action.due_date.isoformat() if action.due_date else None,
                }
            )
    for user_id, actions in owned.items():
        owner = _account(session, user_id)
        if owner is None:
            continue
        many = f"{len(actions)} mitigating actions" if len(actions) > 1 else "A mitigating action"
        notify(
            session,
            user=owner,
            kind=NotificationKind.ACTION_ASSIGNED,
            subject=f"{many} for you: {_named(policy)}",
            facts={**_about(version, policy), "actions": actions},
        )


def _account(session: Session, user_id: int | None) -> User | None:
    return None if user_id is None else people_queries.get_user(session, user_id)
