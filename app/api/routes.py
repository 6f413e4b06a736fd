"""The API's one router: every resource's routes under /api/v1, each guarded and with its
errors in the OpenAPI document. The order here is the OpenAPI document's order."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from app import api_workflow
from app.api import (
    answers,
    bodies,
    consultations,
    policies,
    results,
    rubrics,
    schools,
    versions,
    workload,
)
from app.api_responses import document_errors
from app.security import guard_api_request

resources = APIRouter(prefix="/api/v1", tags=["api"], dependencies=[Depends(guard_api_request)])
for module in (
    schools,
    bodies,
    rubrics,
    policies,
    versions,
    answers,
    workload,
    results,
    consultations,
):
    document_errors(module.router)  # on the routes themselves: included routers are views
    resources.include_router(module.router)
document_errors(api_workflow.router)

router = APIRouter()
router.include_router(resources)
router.include_router(api_workflow.router)  # its own prefix, "workflow" tag and guard
