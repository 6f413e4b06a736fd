"""The JSON API under /api/v1. Each route calls the same use-case as its page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, status

from app.deps import ActorDep, Id, RevisionQuery, SessionDep, SettingsDep
from app.security import guard_api_request
from assessments import policies, service
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

router = APIRouter(prefix="/api/v1", tags=["api"], dependencies=[Depends(guard_api_request)])

ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such resource"},
    409: {"description": "Not possible in the current state, or based on a stale revision"},
}


@router.get("/schools")
def list_schools(session: SessionDep, actor: ActorDep) -> list[SchoolRead]:
    """The trust's schools."""
    schools = policies.list_schools(session=session, actor=actor)
    return [SchoolRead.model_validate(school) for school in schools]


@router.get("/rubrics")
def list_rubrics(session: SessionDep, actor: ActorDep) -> list[dict[str, Any]]:
    """Every published rubric version, with its content hash."""
    return [
        {
            "id": r.rubric_id,
            "version": r.version,
            "title": r.title,
            "content_hash": r.content_hash,
            "published_at": r.published_at,
        }
        for r in policies.list_published_rubrics(session=session, actor=actor)
    ]


@router.get("/rubrics/{rubric_id}/{version}", responses=ERRORS)
def get_rubric(rubric_id: str, version: Id, session: SessionDep, actor: ActorDep) -> dict[str, Any]:
    """The frozen content of one published rubric version."""
    rubric = policies.published_rubric(
        session=session, actor=actor, rubric_id=rubric_id, version=version
    )
    return rubric.model_dump(mode="json")


@router.get("/policies")
def list_policies(session: SessionDep, actor: ActorDep) -> list[PolicyRead]:
    """Every policy."""
    listings = policies.list_policies(session=session, actor=actor)
    return [PolicyRead.model_validate(listing.policy) for listing in listings]


@router.post("/policies", status_code=status.HTTP_201_CREATED)
def create_policy(data: PolicyCreate, session: SessionDep, actor: ActorDep) -> PolicyRead:
    """Record a policy that is to be assessed."""
    return PolicyRead.model_validate(
        policies.create_policy(session=session, actor=actor, data=data)
    )


@router.get("/policies/{policy_id}", responses=ERRORS)
def get_policy(
    policy_id: Id, session: SessionDep, actor: ActorDep, settings: SettingsDep
) -> PolicyRead:
    """One policy."""
    view = policies.view_policy(
        session=session, actor=actor, policy_id=policy_id, rubric_id=settings.default_rubric
    )
    return PolicyRead.model_validate(view.policy)


@router.post(
    "/policies/{policy_id}/assessment", status_code=status.HTTP_201_CREATED, responses=ERRORS
)
def start_assessment(
    policy_id: Id, session: SessionDep, actor: ActorDep, settings: SettingsDep
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
def get_version(version_id: Id, session: SessionDep, actor: ActorDep) -> AssessmentVersionRead:
    """One assessment version with its answers and workload estimates."""
    return _version_read(
        service.view_assessment(session=session, actor=actor, version_id=version_id)
    )


@router.put("/assessment-versions/{version_id}/answers/{question_id}", responses=ERRORS)
def save_answer(
    version_id: Id, question_id: str, data: AnswerSave, session: SessionDep, actor: ActorDep
) -> AnswerRead | None:
    """Save one answer of a draft; an empty value clears it (the response is then null)."""
    row = service.save_answer(
        session=session, actor=actor, version_id=version_id, question_id=question_id, data=data
    )
    return AnswerRead.model_validate(row) if row else None


@router.put("/assessment-versions/{version_id}/workload/{staff_group}", responses=ERRORS)
def save_workload_estimate(
    version_id: Id,
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
    version_id: Id,
    staff_group: str,
    session: SessionDep,
    actor: ActorDep,
    expected_revision: RevisionQuery = None,
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
def get_results(version_id: Id, session: SessionDep, actor: ActorDep) -> ResultsRead:
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
