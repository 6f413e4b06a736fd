"""The trust's schools."""

from __future__ import annotations

from fastapi import APIRouter

from app.deps import ActorDep, SessionDep
from assessments.policies import trust_schools
from assessments.policies.schemas import SchoolRead

router = APIRouter()


@router.get("/schools")
def list_schools(session: SessionDep, actor: ActorDep) -> list[SchoolRead]:
    """The trust's schools."""
    schools = trust_schools.list_schools(session=session, actor=actor)
    return [SchoolRead.model_validate(school) for school in schools]
