"""The JSON API's answers to questions, and its refusal to change a version that has left draft."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.models import AssessmentVersion, VersionStatus
from assessments.rubrics.schema import AnswerKind, Question
from tests.factories.api import (
    API,
    get_results,
    locs,
    put_answer,
    put_workload,
    section_result,
    start,
)
from tests.factories.trusts import RUBRIC


def _questions(kind: AnswerKind) -> list[Question]:
    return [q for q in RUBRIC.questions() if q.kind is kind]


def _set_status(session: Session, version_id: int, status: VersionStatus) -> None:
    # Submitting is not built yet, so the test moves the version out of draft directly.
    version = session.get(AssessmentVersion, version_id)
    assert version is not None
    version.status = status
    session.add(version)
    session.flush()


# --- answers -----------------------------------------------------------------------------------


@pytest.mark.usefixtures("rubric_published")
class TestAnswers:
    def test_saving_an_answer_returns_it_and_shows_it_on_the_version(
        self, client: TestClient
    ) -> None:
        version = start(client)
        question = _questions(AnswerKind.CHOICE)[0]
        value = question.options[-1].value

        response = put_answer(
            client, version["id"], question.id, value=value, comment="Checked with staff"
        )

        assert response.status_code == 200
        saved = response.json()
        assert saved["question_id"] == question.id
        assert (saved["value"], saved["comment"], saved["revision"]) == (
            value,
            "Checked with staff",
            1,
        )
        assert saved["updated_by"] == version["author"]
        assert saved["updated_at"]
        shown = client.get(f"{API}/assessment-versions/{version['id']}").json()
        assert shown["answers"] == [saved]

    def test_updating_an_answer_bumps_its_revision(self, client: TestClient) -> None:
        version = start(client)
        question = _questions(AnswerKind.CHOICE)[0]
        first, second = question.options[0].value, question.options[1].value
        put_answer(client, version["id"], question.id, value=first)

        response = put_answer(client, version["id"], question.id, value=second, expected_revision=1)

        assert response.status_code == 200
        assert (response.json()["value"], response.json()["revision"]) == (second, 2)
        again = put_answer(client, version["id"], question.id, value=first, expected_revision=2)
        assert again.json()["revision"] == 3

    def test_a_change_based_on_a_stale_revision_is_refused(self, client: TestClient) -> None:
        version = start(client)
        question = _questions(AnswerKind.CHOICE)[0]
        first, second = question.options[0].value, question.options[1].value
        put_answer(client, version["id"], question.id, value=first)
        put_answer(client, version["id"], question.id, value=second, expected_revision=1)

        stale = put_answer(client, version["id"], question.id, value=first, expected_revision=1)
        stale_clear = put_answer(client, version["id"], question.id, value="", expected_revision=1)

        for response in (stale, stale_clear):
            assert response.status_code == 409
            assert "Someone else changed this" in response.json()["detail"]
        [kept] = client.get(f"{API}/assessment-versions/{version['id']}").json()["answers"]
        assert (kept["value"], kept["revision"]) == (second, 2)

    def test_resending_unchanged_content_is_not_a_conflict(self, client: TestClient) -> None:
        version = start(client)
        question = _questions(AnswerKind.CHOICE)[0]
        first, second = question.options[0].value, question.options[1].value
        put_answer(client, version["id"], question.id, value=first)
        put_answer(client, version["id"], question.id, value=second, expected_revision=1)

        response = put_answer(client, version["id"], question.id, value=second, expected_revision=1)

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
        version = start(client)
        question = _questions(kind)[0]

        response = put_answer(client, version["id"], question.id, value=value)

        assert response.status_code == 422
        [error] = response.json()["detail"]
        assert error["loc"] == ["body", "value"]
        assert message in error["msg"]
        assert client.get(f"{API}/assessment-versions/{version['id']}").json()["answers"] == []

    def test_values_are_stored_in_their_normal_form(self, client: TestClient) -> None:
        version = start(client)
        yes_no = _questions(AnswerKind.YES_NO)[0]
        number = _questions(AnswerKind.NUMBER)[0]

        assert put_answer(client, version["id"], yes_no.id, value=" YES ").json()["value"] == (
            "yes"
        )
        assert put_answer(client, version["id"], number.id, value="2.50").json()["value"] == "2.5"

    def test_an_overlong_value_is_refused(self, client: TestClient) -> None:
        version = start(client)
        question = _questions(AnswerKind.TEXT)[0]

        response = put_answer(client, version["id"], question.id, value="x" * 5001)

        assert response.status_code == 422
        assert locs(response) == [["body", "value"]]

    def test_an_unknown_question_is_refused(self, client: TestClient) -> None:
        version = start(client)

        response = put_answer(client, version["id"], "no-such-question", value="yes")

        assert response.status_code == 422
        [error] = response.json()["detail"]
        assert error["loc"] == ["path", "question_id"]
        assert "no-such-question" in error["msg"]

    def test_an_empty_value_clears_the_answer_and_returns_null(self, client: TestClient) -> None:
        version = start(client)
        question = _questions(AnswerKind.CHOICE)[0]
        put_answer(client, version["id"], question.id, value=question.options[0].value)

        response = put_answer(client, version["id"], question.id, value="  ", expected_revision=1)

        assert response.status_code == 200
        assert response.json() is None
        assert client.get(f"{API}/assessment-versions/{version['id']}").json()["answers"] == []
        section = next(s for s in RUBRIC.sections if question in s.questions)
        assert section_result(get_results(client, version["id"]), section.id)["answered"] == 0

    def test_clearing_an_answer_never_given_is_harmless(self, client: TestClient) -> None:
        version = start(client)
        question = _questions(AnswerKind.CHOICE)[0]

        response = put_answer(client, version["id"], question.id, value="")

        assert response.status_code == 200
        assert response.json() is None


# --- a version that has left draft -------------------------------------------------------------


@pytest.mark.usefixtures("rubric_published")
@pytest.mark.parametrize("status", [s for s in VersionStatus if s is not VersionStatus.DRAFT])
def test_a_version_that_is_not_a_draft_refuses_every_edit(
    client: TestClient, session: Session, status: VersionStatus
) -> None:
    version = start(client)
    question = _questions(AnswerKind.CHOICE)[0]
    group = RUBRIC.staff_groups[0].id
    put_answer(client, version["id"], question.id, value=question.options[0].value)
    put_workload(client, version["id"], group, hours_per_term=1, staff_count=1)
    before = client.get(f"{API}/assessment-versions/{version['id']}").json()
    _set_status(session, version["id"], status)

    responses = [
        put_answer(client, version["id"], question.id, value=question.options[1].value),
        put_answer(client, version["id"], question.id, value=""),
        put_workload(client, version["id"], group, hours_per_term=9, staff_count=9),
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
        before["answers"],
        before["workload_estimates"],
    )
    assert get_results(client, version["id"])["version_id"] == version["id"]
