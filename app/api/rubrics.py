"""Published rubric versions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.deps import ActorDep, Id, SessionDep
from assessments.rubrics import publishing

router = APIRouter()


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
