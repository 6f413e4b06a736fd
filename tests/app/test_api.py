"""The JSON API under /api/v1, driven over HTTP against the real app and database."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlmodel import Session

from assessments import policies, repository
from assessments.models import AssessmentVersion, VersionStatus
from assessments.rubric import AnswerKind, Question, Rubric, Section
from tests.factories import AUTHOR, default_rubric, make_policy, make_school

API = "/api/v1"
RUBRIC = default_rubric()

Json = dict[str, Any]


# --- helpers: what a client would send, and what the rubric says --------------------------------


def _policy_body(**fields: Any) -> Json:
    return {
        "reference": "TL-004",
        "title": "Marking and feedback policy",
        "category": "assessment-and-marking",
        "owner": "Deputy Headteacher",
        "review_cycle_months": 12,
        **fields,
    }


def _create_policy(client: TestClient, **fields: Any) -> Json:
    response = client.post(f"{API}/policies", json=_policy_body(**fields))
    assert response.status_code == 201, response.text
    body: Json = response.json()
    return body


def _start(client: TestClient, **policy_fields: Any) -> Json:
    policy = _create_policy(client, **policy_fields)
    response = client.post(f"{API}/policies/{policy['id']}/assessment")
    assert response.status_code == 201, response.text
    body: Json = response.json()
    return body


def _put_answer(client: TestClient, version_id: int, question_id: str, **body: Any) -> Response:
    return client.put(f"{API}/assessment-versions/{version_id}/answers/{question_id}", json=body)


def _put_workload(client: TestClient, version_id: int, group: str, **body: Any) -> Response:
    return client.put(f"{API}/assessment-versions/{version_id}/workload/{group}", json=body)


def _results(client: TestClient, version_id: int) -> Json:
    response = client.get(f"{API}/assessment-versions/{version_id}/results")
    assert response.status_code == 200, response.text
    body: Json = response.json()
    return body


def _locs(response: Response) -> list[list[str | int]]:
    return [error["loc"] for error in response.json()["detail"]]


def _questions(kind: AnswerKind) -> list[Question]:
    return [q for q in RUBRIC.questions() if q.kind is kind]


def _impact_choices(question: Question) -> list[tuple[str, int]]:
    """Every (answer value, impact) a scored question offers, from the rubric data."""
    if question.kind is AnswerKind.CHOICE:
        return [(o.value, o.impact) for o in question.options]
    if question.kind is AnswerKind.YES_NO:
        assert question.yes_impact is not None and question.no_impact is not None
        return [("yes", question.yes_impact), ("no", question.no_impact)]
    assert question.kind is AnswerKind.NUMBER
    return [(str(step.at_least), step.impact) for step in question.steps]


def _highest(question: Question) -> tuple[str, int]:
    return max(_impact_choices(question), key=lambda choice: choice[1])


def _lowest(question: Question) -> tuple[str, int]:
    return min(_impact_choices(question), key=lambda choice: choice[1])


def _scored(questions: Iterable[Question]) -> list[Question]:
    return [q for q in questions if q.weight > 0 and q.kind is not AnswerKind.TEXT]


def _any_valid_answer(question: Question) -> str:
    if question.kind is AnswerKind.TEXT:
        return "Discussed with the staff affected."
    if question.kind is AnswerKind.NUMBER and not question.steps:
        return str(question.min_value or 0)
    return _lowest(question)[0]


def _expected_score(answered: Iterable[tuple[Question, int]]) -> Decimal:
    """The weighted mean of impacts on the rubric's scale, as 0–100 rounded half-up to 0.1."""
    pairs = list(answered)
    low = RUBRIC.impact_scale.min
    span = RUBRIC.impact_scale.max - low
    weighted = sum((q.weight * (impact - low) for q, impact in pairs), Decimal(0))
    total = sum((q.weight for q, _ in pairs), Decimal(0))
    return (weighted * 100 / (total * span)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _expected_rating(score: Decimal) -> str:
    return [band.id for band in RUBRIC.rating_bands if score >= band.min][-1]


def _section_with_weights_that_differ() -> Section:
    return next(s for s in RUBRIC.sections if len({q.weight for q in _scored(s.questions)}) > 1)


def _set_status(session: Session, version_id: int, status: VersionStatus) -> None:
    # Submitting is not built yet, so the test moves the version out of draft directly.
    version = session.get(AssessmentVersion, version_id)
    assert version is not None
    version.status = status
    session.add(version)
    session.flush()


def _section_result(results: Json, section_id: str) -> Json:
    section: Json = next(s for s in results["sections"] if s["section_id"] == section_id)
    return section


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
    newer = RUBRIC.model_copy(update={"version": 2, "title": "Revised wellbeing rubric"})
    policies.publish_rubric(session=session, actor=AUTHOR, rubric=newer)

    first = client.get(f"{API}/rubrics/{RUBRIC.id}/1")
    second = client.get(f"{API}/rubrics/{RUBRIC.id}/2")

    assert first.status_code == 200
    assert first.json() == RUBRIC.model_dump(mode="json")
    assert second.json()["title"] == "Revised wellbeing rubric"
    assert second.json()["version"] == 2
    assert Rubric.model_validate(first.json()).content_hash() == RUBRIC.content_hash()


@pytest.mark.usefixtures("rubric_published")
def test_an_unpublished_rubric_version_is_not_found(client: TestClient) -> None:
    for path in (f"{RUBRIC.id}/2", "no-such-rubric/1"):
        response = client.get(f"{API}/rubrics/{path}")
        assert response.status_code == 404
        assert "has not been published" in response.json()["detail"]


# --- policies ---------------------------------------------------------------------------------


def test_create_policy_returns_201_with_the_stored_policy(
    client: TestClient, session: Session
) -> None:
    school = make_school(session)

    response = client.post(f"{API}/policies", json=_policy_body(school_id=school.id))

    assert response.status_code == 201
    body = response.json()
    assert isinstance(body["id"], int)
    assert {k: body[k] for k in _policy_body()} == _policy_body()
    assert body["school_id"] == school.id
    assert body["status"] == "new"
    assert body["next_review_date"] is None
    assert client.get(f"{API}/policies/{body['id']}").json() == body


def test_timestamps_read_back_carry_their_utc_offset(client: TestClient) -> None:
    # SQLite keeps no offset; a naive timestamp would be read by clients as local time.
    created = _create_policy(client)
    shown = client.get(f"{API}/policies/{created['id']}").json()

    for timestamp in (created["created_at"], shown["created_at"]):
        assert datetime.fromisoformat(timestamp).utcoffset() == timedelta(0)
    assert shown["created_at"] == created["created_at"]


def test_policy_text_is_stripped_of_surrounding_whitespace(client: TestClient) -> None:
    body = _create_policy(client, reference="  HR-12 ", owner=" Head of HR  ")
    assert (body["reference"], body["owner"]) == ("HR-12", "Head of HR")


def test_policies_are_listed_by_reference(client: TestClient) -> None:
    _create_policy(client, reference="TL-2")
    _create_policy(client, reference="BE-9", category="behaviour", school_id=None)

    response = client.get(f"{API}/policies")

    assert response.status_code == 200
    assert [p["reference"] for p in response.json()] == ["BE-9", "TL-2"]


def test_create_policy_names_every_missing_field(client: TestClient) -> None:
    response = client.post(f"{API}/policies", json={})

    assert response.status_code == 422
    assert sorted(_locs(response)) == sorted(
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
    response = client.post(f"{API}/policies", json=_policy_body(**{field: value}))

    assert response.status_code == 422
    assert _locs(response) == [["body", field]]
    assert response.json()["detail"][0]["msg"]
    assert client.get(f"{API}/policies").json() == []


def test_create_policy_rejects_an_unknown_field(client: TestClient) -> None:
    response = client.post(f"{API}/policies", json=_policy_body(priority="urgent"))

    assert response.status_code == 422
    assert _locs(response) == [["body", "priority"]]


def test_a_duplicate_reference_is_refused_naming_the_field(client: TestClient) -> None:
    _create_policy(client, reference="TL-004")

    response = client.post(f"{API}/policies", json=_policy_body(reference="TL-004"))

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "reference"]
    assert "TL-004 already exists" in error["msg"]
    assert len(client.get(f"{API}/policies").json()) == 1


def test_a_policy_for_an_unknown_school_is_refused(client: TestClient) -> None:
    response = client.post(f"{API}/policies", json=_policy_body(school_id=999_999))

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
    policy = _create_policy(client)

    response = client.post(f"{API}/policies/{policy['id']}/assessment")

    assert response.status_code == 201
    version = response.json()
    assert version["policy_id"] == policy["id"]
    assert version["number"] == 1
    assert version["status"] == "draft"
    assert version["rubric"] == "staff-wellbeing-impact@1"
    assert version["author"]
    assert version["answers"] == []
    assert version["workload_estimates"] == []
    assert client.get(f"{API}/assessment-versions/{version['id']}").json() == version


@pytest.mark.usefixtures("rubric_published")
def test_an_assessment_pins_the_latest_published_rubric_version(
    client: TestClient, session: Session
) -> None:
    policies.publish_rubric(
        session=session, actor=AUTHOR, rubric=RUBRIC.model_copy(update={"version": 2})
    )
    assert _start(client)["rubric"] == f"{RUBRIC.id}@2"


@pytest.mark.usefixtures("rubric_published")
def test_a_policy_cannot_have_a_second_assessment(client: TestClient) -> None:
    version = _start(client, reference="TL-77")

    response = client.post(f"{API}/policies/{version['policy_id']}/assessment")

    assert response.status_code == 409
    assert response.json() == {"detail": "TL-77 already has an impact assessment"}


def test_an_assessment_cannot_start_before_the_rubric_is_published(client: TestClient) -> None:
    policy = _create_policy(client)

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
        _put_answer(client, 999_999, RUBRIC.sections[0].questions[0].id, value="x"),
        _put_workload(client, 999_999, "teachers", hours_per_term=1, staff_count=1),
        client.delete(f"{API}/assessment-versions/999999/workload/teachers"),
    ):
        assert response.status_code == 404
        assert response.json() == {"detail": "There is no assessment version 999999"}


