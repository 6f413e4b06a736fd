"""Structured logs: one JSON object a line on stderr, each with a UTC timestamp, so a log
collector can index them without parsing prose. Every line written while a request is handled
carries that request's id, which the response returns as X-Request-ID."""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


# Paths that carry a signed link's token (a calendar feed, an unsubscribe, a password link,
# a consultation's: which would tie a member of staff to the time they answered):
# the log shows where the request went, never the working link.
_SIGNED_LINK = re.compile(
    r"^(/calendar/|/notifications/unsubscribe/|/account/set-password/|/consult/)[^/]+"
)


def logged_path(path: str) -> str:
    return _SIGNED_LINK.sub(r"\1…", path)


class RequestLog:
    """One line per request: its id, method, path (never the query, which may carry personal
    data), status and duration to the last byte; an unhandled error is logged as a 500 with
    its traceback. Plain ASGI (see app.security.SecurityMiddleware)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = Headers(scope=scope).get(REQUEST_ID_HEADER, "")
        this_request = incoming if _ACCEPTABLE_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = request_id.set(this_request)
        started = time.perf_counter()
        status = 500

        def line(status: int) -> dict[str, Any]:
            return {
                "method": scope["method"],
                "path": logged_path(scope["path"]),
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            }

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = this_request
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
            events.info("request", extra=line(status))
        except Exception:
            events.exception("request", extra=line(500))
            raise
        finally:
            request_id.reset(token)
