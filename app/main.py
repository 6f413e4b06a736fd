"""The application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from app import errors, health, pages
from app.api.routes import router as api_router
from app.connections import RequestConnections
from app.inputs import refuse_unstorable_params
from app.logs import RequestLog
from app.security import SecurityMiddleware
from app.settings import PROJECT_ROOT, Settings, get_settings
from assessments.kernel import audit
from assessments.kernel.db import create_db_engine, unit_of_work
from assessments.rubrics.files import load_rubric_dir

STATIC_DIR = PROJECT_ROOT / "app" / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    # A bad rubric file stops start-up with the file, the place in it and the problem.
    load_rubric_dir(settings.rubrics_dir)
    engine = create_db_engine(settings.database_url, pool_timeout=settings.database_pool_timeout)
    audit.configure(keys=settings.audit_keys, witness_file=settings.audit_witness_file)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = FastAPI(
        title="Workload Impact Register",
        summary="Workload and wellbeing impact assessments of school trust policies.",
        version="0.1.0",
        docs_url=None,  # served by app.pages with Swagger UI from our own static files
        redoc_url=None,
        lifespan=lifespan,
        max_body_size=settings.max_body_bytes,
        # Every route, before its own parameters are read: no NUL in its path or query string.
        dependencies=[Depends(refuse_unstorable_params)],
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.unit_of_work = partial(unit_of_work, engine)
    app.add_middleware(SecurityMiddleware, settings=settings)
    # No connection outlives its request (app.connections).
    app.add_middleware(RequestConnections, engine=engine)
    app.add_middleware(RequestLog)  # outermost, so it times and records everything
    errors.install(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")
    app.include_router(health.router)
    app.include_router(api_router)
    app.include_router(pages.router)
    app.include_router(pages.unsubscribe_router)
    app.include_router(pages.calendar_feed_router)
    return app
