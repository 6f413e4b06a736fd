"""Domain errors and HTTP errors become a status code and a message: JSON for the API, a page
for people."""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import HTTPException as FastAPIHTTPException, RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Match

from app.auth import SignInRequired, sign_in_url
from app.web import render, wants_fragment
from assessments.kernel.errors import (
    Conflict,
    DomainError,
    InvalidTransition,
    NotAllowed,
    NotFound,
    StaleVersion,
    ValidationFailed,
)

STATUS_OF: dict[type[DomainError], int] = {
    NotFound: 404,
    NotAllowed: 403,
    InvalidTransition: 409,
    StaleVersion: 409,
    Conflict: 409,
    ValidationFailed: 422,
}
TITLES = {
    400: "There is a problem with the request",
    403: "You cannot do that",
    404: "Page not found",
    405: "That cannot be done here",
    409: "That cannot be done now",
    413: "What you sent is too large",
    422: "There is a problem with what you entered",
    503: "Sorry, the service is unavailable",
}
# The database is down, restarting, unreachable or too busy: nothing was saved by this request,
# and trying again shortly will work. (Other database errors are bugs, and stay 500s.)
DATABASE_UNAVAILABLE = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)
RETRY_AFTER_SECONDS = "5"
UNAVAILABLE_MESSAGE = (
    "The register cannot reach its database just now, so nothing was saved from this request. "
    "Everything saved before is safe. Please try again in a few seconds."
)
events = logging.getLogger("wia")
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
STATIC_METHODS = ("GET", "HEAD")


def status_of(exc: DomainError) -> int:
    return next(code for kind, code in STATUS_OF.items() if isinstance(exc, kind))


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _origin(request: Request, field: str) -> str:
    """Where a field came from, as FastAPI's own 422s say it: the path, the query or the body."""
    if field in request.path_params:
        return "path"
    return "query" if field in request.query_params else "body"


def _shown(value: object) -> str | int:
    """Part of an error as it can be sent back whatever was sent: never a lone surrogate or
    anything else that cannot be encoded, and never at length."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value)[:200]
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "\\0")


def _validation_detail(exc: RequestValidationError) -> list[dict[str, Any]]:
    """FastAPI's error list without the input that was sent (which may be unencodable or huge):
    where (loc), what is wrong (msg) and its kind (type)."""
    return [
        {
            "loc": [_shown(part) for part in error.get("loc", ())],
            "msg": _shown(error.get("msg", "")),
            "type": _shown(error.get("type", "")),
        }
        for error in exc.errors()
    ]


def _error_page(request: Request, status_code: int, message: str) -> Response:
    title = TITLES.get(status_code, "Sorry, there is a problem with the service")
    response = render(
        request, "error.html", {"title": title, "message": message}, status_code=status_code
    )
    if wants_fragment(request):
        # An htmx request meant to swap one part of the page: show the error as the whole page
        # instead, so it is neither lost nor nested inside a form.
        response.headers["HX-Retarget"] = "body"
        response.headers["HX-Reswap"] = "innerHTML"
        response.headers["HX-Reselect"] = ".app-page"  # whatever the swapped part selects
    return response


async def request_validation_error(request: Request, exc: Exception) -> Response:
    """A URL whose ids do not parse or are out of range (e.g. /policies/abc) names no record:
    404. Anything else that is not valid is a 422 naming the field."""
    assert isinstance(exc, RequestValidationError)
    detail = _validation_detail(exc)
    in_path = any(error["loc"][:1] == ["path"] for error in detail)
    if _is_api(request):
        if in_path:
            return JSONResponse({"detail": "There is no such record"}, status_code=404)
        return JSONResponse({"detail": detail}, status_code=422)
    if in_path:
        return _error_page(request, 404, "")
    fields = ", ".join(str(error["loc"][-1]) for error in detail if error["loc"])
    return _error_page(request, 422, f"Not valid: {fields}")


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    code = status_of(exc)
    if _is_api(request):
        if isinstance(exc, ValidationFailed):
            detail = [
                {"loc": [_origin(request, field), _shown(field)], "msg": msg, "type": "value_error"}
                for field, msg in exc.errors.items()
            ]
            return JSONResponse({"detail": detail}, status_code=code)
        return JSONResponse({"detail": exc.message}, status_code=code)
    return _error_page(request, code, exc.message)


def _allowed_methods(request: Request) -> str:
    """Every method some route takes at this path: the router names only the first matching
    route's, though e.g. PUT and DELETE of one URL are two routes."""
    scope = {key: request.scope[key] for key in ("type", "path", "root_path", "headers")}
    allowed = [
        method
        for method in METHODS
        if any(
            route.matches({**scope, "method": method})[0] is Match.FULL
            for route in request.app.router.routes
        )
    ]
    return ", ".join(allowed or STATIC_METHODS)  # none: a static file, which is only read


def _page_of_form(request: Request) -> str:
    """The nearest page above a URL that only takes forms: /assessments/7/return → /assessments/7.
    A browser asks for a form's URL when a refused form's page is reloaded, or its address
    reopened (htmx put it in the address bar), and should land back where the form was."""
    parts = request.url.path.rstrip("/").split("/")
    scope = {key: request.scope[key] for key in ("type", "root_path", "headers")}
    for end in range(len(parts) - 1, 0, -1):
        path = "/".join(parts[:end]) or "/"
        asked = {**scope, "path": path, "method": "GET"}
        if any(route.matches(asked)[0] is Match.FULL for route in request.app.router.routes):
            return path
    return "/"


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request)
        if request.method == "GET" and not _is_api(request) and "POST" in headers["Allow"]:
            return RedirectResponse(_page_of_form(request), status_code=303)
    if _is_api(request):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)
    message = exc.detail if exc.status_code in {403, 409} else ""
    response = _error_page(request, exc.status_code, str(message))
    response.headers.update(headers)
    return response


async def sign_in_required(request: Request, exc: Exception) -> Response:
    """The API says 401; a page sends the person to sign in and back here afterwards (htmx
    follows HX-Redirect, so a fragment never shows the sign-in page inside itself)."""
    if _is_api(request):
        return JSONResponse(
            {"detail": "Sign in, or send a valid API token as 'Authorization: Bearer <token>'"},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    target = sign_in_url(request) if request.method == "GET" else "/sign-in"
    if wants_fragment(request):
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


async def database_unavailable(request: Request, exc: Exception) -> Response:
    """503 with Retry-After and a plain message, never a stack trace; the pool's pre-ping
    replaces dead connections, so the next request after the database is back succeeds."""
    events.warning("database_unavailable", extra={"error": type(exc).__name__})
    headers = {"Retry-After": RETRY_AFTER_SECONDS}
    if _is_api(request):
        return JSONResponse({"detail": UNAVAILABLE_MESSAGE}, status_code=503, headers=headers)
    response = _error_page(request, 503, UNAVAILABLE_MESSAGE)
    response.headers.update(headers)
    return response


def install(app: FastAPI) -> None:
    app.add_exception_handler(SignInRequired, sign_in_required)
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(RequestValidationError, request_validation_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(FastAPIHTTPException, http_error)
    for unavailable in DATABASE_UNAVAILABLE:
        app.add_exception_handler(unavailable, database_unavailable)
