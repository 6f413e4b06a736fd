"""The approval workflow's use-cases, one per move in moves.MOVES (which says who may make
each, from where and to where); each checks its move there and then what else it needs.

An approved version never changes (the use-cases refuse, and database triggers stop even a
direct UPDATE); reviewing it starts version n+1 as a draft copied from it.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date

from sqlmodel import Session

from assessments.consultations import requirement
from assessments.drafting import queries as version_queries
from assessments.drafting.contributors import (
    note_contribution,
)
from assessments.drafting.stored_results import store_progress, store_results
from assessments.drafting.version_view import AssessmentView, view_assessment
from assessments.kernel import audit
from assessments.kernel.actors import Actor
from assessments.kernel.errors import ContentChanged, InvalidTransition, ValidationFailed
from assessments.models import (
    AssessmentVersion,
    MemberVote,
    Policy,
    PolicyStatus,
    VersionStatus,
    utcnow,
)
from assessments.notifications import events as notifications
from assessments.progress.recording import start_progress
from assessments.workflow import body_votes, fingerprints, review
from assessments.workflow.fingerprints import content_hash as content_hash  # for callers
from assessments.workflow.moves import RULES, Move, blocked_by_kind
from assessments.workflow.moving import locked, require_may_make
from assessments.workflow.next_version import restart as restart, revise as revise  # for callers

MAX_REASON = 2000


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or the month's last day, for 31 January + 1 month)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def review_due_from(day: date, policy: Policy) -> date:
    """When a version approved on `day` falls due for review: the policy's review cycle on."""
    return add_months(day, policy.review_cycle_months)


def submission_problems(view: AssessmentView) -> dict[str, str]:
    """What stops a draft being submitted, in words for its author (empty when nothing), each
    under the id of the place on the summary page where it is put right."""
    if view.screened_out:
        if view.version.screening_reason:
            return {}
        return {"screening-reason": "Say why this change needs no full assessment"}
    questions = {q.id: q for q in view.rubric.questions()}
    problems = {
        f"missing-{qid}": f"Answer “{questions[qid].text}”" for qid in view.results.missing_required
    }
    for qid in view.unmitigated():
        problems[f"mitigation-{qid}"] = (
            f"Add a mitigating action for “{questions[qid].text}”, or say why none is needed"
        )
    return problems


def view_for_move(*, session: Session, actor: Actor, version_id: int, move: Move) -> AssessmentView:
    """The version as the page that confirms `move` shows it: refused, as making the move
    would be, to anyone who may not make it now."""
    view = view_assessment(session=session, actor=actor, version_id=version_id)
    require_may_make(session, actor, view.version, view.policy, move)
    return view


def _make(
    session: Session, actor: Actor, version: AssessmentVersion, move: Move, **details: object
) -> None:
    _set_status(session, actor, version, RULES[move].end, **details)


def _set_status(
    session: Session, actor: Actor, version: AssessmentVersion, to: VersionStatus, **details: object
) -> None:
    before = version.status
    version.status, version.revision, version.updated_at = to, version.revision + 1, utcnow()
    session.add(version)
    session.flush()
    audit.record(
        session,
        actor,
        entity="assessment_version",
        entity_id=version.id,
        action=to.value,
        details={"status": [before.value, to.value], **details},
    )


def submit(
    *,
    session: Session,
    actor: Actor,
    version_id: int,
    expected_revision: int | None = None,
    unconsulted_reason: str = "",
) -> AssessmentVersion:
    """Send a complete draft to the approvers; where its rating asks for staff to be consulted
    and they were not, with the reason why not."""
    version, policy = locked(session, actor, version_id, Move.SUBMIT, expected_revision)
    view = view_assessment(session=session, actor=actor, version_id=version_id)
    if problems := submission_problems(view):
        raise ValidationFailed({"submission": "; ".join(problems.values())})
    why_not = requirement.checked_reason(session, view, unconsulted_reason)
    said = {requirement.FIELD: why_not} if why_not else {}
    note_contribution(session, actor, version)  # a submitter vouches for the content
    version.content_hash, version.submitted_at = fingerprints.content_hash(view), utcnow()
    version.submitted_by = actor.name
    version.decided_at, version.decided_by, version.decided_by_user_id = None, "", None
    version.decision_reason = ""
    _make(session, actor, version, Move.SUBMIT, content_hash=version.content_hash, **said)
    notifications.awaiting_decision(session, version, policy)
    return version


