"""The home page: what each person should look at first, and the register at a glance."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.charts import dashboard_charts
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
    context = {"title": "Home", "board": board, "charts": dashboard_charts(board), "shown": SHOWN}
    return render(request, "dashboard.html", context)