# --- answers -----------------------------------------------------------------------------------


@pytest.mark.usefixtures("rubric_published")
class TestAnswers:
    def test_saving_an_answer_returns_it_and_shows_it_on_the_version(
        self, client: TestClient
    ) -> None:
        version = _start(client)
        question = _questions(AnswerKind.CHOICE)[0]
        value = question.options[-1].value

        response = _put_answer(
            client, version["id"], question.id, value=value, comment="Checked with staff"
        )

        assert response.status_code == 200
        saved = response.json()
        assert saved["question_id"] == question.id
        assert (saved["value"], saved["comment"], saved["revision"]) == (
            value, "Checked with staff", 1,
        )  # fmt: skip
        assert saved["updated_by"] == version["author"]
        assert saved["updated_at"]
        shown = client.get(f"{API}/assessment-versions/{version['id']}").json()
        assert shown["answers"] == [saved]

    def test_updating_an_answer_bumps_its_revision(self, client: TestClient) -> None:
        version = _start(client)
        question = _questions(AnswerKind.CHOICE)[0]
        first, second = question.options[0].value, question.options[1].value
        _put_answer(client, version["id"], question.id, value=first)

        response = _put_answer(
            client, version["id"], question.id, value=second, expected_revision=1
        )

        assert response.status_code == 200
        assert (response.json()["value"], response.json()["revision"]) == (second, 2)
        again = _put_answer(client, version["id"], question.id, value=first)
        assert again.json()["revision"] == 3

    def test_a_change_based_on_a_stale_revision_is_refused(self, client: TestClient) -> None:
        version = _start(client)
        question = _questions(AnswerKind.CHOICE)[0]
        first, second = question.options[0].value, question.options[1].value
        _put_answer(client, version["id"], question.id, value=first)
        _put_answer(client, version["id"], question.id, value=second, expected_revision=1)

        stale = _put_answer(client, version["id"], question.id, value=first, expected_revision=1)
        stale_clear = _put_answer(client, version["id"], question.id, value="", expected_revision=1)

        for response in (stale, stale_clear):
            assert response.status_code == 409
            assert "Someone else changed this" in response.json()["detail"]
        [kept] = client.get(f"{API}/assessment-versions/{version['id']}").json()["answers"]
        assert (kept["value"], kept["revision"]) == (second, 2)

    def test_resending_unchanged_content_is_not_a_conflict(self, client: TestClient) -> None:
        version = _start(client)
        question = _questions(AnswerKind.CHOICE)[0]
        first, second = question.options[0].value, question.options[1].value
        _put_answer(client, version["id"], question.id, value=first)
        _put_answer(client, version["id"], question.id, value=second, expected_revision=1)

        response = _put_answer(
            client, version["id"], question.id, value=second, expected_revision=1
        )

        assert response.status_code == 200
        assert (response.json()["value"], response.json()["revision"]) == (second, 2)

    @pytest.mark.parametrize(
        ("kind", "value", "message"),
        [
            (AnswerKind.CHOICE, "not-an-option", "Select one of the options"),
            (AnswerKind.YES_NO, "maybe", "Select yes or no"),
            (AnswerKind.NUMBER, "lots", "Enter a number"),
            (AnswerKind.NUMBER, "1.234", "no more than 2 decimal places"),
            (AnswerKind.NUMBER, "-1", "or more"),
            (AnswerKind.NUMBER, "100000", "or less"),
        ],
    )
    def test_an_invalid_value_is_refused_with_loc_and_message(
        self, client: TestClient, kind: AnswerKind, value: str, message: str
    ) -> None:
        version = _start(client)
        question = _questions(kind)[0]

        response = _put_answer(client, version["id"], question.id, value=value)

        assert response.status_code == 422
        [error] = response.json()["detail"]
        assert error["loc"] == ["body", "value"]
        assert message in error["msg"]
        assert client.get(f"{API}/assessment-versions/{version['id']}").json()["answers"] == []

    def test_values_are_stored_in_their_normal_form(self, client: TestClient) -> None:
        version = _start(client)
        yes_no = _questions(AnswerKind.YES_NO)[0]
        number = _questions(AnswerKind.NUMBER)[0]

        assert _put_answer(client, version["id"], yes_no.id, value=" YES ").json()["value"] == (
            "yes"
        )
        assert _put_answer(client, version["id"], number.id, value="2.50").json()["value"] == "2.5"

    def test_an_overlong_value_is_refused(self, client: TestClient) -> None:
        version = _start(client)
        question = _questions(AnswerKind.TEXT)[0]

        response = _put_answer(client, version["id"], question.id, value="x" * 5001)

        assert response.status_code == 422
        assert _locs(response) == [["body", "value"]]

    def test_an_unknown_question_is_refused(self, client: TestClient) -> None:
        version = _start(client)

        response = _put_answer(client, version["id"], "no-such-question", value="yes")

        assert response.status_code == 422
        [error] = response.json()["detail"]
        assert error["loc"] == ["path", "question_id"]
        assert "no-such-question" in error["msg"]

    def test_an_empty_value_clears_the_answer_and_returns_null(self, client: TestClient) -> None:
        version = _start(client)
        question = _questions(AnswerKind.CHOICE)[0]
        _put_answer(client, version["id"], question.id, value=question.options[0].value)

        response = _put_answer(client, version["id"], question.id, value="  ", expected_revision=1)

        assert response.status_code == 200
        assert response.json() is None
        assert client.get(f"{API}/assessment-versions/{version['id']}").json()["answers"] == []
        section = next(s for s in RUBRIC.sections if question in s.questions)
        assert _section_result(_results(client, version["id"]), section.id)["answered"] == 0

    def test_clearing_an_answer_never_given_is_harmless(self, client: TestClient) -> None:
        version = _start(client)
        question = _questions(AnswerKind.CHOICE)[0]

        response = _put_answer(client, version["id"], question.id, value="")

        assert response.status_code == 200
        assert response.json() is None


