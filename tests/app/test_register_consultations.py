"""The register's staff consultation columns (issue 18): a version is consulted when staff were
asked through the register or a formal consultation was recorded; its responses count every
answer to its consultations, and the response rate is the whole percentage of those asked
who answered, rounded half up, in the page, the CSV and the JSON alike."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.consultations.answering import give_answer
from assessments.consultations.schemas import AnswerGive
from tests.app.pages import page
from tests.app.test_register_export import by_reference, csv_rows
from tests.assessments.consultation_cases import TODAY, Records, cast, close, consult, invited
from tests.factories.people import Cast, make_api_token
from tests.factories.trusts import AUTHOR
from tests.factories.versions import draft_for

__all__ = ["cast"]  # the fixture
pytestmark = pytest.mark.usefixtures("rubric_published")


def _asked(count: int, prefix: str) -> str:
    return "\n".join(f"{prefix}{n}@oak.example, Teachers" for n in range(count))


def _consulted(session: Session, cast: Cast, reference: str, *rounds: tuple[int, int]) -> int:
    """A draft whose staff were consulted in each round: (asked, answered)."""
    version_id = draft_for(session, cast, reference=reference)
    for number, (asked, answered) in enumerate(rounds):
        consultation = consult(
            session, cast.author, version_id, _asked(asked, f"{reference}-{number}-")
        )
        for invitation in invited(session, consultation)[:answered]:
            data = AnswerGive.model_validate({"hours_per_week": "1", "agreement": 3})
            give_answer(session=session, invitation_id=invitation.id or 0, data=data, today=TODAY)
        close(session, cast.author, consultation)
    return version_id


@pytest.fixture
def versions(session: Session, cast: Cast, rubric_published: None) -> None:
    _consulted(session, cast, "HALF", (6, 3))  # 50%
    _consulted(session, cast, "TWOTHIRDS", (3, 2))  # 66.7%: 67
    _consulted(session, cast, "HALFUP", (8, 5))  # 62.5%: 63, never 62
    _consulted(session, cast, "ALL", (1, 1))
    _consulted(session, cast, "TWICE", (4, 1), (4, 3))  # 4 of 8 over both
    _consulted(session, cast, "NONE", (5, 0))
    formal_only = draft_for(session, cast, reference="FORMAL")
    Records(session, cast.author, formal_only).record()
    draft_for(session, cast, reference="UNASKED")


EXPECTED = {  # consulted, responses, response rate
    "HALF": ("true", "3", "50"),
    "TWOTHIRDS": ("true", "2", "67"),
    "HALFUP": ("true", "5", "63"),
    "ALL": ("true", "1", "100"),
    "TWICE": ("true", "4", "50"),
    "NONE": ("true", "0", "0"),
    "FORMAL": ("true", "0", ""),  # nobody asked through the register: no rate
    "UNASKED": ("false", "0", ""),
}


@pytest.mark.usefixtures("versions")
def test_the_csv_says_who_was_consulted_how_many_answered_and_what_share(
    client: TestClient,
) -> None:
    rows = by_reference(csv_rows(client.get("/register.csv")))

    assert {
        reference: (row["consulted"], row["responses"], row["response_rate"])
        for reference, row in rows.items()
    } == EXPECTED


@pytest.mark.usefixtures("versions")
def test_the_json_gives_the_same_as_numbers(anonymous_client: TestClient, session: Session) -> None:
    bearer = {"Authorization": f"Bearer {make_api_token(session, AUTHOR)}"}
    sent = anonymous_client.get("/api/v1/register", headers=bearer).json()["rows"]
    rows = {row["policy_reference"]: row for row in sent}

    assert {
        reference: (row["consulted"], row["responses"], row["response_rate"])
        for reference, row in rows.items()
    } == {
        reference: (consulted == "true", int(responses), int(rate) if rate else None)
        for reference, (consulted, responses, rate) in EXPECTED.items()
    }


@pytest.mark.usefixtures("versions")
def test_the_register_page_says_who_was_consulted_and_what_share_answered(
    client: TestClient,
) -> None:
    rows = page(client.get("/register")).find("tbody").find_all("tr")
    cells = {row.find_all("td")[0].text: [cell.text for cell in row.find_all("td")] for row in rows}
    shown = {ref: next(c for key, c in cells.items() if ref in key)[-1] for ref in EXPECTED}
    assert shown["HALFUP"] == "Yes: 5 answered (63%)"
    assert (shown["FORMAL"], shown["UNASKED"]) == ("Yes", "No")
