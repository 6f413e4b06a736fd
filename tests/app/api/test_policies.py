"""The JSON API's schools, rubrics and policies, starting an assessment, and the OpenAPI paths."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.rubrics import publishing
from assessments.rubrics.schema import Rubric
from tests.factories.api import (
    API,
    Json,
    create_policy,
    locs,
    policy_body,
    put_answer,
    put_workload,
    start,
)
from tests.factories.trusts import AUTHOR, RUBRIC, make_school

# --- schools and rubrics ----------------------------------------------------------------------


def test_schools_are_listed_by_name(client: TestClient, session: Session) -> None:
    assert client.get(f"{API}/schools").json() == []
    zebra = make_school(session, "Zebra Crossing Primary")
    acorn = make_school(session, "Acorn Academy")

    response = client.get(f"{API}/schools")

    assert response.status_code == 200
    assert response.json() == [
        {"id": acorn.id, "name": "Acorn Academy"},
        {"id": zebra.id, "name": "Zebra Crossing Primary"},
    ]


@pytest.mark.usefixtures("rubric_published")
def test_published_rubrics_are_listed_with_their_content_hash(client: TestClient) -> None:
    response = client.get(f"{API}/rubrics")

    assert response.status_code == 200
    [listed] = response.json()
    assert listed["id"] == RUBRIC.id
    assert listed["version"] == RUBRIC.version
    assert listed["title"] == RUBRIC.title
    assert listed["content_hash"] == RUBRIC.content_hash()
    assert listed["published_at"]


def test_no_rubrics_are_listed_before_one_is_published(client: TestClient) -> None:
    assert client.get(f"{API}/rubrics").json() == []


@pytest.mark.usefixtures("rubric_published")
def test_a_published_rubric_version_returns_its_frozen_content(
    client: TestClient, session: Session
) -> None:
    later = RUBRIC.version + 1
    newer = RUBRIC.model_copy(update={"version": later, "title": "Revised wellbeing rubric"})
    publishing.publish_rubric(session=session, actor=AUTHOR, rubric=newer)

    first = client.get(f"{API}/rubrics/{RUBRIC.id}/{RUBRIC.version}")
    second = client.get(f"{API}/rubrics/{RUBRIC.id}/{later}")

    assert first.status_code == 200
    assert first.json() == RUBRIC.model_dump(mode="json")
    assert second.json()["title"] == "Revised wellbeing rubric"
    assert second.json()["version"] == later
    assert Rubric.model_validate(first.json()).content_hash() == RUBRIC.content_hash()


@pytest.mark.usefixtures("rubric_published")
def test_an_unpublished_rubric_version_is_not_found(client: TestClient) -> None:
    for path in (f"{RUBRIC.id}/{RUBRIC.version + 1}", "no-such-rubric/1"):
        response = client.get(f"{API}/rubrics/{path}")
        assert response.status_code == 404
        assert "has not been published" in response.json()["detail"]


# --- policies ---------------------------------------------------------------------------------


def test_create_policy_returns_201_with_the_stored_policy(
    client: TestClient, session: Session
) -> None:
    school = make_school(session)

    response = client.post(f"{API}/policies", json=policy_body(school_id=school.id))

    assert response.status_code == 201
    body = response.json()
    assert isinstance(body["id"], int)
    assert {k: body[k] for k in policy_body()} == policy_body()
    assert body["school_id"] == school.id
    assert body["status"] == "new"
    assert body["next_review_date"] is None
    assert client.get(f"{API}/policies/{body['id']}").json() == body


def test_timestamps_read_back_carry_their_utc_offset(client: TestClient) -> None:
    # SQLite keeps no offset; a naive timestamp would be read by clients as local time.
    created = create_policy(client)
    shown = client.get(f"{API}/policies/{created['id']}").json()

    for timestamp in (created["created_at"], shown["created_at"]):
        assert datetime.fromisoformat(timestamp).utcoffset() == timedelta(0)
    assert shown["created_at"] == created["created_at"]


def test_policy_text_is_stripped_of_surrounding_whitespace(client: TestClient) -> None:
    body = create_policy(client, reference="  HR-12 ", owner=" Head of HR  ")
    assert (body["reference"], body["owner"]) == ("HR-12", "Head of HR")


def test_policies_are_listed_by_reference(client: TestClient) -> None:
    create_policy(client, reference="TL-2")
    create_policy(client, reference="BE-9", category="behaviour", school_id=None)

    response = client.get(f"{API}/policies")

    assert response.status_code == 200
    assert [p["reference"] for p in response.json()] == ["BE-9", "TL-2"]


def test_create_policy_names_every_missing_field(client: TestClient) -> None:
    response = client.post(f"{API}/policies", json={})

    assert response.status_code == 422
    assert sorted(locs(response)) == sorted(
        ["body", field]
        for field in ("reference", "title", "category", "owner", "review_cycle_months")
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("reference", "-starts-with-a-dash"),
        ("reference", "has spaces"),
        ("reference", "X"),
        ("category", "gardening"),
        ("review_cycle_months", 0),
        ("review_cycle_months", 61),
        ("title", "ab"),
        ("school_id", "not-a-number"),
    ],
)
def test_create_policy_rejects_a_bad_value_naming_its_field(
    client: TestClient, field: str, value: object
) -> None:
    response = client.post(f"{API}/policies", json=policy_body(**{field: value}))

    assert response.status_code == 422
    assert locs(response) == [["body", field]]
    assert response.json()["detail"][0]["msg"]
    assert client.get(f"{API}/policies").json() == []


def test_create_policy_rejects_an_unknown_field(client: TestClient) -> None:
    response = client.post(f"{API}/policies", json=policy_body(priority="urgent"))

    assert response.status_code == 422
    assert locs(response) == [["body", "priority"]]


def test_a_duplicate_reference_is_refused_naming_the_field(client: TestClient) -> None:
    create_policy(client, reference="TL-004")

    response = client.post(f"{API}/policies", json=policy_body(reference="TL-004"))

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "reference"]
    assert "TL-004 already exists" in error["msg"]
    assert len(client.get(f"{API}/policies").json()) == 1


def test_a_policy_for_an_unknown_school_is_refused(client: TestClient) -> None:
    response = client.post(f"{API}/policies", json=policy_body(school_id=999_999))

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "school_id"]
    assert error["msg"]
    assert client.get(f"{API}/policies").json() == []


def test_an_unknown_policy_is_not_found(client: TestClient) -> None:
    response = client.get(f"{API}/policies/999999")

    assert response.status_code == 404
    assert response.json() == {"detail": "There is no policy 999999"}


# --- starting an assessment --------------------------------------------------------------------


@pytest.mark.usefixtures("rubric_published")
def test_starting_an_assessment_creates_a_draft_version_one(client: TestClient) -> None:
    policy = create_policy(client)

    response = client.post(f"{API}/policies/{policy['id']}/assessment")

    assert response.status_code == 201
    version = response.json()
    assert version["policy_id"] == policy["id"]
    assert version["number"] == 1
    assert version["status"] == "draft"
    assert version["rubric"] == "staff-wellbeing-impact@4"
    assert version["author"]
    assert version["answers"] == []
    assert version["workload_estimates"] == []
    assert client.get(f"{API}/assessment-versions/{version['id']}").json() == version


@pytest.mark.usefixtures("rubric_published")
def test_an_assessment_pins_the_latest_published_rubric_version(
    client: TestClient, session: Session
) -> None:
    publishing.publish_rubric(
        session=session,
        actor=AUTHOR,
        rubric=RUBRIC.model_copy(update={"version": RUBRIC.version + 1}),
    )
    assert start(client)["rubric"] == f"{RUBRIC.id}@{RUBRIC.version + 1}"


@pytest.mark.usefixtures("rubric_published")
def test_a_policy_cannot_have_a_second_assessment(client: TestClient) -> None:
    version = start(client, reference="TL-77")

    response = client.post(f"{API}/policies/{version['policy_id']}/assessment")

    assert response.status_code == 409
    assert response.json() == {"detail": "TL-77 already has an impact assessment"}


def test_an_assessment_cannot_start_before_the_rubric_is_published(client: TestClient) -> None:
    policy = create_policy(client)

    response = client.post(f"{API}/policies/{policy['id']}/assessment")

    assert response.status_code == 409
    detail = response.json()["detail"]
    assert RUBRIC.id in detail
    assert "published" in detail


@pytest.mark.usefixtures("rubric_published")
def test_an_assessment_of_an_unknown_policy_is_not_found(client: TestClient) -> None:
    response = client.post(f"{API}/policies/999999/assessment")

    assert response.status_code == 404
    assert response.json() == {"detail": "There is no policy 999999"}


def test_an_unknown_assessment_version_is_not_found(client: TestClient) -> None:
    for response in (
        client.get(f"{API}/assessment-versions/999999"),
        client.get(f"{API}/assessment-versions/999999/results"),
        put_answer(client, 999_999, RUBRIC.sections[0].questions[0].id, value="x"),
        put_workload(client, 999_999, "teachers", hours_per_term=1, staff_count=1),
        client.delete(f"{API}/assessment-versions/999999/workload/teachers"),
    ):
        assert response.status_code == 404
        assert response.json() == {"detail": "There is no assessment version 999999"}


# --- the published API description -------------------------------------------------------------


def test_openapi_lists_every_api_path(client: TestClient) -> None:
    response = client.get("/openapi.json")

    assert response.status_code == 200
    paths: dict[str, Json] = response.json()["paths"]
    api_paths = {path: set(ops) for path, ops in paths.items() if path.startswith(API)}
    assert api_paths == {
        f"{API}/schools": {"get"},
        f"{API}/approving-bodies": {"get"},
        f"{API}/rubrics": {"get"},
        f"{API}/rubrics/{{rubric_id}}/{{version}}": {"get"},
        f"{API}/policies": {"get", "post"},
        f"{API}/policies/{{policy_id}}": {"get", "put"},
        f"{API}/policies/{{policy_id}}/assessment": {"post"},
        f"{API}/assessment-versions/{{version_id}}": {"get"},
        f"{API}/assessment-versions/{{version_id}}/answers/{{question_id}}": {"put"},
        f"{API}/assessment-versions/{{version_id}}/workload/{{staff_group}}": {"put", "delete"},
        f"{API}/assessment-versions/{{version_id}}/results": {"get"},
        f"{API}/assessment-versions/{{version_id}}/consultations": {"get"},
        f"{API}/consultations/{{consultation_id}}": {"get"},
        f"{API}/assessment-versions/{{version_id}}/actions": {"post"},
        f"{API}/assessment-versions/{{version_id}}/actions/{{action_id}}": {"put", "delete"},
        **{
            f"{API}/assessment-versions/{{version_id}}/{step}": {"post"}
            for step in ("submit", "approve", "return", "require-full", "reopen", "withdraw")
        },
        f"{API}/assessment-versions/{{version_id}}/revise": {"post"},
        f"{API}/assessment-versions/{{version_id}}/screening-reason": {"put"},
        f"{API}/register": {"get"},
        f"{API}/actions/{{action_id}}": {"get"},
        f"{API}/assessment-versions/{{version_id}}/restart": {"post"},
        f"{API}/actions/{{action_id}}/progress": {"put"},
    }
