"""What approvers see: the versions awaiting their decision, and what changed in a version
since the last approved one of the same assessment."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session

from assessments.drafting import queries as version_queries
from assessments.drafting.version_view import AssessmentView, view_assessment
from assessments.kernel.actors import Actor, Role, trust_of
from assessments.models import (
    AssessmentVersion,
    Policy,
    VersionStatus,
)


@dataclass(frozen=True)
class Awaiting:
    version: AssessmentVersion
    policy: Policy


def approval_queue(*, session: Session, actor: Actor) -> list[Awaiting]:
    """Submitted versions the actor may decide on (approver there, and had no part in
    preparing them), oldest submission first."""
    submitted = version_queries.submitted_in_trust(session, trust_of(actor), not_by=actor.user_id)
    return [
        Awaiting(version, policy)
        for version, policy in submitted
        if actor.holds(Role.APPROVER, policy.school_id)
    ]


@dataclass(frozen=True)
class Change:
    what: str  # a question's text, a staff group, an action, or a score
    before: str
    after: str


@dataclass(frozen=True)
class Changes:
    since: AssessmentVersion  # the last approved version
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
    questions = {q.id: q for q in view.rubric.questions()}
    groups = {g.id: g.label for g in view.rubric.staff_groups}

    def answers(v: AssessmentView) -> dict[str, str]:
        return {
            qid: questions[qid].label_for(a.value)
            for qid, a in v.answers.items()
            if qid in questions
        }

    def results(v: AssessmentView) -> dict[str, str]:
        r, after = v.results, v.results_after
        return {
            "Overall score": _text(r.overall_score),
            "Rating": r.rating.label if r.rating else "–",
            "Rating after mitigation": after.rating.label if after.rating else "–",
            "Net hours per year": _text(r.net_hours_per_year),
        }

    def workload(v: AssessmentView) -> dict[str, str]:
        return {line.staff_group: _text(line.net_hours_per_year) for line in v.results.workload}

    def actions(v: AssessmentView) -> dict[str, str]:
        return {
            a.description: f"{a.status.label}, owner {a.owner}, due {_text(a.due_date)}"
            for a in v.actions
        }

    return Changes(
        since=old.version,
        answers=_diff(answers(old), answers(view), {q: questions[q].text for q in questions}),
        results=_diff(results(old), results(view), {}),
        workload=_diff(workload(old), workload(view), groups),
        actions=_diff(actions(old), actions(view), {}),
    )
