"""A version's results: scores, rating, workload and the answers needing mitigation."""

from __future__ import annotations

from fastapi import APIRouter

from app.deps import ActorDep, Id, SessionDep
from assessments.drafting import version_view
from assessments.drafting.schemas import (
    FlaggedAnswerRead,
    ResultsRead,
    SectionResultRead,
    WorkloadLineRead,
)
from assessments.drafting.version_view import AssessmentView

router = APIRouter()


@router.get("/assessment-versions/{version_id}/results")
def get_results(version_id: Id, session: SessionDep, actor: ActorDep) -> ResultsRead:
    """Section scores, the overall rating, workload hours and the answers needing mitigation."""
    view = version_view.view_assessment(session=session, actor=actor, version_id=version_id)
    return results_read(version_id, view)


def results_read(version_id: int, view: AssessmentView) -> ResultsRead:
    """A version's results as the API sends them."""
    results = view.results
    return ResultsRead(
        version_id=version_id,
        rubric=view.rubric.key,
        overall_score=results.overall_score,
        rating=results.rating.id if results.rating else None,
        mitigation_threshold=view.rubric.mitigation_threshold,
        sections=[
            SectionResultRead(
                section_id=s.section_id,
                title=s.title,
                score=s.score,
                rating=s.rating.id if s.rating else None,
                answered=s.answered,
                questions=s.questions,
                missing_required=list(s.missing_required),
            )
            for s in results.sections
        ],
        needs_mitigation=[
            FlaggedAnswerRead(
                section_id=f.section_id,
                question_id=f.question.id,
                question=f.question.text,
                value=f.value,
                impact=f.impact,
            )
            for f in results.flagged
        ],
        workload=[
            WorkloadLineRead.model_validate(line, from_attributes=True) for line in results.workload
        ],
        net_hours_per_year=results.net_hours_per_year,
        missing_required=list(results.missing_required),
        complete=results.complete,
    )
