"""The approval workflow's use-cases, one per move in moves.MOVES (which says who may make
each, from where and to where); each checks its move there and then what else it needs.

An approved version never changes (the use-cases refuse, and database triggers stop even a
direct UPDATE); reviewing it starts version n+1 as a draft copied from it.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date

from sqlmodel import Session

from assessments.drafting import queries as version_queries
from assessments.drafting.contributors import (
    carry_contributors,
    note_contribution,
    require_no_part_in,
)
from assessments.drafting.editing import check_revision
from assessments.drafting.stored_results import status_now, store_progress, store_results
from assessments.drafting.version_view import AssessmentView, view_assessment
from assessments.kernel import audit
from assessments.kernel.actors import Actor, require
from assessments.kernel.errors import ContentChanged, InvalidTransition, ValidationFailed
from assessments.models import (
    Answer,
    AssessmentVersion,
    MitigatingAction,
    Policy,
    PolicyStatus,
    VersionStatus,
    WorkloadEstimate,
    utcnow,
)
from assessments.notifications import events as notifications
from assessments.progress import queries as progress_queries
from assessments.progress.recording import start_progress
from assessments.workflow import fingerprints, review
from assessments.workflow.fingerprints import content_hash as content_hash  # for callers
from assessments.workflow.moves import RULES, Move, blocked_by_siblings, check_move

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
    questions = {q.id: q for q in view.rubric.questions()}
    problems = {
        f"missing-{qid}": f"Answer “{questions[qid].text}”" for qid in view.results.missing_required
    }
    for qid in view.unmitigated():
        problems[f"mitigation-{qid}"] = (
            f"Add a mitigating action for “{questions[qid].text}”, or say why none is needed"
        )
    return problems


def _locked(
    session: Session, actor: Actor, version_id: int, move: Move, expected_revision: int | None
) -> tuple[AssessmentVersion, Policy]:
    """The version, once the actor may make the move on it (by moves.MOVES)."""
    # Locked and re-read: of two people deciding at once, the second sees the first's outcome.
    version = version_queries.get_version(session, version_id, for_update=True)
    policy = version_queries.policy_of_version(session, version)
    _require_may_make(session, actor, version, policy, move, expected_revision)
    return version, policy


def _require_may_make(
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
    if rule.by_someone_else:
        require_no_part_in(session, actor, version)


def view_for_move(*, session: Session, actor: Actor, version_id: int, move: Move) -> AssessmentView:
    """The version as the page that confirms `move` shows it: refused, as making the move
    would be, to anyone who may not make it now."""
    view = view_assessment(session=session, actor=actor, version_id=version_id)
    _require_may_make(session, actor, view.version, view.policy, move)
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
    *, session: Session, actor: Actor, version_id: int, expected_revision: int | None = None
) -> AssessmentVersion:
    """Send a complete draft to the approvers."""
    version, policy = _locked(session, actor, version_id, Move.SUBMIT, expected_revision)
    view = view_assessment(session=session, actor=actor, version_id=version_id)
    if problems := submission_problems(view):
        raise ValidationFailed({"submission": "; ".join(problems.values())})
    note_contribution(session, actor, version)  # a submitter vouches for the content
    version.content_hash, version.submitted_at = fingerprints.content_hash(view), utcnow()
    version.submitted_by = actor.name
    version.decided_at, version.decided_by, version.decided_by_user_id = None, "", None
    version.decision_reason = ""
    _make(session, actor, version, Move.SUBMIT, content_hash=version.content_hash)
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
) -> AssessmentVersion:
    """Approve a submitted version: it becomes the policy's current assessment, for good. A
    reason is kept with the decision (and needed for a high rating after mitigation), and the
    minute of the meeting that decided, when given."""
    version, policy = _locked(session, actor, version_id, Move.APPROVE, expected_revision)
    view = view_assessment(session=session, actor=actor, version_id=version_id)
    reason, minute = reason.strip(), _minute(minute)
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
        actor.name,
        actor.user_id,
    )
    version.review_due = review_due
    version.decision_reason = reason
    _make(session, actor, version, Move.APPROVE, review_due=review_due, **_said(reason, minute))
    policy.next_review_date = review_due
    if policy.status in (PolicyStatus.NEW, PolicyStatus.UNDER_REVIEW):
        policy.status = PolicyStatus.IN_FORCE
    session.add(policy)
    session.flush()
    notifications.decided(session, version, policy, approved=True)
    notifications.actions_assigned(session, version, policy)
    return version


def _said(reason: str, minute: str) -> dict[str, str]:
    """A decision's words for the audit trail: its reason and minute, where given."""
    return {key: text for key, text in (("reason", reason), ("minute", minute)) if text}


def return_version(
    *,
    session: Session,
    actor: Actor,
    version_id: int,
    reason: str,
    expected_revision: int | None = None,
    minute: str = "",
) -> AssessmentVersion:
    """Send a submitted version back to its authors, saying why. Its content as returned is
    kept in the trail, so that whoever decides next sees what changed since."""
    version, policy = _locked(session, actor, version_id, Move.RETURN, expected_revision)
    reason = _reason(reason, "Say why it is returned, so the author can put it right")
    minute = _minute(minute)
    as_returned = review.comparable(
        view_assessment(session=session, actor=actor, version_id=version_id)
    )
    version.decided_at, version.decided_by, version.decided_by_user_id = (
        utcnow(),
        actor.name,
        actor.user_id,
    )
    version.decision_reason = reason
    _make(
        session, actor, version, Move.RETURN, **_said(reason, minute), content_at_return=as_returned
    )
    notifications.decided(session, version, policy, approved=False)
    return version


def reopen(
    *, session: Session, actor: Actor, version_id: int, expected_revision: int | None = None
) -> AssessmentVersion:
    """Make a returned version a draft again, to put right what the approver asked for."""
    version, _ = _locked(session, actor, version_id, Move.REOPEN, expected_revision)
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
    version, _ = _locked(session, actor, version_id, Move.WITHDRAW, expected_revision)
    # Kept where the register shows a version's reason; who withdrew it, and when, the trail
    # says (a withdrawal is its authors' own, not a decision on it by someone else).
    version.decision_reason = _reason(reason, "Say why it is withdrawn, for the register")
    _make(session, actor, version, Move.WITHDRAW, reason=version.decision_reason)
    return version


def revise(*, session: Session, actor: Actor, version_id: int) -> AssessmentVersion:
    """Start the next version of an approved assessment, as a draft copied from it."""
    return _next_version(session, actor, version_id, Move.REVISE)


def restart(*, session: Session, actor: Actor, version_id: int) -> AssessmentVersion:
    """Start a withdrawn assessment again: the next version, a draft copied from it."""
    return _next_version(session, actor, version_id, Move.RESTART)


def _next_version(session: Session, actor: Actor, version_id: int, move: Move) -> AssessmentVersion:
    """Version n+1 of the assessment, as a draft copied from `version_id` (left as it is)."""
    source, _ = _locked(session, actor, version_id, move, None)
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
