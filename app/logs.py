"""Structured logs: one JSON object a line on stderr, each with a UTC timestamp, so a log
collector can index them without parsing prose."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

events = logging.getLogger("wia")

# For logging.config.dictConfig, and for uvicorn's own loggers (`wia serve` passes it on).
LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "{levelname}{name}{message}",
            "style": "{",
            "timestamp": "time",  # ISO 8601 in UTC
            "rename_fields": {"levelname": "level", "name": "logger", "message": "event"},
        }
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"handlers": ["stderr"], "level": "INFO"},
}


async def log_request(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """One line per request: method, path (never the query, which may carry personal data),
    status and duration."""
    started = time.perf_counter()
    response = await call_next(request)
    events.info(
        "request",
        extra={
            "method": request.method,
            "path": request.url.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        },
    )
    return response
