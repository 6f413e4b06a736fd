"""A version's fingerprint: the hash of its content taken at submission, and checked again at
approval, so that content changed behind the application's back (directly in the database)
is never approved."""

from __future__ import annotations

import hashlib
import json

from sqlmodel import Session

from assessments.drafting.version_view import AssessmentView
from assessments.kernel import audit
from assessments.models import VersionStatus


def content_hash(view: AssessmentView) -> str:
    """A fingerprint of what was submitted: the answers (with their comments and
    justifications), workload estimates and actions, the rubric they answer (its content, not
    only its id) and the policy they belong to."""
    return _digest(_content(view))


def _content(view: AssessmentView) -> dict[str, object]:
    content = {
        "policy_id": view.policy.id,
        "assessment_id": view.version.assessment_id,
        "rubric": view.rubric.content_hash(),
        **_legacy_content(view),
    }
    # Owners' accounts only where one is named, so that a hash taken before owners could be
    # accounts (revision 4f7a2c9e1b85) is taken the same way today.
    owners = [action.owner_user_id for action in view.actions]  # in the actions' order
    if any(owner is not None for owner in owners):
        content["action_owner_accounts"] = owners
    # The screening's reason and an approver's call for the full assessment, likewise only
    # where there are any (screening answers are answers, above).
    if view.version.screening_reason:
        content["screening_reason"] = view.version.screening_reason
    if view.version.full_required:
        content["full_required"] = True
    return content


# An action's bookkeeping, and its owner's account (hashed on its own, above, when named).
_NOT_HASHED = {"id", "version_id", "revision", "updated_by", "updated_at", "owner_user_id"}


def _legacy_content(view: AssessmentView) -> dict[str, object]:
    # All that a version's hash covered before revision 3b8f0d6e5a21.
    return {
        "rubric_version_id": view.version.rubric_version_id,
        "answers": {
            qid: [a.value, a.comment, a.justification] for qid, a in sorted(view.answers.items())
        },
        "estimates": {
            group: [e.hours_per_term, e.staff_count, e.note]
            for group, e in sorted(view.estimates.items())
        },
        "actions": [a.model_dump(exclude=_NOT_HASHED) for a in view.actions],
    }


def _digest(content: dict[str, object]) -> str:
    return hashlib.sha256(audit.canonical(content).encode()).hexdigest()


def _hash_in_trail(session: Session, version_id: int) -> str | None:
    """The content hash the audit trail (keyed, so not rewritable without the key) recorded
    when the version was last submitted; None for a trail that has no such event."""
    for event in reversed(audit.events_of(session, "assessment_version", version_id)):
        if event.action == VersionStatus.SUBMITTED.value:
            try:
                recorded = json.loads(event.changes).get("content_hash")
            except (ValueError, AttributeError):
                return ""  # unreadable: nothing can match it
            return recorded if isinstance(recorded, str) else ""
    return None


def unchanged_since_submitted(session: Session, view: AssessmentView) -> bool:
    """Whether the content still has the hash taken at submission, as the version and the
    audit trail both recorded it (so rewriting the content and the version's hash together is
    caught too). A hash taken before it covered the rubric's content and the policy is checked
    against what it covered then."""
    taken = view.version.content_hash
    assert view.version.id is not None
    recorded = _hash_in_trail(session, view.version.id)
    if recorded is not None and recorded != taken:
        return False
    return taken in (content_hash(view), _digest(_legacy_content(view)))
