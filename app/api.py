"""The JSON API under /api/v1. Each route calls the same use-case as its page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from app.deps import ActorDep, SessionDep, SettingsDep
from assessments import repository, service
from assessments.errors import NotFound
from assessments.schemas import (
    AnswerRead,
    AnswerSave,
    AssessmentVersionRead,
    FlaggedAnswerRead,
    PolicyCreate,
    PolicyRead,
    ResultsRead,
    SchoolRead,
    SectionResultRead,
    WorkloadEstimateRead,
    WorkloadEstimateSave,
    WorkloadLineRead,
)
from assessments.service import AssessmentView

router = APIRouter(prefix="/api/v1", tags=["api"])

ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such resource"},
    409: {"description": "Not possible in the current state, or based on a stale revision"},
}


@router.get("/schools")
def list_schools(session: SessionDep) -> list[SchoolRead]:
    """The trust's schools."""
    return [SchoolRead.model_validate(s) for s in repository.list_schools(session)]


@router.get("/rubrics")
def list_rubrics(session: SessionDep) -> list[dict[str, Any]]:
    """Every published rubric version, with its content hash."""
    return [
        {
            "id": r.rubric_id,
            "version": r.version,
            "title": r.title,
            "content_hash": r.content_hash,
            "published_at": r.published_at,
        }
        for r in repository.list_published_rubrics(session)
    ]


@router.get("/rubrics/{rubric_id}/{version}", responses=ERRORS)
def get_rubric(rubric_id: str, version: int, session: SessionDep) -> dict[str, Any]:
    """The frozen content of one published rubric version."""
    row = repository.published_rubric(session, rubric_id, version)
    if row is None:
        raise NotFound(f"Rubric {rubric_id}@{version} has not been published")
    return repository.frozen_rubric(row).model_dump(mode="json")


@router.get("/policies")
def list_policies(session: SessionDep) -> list[PolicyRead]:
    """Every policy."""
    return [PolicyRead.model_validate(p) for p in repository.list_policies(session)]


@router.post("/policies", status_code=status.HTTP_201_CREATED)
def create_policy(data: PolicyCreate, session: SessionDep, actor: ActorDep) -> PolicyRead:
    """Record a policy that is to be assessed."""
    return PolicyRead.model_validate(service.create_policy(session=session, actor=actor, data=data))


@router.get("/policies/{policy_id}", responses=ERRORS)
def get_policy(policy_id: int, session: SessionDep) -> PolicyRead:
    """One policy."""
    return PolicyRead.model_validate(repository.get_policy(session, policy_id))


@router.post(
    "/policies/{policy_id}/assessment", status_code=status.HTTP_201_CREATED, responses=ERRORS
)
def start_assessment(
    policy_id: int, session: SessionDep, actor: ActorDep, settings: SettingsDep
) -> AssessmentVersionRead:
    """Start the policy's impact assessment (version 1, a draft) on the latest rubric."""
    version = service.start_assessment(
        session=session, actor=actor, policy_id=policy_id, rubric_id=settings.default_rubric
    )
    assert version.id is not None
    return _version_read(
        service.view_assessment(session=session, actor=actor, version_id=version.id)
    )


@router.get("/assessment-versions/{version_id}", responses=ERRORS)
def get_version(version_id: int, session: SessionDep, actor: ActorDep) -> AssessmentVersionRead:
    """One assessment version with its answers and workload estimates."""
    return _version_read(
        service.view_assessment(session=session, actor=actor, version_id=version_id)
    )


@router.put("/assessment-versions/{version_id}/answers/{question_id}", responses=ERRORS)
def save_answer(
    version_id: int, question_id: str, data: AnswerSave, session: SessionDep, actor: ActorDep
) -> AnswerRead | None:
    """Save one answer of a draft; an empty value clears it (the response is then null)."""
    row = service.save_answer(
        session=session, actor=actor, version_id=version_id, question_id=question_id, data=data
    )
    return AnswerRead.model_validate(row) if row else None


@router.put("/assessment-versions/{version_id}/workload/{staff_group}", responses=ERRORS)
def save_workload_estimate(
    version_id: int,
    staff_group: str,
    data: WorkloadEstimateSave,
    session: SessionDep,
    actor: ActorDep,
) -> WorkloadEstimateRead:
    """Save the hours a draft's policy adds or removes for one staff group."""
    row = service.save_workload_estimate(
        session=session, actor=actor, version_id=version_id, staff_group=staff_group, data=data
    )
    return WorkloadEstimateRead.model_validate(row)


@router.delete(
    "/assessment-versions/{version_id}/workload/{staff_group}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=ERRORS,
)
def clear_workload_estimate(
    version_id: int,
    staff_group: str,
    session: SessionDep,
    actor: ActorDep,
    expected_revision: int | None = None,
) -> None:
    """Remove a draft's estimate for one staff group; with `expected_revision`, only if nobody
    has changed it since (else 409)."""
    service.clear_workload_estimate(
        session=session,
        actor=actor,
        version_id=version_id,
        staff_group=staff_group,
        expected_revision=expected_revision,
    )


@router.get("/assessment-versions/{version_id}/results", responses=ERRORS)
def get_results(version_id: int, session: SessionDep, actor: ActorDep) -> ResultsRead:
    """Section scores, the overall rating, workload hours and the answers needing mitigation."""
    view = service.view_assessment(session=session, actor=actor, version_id=version_id)
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


def _version_read(view: AssessmentView) -> AssessmentVersionRead:
    version = view.version
    assert version.id is not None and view.policy.id is not None
    return AssessmentVersionRead(
        id=version.id,
        policy_id=view.policy.id,
        number=version.number,
        status=version.status,
        rubric=view.rubric.key,
        author=version.author,
        created_at=version.created_at,
        updated_at=version.updated_at,
        answers=[AnswerRead.model_validate(a) for a in view.answers.values()],
        workload_estimates=[
            WorkloadEstimateRead.model_validate(e) for e in view.estimates.values()
        ],
    )
