"""What a version looks like to someone reading or editing it: its policy, rubric, answers,
estimates, actions and results."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from assessments.drafting import queries as version_queries
from assessments.drafting.contributors import contributed
from assessments.drafting.editing import version_seen
from assessments.drafting.stored_results import kind_now, results_of, status_now
from assessments.kernel.actors import Actor, Role
from assessments.models import (
    ActionProgress,
    ActionStatus,
    Answer,
    AssessmentKind,
    AssessmentVersion,
    MitigatingAction,
    Policy,
    WorkloadEstimate,
)
from assessments.progress import queries as progress_queries
from assessments.rubrics import queries as rubric_queries
from assessments.rubrics.schema import Rubric
from assessments.rubrics.scoring import Results
from assessments.rubrics.screening import ScreeningOutcome, outcome
from assessments.workflow.body_votes import blocked_by_body
from assessments.workflow.moves import Move, allowed_moves, blocked_by_kind, blocked_by_siblings


@dataclass(frozen=True)
class AssessmentView:
    """Everything a page or an API response shows about one version."""

    version: AssessmentVersion
    kind: AssessmentKind
    policy: Policy
    rubric: Rubric
    answers: dict[str, Answer]
    estimates: dict[str, WorkloadEstimate]
    actions: list[MitigatingAction]
    progress: dict[int, ActionProgress]  # action id → how it stands, once approved
    results: Results  # as answered
    results_after: Results  # once the actions it commits to are done
    results_done: Results  # counting only the actions done so far
    authors_here: bool  # the viewer is one of the policy's school's authors
    may_edit: bool  # a draft, and the viewer authors here
    allowed_moves: tuple[Move, ...]  # the workflow's moves the viewer may make now

    @property
    def screened_out(self) -> bool:
        """The screening found no full assessment needed (and no approver asked for one)."""
        return self.kind is AssessmentKind.SCREENED_OUT

    def screening_outcome(self) -> ScreeningOutcome | None:
        """What the screening answers decide (None: no screening, or not all answered)."""
        if self.rubric.screening is None:
            return None
        values = {qid: answer.value for qid, answer in self.answers.items()}
        return outcome(self.rubric.screening, values)

    @property
    def may_decide(self) -> bool:
        """Submitted, the viewer approves there, and had no part in it."""
        return Move.APPROVE in self.allowed_moves

    def status_of(self, action: MitigatingAction) -> ActionStatus:
        """Where the action stands now (after approval, by its progress)."""
        return status_now(action, self.progress)

    def covered(self) -> set[str]:
        """Question ids that an action (not dropped) deals with."""
        return {
            qid
            for action in self.actions
            if action.status is not ActionStatus.DROPPED  # a dropped action mitigates nothing
            for qid in action.question_ids
        }

    def unmitigated(self) -> list[str]:
        """Question ids at or above the mitigation threshold with neither an action nor a
        written justification."""
        covered = self.covered()
        return [
            flag.question.id
            for flag in self.results.flagged
            if flag.question.id not in covered and not self.answers[flag.question.id].justification
        ]


def view_assessment(*, session: Session, actor: Actor, version_id: int) -> AssessmentView:
    """A version with its rubric, answers, estimates and computed results."""
    version, policy = version_seen(session, actor, version_id)
    rubric = rubric_queries.rubric_of_version(session, version)
    answers = version_queries.answers_of_version(session, version_id)
    estimates = version_queries.estimates_of_version(session, version_id)
    actions = version_queries.actions_of_version(session, version_id)
    progress = progress_queries.progress_of_version(session, version_id)
    kind = kind_now(version, rubric, answers)
    results = results_of(rubric, answers, estimates, actions, progress, kind=kind)
    return AssessmentView(
        kind=kind,
        version=version,
        policy=policy,
        rubric=rubric,
        answers=answers,
        estimates=estimates,
        actions=actions,
        progress=progress,
        results=results.before,
        results_after=results.after,
        results_done=results.done,
        authors_here=actor.holds(Role.AUTHOR, policy.school_id),
        may_edit=version.editable and actor.holds(Role.AUTHOR, policy.school_id),
        allowed_moves=allowed_moves(
            actor,
            version,
            policy.school_id,
            contributed(session, actor, version),
            blocked_by_kind(version)
            | blocked_by_body(session, actor, version, policy)
            | blocked_by_siblings(
                version, version_queries.versions_of_assessment(session, version.assessment_id)
            ),
        ),
    )
