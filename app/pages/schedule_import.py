"""Importing the trust's policy schedule from a spreadsheet: the upload, its preview (every
row's problems by line and column), the import, and a template to fill in."""

from __future__ import annotations

import csv
import io
from functools import cache

from fastapi import APIRouter, Request
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from app.deps import ActorDep, FormDep, Id, SessionDep
from app.exports import CSV_MEDIA, attachment
from app.flash import confirm
from app.forms import render_form
from app.settings import PROJECT_ROOT
from app.web import redirect
from assessments.kernel.errors import ValidationFailed
from assessments.policies import schedule_start, schedule_uploads
from assessments.policies.policy_catalogue import Catalogue, TrustKind, load_catalogue, schedule_for
from assessments.policies.schedule_files import MAX_BYTES
from assessments.policies.schedule_import import Change, require_schedule_keeper
from assessments.policies.schedule_rows import COLUMNS, REQUIRED, TEMPLATE_EXAMPLE

router = APIRouter()
IMPORT = "/schedule/import"  # app.security.FILE_UPLOADS lets this form carry its file
SHOWN_ROWS = 200  # of the rows that import cleanly; every refused row is shown


@cache
def england_catalogue() -> Catalogue:
    """The catalogue of England's statutory policies, as shipped (read once)."""
    return load_catalogue(PROJECT_ROOT / "catalogues" / "england-policies.yaml")


def _form_page(request: Request, errors: dict[str, str] | None = None) -> Response:
    catalogue = england_catalogue()
    context = {
        "title": "Import the policy schedule",
        "columns": COLUMNS,
        "required": REQUIRED,
        "max_megabytes": MAX_BYTES // (1024 * 1024),
        "catalogue": catalogue,
        "kinds": {kind: len(schedule_for(catalogue, kind)) for kind in TrustKind},
    }
    return render_form(request, "schedule/import.html", context, errors)


@router.get(IMPORT)
def import_form(request: Request, actor: ActorDep) -> Response:
    """Where a schedule is uploaded, with the columns it may have and a template."""
    require_schedule_keeper(actor)
    return _form_page(request)


@router.post(IMPORT, max_body_size=MAX_BYTES + 64 * 1024)  # the file, and the form around it
def upload(request: Request, form: FormDep, session: SessionDep, actor: ActorDep) -> Response:
    """Keep the file (refused at once if it cannot be read) and show its preview."""
    name, data = _file(form)
    try:
        kept = schedule_uploads.keep_upload(session=session, actor=actor, filename=name, data=data)
    except ValidationFailed as exc:
        return _form_page(request, exc.errors)
    return redirect(request, f"{IMPORT}/{kept.id}")


def _file(form: FormData) -> tuple[str, bytes]:
    """The uploaded file's name and content ("" and nothing when none was chosen); the form
    is parsed already (FormDep), its file spooled, and read here."""
    file = form.get("file")
    if not isinstance(file, UploadFile):
        return "", b""
    data = file.file.read(MAX_BYTES + 1)  # closed with the form (app.security.close_form)
    return file.filename or "", data


def _preview_page(
    request: Request, session: SessionDep, actor: ActorDep, upload_id: int, refused: str = ""
) -> Response:
    preview = schedule_uploads.preview_upload(session=session, actor=actor, upload_id=upload_id)
    plan = preview.plan
    clean = [row for row in plan.rows if row.change is not Change.REFUSED]
    context = {
        "title": f"Preview: {preview.upload.filename}",
        "upload": preview.upload,
        "plan": plan,
        "counts": {change: plan.count(change) for change in Change},
        "clean": clean[:SHOWN_ROWS],
        "more": max(0, len(clean) - SHOWN_ROWS),
        "Change": Change,
    }
    # Rows with problems get GOV.UK's error summary, linking to their table, as soon as the
    # preview shows them; a missing column is an error summary of the page's own.
    count = len(plan.refused)
    refusal = refused or (
        f"{count} row{'s' if count != 1 else ''} cannot be imported: put "
        f"{'them' if count != 1 else 'it'} right in the file and upload it again"
    )
    errors = {"problems": refusal} if plan.refused and not plan.missing_columns else None
    status = 422 if refused else 200
    return render_form(request, "schedule/preview.html", context, errors, status_code=status)


@router.get(IMPORT + "/{upload_id}")
def preview(request: Request, upload_id: Id, session: SessionDep, actor: ActorDep) -> Response:
    """What importing the file would do, row by row, and what stops it."""
    return _preview_page(request, session, actor, upload_id)


@router.post(IMPORT + "/{upload_id}")
def apply(request: Request, upload_id: Id, session: SessionDep, actor: ActorDep) -> Response:
    """Import the whole file, or nothing while any row has a problem."""
    try:
        schedule_uploads.import_upload(session=session, actor=actor, upload_id=upload_id)
    except ValidationFailed as exc:
        return _preview_page(request, session, actor, upload_id, exc.errors["file"])
    return confirm(request, redirect(request, "/schedule"), "schedule-imported")


@router.post("/schedule/start")
def start(request: Request, form: FormDep, session: SessionDep, actor: ActorDep) -> Response:
    """Add the statutory (and workload-driving) policies of a trust of the kind chosen."""
    kind = str(form.get("kind", ""))
    if kind not in {k.value for k in TrustKind}:
        require_schedule_keeper(actor)  # who may not start it is told so, not what to choose
        return _form_page(
            request, {"kind": "Choose whether the trust is an academy trust or a maintained school"}
        )
    schedule_start.start_from_catalogue(
        session=session, actor=actor, catalogue=england_catalogue(), kind=TrustKind(kind)
    )
    return confirm(request, redirect(request, "/schedule"), "schedule-started")


@router.get("/schedule/template.csv")
def template(actor: ActorDep) -> Response:
    """A schedule with the columns an import reads, and one example row."""
    require_schedule_keeper(actor)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow([TEMPLATE_EXAMPLE[column] for column in COLUMNS])
    body = "\ufeff" + buffer.getvalue()
    return Response(body, media_type=CSV_MEDIA, headers=attachment("policy-schedule.csv"))
