"""Liveness and readiness for container health checks and load balancers."""

from __future__ import annotations

from functools import cache

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from fastapi import APIRouter, Request
from starlette.responses import JSONResponse

from app.settings import PROJECT_ROOT
from assessments.kernel.db import READ_ONLY

router = APIRouter(tags=["operations"])


@cache
def migrations_head() -> str:
    """The newest migration this code ships (read once: it cannot change while we run)."""
    head = ScriptDirectory(str(PROJECT_ROOT / "migrations")).get_current_head()
    assert head is not None
    return head


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up and answering."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """Ready for traffic: the database answers and its schema is at this code's migration.
    A load balancer sends no requests to an instance answering 503."""
    if problem := readiness_problem(request.app.state.engine):
        return _not_ready(problem)
    return JSONResponse({"status": "ready", "database": "ok", "migrations": migrations_head()})


def readiness_problem(engine: sa.Engine) -> str | None:
    """Why the instance is not ready for traffic, or None when it is."""
    try:
        # Read-only, so on SQLite it never waits behind a writer's lock.
        with engine.execution_options(**READ_ONLY).connect() as connection:
            current = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
            revisions = set(current.scalars())
    except sa.exc.SQLAlchemyError as exc:
        return f"the database cannot be read ({type(exc).__name__})"
    if revisions != {migrations_head()}:
        found = ", ".join(sorted(revisions)) or "none"
        return f"migrations are at {found}, not {migrations_head()}: run `wia db upgrade`"
    return None


def _not_ready(problem: str) -> JSONResponse:
    return JSONResponse(
        {"status": "not ready", "problem": problem}, status_code=503, headers={"Retry-After": "5"}
    )
