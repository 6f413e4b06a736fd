"""The home page: what each person should look at first, and the register at a glance."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.charts import bar_chart
from app.deps import ActorDep, SessionDep
from app.web import render
from assessments.kernel.clock import today
from assessments.register.dashboard import dashboard
from assessments.register.dashboard_queries import SHOWN

router = APIRouter()


@router.get("/")
def home(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """The signed-in person's own work, what awaits them, what is overdue, and three charts."""
    board = dashboard(session=session, actor=actor, today=today())
    charts = [
        bar_chart(
            "ratings",
            "Approved assessments by rating",
            board.ratings,
            label_heading="Rating",
            value_heading="Assessments",
        ),
        bar_chart(
            "hours",
            "Net workload hours a year, by staff group",
            board.hours_by_staff_group,
            label_heading="Staff group",
            value_heading="Hours a year",
            unit="hours",
            signed=True,
        ),
        bar_chart(
            "actions",
            "Mitigating actions by status",
            board.actions_by_status,
            label_heading="Status",
            value_heading="Actions",
        ),
    ]
    return render(
        request,
        "dashboard.html",
        {"title": "Home", "board": board, "charts": [c for c in charts if c.bars], "shown": SHOWN},
    )
