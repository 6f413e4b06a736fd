"""The service's logs: a structured line per request, JSON with UTC timestamps."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from pythonjsonlogger.json import JsonFormatter

from app.logs import LOG_CONFIG


def test_each_request_is_logged_with_method_path_status_and_duration(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="wia"):
        client.get("/policies/new?email=someone@school.example")
        client.get("/no-such-page")

    lines = [r for r in caplog.records if r.name == "wia" and r.getMessage() == "request"]
    assert [(r.method, r.path, r.status) for r in lines] == [  # type: ignore[attr-defined]
        ("GET", "/policies/new", 200),
        ("GET", "/no-such-page", 404),
    ]
    assert all(r.duration_ms >= 0 for r in lines)  # type: ignore[attr-defined]
    assert "someone@school.example" not in caplog.text  # queries are never logged


def test_a_log_line_is_one_json_object_with_a_utc_time() -> None:
    spec = {key: value for key, value in LOG_CONFIG["formatters"]["json"].items() if key != "()"}
    record = logging.LogRecord("wia", logging.INFO, __file__, 1, "sign_in", None, None)
    record.user_id = 7

    line = JsonFormatter(**spec).format(record)

    assert "\n" not in line
    parsed = json.loads(line)
    assert (parsed["level"], parsed["logger"], parsed["event"], parsed["user_id"]) == (
        "INFO",
        "wia",
        "sign_in",
        7,
    )
    assert datetime.fromisoformat(parsed["time"]).utcoffset() == timedelta(0)