MAX_MINUTE = 200


def _reason(text: str, why: str) -> str:
    """A reason as given, or refused when empty or too long (`why` says what it is for)."""
    text = text.strip()
    if not text or len(text) > MAX_REASON:
        raise ValidationFailed({"reason": f"{why} (up to {MAX_REASON} characters)"})
    return text


def _minute(text: str) -> str:
    text = text.strip()
    if len(text) > MAX_MINUTE:
        raise ValidationFailed({"minute": f"Keep the minute reference to {MAX_MINUTE} characters"})
    return text


def _meeting(day: date | None, today: date) -> date | None:
    """The date of the meeting that decided, which cannot be after the decision is recorded."""
    if day is not None and day > today:
        raise ValidationFailed(
            {"meeting_date": "Enter the date the meeting was held: not a date to come"}
        )
    return day


def approval_needs_reason(view: AssessmentView) -> bool:
    """Whether approving the version needs a recorded reason: its rating after the planned
    actions is one the rubric marks so (high and very high, in the shipped rubric)."""
    band = view.results_after.rating
    return band is not None and band.approval_needs_reason


def approve(
    *,
    session: Session,
    actor: Actor,
    version_id: int,
    expected_revision: int | None = None,
    reason: str = "",
    minute: str = "",
    meeting_date: date | None = None,
) -> AssessmentVersion:
    """Approve a submitted version: it becomes the policy's current assessment, for good. A
    reason is kept with the decision (and needed for a high rating after mitigation), and the
    meeting's date and minute, when given. Where the policy names an approving body, this is
    one member's approval, and the version is approved once enough of them have (its rule)."""
    version, policy = locked(session, actor, version_id, Move.APPROVE, expected_revision)
    view = view_assessment(session=session, actor=actor, version_id=version_id)
    reason, minute = reason.strip(), _minute(minute)
    meeting = _meeting(meeting_date, utcnow().date())
    if approval_needs_reason(view) or reason:
        band = view.results_after.rating
        rated = band.label.lower() if band else "unrated"
        reason = _reason(reason, f"Say why a policy rated {rated} after mitigation is approved")
    if not fingerprints.unchanged_since_submitted(session, view):
        raise ContentChanged(
            f"Version {version.number} has changed since it was submitted, outside the "
            "application (directly in the database), so it cannot be approved. Nothing was "
            "approved: return it to its authors to check and submit again."
        )
    said = _said(reason, minute, meeting)
    body = body_votes.record(session, actor, version, policy, MemberVote.APPROVE, said, meeting)
    if body is not None and not body.met:  # recorded; it awaits more of the body's members
        audit.record(
            session,
            actor,
            entity="assessment_version",
            entity_id=version.id,
            action="member-approved",
            details={
                "body": body.body.name,
                "approvals": [len(body.approvals), body.needed],
                **said,
            },
        )
        return version
    store_results(session, version)  # its stored results from the very content approved
    start_progress(session, actor, version)
    store_progress(session, version)
    for older in version_queries.versions_of_assessment(session, version.assessment_id):
        if older.status is VersionStatus.APPROVED:
            _set_status(session, actor, older, VersionStatus.SUPERSEDED, by_version=version.number)
    now = utcnow()
    review_due = review_due_from(now.date(), policy)
    version.decided_at, version.decided_by, version.decided_by_user_id = (
        now,
        body.approved_by() if body else actor.name,
        actor.user_id,
    )
    version.review_due = review_due
    version.decision_reason = reason
    by_body = (
        {"body": body.body.name, "approved_by": [d.name for d in body.approvals]} if body else {}
    )
    _make(
        session,
        actor,
        version,
        Move.APPROVE,
        review_due=review_due,
        **said,
        **by_body,
    )
    policy.next_review_date = review_due
    if policy.status in (PolicyStatus.NEW, PolicyStatus.UNDER_REVIEW):
        policy.status = PolicyStatus.IN_FORCE
    session.add(policy)
    session.flush()
    notifications.decided(session, version, policy, approved=True)
    notifications.actions_assigned(session, version, policy)
    return version


