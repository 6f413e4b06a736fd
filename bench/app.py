"""The server the bench measures: the real app (`create_app`, as `wia serve` runs it) and, in the
same process under the same uvicorn, the baselines under /_bench/, which a bare FastAPI app
serves without the app's middleware, database or sign-in.

    python -m bench.app --fd 3    # a listening socket handed on (bench/server.py binds it);
                                  # WIA_DATABASE_URL and WIA_ENVIRONMENT as for `wia serve`
"""

from __future__ import annotations

import argparse
import socket
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from jinja2 import Environment
from pydantic import BaseModel
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.logs import LOG_CONFIG
from app.main import create_app
from app.settings import get_settings
from app.web import render
from assessments.kernel.actors import Actor, Grant, Role
from assessments.models import School, VersionStatus
from assessments.register.listing import PAGE_SIZE, RegisterPage
from assessments.register.schemas import RegisterRow
from assessments.rubrics.files import load_rubric_dir

BASELINE_PREFIX = "/_bench/"
PLAIN_TABLE = Environment(autoescape=True).from_string(
    "<table><thead><tr><th>Policy</th><th>School</th><th>Status</th><th>Rating</th>"
    "<th>Decided</th><th>Review due</th><th>After</th><th>Hours</th><th>Actions</th></tr>"
    "</thead><tbody>{% for r in rows %}<tr><td>{{ r.policy_reference }}: {{ r.policy_title }}"
    "</td><td>{{ r.school }}</td><td>{{ r.status }}</td><td>{{ r.rating }}</td>"
    "<td>{{ r.decided_at }}</td><td>{{ r.review_due }}</td><td>{{ r.rating_after_mitigation }}"
    "</td><td>{{ r.net_hours_per_year }}</td><td>{{ r.open_actions }}</td></tr>{% endfor %}"
    "</tbody></table>"
)


class Echo(BaseModel):
    """What the bare JSON endpoint takes and gives back: the size of an autosave's fields."""

    question_id: str
    value: str
    comment: str = ""
    revision: int


def sample_rows(count: int = PAGE_SIZE) -> list[RegisterRow]:
    """Register rows like the seeded ones, made in memory."""
    decided = datetime(2025, 3, 14, 10, 30, tzinfo=UTC)
    return [
        RegisterRow(
            version_id=100_000 - n,
            policy_reference=f"MK-{n:05d}",
            policy_title="Marking and feedback policy",
            school=f"Northfield {n % 40} Academy",
            version=10,
            status="approved",
            rubric="staff-wellbeing-impact@1",
            overall_score=Decimal("41.7"),
            rating="medium",
            rating_after_mitigation="low",
            rating_after_actions_done="medium",
            assessment_kind="full",
            consulted=n % 3 == 0,
            responses=12 if n % 3 == 0 else 0,
            response_rate=60 if n % 3 == 0 else None,
            net_hours_per_year=Decimal("-118.5"),
            open_actions=n % 4,
            author=f"Author {n % 2 + 1} of Northfield Academy",
            approver="Approver 2",
            decided_at=decided - timedelta(days=n),
            decision_reason="",
            review_due=date(2026, 3, 14) + timedelta(days=n),
            overdue=n % 6 == 0,
            prepared_by=f"Author {n % 2 + 1} of Northfield Academy; Author 3",
        )
        for n in range(count)
    ]


def bare_app() -> FastAPI:
    """The baselines: a bare JSON POST endpoint, the register's own template rendered from
    in-memory rows (what the page costs without its database, sign-in and middleware), and a
    plain Jinja2 table of the same 50 rows."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    settings = get_settings()
    rubric = next(
        r for r in load_rubric_dir(settings.rubrics_dir) if r.id == "staff-wellbeing-impact"
    )
    ratings = [(band.id, band.label) for band in rubric.rating_bands]
    schools = [School(id=n + 1, trust_id=1, name=f"School {n + 1}") for n in range(40)]
    rows = sample_rows()
    actor = Actor(
        name="Bench Leader",
        user_id=1,
        trust_id=1,
        grants=frozenset({Grant(Role.AUTHOR), Grant(Role.APPROVER)}),
    )

    @app.post("/_bench/echo")
    def echo(body: Echo) -> Echo:
        return body

    @app.get("/_bench/register")
    def register_render(request: Request) -> Response:
        request.state.csrf_token = "bench.csrf-token-placeholder"  # noqa: S105 - shown, never checked
        request.state.actor = actor
        params = dict(request.query_params)
        context: dict[str, Any] = {
            "title": "Register of impact assessments",
            "result": RegisterPage(rows, 10_000, 1, 200),
            "params": params,
            "errors": {},
            "error_list": [],
            "schools": schools,
            "statuses": list(VersionStatus),
            "ratings": ratings,
            "rating_labels": dict(ratings),
            "export_query": request.url.query,
        }
        return render(request, "register.html", context, block="results")

    @app.get("/_bench/table")
    def plain_table() -> HTMLResponse:
        return HTMLResponse(PLAIN_TABLE.render(rows=rows))

    return app


class Dispatch:
    """/_bench/… to the baselines, everything else (and the lifespan) to the real app."""

    def __init__(self, real: ASGIApp, baselines: ASGIApp) -> None:
        self.real, self.baselines = real, baselines

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(BASELINE_PREFIX):
            await self.baselines(scope, receive, send)
        else:
            await self.real(scope, receive, send)


def create_bench_app() -> ASGIApp:
    return Dispatch(create_app(get_settings()), bare_app())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fd", type=int, required=True, help="a bound, listening socket's")
    fd = parser.parse_args().fd
    # As `wia serve --fd` runs the app: uvicorn's defaults (uvloop, httptools), structured logs.
    config = uvicorn.Config(
        create_bench_app(), proxy_headers=True, log_config=LOG_CONFIG, access_log=False
    )
    uvicorn.Server(config).run(sockets=[socket.socket(fileno=fd)])


if __name__ == "__main__":
    main()
