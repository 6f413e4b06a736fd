"""What the JSON API tests send and read back: the base path, the rubric and request helpers."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from httpx2 import Response

API = "/api/v1"

Json = dict[str, Any]


def policy_body(**fields: Any) -> Json:
    return {
        "reference": "TL-004",
        "title": "Marking and feedback policy",
        "category": "assessment-and-marking",
        "owner": "Deputy Headteacher",
        "review_cycle_months": 12,
        **fields,
    }


def create_policy(client: TestClient, **fields: Any) -> Json:
    response = client.post(f"{API}/policies", json=policy_body(**fields))
    assert response.status_code == 201, response.text
    body: Json = response.json()
    return body


def start(client: TestClient, **policy_fields: Any) -> Json:
    policy = create_policy(client, **policy_fields)
    response = client.post(f"{API}/policies/{policy['id']}/assessment")
    assert response.status_code == 201, response.text
    body: Json = response.json()
    return body


def put_answer(client: TestClient, version_id: int, question_id: str, **body: Any) -> Response:
    return client.put(f"{API}/assessment-versions/{version_id}/answers/{question_id}", json=body)


def put_workload(client: TestClient, version_id: int, group: str, **body: Any) -> Response:
    return client.put(f"{API}/assessment-versions/{version_id}/workload/{group}", json=body)


def get_results(client: TestClient, version_id: int) -> Json:
    response = client.get(f"{API}/assessment-versions/{version_id}/results")
    assert response.status_code == 200, response.text
    body: Json = response.json()
    return body


def locs(response: Response) -> list[list[str | int]]:
    return [error["loc"] for error in response.json()["detail"]]


def section_result(results: Json, section_id: str) -> Json:
    section: Json = next(s for s in results["sections"] if s["section_id"] == section_id)
    return section
