"""A version's results: as answered, after its planned actions, and after the actions done so
far; and the copy of them kept on the version row so that the register lists thousands of
versions without scoring each one again."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from sqlmodel import Session

from assessments.drafting import queries as version_queries
from assessments.models import (
    ActionProgress,
    ActionStatus,
    Answer,
    AssessmentKind,
    AssessmentVersion,
    MitigatingAction,
    VersionStatus,
    WorkloadEstimate,
)
from assessments.progress import queries as progress_queries
from assessments.rubrics import queries as rubric_queries
from assessments.rubrics.schema import Rubric
from assessments.rubrics.scoring import Results, WorkloadInput, compute_results
from assessments.rubrics.screening import screened_out

LIVE = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS, ActionStatus.DONE)


@dataclass(frozen=True)
class BeforeAndAfter:
    before: Results  # as answered
    after: Results  # once the (not dropped) actions the version commits to are done
    done: Results  # counting only the actions done so far


def status_now(action: MitigatingAction, progress: Mapping[int, ActionProgress]) -> ActionStatus:
    """Where an action stands: its progress once its version is approved, else as written."""
    record = progress.get(action.id) if action.id is not None else None
    return record.status if record else action.status


def residual_impacts(
    actions: Iterable[MitigatingAction],
    progress: Mapping[int, ActionProgress] | None = None,
    counted: Collection[ActionStatus] = LIVE,
) -> dict[str, int]:
    """question id → the lowest impact the actions counted (by where they stand: by default
    every one not dropped) are expected to leave."""
    residual: dict[str, int] = {}
    for action in actions:
        if status_now(action, progress or {}) in counted:
            for qid in action.question_ids:
                residual[qid] = min(
                    residual.get(qid, action.residual_impact), action.residual_impact
                )
    return residual


def results_of(
    rubric: Rubric,
    answers: Mapping[str, Answer],
    estimates: Mapping[str, WorkloadEstimate],
    actions: Iterable[MitigatingAction],
    progress: Mapping[int, ActionProgress] | None = None,
    *,
    kind: AssessmentKind = AssessmentKind.FULL,
) -> BeforeAndAfter:
    """The results of the content; a screened-out version's are those of nothing answered
    and no hours (what of the full assessment it holds rates nothing, wherever it is shown)."""
    if kind is AssessmentKind.SCREENED_OUT:
        answers, estimates = {}, {}
    actions = list(actions)
    values = {qid: a.value for qid, a in answers.items()}
    workload = [
        WorkloadInput(e.staff_group, e.hours_per_term, e.staff_count) for e in estimates.values()
    ]
    done = residual_impacts(actions, progress, counted=(ActionStatus.DONE,))
    return BeforeAndAfter(
        before=compute_results(rubric, values, workload),
        after=compute_results(rubric, values, workload, residual_impacts(actions)),
        done=compute_results(rubric, values, workload, done),
    )


def kind_of(
    rubric: Rubric, answers: Mapping[str, Answer], *, full_required: bool
) -> AssessmentKind:
    """The version's kind, by its screening answers (see rubrics.screening)."""
    values = {qid: answer.value for qid, answer in answers.items()}
    if screened_out(rubric.screening, values, full_required=full_required):
        return AssessmentKind.SCREENED_OUT
    return AssessmentKind.FULL


def kind_now(
    version: AssessmentVersion, rubric: Rubric, answers: Mapping[str, Answer]
) -> AssessmentKind:
    """The version's kind as its content decides it; once approved, as it was frozen."""
    if version.status in VersionStatus.APPROVED_ONCE:
        return version.kind
    return kind_of(rubric, answers, full_required=version.full_required)


def _band_id(results: Results) -> str | None:
    return results.rating.id if results.rating else None


def _results(
    session: Session, version: AssessmentVersion, progress: Mapping[int, ActionProgress]
) -> tuple[BeforeAndAfter, list[MitigatingAction]]:
    assert version.id is not None
    actions = version_queries.actions_of_version(session, version.id)
    rubric = rubric_queries.rubric_of_version(session, version)
    answers = version_queries.answers_of_version(session, version.id)
    version.kind = kind_now(version, rubric, answers)
    results = results_of(
        rubric,
        answers,
        version_queries.estimates_of_version(session, version.id),
        actions,
        progress,
        kind=version.kind,
    )
    return results, actions


def store_results(session: Session, version: AssessmentVersion) -> None:
    """Store the version's current results on its row (after every edit of a draft, and when
    it is approved)."""
    results, actions = _results(session, version, {})
    version.overall_score = results.before.overall_score
    version.rating = _band_id(results.before)
    version.rating_after = _band_id(results.after)
    version.net_hours_per_year = results.before.net_hours_per_year
    _store_living(session, version, results, actions, {})


def store_progress(session: Session, version: AssessmentVersion) -> None:
    """Store how an approved version's actions stand now: its only columns that still change."""
    assert version.id is not None
    progress = progress_queries.progress_of_version(session, version.id)
    results, actions = _results(session, version, progress)
    _store_living(session, version, results, actions, progress)


def _store_living(
    session: Session,
    version: AssessmentVersion,
    results: BeforeAndAfter,
    actions: Iterable[MitigatingAction],
    progress: Mapping[int, ActionProgress],
) -> None:
    version.rating_done = _band_id(results.done)
    still_open = (action for action in actions if status_now(action, progress) in ActionStatus.OPEN)
    version.open_actions = sum(1 for _ in still_open)
    session.add(version)
    session.flush()
