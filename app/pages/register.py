"""The register of every assessment version, its CSV and JSON exports, and the audit check."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response, StreamingResponse

from app.connections import streamed
from app.deps import ActorDep, Id, SessionDep
from app.inputs import parse_day, parse_int, parse_optional_id
from app.web import error_list, file_name_part, render
from assessments.drafting import version_view
from assessments.kernel import audit
from assessments.kernel.actors import Actor, trust_of
from assessments.kernel.clock import today
from assessments.kernel.errors import ValidationFailed
from assessments.kernel.inputs import MAX_INT
from assessments.models import VersionStatus
from assessments.policies import trust_schools
from assessments.register import export, listing as register, queries as register_queries
from assessments.register.schemas import RegisterFilter

router = APIRouter()
T = TypeVar("T")


def school(text: str, field: str) -> int | None:
    return parse_optional_id(text, field, "Choose a school from the list")


def parse_filter(params: dict[str, str]) -> tuple[RegisterFilter, dict[str, str]]:
    """The register's filter from query parameters, and an error for each that is not valid
    (it is then left out, so the rest of the filter still applies)."""
    errors: dict[str, str] = {}

    def checked(parse: Callable[[str, str], T], name: str) -> T | None:
        try:
            return parse(params.get(name, ""), name)
        except ValidationFailed as exc:
            errors.update(exc.errors)
            return None

    status = params.get("status", "")
    if status and status not in {s.value for s in VersionStatus}:
        errors["status"] = "Choose a status from the list"
    sort, order = params.get("sort") or "reference", params.get("order") or "asc"
    if sort not in register_queries.SORTS:
        errors["sort"], sort = "Sort by one of the register's columns", "reference"
    if order not in {"asc", "desc"}:
        errors["order"] = "Sort in ascending (asc) or descending (desc) order"
    chosen = RegisterFilter(
        school_id=checked(school, "school"),
        status=VersionStatus(status) if status and "status" not in errors else None,
        rating=params.get("rating") or None,
        overdue=params.get("overdue") == "yes",
        decided_from=checked(parse_day, "from"),
        decided_to=checked(parse_day, "to"),
        text=params.get("q", "")[:200],
        sort=sort,
        descending=order == "desc",
    )
    return chosen, errors


def parse_page(params: dict[str, str]) -> tuple[int, dict[str, str]]:
    """Which page of the register (1 if none is asked for; past the last is the last)."""
    try:
        return parse_int(params.get("page") or "1", "page", lo=1, hi=MAX_INT), {}
    except ValidationFailed as exc:
        return 1, exc.errors


@router.get("/register")
def register_page(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """Every version in the person's scope, filtered, sorted and in pages of 50."""
    params = dict(request.query_params)
    chosen, errors = parse_filter(params)
    page, page_errors = parse_page(params)
    errors |= page_errors
    result = register.register_page(
        session=session, actor=actor, chosen=chosen, page=page, today=today()
    )
    query = request.url.query
    ratings = register.rating_bands(session)
    return render(
        request,
        "register.html",
        {
            "title": "Register of impact assessments",
            "result": result,
            "params": params,
            "errors": errors,
            "error_list": error_list(errors),
            "schools": trust_schools.list_schools(session=session, actor=actor),
            "statuses": list(VersionStatus),
            "ratings": ratings,
            "rating_labels": dict(ratings),
            "export_query": query,
        },
        block="results",
        status_code=422 if errors else 200,
    )


def stream_export(request: Request, actor: Actor, fmt: str) -> StreamingResponse:
    """The register under the filter in the query, streamed as CSV or JSON, whole rows a chunk,
    from one snapshot of the database whose audit head, row count and rows agree. A filter
    that is not valid is refused (422) before the response starts."""
    chosen, errors = parse_filter(dict(request.query_params))
    if errors:
        raise ValidationFailed(errors)
    stamp = today().isoformat()
    json_export = fmt == "json"

    def produce(session: Session) -> tuple[dict[str, str], Iterator[str]]:
        head = register.audit_chain_head(session, trust_of(actor))  # a signed checkpoint
        count = register.register_count(session=session, actor=actor, chosen=chosen, today=today())
        rows = register.register_rows(session=session, actor=actor, chosen=chosen, today=today())
        name = f"register-{stamp}.{fmt}"
        headers = {
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Audit-Chain-Head": head,
            "X-Register-Rows": str(count),  # so a reader can tell a file that was cut short
        }
        if json_export:
            return headers, export.json_chunks(rows, head, count)
        return headers, export.csv_lines(rows, head)

    media = "application/json" if json_export else "text/csv; charset=utf-8"
    return streamed(request, produce, media_type=media)


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
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        return headers, export.actions_csv_lines(view)

    return streamed(request, produce, media_type="text/csv; charset=utf-8")


@router.get("/audit")
def audit_page(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """Whether the audit trail is intact (auditors and admins)."""
    verification = audit.check(session=session, actor=actor)
    context: dict[str, Any] = {"title": "Audit trail", "verification": verification}
    return render(request, "audit.html", context)
