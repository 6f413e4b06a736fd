"""What approvers see: the versions awaiting their decision, and what changed in a version
since the last approved one of the same assessment, and since they last returned it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session

from assessments.bodies import queries as body_queries
from assessments.bodies.quorum import Standing, standing
from assessments.drafting import queries as version_queries
from assessments.drafting.version_view import AssessmentView, view_assessment
from assessments.kernel import audit
from assessments.kernel.actors import Actor, Role, trust_of
from assessments.models import (
    AssessmentVersion,
    Policy,
    VersionStatus,
)
from assessments.rubrics.screening import SCREENING_LABELS, ScreeningAnswer, ScreeningQuestion


@dataclass(frozen=True)
class Awaiting:
    version: AssessmentVersion
    policy: Policy
    standing: Standing | None = None  # with the policy's body, where it names one


def approval_queue(*, session: Session, actor: Actor) -> list[Awaiting]:
    """Submitted versions the actor may decide on (approver there, a member of the policy's
    body where it names one and not yet having approved, and had no part in preparing them),
    oldest submission first."""
    submitted = version_queries.submitted_in_trust(session, trust_of(actor), not_by=actor.user_id)
    theirs = body_queries.bodies_of_member(session, actor.user_id) if actor.user_id else set()
    mine = [
        (version, policy)
        for version, policy in submitted
        if actor.holds(Role.APPROVER, policy.school_id)
        and policy.approving_body_id in {None, *theirs}
    ]
    decided = body_queries.decided_by_member(
        session,
        actor.user_id or 0,
        [(v.id, v.submitted_at) for v, p in mine if v.id and p.approving_body_id],
    )
    queue = [
        Awaiting(version, policy, standing(session, version, policy)) for version, policy in mine
    ]
    # What they approved already stays theirs to finish where that now meets the rule (it was
    # loosened, or a member taken off, since): nobody else's approval is waited for.
    return [
        item
        for item in queue
        if item.version.id not in decided or (item.standing and item.standing.met)
    ]


def standing_of(*, session: Session, view: AssessmentView) -> Standing | None:
    """Where a submitted version stands with the body that decides on it (None: not awaiting
    a decision, or its policy names no body); `view` is what its viewer may see."""
    if view.version.status not in VersionStatus.AWAITING_DECISION:
        return None
    return standing(session, view.version, view.policy)


@dataclass(frozen=True)
class Change:
    what: str  # a question's text, a staff group, an action, or a score
    before: str
    after: str


@dataclass(frozen=True)
class Changes:
    since: str  # what it is compared with, in words: "version 2 (approved)"
    before: str  # the heading of that column: "Version 2", "When returned"
    answers: list[Change]
    results: list[Change]
    workload: list[Change]
    actions: list[Change]

    @property
    def none(self) -> bool:
        return not (self.answers or self.results or self.workload or self.actions)


def _text(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, Decimal):
        return format(value.normalize() + 0, "f")
    return str(value)


def _diff(before: dict[str, str], after: dict[str, str], label: dict[str, str]) -> list[Change]:
    return [
        Change(label.get(key, key), before.get(key, "–"), after.get(key, "–"))
        for key in [*label, *sorted((set(before) | set(after)) - set(label))]
        if key in before or key in after
        if before.get(key) != after.get(key)
    ]


def _screening_questions(view: AssessmentView) -> dict[str, ScreeningQuestion]:
    asked = view.rubric.screening.questions if view.rubric.screening else []
    return {q.id: q for q in asked}


def comparable(view: AssessmentView) -> dict[str, dict[str, str]]:
    """A version's content as words, in four parts that another version's (or the same
    version's, kept when it was returned) is compared with."""
    questions = {q.id: q for q in view.rubric.questions()}
    screening = _screening_questions(view)
    r, after = view.results, view.results_after
    results = {
        "Overall score": _text(r.overall_score),
        "Rating": r.rating.label if r.rating else "–",
        "Rating after the planned actions": after.rating.label if after.rating else "–",
        "Net hours per year": _text(r.net_hours_per_year),
    }
    if screening:  # only then: a version of a rubric without it compares as it always did
        results["Assessment"] = "Screened out" if view.screened_out else "Full"
        results["Why no full assessment is needed"] = view.version.screening_reason or "–"
    return {
        "answers": {
            qid: questions[qid].label_for(a.value)
            if qid in questions
            else SCREENING_LABELS.get(ScreeningAnswer(a.value), a.value)
            for qid, a in view.answers.items()
            if qid in questions or qid in screening
        },
        "results": results,
        "workload": {line.staff_group: _text(line.net_hours_per_year) for line in r.workload},
        "actions": {
            a.description: f"{a.status.label}, owner {a.owner}, due {_text(a.due_date)}"
            for a in view.actions
        },
    }


def _changes(
    view: AssessmentView, old: dict[str, dict[str, str]], since: str, before: str
) -> Changes:
    now = comparable(view)
    questions = {qid: q.text for qid, q in _screening_questions(view).items()}
    questions |= {q.id: q.text for q in view.rubric.questions()}
    groups = {g.id: g.label for g in view.rubric.staff_groups}

    def part(name: str, label: dict[str, str]) -> list[Change]:
        return _diff(old.get(name, {}), now[name], label)

    return Changes(
        since=since,
        before=before,
        answers=part("answers", questions),
        results=part("results", {}),
        workload=part("workload", groups),
        actions=part("actions", {}),
    )


def changes_since_approved(
    *, session: Session, actor: Actor, view: AssessmentView
) -> Changes | None:
    """How `view` differs from the last approved version before it (None for a first one)."""
    earlier = [
        v
        for v in version_queries.versions_of_assessment(session, view.version.assessment_id)
        if v.number < view.version.number and v.status in VersionStatus.APPROVED_ONCE
    ]
    if not earlier:
        return None
    assert earlier[-1].id is not None
    old = view_assessment(session=session, actor=actor, version_id=earlier[-1].id)
    number = old.version.number
    return _changes(view, comparable(old), f"version {number} (approved)", f"Version {number}")


def changes_since_returned(*, session: Session, view: AssessmentView) -> Changes | None:
    """How a version sent back for approval differs from what it was when last returned
    (its content then is kept in the trail's return event); None if it never was."""
    assert view.version.id is not None
    returns = [
        event
        for event in audit.events_of(session, "assessment_version", view.version.id)
        if event.action == VersionStatus.RETURNED.value
    ]
    if not returns:
        return None
    kept = json.loads(returns[-1].changes).get("content_at_return")
    if not isinstance(kept, dict):
        return None  # returned before the content was kept
    when = f"it was returned by {returns[-1].actor_name}"
    return _changes(view, kept, when, "When returned")
