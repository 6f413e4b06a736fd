"""The Audit page (auditors and admins): whether the trust's chain is intact, and its events
filtered by date, person, record and kind, in pages or as CSV."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import partial
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from app.connections import streamed
from app.deps import ActorDep, SessionDep
from app.exports import CSV_MEDIA, attachment
from app.forms import render_form
from app.inputs import parse_day, parse_id, parse_optional_id, typed_day
from app.pages.register import parse_page
from app.web import wants_fragment
from assessments.kernel.clock import today
from assessments.kernel.errors import ValidationFailed
from assessments.register import audit_trail
from assessments.register.audit_trail import NAMED, AuditFilter, AuditRow, AuditView

router = APIRouter()
T = TypeVar("T")
FILTER_FIELDS = ("from", "to", "person", "entity", "record", "kind")
CHOOSE_PERSON = "Choose a person from the list"
RECORD_NUMBER = "Enter the record's number as a whole number, or leave it empty"
MAX_NAME = 120  # what the trail's name and kind columns hold
MAX_KIND = 40


def _query(request: Request) -> dict[str, str]:
    """The query, its dates read from the page's day, month and year fields (or one ISO
    value, as a link or a script sends it)."""
    params = dict(request.query_params)
    days = {name: typed_day(params, name) for name in ("from", "to")}
    return {**params, **{name: day for name, day in days.items() if day}}


def parse_filter(params: dict[str, str]) -> tuple[AuditFilter, dict[str, str]]:
    """The trail's filter from query parameters, and an error for each that is not valid (it
    is then left out, so the rest of the filter still applies; a reversed range, both dates)."""
    errors: dict[str, str] = {}

    def checked(parse: Callable[[str, str], T], name: str) -> T | None:
        try:
            return parse(params.get(name, ""), name)
        except ValidationFailed as exc:
            errors.update(exc.errors)
            return None

    person = params.get("person", "").strip()
    user_id, actor_name = None, None
    if person.startswith(NAMED) and 0 < len(person) - len(NAMED) <= MAX_NAME:
        actor_name = person[len(NAMED) :]
    elif person:
        user_id = checked(partial(parse_id, message=CHOOSE_PERSON), "person")
    entity, kind = params.get("entity", "").strip(), params.get("kind", "").strip()
    if len(entity) > MAX_KIND:
        errors["entity"], entity = "Choose a kind of record from the list", ""
    if len(kind) > MAX_KIND:
        errors["kind"], kind = "Choose a kind of event from the list", ""
    chosen = AuditFilter(
        occurred_from=checked(parse_day, "from"),
        occurred_to=checked(parse_day, "to"),
        user_id=user_id,
        actor_name=actor_name,
        entity=entity or None,
        entity_id=checked(partial(parse_optional_id, message=RECORD_NUMBER), "record"),
        action=kind or None,
    )
    if problems := chosen.problems():
        errors.update(problems)
        if "to" in problems:
            chosen = replace(chosen, occurred_from=None, occurred_to=None)
        if "record" in problems:
            chosen = replace(chosen, entity_id=None)
    return chosen, errors


def record_link(row: AuditRow) -> str | None:
    """The page of the record an event is about, where it has one."""
    if row.entity_id is not None and row.entity == "assessment_version":
        return f"/assessments/{row.entity_id}/summary"
    if row.entity_id is not None and row.entity == "mitigating_action" and row.action != "removed":
        return f"/actions/{row.entity_id}"
    if row.entity_id is not None and row.entity == "policy":
        return f"/policies/{row.entity_id}"
    if row.version_id is not None:  # an answer, an estimate or a removed action: its version
        return f"/assessments/{row.version_id}/summary"
    return None


def _shown(params: dict[str, str], view: AuditView) -> dict[str, Any]:
    """What the page's template reads: the view, the query, and the same filter as a file."""
    filters = {name: params[name] for name in FILTER_FIELDS if params.get(name)}
    return {
        "title": "Audit trail",
        "params": params,
        "view": view,
        "verification": view.verification,
        "result": view.result,
        "record_link": record_link,
        "export_query": urlencode(filters),
    }


@router.get("/audit")
def audit_page(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """Whether the trust's audit trail is intact, and its events under the filter, newest
    first in pages of 50 (trust-wide auditors and admins)."""
    params = _query(request)
    chosen, errors = parse_filter(params)
    page, page_errors = parse_page(params)
    whole_page = not wants_fragment(request)  # htmx swaps the results alone
    view = audit_trail.audit_view(
        session=session, actor=actor, chosen=chosen, page=page, whole_page=whole_page
    )
    context = _shown(params, view)
    return render_form(request, "audit.html", context, errors | page_errors, block="results")


@router.get("/audit.csv")
def audit_csv(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """The trust's events under the filter, newest first, as CSV (UTF-8 with BOM); with a
    filter that is not valid, the Audit page showing what is wrong (422)."""
    chosen, errors = parse_filter(_query(request))
    if errors:
        return audit_page(request, session, actor)

    def produce(session: Session) -> tuple[dict[str, str], Iterator[str]]:
        rows = audit_trail.event_rows(session=session, actor=actor, chosen=chosen)
        return attachment(f"audit-{today().isoformat()}.csv"), audit_trail.csv_lines(rows)

    return streamed(request, produce, media_type=CSV_MEDIA)