# --- workload estimates ------------------------------------------------------------------------


@pytest.mark.usefixtures("rubric_published")
class TestWorkload:
    def test_saving_an_estimate_returns_it_and_shows_it_on_the_version(
        self, client: TestClient
    ) -> None:
        version = _start(client)
        group = RUBRIC.staff_groups[0].id

        response = _put_workload(
            client, version["id"], group, hours_per_term=2.5, staff_count=40, note="Marking"
        )

        assert response.status_code == 200
        saved = response.json()
        assert saved["staff_group"] == group
        assert Decimal(saved["hours_per_term"]) == Decimal("2.5")
        assert (saved["staff_count"], saved["note"], saved["revision"]) == (40, "Marking", 1)
        shown = client.get(f"{API}/assessment-versions/{version['id']}").json()
        assert shown["workload_estimates"] == [saved]

    def test_updating_an_estimate_bumps_its_revision(self, client: TestClient) -> None:
        version = _start(client)
        group = RUBRIC.staff_groups[0].id
        _put_workload(client, version["id"], group, hours_per_term=1, staff_count=10)

        response = _put_workload(
            client, version["id"], group, hours_per_term="-1.25", staff_count=12,
            expected_revision=1,
        )  # fmt: skip

        assert response.status_code == 200
        updated = response.json()
        assert Decimal(updated["hours_per_term"]) == Decimal("-1.25")
        assert (updated["staff_count"], updated["revision"]) == (12, 2)

    def test_a_change_based_on_a_stale_revision_is_refused(self, client: TestClient) -> None:
        version = _start(client)
        group = RUBRIC.staff_groups[0].id
        _put_workload(client, version["id"], group, hours_per_term=1, staff_count=10)
        _put_workload(
            client, version["id"], group, hours_per_term=2, staff_count=10, expected_revision=1
        )

        response = _put_workload(
            client, version["id"], group, hours_per_term=3, staff_count=10, expected_revision=1
        )

        assert response.status_code == 409
        assert "Someone else changed this" in response.json()["detail"]
        [kept] = client.get(f"{API}/assessment-versions/{version['id']}").json()[
            "workload_estimates"
        ]
        assert (Decimal(kept["hours_per_term"]), kept["revision"]) == (Decimal(2), 2)

    def test_resending_an_unchanged_estimate_is_not_a_conflict(self, client: TestClient) -> None:
        version = _start(client)
        group = RUBRIC.staff_groups[0].id
        _put_workload(client, version["id"], group, hours_per_term=1, staff_count=10)
        _put_workload(
            client, version["id"], group, hours_per_term=2, staff_count=10, expected_revision=1
        )

        response = _put_workload(
            client, version["id"], group, hours_per_term=2, staff_count=10, expected_revision=1
        )

        assert response.status_code == 200
        assert response.json()["revision"] == 2

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("hours_per_term", "500.01"),
            ("hours_per_term", -501),
            ("hours_per_term", "1.234"),
            ("hours_per_term", 1.234),
            ("hours_per_term", "lots"),
            ("staff_count", -1),
            ("staff_count", 10_001),
        ],
    )
    def test_an_invalid_estimate_is_refused_naming_its_field(
        self, client: TestClient, field: str, value: object
    ) -> None:
        version = _start(client)
        body: Json = {"hours_per_term": 1, "staff_count": 5, field: value}

        response = _put_workload(client, version["id"], RUBRIC.staff_groups[0].id, **body)

        assert response.status_code == 422
        assert _locs(response) == [["body", field]]
        shown = client.get(f"{API}/assessment-versions/{version['id']}").json()
        assert shown["workload_estimates"] == []

    def test_the_limits_of_hours_are_accepted(self, client: TestClient) -> None:
        version = _start(client)
        first, second = RUBRIC.staff_groups[0].id, RUBRIC.staff_groups[1].id

        assert _put_workload(client, version["id"], first, hours_per_term=500, staff_count=1)
        assert (
            _put_workload(
                client, version["id"], second, hours_per_term="-500.00", staff_count=0
            ).status_code
            == 200
        )

    def test_missing_fields_are_named(self, client: TestClient) -> None:
        version = _start(client)

        response = _put_workload(client, version["id"], RUBRIC.staff_groups[0].id)

        assert response.status_code == 422
        assert sorted(_locs(response)) == [["body", "hours_per_term"], ["body", "staff_count"]]

    def test_an_unknown_staff_group_is_refused(self, client: TestClient) -> None:
        version = _start(client)

        response = _put_workload(
            client, version["id"], "governors", hours_per_term=1, staff_count=3
        )

        assert response.status_code == 422
        [error] = response.json()["detail"]
        assert error["loc"] == ["path", "staff_group"]
        assert "governors" in error["msg"]
        deleted = client.delete(f"{API}/assessment-versions/{version['id']}/workload/governors")
        assert deleted.status_code == 422
        assert deleted.json()["detail"][0]["loc"] == ["path", "staff_group"]

    def test_deleting_an_estimate_someone_changed_since_is_refused(
        self, client: TestClient
    ) -> None:
        version = _start(client)
        group = RUBRIC.staff_groups[0].id
        url = f"{API}/assessment-versions/{version['id']}/workload/{group}"
        _put_workload(client, version["id"], group, hours_per_term=1, staff_count=10)
        _put_workload(
            client, version["id"], group, hours_per_term=2, staff_count=10, expected_revision=1
        )

        stale = client.delete(url, params={"expected_revision": 1})

        assert stale.status_code == 409
        assert "Someone else changed this" in stale.json()["detail"]
        assert client.delete(url, params={"expected_revision": 2}).status_code == 204

    def test_deleting_an_estimate_removes_it(self, client: TestClient) -> None:
        version = _start(client)
        first, second = RUBRIC.staff_groups[0].id, RUBRIC.staff_groups[1].id
        _put_workload(client, version["id"], first, hours_per_term=1, staff_count=10)
        _put_workload(client, version["id"], second, hours_per_term=2, staff_count=5)

        response = client.delete(f"{API}/assessment-versions/{version['id']}/workload/{first}")

        assert response.status_code == 204
        assert response.content == b""
        shown = client.get(f"{API}/assessment-versions/{version['id']}").json()
        assert [e["staff_group"] for e in shown["workload_estimates"]] == [second]
        assert [line["staff_group"] for line in _results(client, version["id"])["workload"]] == [
            second
        ]

    def test_deleting_an_estimate_that_is_not_there_is_harmless(self, client: TestClient) -> None:
        version = _start(client)

        response = client.delete(
            f"{API}/assessment-versions/{version['id']}/workload/{RUBRIC.staff_groups[0].id}"
        )

        assert response.status_code == 204


