"""Oversized or odd request bodies are refused quickly, and nothing is saved."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.security import MAX_FIELD_BYTES, MAX_FORM_FIELDS
from assessments.drafting import queries as version_queries
from assessments.policies import queries as policy_queries
from tests.app.pages import csrf_cookie
from tests.factories.trusts import LOCAL_TRUST_ID
from tests.factories.versions import make_draft

POLICY = {
    "reference": "LIM-001",
    "title": "Limits policy",
    "category": "other",
    "owner": "Someone",
    "review_cycle_months": "12",
}


def _nothing_saved(session: Session) -> bool:
    session.expire_all()
    return policy_queries.policy_by_reference(session, LOCAL_TRUST_ID, "LIM-001") is None


def test_a_body_over_the_limit_is_refused_with_413(client: TestClient, session: Session) -> None:
    limit: int = client.app.state.settings.max_body_bytes  # type: ignore[attr-defined]
    data = {**POLICY, "csrf_token": csrf_cookie(client), "title": "x" * (limit + 1)}

    response = client.post("/policies", data=data)

    assert response.status_code == 413
    assert _nothing_saved(session)


def test_a_json_body_over_the_limit_is_refused_with_413(
    client: TestClient, session: Session
) -> None:
    limit: int = client.app.state.settings.max_body_bytes  # type: ignore[attr-defined]
    response = client.post("/api/v1/policies", json={**POLICY, "owner": "x" * limit})
    assert response.status_code == 413
    assert _nothing_saved(session)


def test_a_form_with_too_many_fields_is_refused_with_400(
    client: TestClient, session: Session, rubric_published: None
) -> None:
    draft = make_draft(session)
    fields = [("csrf_token", csrf_cookie(client))]
    fields += [(f"extra-{n}", "1") for n in range(MAX_FORM_FIELDS + 1)]

    response = client.post(
        f"/assessments/{draft.id}/workload",
        content="&".join(f"{k}={v}" for k, v in fields),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert response.status_code == 400, response.text[:3000]
    assert version_queries.estimates_of_version(session, draft.id or 0) == {}


@pytest.mark.parametrize(
    "files",
    [
        {"policy": ("policy.pdf", b"%PDF-1.7", "application/pdf")},
        {"title": ("big.txt", b"x" * (MAX_FIELD_BYTES + 1), "text/plain")},
    ],
    ids=["a file", "an oversized part"],
)
def test_multipart_uploads_are_refused_with_400(
    client: TestClient, session: Session, files: dict[str, tuple[str, bytes, str]]
) -> None:
    data = {**POLICY, "csrf_token": csrf_cookie(client)}
    response = client.post("/policies", data=data, files=files)
    assert response.status_code == 400
    assert _nothing_saved(session)
