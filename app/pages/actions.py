"""A mitigating action's own page: what its version commits to, where it stands, its history,
and (for its owner and the policy's authors, once approved) the form to record progress."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.responses import Response

from app.deps import ActorDep, FormDep, Id, SessionDep
from app.flash import confirm
from app.forms import form_errors, parse_revision, render_form
from app.inputs import day_parts, typed_day
from app.web import redirect
from assessments.kernel.clock import today
from assessments.kernel.errors import StaleVersion, ValidationFailed
from assessments.models import ActionStatus
from assessments.progress import recording
from assessments.progress.recording import MAX_NOTE, ActionView, ProgressSave

router = APIRouter()
PROGRESS_MESSAGES = {
    "status": "Choose where the action stands",
    "note": f"Keep the note to {MAX_NOTE} characters",
    "done_on": "Enter a real date it was done, with its day, month and year, like 31 3 2027",
    "evidence_url": "Enter a web address starting https://, or leave it empty",
}


def _values(view: ActionView) -> dict[str, Any]:
    progress = view.progress
    if progress is None:
        return {"status": view.status.value}
    return {
        "status": progress.status.value,
        "note": progress.note,
        "done_on": progress.done_on.isoformat() if progress.done_on else "",
        "evidence_url": progress.evidence_url,
        "expected_revision": progress.revision,
    }


def _page(
    request: Request,
    view: ActionView,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int | None = None,
) -> Response:
    context = {
        "title": f"Mitigating action: {view.action.description[:60]}",
        "view": view,
        "values": values,
        "statuses": list(ActionStatus),
    }
    return render_form(request, "actions/show.html", context, errors, status_code=status_code)


@router.get("/actions/{action_id}")
def action_page(request: Request, action_id: Id, session: SessionDep, actor: ActorDep) -> Response:
    """The action, where it stands and its history."""
    view = recording.view_action(session=session, actor=actor, action_id=action_id)
    return _page(request, view, _values(view), {})


def _form_values(form: FormData) -> dict[str, Any]:
    return {
        "status": str(form.get("status", "")),
        "note": str(form.get("note", "")),
        "done_on": typed_day(form, "done_on"),
        "evidence_url": str(form.get("evidence_url", "")),
        "expected_revision": parse_revision(str(form.get("revision", "")), "status"),
    }


def _recorded(record: Callable[..., object], values: dict[str, Any]) -> tuple[dict[str, str], int]:
    """(errors by field, the status to show them with); no errors once recorded."""
    try:
        record(data=ProgressSave.model_validate({**values, "done_on": values["done_on"] or None}))
    except ValidationError as exc:
        return form_errors(exc, PROGRESS_MESSAGES), 422
    except ValidationFailed as exc:
        return exc.errors, 422
    except StaleVersion as exc:  # someone saved it meanwhile: theirs is shown, and what was typed
        return {"status": exc.message}, 409
    return {}, 303


@router.post("/actions/{action_id}/progress")
def save_progress(
    request: Request, action_id: Id, form: FormDep, session: SessionDep, actor: ActorDep
) -> Response:
    """Record where the action stands, and come back to its page."""
    values = _form_values(form)
    record = partial(recording.record_progress, session=session, actor=actor, today=today())
    errors, status_code = _recorded(partial(record, action_id=action_id), values)
    if not errors:
        return confirm(request, redirect(request, f"/actions/{action_id}"), "progress-saved")
    view = recording.view_action(session=session, actor=actor, action_id=action_id)
    if status_code == 409 and view.progress is not None:
        values["expected_revision"] = view.progress.revision
    shown = {**values, **day_parts(form, "done_on")}  # the date as typed, field by field
    return _page(request, view, shown, errors, status_code)
