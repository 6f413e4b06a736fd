"""The JSON API under /api/v1. Each route calls the same use-case as its page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response, status

from app.deps import ActorDep, Id, RevisionQuery, SessionDep, SettingsDep
from app.revisions import ETAG_HEADER, IfMatch, based_on, precondition, send_etag
from app.security import guard_api_request
from assessments.drafting import answering, editing, version_view, workload
from assessments.drafting.schemas import (
    AnswerRead,
    AnswerSave,
    AssessmentVersionRead,
    FlaggedAnswerRead,
    ResultsRead,
    SectionResultRead,
    WorkloadEstimateRead,
    WorkloadEstimateSave,
    WorkloadLineRead,
)
from assessments.drafting.version_view import AssessmentView
from assessments.policies import catalogue, trust_schools
from assessments.policies.schemas import PolicyCreate, PolicyRead, SchoolRead
from assessments.rubrics import publishing

router = APIRouter(prefix="/api/v1", tags=["api"], dependencies=[Depends(guard_api_request)])

# Every route's errors are added by app.api_responses; the ETag a write is based on is sent here.
ETAGGED: dict[int | str, dict[str, Any]] = {200: {"headers": ETAG_HEADER}}
ETAGGED_NEW: dict[int | str, dict[str, Any]] = {201: {"headers": ETAG_HEADER}}


@router.get("/schools")
def list_schools(session: SessionDep, actor: ActorDep) -> list[SchoolRead]:
    """The trust's schools."""
    schools = trust_schools.list_schools(session=session, actor=actor)
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
        for r in publishing.list_published_rubrics(session=session, actor=actor)
    ]


@router.get("/rubrics/{rubric_id}/{version}")
def get_rubric(rubric_id: str, version: Id, session: SessionDep, actor: ActorDep) -> dict[str, Any]:
    """The frozen content of one published rubric version."""
    rubric = publishing.published_rubric(
        session=session, actor=actor, rubric_id=rubric_id, version=version
    )
    return rubric.model_dump(mode="json")


@router.get("/policies")
def list_policies(session: SessionDep, actor: ActorDep) -> list[PolicyRead]:
    """Every policy."""
    listings = catalogue.list_policies(session=session, actor=actor)
    return [PolicyRead.model_validate(listing.policy) for listing in listings]


@router.post("/policies", status_code=status.HTTP_201_CREATED)
def create_policy(data: PolicyCreate, session: SessionDep, actor: ActorDep) -> PolicyRead:
    """Record a policy that is to be assessed."""
    return PolicyRead.model_validate(
        catalogue.create_policy(session=session, actor=actor, data=data)
    )


@router.get("/policies/{policy_id}")
def get_policy(
    policy_id: Id, session: SessionDep, actor: ActorDep, settings: SettingsDep
) -> PolicyRead:
    """One policy."""
    view = catalogue.view_policy(
        session=session, actor=actor, policy_id=policy_id, rubric_id=settings.default_rubric
    )
    return PolicyRead.model_validate(view.policy)


@router.post(
    "/policies/{policy_id}/assessment", status_code=status.HTTP_201_CREATED, responses=ETAGGED_NEW
)
def start_assessment(
    policy_id: Id, session: SessionDep, actor: ActorDep, settings: SettingsDep, response: Response
) -> AssessmentVersionRead:
    """Start the policy's impact assessment (version 1, a draft) on the latest rubric."""
    version = editing.start_assessment(
        session=session, actor=actor, policy_id=policy_id, rubric_id=settings.default_rubric
    )
    assert version.id is not None
    send_etag(response, version.revision)
    return _version_read(
        version_view.view_assessment(session=session, actor=actor, version_id=version.id)
    )


@router.get("/assessment-versions/{version_id}", responses=ETAGGED)
def get_version(
    version_id: Id, session: SessionDep, actor: ActorDep, response: Response
) -> AssessmentVersionRead:
    """One assessment version with its answers and workload estimates; its ETag is the
    version's revision, which a decision (submit, approve, …) is based on."""
    view = version_view.view_assessment(session=session, actor=actor, version_id=version_id)
    send_etag(response, view.version.revision)
    return _version_read(view)


@router.put("/assessment-versions/{version_id}/answers/{question_id}", responses=ETAGGED)
def save_answer(
    version_id: Id,
    question_id: str,
    data: AnswerSave,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
    if_match: IfMatch = None,
) -> AnswerRead | None:
    """Save one answer of a draft; an empty value clears it (the response is then null).
    Changing a saved answer needs its revision (If-Match or expected_revision)."""
    with precondition(based_on(if_match, data.expected_revision)) as revision:
        row = answering.save_answer(
            session=session,
            actor=actor,
            version_id=version_id,
            question_id=question_id,
            data=data.model_copy(update={"expected_revision": revision}),
        )
    if row is None:
        return None
    send_etag(response, row.revision)
    return AnswerRead.model_validate(row)


@router.put("/assessment-versions/{version_id}/workload/{staff_group}", responses=ETAGGED)
def save_workload_estimate(
    version_id: Id,
    staff_group: str,
    data: WorkloadEstimateSave,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
    if_match: IfMatch = None,
) -> WorkloadEstimateRead:
    """Save the hours a draft's policy adds or removes for one staff group. Changing a saved
    estimate needs its revision (If-Match or expected_revision)."""
    with precondition(based_on(if_match, data.expected_revision)) as revision:
        row = workload.save_workload_estimate(
            session=session,
            actor=actor,
            version_id=version_id,
            staff_group=staff_group,
            data=data.model_copy(update={"expected_revision": revision}),
        )
    send_etag(response, row.revision)
    return WorkloadEstimateRead.model_validate(row)


@router.delete(
    "/assessment-versions/{version_id}/workload/{staff_group}",
    status_code=status.HTTP_204_NO_CONTENT,
)
def clear_workload_estimate(
    version_id: Id,
    staff_group: str,
    session: SessionDep,
    actor: ActorDep,
    expected_revision: RevisionQuery = None,
    if_match: IfMatch = None,
) -> None:
    """Remove a draft's estimate for one staff group, given its revision (If-Match or
    `expected_revision`): only if nobody has changed it since."""
    with precondition(based_on(if_match, expected_revision)) as revision:
        workload.clear_workload_estimate(
            session=session,
            actor=actor,
            version_id=version_id,
            staff_group=staff_group,
            expected_revision=revision,
        )


@router.get("/assessment-versions/{version_id}/results")
def get_results(version_id: Id, session: SessionDep, actor: ActorDep) -> ResultsRead:
    """Section scores, the overall rating, workload hours and the answers needing mitigation."""
    view = version_view.view_assessment(session=session, actor=actor, version_id=version_id)
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
        revision=version.revision,
        rubric=view.rubric.key,
        author=version.author,
        created_at=version.created_at,
        updated_at=version.updated_at,
        answers=[AnswerRead.model_validate(a) for a in view.answers.values()],
        workload_estimates=[
            WorkloadEstimateRead.model_validate(e) for e in view.estimates.values()
        ],
    )