# --- results ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("rubric_published")
class TestResults:
    def test_a_new_draft_has_no_scores_and_every_required_question_missing(
        self, client: TestClient
    ) -> None:
        version = _start(client)

        results = _results(client, version["id"])

        required = [q.id for q in RUBRIC.questions() if q.required]
        assert results["version_id"] == version["id"]
        assert results["rubric"] == RUBRIC.key
        assert results["overall_score"] is None
        assert results["rating"] is None
        assert results["mitigation_threshold"] == RUBRIC.mitigation_threshold
        assert results["missing_required"] == required
        assert results["complete"] is False
        assert results["needs_mitigation"] == []
        assert results["workload"] == []
        assert Decimal(results["net_hours_per_year"]) == 0
        assert [s["section_id"] for s in results["sections"]] == [s.id for s in RUBRIC.sections]
        for section, shown in zip(RUBRIC.sections, results["sections"], strict=True):
            assert shown["title"] == section.title
            assert (shown["score"], shown["rating"], shown["answered"]) == (None, None, 0)
            assert shown["questions"] == len(section.questions)
            assert shown["missing_required"] == [q.id for q in section.questions if q.required]

    def test_the_highest_impact_answers_score_a_section_100_and_are_flagged(
        self, client: TestClient
    ) -> None:
        version = _start(client)
        # A section in which every scored question offers an answer at the top of the scale.
        section = next(
            s
            for s in RUBRIC.sections
            if all(_highest(q)[1] == RUBRIC.impact_scale.max for q in _scored(s.questions))
        )
        scored = _scored(section.questions)
        for question in scored:
            response = _put_answer(client, version["id"], question.id, value=_highest(question)[0])
            assert response.status_code == 200, response.text

        results = _results(client, version["id"])

        shown = _section_result(results, section.id)
        assert Decimal(shown["score"]) == Decimal("100.0")
        assert shown["rating"] == RUBRIC.rating_bands[-1].id
        assert shown["answered"] == len(scored)
        # Only this section is answered, so the overall score is the same.
        assert Decimal(results["overall_score"]) == Decimal("100.0")
        assert results["rating"] == RUBRIC.rating_bands[-1].id
        flagged = [q for q in scored if _highest(q)[1] >= RUBRIC.mitigation_threshold]
        assert flagged
        assert results["needs_mitigation"] == [
            {
                "section_id": section.id,
                "question_id": q.id,
                "question": q.text,
                "value": _highest(q)[0],
                "impact": _highest(q)[1],
            }
            for q in flagged
        ]
        for other in results["sections"]:
            if other["section_id"] != section.id:
                assert other["score"] is None

    def test_the_lowest_impact_answers_score_zero_and_flag_nothing(
        self, client: TestClient
    ) -> None:
        version = _start(client)
        section = RUBRIC.sections[0]
        for question in _scored(section.questions):
            _put_answer(client, version["id"], question.id, value=_lowest(question)[0])

        results = _results(client, version["id"])

        assert Decimal(_section_result(results, section.id)["score"]) == 0
        assert _section_result(results, section.id)["rating"] == RUBRIC.rating_bands[0].id
        assert results["needs_mitigation"] == []

    def test_section_and_overall_scores_are_weighted_means_of_the_rubric_impacts(
        self, client: TestClient
    ) -> None:
        version = _start(client)
        section = _section_with_weights_that_differ()
        heavy = max(_scored(section.questions), key=lambda q: q.weight)
        light = min(_scored(section.questions), key=lambda q: q.weight)
        other = next(s for s in RUBRIC.sections if s is not section)
        elsewhere = _scored(other.questions)[0]
        answers = [
            (heavy, _highest(heavy)),
            (light, _lowest(light)),
            (elsewhere, _highest(elsewhere)),
        ]
        for question, (value, _) in answers:
            _put_answer(client, version["id"], question.id, value=value)

        results = _results(client, version["id"])

        section_score = _expected_score([(heavy, _highest(heavy)[1]), (light, _lowest(light)[1])])
        # The weights differ, so the weighted mean is not the plain mean of the two impacts.
        assert section_score != _expected_score(
            [(heavy.model_copy(update={"weight": 1}), _highest(heavy)[1]),
             (light.model_copy(update={"weight": 1}), _lowest(light)[1])]
        )  # fmt: skip
        shown = _section_result(results, section.id)
        assert Decimal(shown["score"]) == section_score
        assert shown["rating"] == _expected_rating(section_score)
        assert shown["answered"] == 2
        overall = _expected_score([(q, impact) for q, (_, impact) in answers])
        assert Decimal(results["overall_score"]) == overall
        assert results["rating"] == _expected_rating(overall)

    def test_unscored_answers_count_as_answered_but_not_towards_the_score(
        self, client: TestClient
    ) -> None:
        version = _start(client)
        section = next(
            s for s in RUBRIC.sections if any(q.kind is AnswerKind.TEXT for q in s.questions)
        )
        text = next(q for q in section.questions if q.kind is AnswerKind.TEXT)
        _put_answer(client, version["id"], text.id, value="Nothing stops.")

        shown = _section_result(_results(client, version["id"]), section.id)

        assert shown["answered"] == 1
        assert shown["score"] is None
        assert text.id not in shown["missing_required"]

    def test_answering_every_required_question_completes_the_assessment(
        self, client: TestClient
    ) -> None:
        version = _start(client)
        required = [q for q in RUBRIC.questions() if q.required]
        for question in required[:-1]:
            response = _put_answer(
                client, version["id"], question.id, value=_any_valid_answer(question)
            )
            assert response.status_code == 200, response.text

        nearly = _results(client, version["id"])
        _put_answer(client, version["id"], required[-1].id, value=_any_valid_answer(required[-1]))
        done = _results(client, version["id"])

        assert nearly["missing_required"] == [required[-1].id]
        assert nearly["complete"] is False
        assert done["missing_required"] == []
        assert done["complete"] is True
        assert all(s["missing_required"] == [] for s in done["sections"])

    def test_workload_lines_and_net_hours_per_year(self, client: TestClient) -> None:
        version = _start(client)
        terms = RUBRIC.workload.terms_per_year
        first, last = RUBRIC.staff_groups[0], RUBRIC.staff_groups[-1]
        # Saved out of rubric order; the results list them in the rubric's order.
        _put_workload(client, version["id"], last.id, hours_per_term="-1.25", staff_count=10)
        _put_workload(client, version["id"], first.id, hours_per_term="2.5", staff_count=40)

        results = _results(client, version["id"])

        lines = results["workload"]
        assert [line["staff_group"] for line in lines] == [first.id, last.id]
        assert [line["label"] for line in lines] == [first.label, last.label]
        added, removed = lines
        assert Decimal(added["hours_per_term"]) == Decimal("2.5")
        assert added["staff_count"] == 40
        assert Decimal(added["hours_per_person_per_year"]) == Decimal("2.5") * terms
        assert Decimal(added["net_hours_per_year"]) == Decimal("2.5") * terms * 40
        assert Decimal(removed["hours_per_person_per_year"]) == (
            (Decimal("-1.25") * terms).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        )
        assert Decimal(removed["net_hours_per_year"]) == Decimal("-1.25") * terms * 10
        assert Decimal(results["net_hours_per_year"]) == (
            Decimal("2.5") * terms * 40 + Decimal("-1.25") * terms * 10
        )

    def test_the_total_is_rounded_once_from_the_exact_hours(self, client: TestClient) -> None:
        version = _start(client)
        terms = RUBRIC.workload.terms_per_year
        first, second = RUBRIC.staff_groups[0], RUBRIC.staff_groups[1]
        for group in (first, second):
            _put_workload(client, version["id"], group.id, hours_per_term="0.35", staff_count=1)

        results = _results(client, version["id"])

        one_line = (Decimal("0.35") * terms).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        total = (Decimal("0.35") * terms * 2).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        assert [Decimal(line["net_hours_per_year"]) for line in results["workload"]] == [
            one_line,
            one_line,
        ]
        assert Decimal(results["net_hours_per_year"]) == total


