"""A version's results, before and after mitigation, and the copy of them kept on the version
row so that the register lists thousands of versions without scoring each one again."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlmodel import Session

from assessments.drafting import queries as version_queries
from assessments.models import (
    ActionStatus,
    Answer,
    AssessmentVersion,
    MitigatingAction,
    WorkloadEstimate,
)
from assessments.rubrics import queries as rubric_queries
from assessments.rubrics.schema import Rubric
from assessments.rubrics.scoring import Results, WorkloadInput, compute_results

LIVE = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS, ActionStatus.DONE)


OPEN = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


@dataclass(frozen=True)
class BeforeAndAfter:
    before: Results  # as answered
    after: Results  # once the (not dropped) mitigating actions are done


def residual_impacts(actions: Iterable[MitigatingAction]) -> dict[str, int]:
    """question id → the lowest impact its live (not dropped) actions are expected to leave."""
    residual: dict[str, int] = {}
    for action in actions:
        if action.status in LIVE:
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
) -> BeforeAndAfter:
    values = {qid: a.value for qid, a in answers.items()}
    workload = [
        WorkloadInput(e.staff_group, e.hours_per_term, e.staff_count) for e in estimates.values()
    ]
    return BeforeAndAfter(
        before=compute_results(rubric, values, workload),
        after=compute_results(rubric, values, workload, residual_impacts(actions)),
    )


def store_results(session: Session, version: AssessmentVersion) -> None:
    """Store the version's current results on its row (call after every edit of a draft)."""
    assert version.id is not None
    actions = version_queries.actions_of_version(session, version.id)
    results = results_of(
        rubric_queries.rubric_of_version(session, version),
        version_queries.answers_of_version(session, version.id),
        version_queries.estimates_of_version(session, version.id),
        actions,
    )
    version.overall_score = results.before.overall_score
    version.rating = results.before.rating.id if results.before.rating else None
    version.rating_after = results.after.rating.id if results.after.rating else None
    version.net_hours_per_year = results.before.net_hours_per_year
    version.open_actions = sum(1 for action in actions if action.status in OPEN)
    session.add(version)
    session.flush()
