"""The governor-ready report of a version: a page to read or print, and the same as a PDF."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from app import report_pdf
from app.deps import ActorDep, Id, SessionDep
from app.exports import attachment
from app.web import render, templates
from assessments.kernel import clock
from assessments.register.report import Report, governor_report

router = APIRouter(prefix="/assessments/{version_id}")


def _context(report: Report, layout: str) -> dict[str, Any]:
    view = report.view
    return {
        "layout": layout,
        "title": f"{view.policy.reference} {view.policy.title}: impact assessment, "
        f"version {view.version.number}",
        "view": view,
        "summary": report.summary,
        "school": report.school,
        "consultation": report.consultation,
        "consultations": report.consultations,
        "formal": report.formal,
        "unconsulted_said": report.unconsulted_reason,
        "sections": report.sections,
        "questions": report.questions,
        "history": report.history,
        "notes": {group: estimate.note for group, estimate in view.estimates.items()},
        "moves": report.moves,
        "contributors": report.contributors,
        "produced_at": clock.now(),
    }


@router.get("/report")
def show_report(request: Request, version_id: Id, session: SessionDep, actor: ActorDep) -> Response:
    """The version as governors read it: a one-page summary for the board, then the policy,
    who was consulted, every answer with its guidance, the scores, workload, actions, decision
    and version history. Prints cleanly."""
    report = governor_report(
        session=session, actor=actor, version_id=version_id, today=clock.today()
    )
    return render(request, "assessments/report.html", _context(report, "base.html"))


@router.get("/report.pdf")
def report_pdf_download(
    version_id: Id, request: Request, session: SessionDep, actor: ActorDep
) -> Response:
    """The same report as a PDF file (made here, from the same template and stylesheet)."""
    report = governor_report(
        session=session, actor=actor, version_id=version_id, today=clock.today()
    )
    html = templates.get_template("assessments/report.html").render(
        _context(report, "_print_layout.html")
    )
    pdf = report_pdf.html_to_pdf(html, site=str(request.base_url))
    name = report_pdf.download_name(report.view.policy.reference, report.view.version.number)
    return Response(pdf, media_type="application/pdf", headers=attachment(name))
