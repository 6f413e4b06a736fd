"""Structured logs: one JSON object a line on stderr, each with a UTC timestamp, so a log
collector can index them without parsing prose. Every line written while a request is handled
carries that request's id, which the response returns as X-Request-ID."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

events = logging.getLogger("wia")
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
REQUEST_ID_HEADER = "X-Request-ID"
# An id a proxy in front already gave the request is kept, so its lines and ours join up;
# anything else (too long, odd characters) is replaced rather than written into the logs.
_ACCEPTABLE_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
_plain_record = logging.getLogRecordFactory()


def _record_with_request_id(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _plain_record(*args, **kwargs)
    current = request_id.get()
    if current is not None:
        record.request_id = current
    return record


# A record factory rather than a handler filter: every handler (and pytest's caplog) sees it.
logging.setLogRecordFactory(_record_with_request_id)

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
    """One line per request: its id, method, path (never the query, which may carry personal
    data), status and duration; an unhandled error is logged as a 500 with its traceback."""
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    this_request = incoming if _ACCEPTABLE_ID.fullmatch(incoming) else uuid.uuid4().hex
    token = request_id.set(this_request)
    started = time.perf_counter()

    def line(status: int) -> dict[str, Any]:
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        path = request.url.path
        return {
            "method": request.method,
            "path": path,
            "status": status,
            "duration_ms": duration_ms,
        }

    try:
        response = await call_next(request)
        events.info("request", extra=line(response.status_code))
    except Exception:
        events.exception("request", extra=line(500))
        raise
    finally:
        request_id.reset(token)
    response.headers[REQUEST_ID_HEADER] = this_request
    return response