# --- a version that has left draft -------------------------------------------------------------


@pytest.mark.usefixtures("rubric_published")
@pytest.mark.parametrize("status", [s for s in VersionStatus if s is not VersionStatus.DRAFT])
def test_a_version_that_is_not_a_draft_refuses_every_edit(
    client: TestClient, session: Session, status: VersionStatus
) -> None:
    version = _start(client)
    question = _questions(AnswerKind.CHOICE)[0]
    group = RUBRIC.staff_groups[0].id
    _put_answer(client, version["id"], question.id, value=question.options[0].value)
    _put_workload(client, version["id"], group, hours_per_term=1, staff_count=1)
    before = client.get(f"{API}/assessment-versions/{version['id']}").json()
    _set_status(session, version["id"], status)

    responses = [
        _put_answer(client, version["id"], question.id, value=question.options[1].value),
        _put_answer(client, version["id"], question.id, value=""),
        _put_workload(client, version["id"], group, hours_per_term=9, staff_count=9),
        client.delete(f"{API}/assessment-versions/{version['id']}/workload/{group}"),
    ]

    for response in responses:
        assert response.status_code == 409
        assert response.json() == {
            "detail": f"Version 1 is {status.value} and can no longer be changed"
        }
    after = client.get(f"{API}/assessment-versions/{version['id']}").json()
    assert after["status"] == status.value
    assert (after["answers"], after["workload_estimates"]) == (
        before["answers"], before["workload_estimates"],
    )  # fmt: skip
    assert _results(client, version["id"])["version_id"] == version["id"]


