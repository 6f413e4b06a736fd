"""The trust's policy schedule: every policy, its owner, last decision and review date, with
the overdue and coming-up reviews marked; filtered, and exported as CSV."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response, StreamingResponse

from app.connections import streamed
from app.deps import ActorDep, SessionDep
from app.exports import CSV_MEDIA, attachment
from app.forms import render_form
from app.pages.register import school
from assessments.kernel.clock import today
from assessments.kernel.errors import ValidationFailed
from assessments.policies import schedule, trust_schools
from assessments.policies.schedule import Due, ScheduleFilter
from assessments.policies.schedule_import import may_keep_schedule
from assessments.register.export import cells_csv

router = APIRouter()


def parse_schedule_filter(params: dict[str, str]) -> tuple[ScheduleFilter, dict[str, str]]:
    """The schedule's filter from the query, and what is wrong with it (left out if so)."""
    errors: dict[str, str] = {}
    try:
        school_id = school(params.get("school", ""), "school")
    except ValidationFailed as exc:
        school_id, errors = None, exc.errors
    due = params.get("due", "")
    if due and due not in {d.value for d in Due}:
        errors["due"], due = "Choose overdue, or overdue and coming up", ""
    chosen = ScheduleFilter(school_id, Due(due) if due else None, params.get("q", "")[:200])
    return chosen, errors


@router.get("/schedule")
def schedule_page(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """Every policy the person sees, soonest review first."""
    params = dict(request.query_params)
    chosen, errors = parse_schedule_filter(params)
    entries = schedule.policy_schedule(session=session, actor=actor, chosen=chosen, today=today())
    context = {
        "title": "Policy schedule",
        "params": params,
        "entries": entries,
        "schools": trust_schools.list_schools(session=session, actor=actor),
        "may_import": may_keep_schedule(actor),
        "export_query": request.url.query,
    }
    return render_form(request, "schedule/index.html", context, errors)


@router.get("/schedule.csv")
def schedule_csv(request: Request, actor: ActorDep) -> StreamingResponse:
    """The schedule under the filter in the query, as CSV (a filter not valid is refused)."""
    chosen, errors = parse_schedule_filter(dict(request.query_params))
    if errors:
        raise ValidationFailed(errors)

    def produce(session: Session) -> tuple[dict[str, str], Iterator[str]]:
        day = today()
        entries = schedule.policy_schedule(session=session, actor=actor, chosen=chosen, today=day)
        rows = map(schedule.schedule_cells, entries)
        name = f"policy-schedule-{day.isoformat()}.csv"
        return attachment(name), cells_csv(schedule.SCHEDULE_COLUMNS, rows)

    return streamed(request, produce, media_type=CSV_MEDIA)
