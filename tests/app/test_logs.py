"""The service's logs: a structured line per request, JSON with UTC timestamps."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from pythonjsonlogger.json import JsonFormatter
from sqlmodel import Session

from app.logs import LOG_CONFIG
from tests.app.pages import post_form
from tests.factories.people import add_local_auditor, make_api_token
from tests.factories.sign_in import WRONG_PASSWORD, sign_in
from tests.factories.trusts import AUTHOR


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


def test_a_signed_links_token_is_never_logged(
    anonymous_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="wia"):
        for path in (
            "/calendar/7.1.SECRETMAC.ics",
            "/notifications/unsubscribe/7.decided.SECRETMAC",
            "/account/set-password/7.1764000000.SECRETMAC",
        ):
            anonymous_client.get(path)

    lines = [r for r in caplog.records if r.name == "wia" and r.getMessage() == "request"]
    assert [r.path for r in lines] == [  # type: ignore[attr-defined]
        "/calendar/…",
        "/notifications/unsubscribe/…",
        "/account/set-password/…",
    ]
    assert "SECRETMAC" not in caplog.text


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


def auth_events(caplog: pytest.LogCaptureFixture) -> list[tuple[str, dict[str, object]]]:
    keys = ("user_id", "by_user_id", "token_id", "grants")
    return [
        (r.getMessage(), {k: getattr(r, k) for k in keys if hasattr(r, k)})
        for r in caplog.records
        if r.name == "wia.auth"
    ]


@pytest.mark.usefixtures("rubric_published")
def test_role_changes_disabling_and_token_use_are_logged(
    client: TestClient, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    user = add_local_auditor(
        session, email="bo@local.example", name="Bo Brown", password="termly-review-orchard-47"
    )
    session.commit()
    admin_page = f"/admin/users/{user.id}"
    secret = make_api_token(session, AUTHOR)

    with caplog.at_level(logging.INFO, logger="wia.auth"):
        post_form(client, f"{admin_page}/roles/add", {"role": "approver", "place": ""})
        post_form(client, f"{admin_page}/access", {"disabled": "true"})
        client.get("/api/v1/policies", headers={"Authorization": f"Bearer {secret}"})
        client.get("/api/v1/policies", headers={"Authorization": "Bearer wia_not-a-token"})

    events = auth_events(caplog)
    assert events[:2] == [
        (
            "roles changed",
            {"user_id": user.id, "by_user_id": AUTHOR.user_id, "grants": ["approver:", "auditor:"]},
        ),
        ("user disabled", {"user_id": user.id, "by_user_id": AUTHOR.user_id}),
    ]
    assert events[2][0] == "api token used" and events[2][1]["user_id"] == AUTHOR.user_id
    assert events[3] == ("api token refused", {})
    assert secret not in caplog.text


def test_every_line_a_request_writes_carries_its_id_which_the_response_returns(
    anonymous_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="wia"):
        response = sign_in(anonymous_client, password=WRONG_PASSWORD)
    request_id = response.headers["X-Request-ID"]

    lines = [r for r in caplog.records if r.name.startswith("wia")]
    posted = [r for r in lines if getattr(r, "method", "POST") == "POST"]  # all but the GET
    assert {r.getMessage() for r in posted} >= {"sign-in failed", "request"}
    assert {getattr(r, "request_id", None) for r in posted} == {request_id}
    assert len({getattr(r, "request_id", None) for r in lines}) == 2  # the form, then the post


def test_a_proxys_request_id_is_kept_and_a_strange_one_replaced(
    anonymous_client: TestClient,
) -> None:
    from_proxy = "lb-4f2a9c1e-0001"
    kept = anonymous_client.get("/healthz", headers={"X-Request-ID": from_proxy})
    replaced = anonymous_client.get("/healthz", headers={"X-Request-ID": "bad id\n{}"})

    assert kept.headers["X-Request-ID"] == from_proxy
    assert replaced.headers["X-Request-ID"] not in {"bad id\n{}", from_proxy}
    assert len(replaced.headers["X-Request-ID"]) == 32