# --- the published API description -------------------------------------------------------------


def test_openapi_lists_every_api_path(client: TestClient) -> None:
    response = client.get("/openapi.json")

    assert response.status_code == 200
    paths: dict[str, Json] = response.json()["paths"]
    api_paths = {path: set(ops) for path, ops in paths.items() if path.startswith(API)}
    assert api_paths == {
        f"{API}/schools": {"get"},
        f"{API}/rubrics": {"get"},
        f"{API}/rubrics/{{rubric_id}}/{{version}}": {"get"},
        f"{API}/policies": {"get", "post"},
        f"{API}/policies/{{policy_id}}": {"get"},
        f"{API}/policies/{{policy_id}}/assessment": {"post"},
        f"{API}/assessment-versions/{{version_id}}": {"get"},
        f"{API}/assessment-versions/{{version_id}}/answers/{{question_id}}": {"put"},
        f"{API}/assessment-versions/{{version_id}}/workload/{{staff_group}}": {"put", "delete"},
        f"{API}/assessment-versions/{{version_id}}/results": {"get"},
    }


# --- requests from other sites' pages ---------------------------------------------------------


@pytest.mark.usefixtures("rubric_published")
@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://evil.example"},
    ],
)
def test_a_page_on_another_site_cannot_post_to_the_api(
    client: TestClient, session: Session, headers: dict[str, str]
) -> None:
    # A bodiless POST is what a plain HTML form on another site could send.
    policy = make_policy(session)

    response = client.post(f"{API}/policies/{policy.id}/assessment", headers=headers)

    assert response.status_code == 403
    assert response.json() == {"detail": "Requests from another site's pages are not accepted"}
    assert client.get(f"{API}/policies/{policy.id}").status_code == 200  # reading is fine
    assert repository.versions_of_policy(session, policy.id or 0) == []


@pytest.mark.usefixtures("rubric_published")
@pytest.mark.parametrize(
    "headers",
    [{}, {"Sec-Fetch-Site": "same-origin"}, {"Origin": "https://testserver"}],
    ids=["a script", "our own page", "our own origin"],
)
def test_scripts_and_our_own_pages_can_post(
    client: TestClient, session: Session, headers: dict[str, str]
) -> None:
    policy = make_policy(session)
    response = client.post(f"{API}/policies/{policy.id}/assessment", headers=headers)
    assert response.status_code == 201
