"""The trust's approving bodies, which a policy names by id (approving_body_id)."""

from __future__ import annotations

from fastapi import APIRouter

from app.deps import ActorDep, SessionDep
from assessments.bodies import keeping
from assessments.bodies.schemas import BodyRead

router = APIRouter()


@router.get("/approving-bodies")
def list_bodies(session: SessionDep, actor: ActorDep) -> list[BodyRead]:
    """The trust's approving bodies, with the rule each decides by."""
    bodies = keeping.list_bodies(session=session, actor=actor)
    return [BodyRead.model_validate(body) for body in bodies]
