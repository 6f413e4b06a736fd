"""The OpenAPI docs, with Swagger UI served from our own static files (no CDN, no inline script)."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.web import render

router = APIRouter()


@router.get("/docs")
def api_docs(request: Request) -> Response:
    """Interactive documentation of the JSON API."""
    return render(request, "docs.html", {"title": "API documentation"})
