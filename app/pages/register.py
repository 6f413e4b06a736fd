"""The register of every assessment version, its CSV and JSON exports, and the audit check."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response, StreamingResponse

from app.connections import streamed
from app.deps import ActorDep, Id, SessionDep
from app.web import error_list, file_name_part, iso_day, render
from assessments import audit, policies, register, service
from assessments.actors import Actor, trust_of
from assessments.models import VersionStatus
from assessments.register import RegisterFilter

router = APIRouter()


def parse_filter(params: dict[str, str]) -> tuple[RegisterFilter, dict[str, str]]:
    """The register's filter from query parameters, and an error for each that is not valid
    (it is then left out, so the rest of the filter still applies)."""
    errors: dict[str, str] = {}

    def day(name: str) -> date | None:
        text = params.get(name, "").strip()
        if not text:
            return None
        try:
            return date.fromisoformat(iso_day(text))
        except ValueError:
            errors[name] = "Enter a real date, like 31/03/2027"
            return None

    school = params.get("school", "")
    status = params.get("status", "")
    if status and status not in {s.value for s in VersionStatus}:
        errors["status"] = "Choose a status from the list"
    chosen = RegisterFilter(
        school_id=int(school) if school.isdigit() and len(school) < 19 else None,  # 64-bit
        status=VersionStatus(status) if status and "status" not in errors else None,
        rating=params.get("rating") or None,
        overdue=params.get("overdue") == "yes",
        decided_from=day("from"),
        decided_to=day("to"),
        text=params.get("q", "")[:200],
        sort=params.get("sort", "reference")
        if params.get("sort") in register.SORTS
        else "reference",
        descending=params.get("order") == "desc",
    )
    return chosen, errors


def today() -> date:
    return datetime.now(UTC).date()


@router.get("/register")
def register_page(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """Every version in the person's scope, filtered, sorted and in pages of 50."""
    params = dict(request.query_params)
    chosen, errors = parse_filter(params)
    page = int(params["page"]) if params.get("page", "").isdigit() else 1
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
            "schools": policies.list_schools(session=session, actor=actor),
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
    from one snapshot of the database whose audit head, row count and rows agree."""
    chosen, _ = parse_filter(dict(request.query_params))
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
            return headers, register.json_chunks(rows, head, count)
        return headers, register.csv_lines(rows, head)

    media = "application/json" if json_export else "text/csv; charset=utf-8"
    return streamed(request, produce, media_type=media)


@router.get("/register.csv")
def register_csv(request: Request, actor: ActorDep) -> StreamingResponse:
    """The register under the current filter, as CSV (UTF-8 with BOM, stable columns)."""
    return stream_export(request, actor, "csv")


@router.get("/assessments/{version_id}/actions.csv")
def actions_csv(request: Request, version_id: Id, actor: ActorDep) -> StreamingResponse:
    """One version's mitigating actions, as CSV."""

    def produce(session: Session) -> tuple[dict[str, str], Iterator[str]]:
        view = service.view_assessment(session=session, actor=actor, version_id=version_id)
        name = f"actions-{file_name_part(view.policy.reference)}-v{view.version.number}.csv"
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        return headers, register.actions_csv_lines(view)

    return streamed(request, produce, media_type="text/csv; charset=utf-8")


@router.get("/audit")
def audit_page(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """Whether the audit trail is intact (auditors and admins)."""
    verification = audit.check(session=session, actor=actor)
    context: dict[str, Any] = {"title": "Audit trail", "verification": verification}
    return render(request, "audit.html", context)
