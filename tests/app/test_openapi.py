"""/openapi.json tells the truth: every error a route can answer with is in its entry, with the
JSON it sends; a 405 says in Allow what the URL does take."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

Operation = tuple[str, str, dict[str, Any]]
EVERY_ROUTE = {"401", "403", "422", "503"}
ERROR_SCHEMAS = {"ErrorMessage", "ValidationErrors"}


def _operations(app: FastAPI) -> list[Operation]:
    return [
        (method.upper(), path, operation)
        for path, item in app.openapi()["paths"].items()
        if path.startswith("/api/")
        for method, operation in item.items()
    ]


def _takes_if_match(operation: dict[str, Any]) -> bool:
    return any(
        p["in"] == "header" and p["name"] == "If-Match" for p in operation.get("parameters", [])
    )


def test_every_api_operation_lists_the_errors_it_can_answer_with(app: FastAPI) -> None:
    missing = {}
    for method, path, operation in _operations(app):
        expected = set(EVERY_ROUTE)
        if "{" in path:
            expected |= {"404"}
        if "requestBody" in operation:
            expected |= {"400", "413"}
        if method in {"POST", "PUT", "DELETE"}:
            expected |= {"409"}
        if _takes_if_match(operation):
            expected |= {"400", "412", "428"}
        if lacking := expected - set(operation["responses"]):
            missing[f"{method} {path}"] = sorted(lacking)
    assert not missing


def test_every_api_write_of_existing_content_takes_if_match(app: FastAPI) -> None:
    # Writes that make something new (201) need no revision; every other write does.
    writes = [
        (method, path, operation)
        for method, path, operation in _operations(app)
        if method in {"POST", "PUT", "DELETE"} and "201" not in operation["responses"]
    ]
    # An answer, an estimate and an action (2 each), 6 decisions, progress, a policy and the
    # screening's reason.
    assert len(writes) == 14
    assert [f"{m} {p}" for m, p, operation in writes if not _takes_if_match(operation)] == []
    for _, _, operation in writes:
        success = next(code for code in operation["responses"] if code.startswith("2"))
        if success != "204":
            assert "ETag" in operation["responses"][success]["headers"]


def test_every_error_response_has_the_json_schema_of_what_is_sent(app: FastAPI) -> None:
    wrong = []
    for method, path, operation in _operations(app):
        for code, response in operation["responses"].items():
            if code.startswith(("4", "5")):
                schema = response["content"]["application/json"]["schema"]["$ref"]
                if schema.rsplit("/", 1)[-1] not in ERROR_SCHEMAS:
                    wrong.append(f"{method} {path} {code}: {schema}")
    assert wrong == []


@pytest.mark.parametrize(
    ("method", "url", "allow"),
    [
        # Two routes share this URL: both methods are named, not only the first route's.
        ("GET", "/api/v1/assessment-versions/1/workload/teachers", "PUT, DELETE"),
        ("PATCH", "/api/v1/policies", "GET, POST"),
        ("DELETE", "/policies", "GET, POST"),  # a page
        ("PUT", "/healthz", "GET"),
    ],
)
def test_a_405_says_what_the_url_takes(
    anonymous_client: TestClient, method: str, url: str, allow: str
) -> None:
    response = anonymous_client.request(method, url)

    assert response.status_code == 405
    assert response.headers["Allow"] == allow
