"""The register of every assessment version, and its CSV and JSON exports."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TypeVar

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response, StreamingResponse

from app.connections import streamed
from app.deps import ActorDep, Id, SessionDep
from app.exports import CSV_MEDIA, MEDIA_TYPES, ExportFormat, attachment, register_export
from app.forms import render_form
from app.inputs import parse_day, parse_int, parse_optional_id, typed_day
from app.web import file_name_part
from assessments.drafting import version_view
from assessments.kernel.actors import Actor
from assessments.kernel.clock import today
from assessments.kernel.errors import ValidationFailed
from assessments.kernel.inputs import MAX_INT
from assessments.models import AssessmentKind, VersionStatus
from assessments.register import export, listing as register, queries as register_queries
from assessments.register.schemas import RegisterFilter

router = APIRouter()
T = TypeVar("T")


def school(text: str, field: str) -> int | None:
    return parse_optional_id(text, field, "Choose a school from the list")


def parse_filter(params: dict[str, str]) -> tuple[RegisterFilter, dict[str, str]]:
    """The register's filter from query parameters, and an error for each that is not valid
    (it is then left out, so the rest of the filter still applies)."""
    # The page's dates come as day, month and year fields; the API's as one ISO value.
    params = {**params, **{name: typed_day(params, name) for name in ("from", "to")}}
    errors: dict[str, str] = {}

    def checked(parse: Callable[[str, str], T], name: str) -> T | None:
        try:
            return parse(params.get(name, ""), name)
        except ValidationFailed as exc:
            errors.update(exc.errors)
            return None

    status, kind = params.get("status", ""), params.get("kind", "")
    if status and status not in {s.value for s in VersionStatus}:
        errors["status"] = "Choose a status from the list"
    if kind and kind not in {k.value for k in AssessmentKind}:
        errors["kind"] = "Choose full or screened-out assessments"
    sort, order = params.get("sort") or "reference", params.get("order") or "asc"
    if sort not in register_queries.SORTS:
        errors["sort"], sort = "Sort by one of the register's columns", "reference"
    if order not in {"asc", "desc"}:
        errors["order"] = "Sort in ascending (asc) or descending (desc) order"
    chosen = RegisterFilter(
        school_id=checked(school, "school"),
        status=VersionStatus(status) if status and "status" not in errors else None,
        rating=params.get("rating") or None,
        kind=AssessmentKind(kind) if kind and "kind" not in errors else None,
        overdue=params.get("overdue") == "yes",
        decided_from=checked(parse_day, "from"),
        decided_to=checked(parse_day, "to"),
        text=params.get("q", "")[:200],
        sort=sort,
        descending=order == "desc",
    )
    return chosen, errors | chosen.problems()


def parse_page(params: dict[str, str]) -> tuple[int, dict[str, str]]:
    """Which page of the register (1 if none is asked for; past the last is the last)."""
    try:
        return parse_int(params.get("page") or "1", "page", lo=1, hi=MAX_INT), {}
    except ValidationFailed as exc:
        return 1, exc.errors


def parse_register_query(params: dict[str, str]) -> tuple[RegisterFilter, int, dict[str, str]]:
    """The register's filter and page from query parameters, and what is wrong with them."""
    chosen, errors = parse_filter(params)
    page, page_errors = parse_page(params)
    return chosen, page, errors | page_errors


@router.get("/register")
def register_page(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """Every version in the person's scope, filtered, sorted and in pages of 50."""
    params = dict(request.query_params)
    chosen, page, errors = parse_register_query(params)
    view = register.register_view(
        session=session, actor=actor, chosen=chosen, page=page, today=today()
    )
    context = {"title": "Register of impact assessments", "params": params, **view.shown()}
    context["export_query"] = request.url.query
    return render_form(request, "register.html", context, errors, block="results")


def stream_export(request: Request, actor: Actor, fmt: ExportFormat) -> StreamingResponse:
    """The register under the filter in the query, streamed as CSV or JSON, whole rows a chunk,
    from one snapshot of the database whose audit head, row count and rows agree. A filter
    that is not valid is refused (422) before the response starts."""
    chosen, errors = parse_filter(dict(request.query_params))
    if errors:
        raise ValidationFailed(errors)
    produce = partial(register_export, actor=actor, chosen=chosen, today=today(), fmt=fmt)
    return streamed(request, lambda session: produce(session=session), media_type=MEDIA_TYPES[fmt])


@router.get("/register.csv")
def register_csv(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """The register under the current filter, as CSV (UTF-8 with BOM, stable columns); with a
    filter that is not valid, the register page showing what is wrong (422)."""
    try:
        return stream_export(request, actor, "csv")
    except ValidationFailed:
        return register_page(request, session, actor)


@router.get("/assessments/{version_id}/actions.csv")
def actions_csv(request: Request, version_id: Id, actor: ActorDep) -> StreamingResponse:
    """One version's mitigating actions, as CSV."""

    def produce(session: Session) -> tuple[dict[str, str], Iterator[str]]:
        view = version_view.view_assessment(session=session, actor=actor, version_id=version_id)
        name = f"actions-{file_name_part(view.policy.reference)}-v{view.version.number}.csv"
        return attachment(name), export.actions_csv_lines(view)

    return streamed(request, produce, media_type=CSV_MEDIA)