def _said(reason: str, minute: str, meeting: date | None) -> dict[str, str]:
    """A decision's words for the audit trail: its reason, minute and meeting, where given."""
    words = (
        ("reason", reason),
        ("minute", minute),
        ("meeting_date", meeting and meeting.isoformat()),
    )
    return {key: text for key, text in words if text}


def return_version(
    *,
    session: Session,
    actor: Actor,
    version_id: int,
    reason: str,
    expected_revision: int | None = None,
    minute: str = "",
    meeting_date: date | None = None,
) -> AssessmentVersion:
    """Send a submitted version back to its authors, saying why (one member of its body is
    enough). Its content as returned is kept in the trail, so that whoever decides next sees
    what changed since."""
    version, policy = locked(session, actor, version_id, Move.RETURN, expected_revision)
    reason = _reason(reason, "Say why it is returned, so the author can put it right")
    meeting = _meeting(meeting_date, utcnow().date())
    said = _said(reason, _minute(minute), meeting)
    _send_back(session, actor, version, policy, Move.RETURN, said, meeting)
    return version


def require_full(
    *,
    session: Session,
    actor: Actor,
    version_id: int,
    reason: str,
    expected_revision: int | None = None,
    minute: str = "",
    meeting_date: date | None = None,
) -> AssessmentVersion:
    """Send a screened-out version back to its authors for the full assessment, saying why:
    reopened, it is assessed in full whatever its screening answers say."""
    version, policy = locked(session, actor, version_id, Move.REQUIRE_FULL, expected_revision)
    if Move.REQUIRE_FULL in blocked_by_kind(version):
        raise InvalidTransition(
            f"Version {version.number} is already a full assessment: return it instead"
        )
    reason = _reason(reason, "Say why it needs the full assessment, for its authors")
    meeting = _meeting(meeting_date, utcnow().date())
    said = _said(reason, _minute(minute), meeting)
    version.full_required = True
    _send_back(session, actor, version, policy, Move.REQUIRE_FULL, said, meeting, full=True)
    store_results(session, version)  # now a full assessment
    return version


def _send_back(
    session: Session,
    actor: Actor,
    version: AssessmentVersion,
    policy: Policy,
    move: Move,
    said: dict[str, str],
    meeting: date | None,
    **details: object,
) -> None:
    assert version.id is not None
    body_votes.record(session, actor, version, policy, MemberVote.RETURN, said, meeting)
    as_returned = review.comparable(
        view_assessment(session=session, actor=actor, version_id=version.id)
    )
    version.decided_at, version.decided_by, version.decided_by_user_id = (
        utcnow(),
        actor.name,
        actor.user_id,
    )
    version.decision_reason = said["reason"]
    _make(
        session,
        actor,
        version,
        move,
        **said,
        **details,
        content_at_return=as_returned,
    )
    notifications.decided(session, version, policy, approved=False)


def reopen(
    *, session: Session, actor: Actor, version_id: int, expected_revision: int | None = None
) -> AssessmentVersion:
    """Make a returned version a draft again, to put right what the approver asked for."""
    version, _ = locked(session, actor, version_id, Move.REOPEN, expected_revision)
    version.content_hash = None
    _make(session, actor, version, Move.REOPEN)
    return version


def withdraw(
    *,
    session: Session,
    actor: Actor,
    version_id: int,
    reason: str,
    expected_revision: int | None = None,
) -> AssessmentVersion:
    """Abandon a draft (or a returned version), saying why: it stays in the register as
    withdrawn, and may be started again."""
    version, _ = locked(session, actor, version_id, Move.WITHDRAW, expected_revision)
    # Kept where the register shows a version's reason; who withdrew it, and when, the trail
    # says (a withdrawal is its authors' own, not a decision on it by someone else).
    version.decision_reason = _reason(reason, "Say why it is withdrawn, for the register")
    _make(session, actor, version, Move.WITHDRAW, reason=version.decision_reason)
    return version
