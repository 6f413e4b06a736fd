"""Every error an API route can answer with is in its OpenAPI entry, with the JSON that
`app.errors` sends: worked out once from what each route takes, not listed by hand per route."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.dependencies.utils import get_flat_params
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

from app.revisions import IF_MATCH

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class ErrorMessage(BaseModel):
    """What every API error but a 422 sends."""

    detail: str = Field(description="What went wrong, for people")


class FieldError(BaseModel):
    loc: list[str | int] = Field(description="Where: path, query, header or body, then the field")
    msg: str
    type: str


class ValidationErrors(BaseModel):
    """A 422: one entry per field that is wrong."""

    detail: list[FieldError]


Responses = dict[int | str, dict[str, Any]]


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorMessage, "description": description}


# Any API route: nobody signed in, not allowed (role, school, another site's page), the database
# unreachable for a moment.
EVERY_ROUTE: Responses = {
    401: {
        **_error("Not signed in, and no valid API token"),
        "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
    },
    403: _error("Not allowed: a role you do not hold here, or a request from another site"),
    422: {"model": ValidationErrors, "description": "A parameter or field that is not valid"},
    503: {
        **_error("The database cannot be reached just now; nothing was saved"),
        "headers": {"Retry-After": {"schema": {"type": "string"}}},
    },
}
WITH_PATH_IDS: Responses = {404: _error("No such record, or one you may not see")}
WITH_BODY: Responses = {
    400: _error("The request body cannot be read (not UTF-8 JSON)"),
    413: _error("The request body is larger than the service accepts"),
}
WRITES: Responses = {
    409: _error("Not possible in the record's current state, or a stale expected_revision")
}
WITH_PRECONDITION: Responses = {
    400: _error("A body that cannot be read, or If-Match and expected_revision that disagree"),
    412: _error("If-Match names a revision that is no longer the current one"),
    428: _error("Neither If-Match nor expected_revision was sent"),
}


def _errors_of(route: APIRoute) -> Responses:
    params = get_flat_params(route.dependant)
    errors = dict(EVERY_ROUTE)
    if route.dependant.path_params:
        errors |= WITH_PATH_IDS
    if route.body_field is not None:
        errors |= WITH_BODY
    if (route.methods or set()) & UNSAFE:
        errors |= WRITES
    if any(param.alias.lower() == IF_MATCH.lower() for param in params):
        errors |= WITH_PRECONDITION
    return errors


def document_errors(router: APIRouter) -> None:
    """Add each API route's errors to its responses (a route's own entries win)."""
    for route in router.routes:
        if isinstance(route, APIRoute):
            route.responses = _errors_of(route) | route.responses
