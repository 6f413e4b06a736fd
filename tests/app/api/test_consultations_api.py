"""The JSON API's staff consultations (issue 18): a version's consultations, with who was asked
and answered and the author's answer to each theme, beside its formal consultations; and one
consultation's results, broken down only where enough answered, never naming who was asked."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.consultations.answering import give_answer
from assessments.consultations.schemas import AnswerGive
from tests.assessments.consultation_cases import (
    JCC,
    TODAY,
    VIEWS,
    Keeper,
    Records,
    cast,
    close,
    consult,
    id_of,
    invited,
    least_group,
)
from tests.factories.people import Cast
from tests.factories.versions import draft_for

__all__ = ["cast"]  # the fixture

pytestmark = pytest.mark.usefixtures("rubric_published")

STAFF = "\n".join(f"t{n}@oak.example, Teachers" for n in range(1, 7))
SAID = [("1.5", 4, "Lands in report week."), ("-0.5", 2, ""), ("2", 1, "Too soon.")]


@pytest.fixture
def consulted(session: Session, cast: Cast) -> tuple[int, int]:
    """A draft whose six teachers were asked and three answered, closed, with one theme
    answered and a formal consultation beside it: (version id, consultation id)."""
    version_id = draft_for(session, cast)
    consultation = consult(session, cast.author, version_id, STAFF)
    for invitation, (hours, agreement, concerns) in zip(
        invited(session, consultation), SAID, strict=False
    ):
        data = AnswerGive.model_validate(
            {"hours_per_week": hours, "agreement": agreement, "concerns": concerns}
        )
        give_answer(session=session, invitation_id=invitation.id or 0, data=data, today=TODAY)
    close(session, cast.author, consultation)
    Keeper(session, cast.author, consultation).add()
    Records(session, cast.author, version_id).record()
    return version_id, id_of(consultation)


def test_a_versions_consultations_say_who_was_asked_answered_and_what_was_done(
    client: TestClient, consulted: tuple[int, int]
) -> None:
    version_id, consultation_id = consulted

    sent = client.get(f"/api/v1/assessment-versions/{version_id}/consultations")

    assert sent.status_code == 200
    body = sent.json()
    [line] = body["consultations"]
    assert (line["id"], line["standing"], line["closes_on"]) == (
        consultation_id,
        "closed",
        "2026-12-21",
    )
    assert (line["invited"], line["answered"], line["response_rate"]) == (6, 3, 50)
    assert [(t["title"], t["changed"]) for t in line["themes"]] == [("Marking at weekends", True)]
    [record] = body["formal"]
    assert (record["body"], record["views"]) == (JCC, VIEWS)
    assert "@oak.example" not in sent.text  # nobody asked is named


def test_a_consultations_results_wait_for_enough_answers(
    client: TestClient, session: Session, consulted: tuple[int, int]
) -> None:
    _, consultation_id = consulted

    too_few = client.get(f"/api/v1/consultations/{consultation_id}").json()
    assert (too_few["answered"], too_few["min_group"], too_few["shown"]) == (3, 5, False)
    assert (too_few["hours_per_week"], too_few["agreement_counts"], too_few["comments"]) == (
        None,
        {},
        [],
    )
    least_group(session, 3)

    sent = client.get(f"/api/v1/consultations/{consultation_id}")

    assert sent.status_code == 200
    body = sent.json()
    assert (body["shown"], body["hours_per_week"]) == (True, "1.0")
    assert body["agreement_counts"] == {
        "Strongly agree": 0,
        "Agree": 1,
        "Neither agree nor disagree": 0,
        "Disagree": 1,
        "Strongly disagree": 1,
    }
    assert [share["answered"] for share in body["by_group"]] == [3]
    assert sorted(c["concerns"] for c in body["comments"]) == [
        "Lands in report week.",
        "Too soon.",
    ]
    assert "@oak.example" not in sent.text


@pytest.mark.parametrize("path", ["/api/v1/consultations/999999", "/api/v1/consultations/x"])
def test_a_consultation_not_there_is_a_clear_error(client: TestClient, path: str) -> None:
    sent = client.get(path)
    assert sent.status_code in {404, 422}
    assert sent.json()["detail"]
