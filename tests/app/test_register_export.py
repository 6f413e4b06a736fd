"""The register's exports (CSV streamed in chunks of whole rows, UTF-8 with a BOM, raw values,
the audit chain's head; and JSON), and the page that checks the audit trail. What a spreadsheet
would run is neutralised in test_register_export_cells.py."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.settings import PROJECT_ROOT, Settings
from assessments.kernel import audit
from assessments.kernel.actors import Grant, Role
from assessments.register import export as register_export
from assessments.register.schemas import COLUMNS
from tests.app.pages import error_summary, page
from tests.factories.audit import sql
from tests.factories.decisions import Register, make_register, open_page
from tests.factories.people import make_api_token, make_person
from tests.factories.sign_in import sign_in_as
from tests.factories.trusts import AUTHOR, LOCAL_TRUST_ID, RUBRIC
from tests.factories.versions import make_draft


@pytest.fixture
def register(session: Session, rubric_published: None, monkeypatch: pytest.MonkeyPatch) -> Register:
    return make_register(session, monkeypatch)


def csv_rows(response: httpx2.Response) -> list[dict[str, str]]:
    """The export's rows by column, after checking its BOM and header."""
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    header, *rows = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    assert tuple(header) == COLUMNS
    return [dict(zip(header, row, strict=True)) for row in rows]


def by_reference(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {row["policy_reference"]: row for row in rows}


def test_the_csv_export_is_an_attachment_of_raw_values_under_the_audit_chain_head(
    client: TestClient, session: Session, register: Register
) -> None:
    response = client.get("/register.csv")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    today = datetime.now(UTC).date()
    disposition = f'attachment; filename="register-{today.isoformat()}.csv"'
    assert response.headers["content-disposition"] == disposition
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = by_reference(csv_rows(response))
    assert list(rows) == ["RG-001", "RG-002", "RG-003", "RG-004"]
    head = audit.verify(session, chain=LOCAL_TRUST_ID).head  # a signed checkpoint
    assert response.headers["x-audit-chain-head"] == head
    assert {row["audit_chain_head"] for row in rows.values()} == {head}
    expected = {  # in the documented order of the columns
        "version_id": str(register.old.id),
        "policy_reference": "RG-001",
        "policy_title": "Attendance policy",
        "school": "",
        "version": "1",
        "status": "approved",
        "rubric": f"{RUBRIC.id}@{RUBRIC.version}",
        "overall_score": "3.7",
        "rating": "low",
        "rating_after_mitigation": "low",
        "net_hours_per_year": "54.0",
        "open_actions": "1",
        "author": AUTHOR.name,
        "approver": "Ama Approver",
        "decided_at": "2020-01-15T10:30:00+00:00",
        "decision_reason": "",
        "review_due": "2021-01-15",
        "overdue": "true",
        "audit_chain_head": head,
        "prepared_by": AUTHOR.name,
        "rating_after_actions_done": "low",
        "assessment_kind": "full",
        "consulted": "false",
        "responses": "0",
        "response_rate": "",
    }
    assert list(rows["RG-001"].items()) == list(expected.items())
    draft = rows["RG-004"]
    assert (draft["status"], draft["rating"], draft["school"]) == ("draft", "high", "North School")
    assert (draft["decided_at"], draft["approver"], draft["overdue"]) == ("", "", "false")
    assert date.fromisoformat(rows["RG-002"]["decided_at"][:10]) == today


EXPORT_QUERIES = [
    "",
    "status=approved",
    "school={north}",
    "overdue=yes",
    "q=sol",
    "rating=high",
    "from=2020-01-01&to=2020-12-31",
    "sort=score&order=desc",
    "from=nonsense&status=draft",
]


def test_the_csv_export_holds_the_versions_the_page_lists_under_the_same_filter(
    client: TestClient, register: Register, subtests: pytest.Subtests
) -> None:
    for query in EXPORT_QUERIES:
        with subtests.test(query):
            query = query.format(north=register.north.id)
            status = 422 if "nonsense" in query else 200
            results = open_page(client, f"/register?{query}", status).by_id("results")
            links = results.find("tbody").find_all("a")

            if status == 200:
                assert results.find("a", download="").attrs["href"] == f"/register.csv?{query}"
            else:  # no download offered of a filter that is refused
                assert results.find_all("a", download="") == [] and results.has_id("filter-refused")
            response = client.get(f"/register.csv?{query}")
            if status == 422:  # no file at all, but the register saying what is wrong
                assert response.status_code == 422
                assert response.headers["content-type"].startswith("text/html")
                assert error_summary(page(response))
                continue

            exported = csv_rows(response)

            listed = [link.attrs["href"].split("/")[2] for link in links]
            assert [row["version_id"] for row in exported] == listed


def as_csv_text(value: object) -> str:
    """A JSON value as the CSV writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def test_the_json_export_has_the_columns_the_head_and_the_rows_of_the_csv(
    client: TestClient, session: Session, register: Register
) -> None:
    token = make_api_token(session, AUTHOR)
    exported = csv_rows(client.get("/register.csv?status=approved"))
    client.cookies.clear()  # a script, with its token only

    response = client.get(
        "/api/v1/register?status=approved", headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    head = audit.verify(session, chain=LOCAL_TRUST_ID).head
    assert body["columns"] == list(COLUMNS)
    assert body["audit_chain_head"] == response.headers["x-audit-chain-head"] == head
    assert len(body["rows"]) == len(exported) == 2
    for row, line in zip(body["rows"], exported, strict=True):
        decided = row.pop("decided_at"), line.pop("decided_at")
        assert datetime.fromisoformat(decided[0]) == datetime.fromisoformat(decided[1])
        assert {name: as_csv_text(value) for name, value in row.items()} == {
            name: value for name, value in line.items() if name != "audit_chain_head"
        }
    as_csv = client.get(
        "/api/v1/register?format=csv&status=approved", headers={"Authorization": f"Bearer {token}"}
    )
    assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert len(csv_rows(as_csv)) == 2


def test_the_csv_is_streamed_in_chunks_of_whole_rows(
    client: TestClient, session: Session, rubric_published: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(120):
        make_draft(session, reference=f"ST-{number:03d}")
    monkeypatch.setattr(register_export, "CHUNK_CHARACTERS", 2000)  # about 8 rows a chunk

    with client.stream("GET", "/register.csv") as response:
        chunks = [chunk for chunk in response.iter_raw() if chunk]

    assert response.status_code == 200
    assert 10 <= len(chunks) <= 30  # sent as the rows are read, not built whole
    assert all(chunk.endswith(b"\r\n") for chunk in chunks)  # never a row cut in two
    text = b"".join(chunks).decode("utf-8").removeprefix("\ufeff")
    assert len(list(csv.reader(io.StringIO(text, newline="")))) == 121


@pytest.fixture
def auditor(
    client: TestClient, session: Session, settings: Settings, rubric_published: None
) -> None:
    """Some events in the audit trail, and the browser signed in as a trust-wide auditor."""
    make_draft(session, reference="AU-001")
    sign_in_as(client, session, settings, make_person(session, "Aud Auditor", Grant(Role.AUDITOR)))


def test_the_audit_page_shows_an_auditor_an_intact_chain_and_its_head(
    client: TestClient, session: Session, auditor: None
) -> None:
    doc = open_page(client, "/audit")

    verification = audit.verify(session, chain=LOCAL_TRUST_ID)
    assert doc.by_id("verdict").find("h2").text == "Intact"
    assert f"All {verification.events} events check out" in doc.by_id("verdict").text
    assert doc.by_id("head-hash").text == verification.head
    assert doc.by_id("head-hash").text == client.get("/register.csv").headers["x-audit-chain-head"]


def test_the_audit_page_shows_where_the_chain_was_tampered_with(
    client: TestClient, session: Session, auditor: None
) -> None:
    assert audit.verify(session, chain=LOCAL_TRUST_ID).intact
    sql(session, "UPDATE audit_event SET changes = '{}' WHERE chain = 1 AND seq = 2")

    doc = open_page(client, "/audit")

    verdict = doc.by_id("verdict")
    assert verdict.find("h2").text == "The audit trail has been tampered with"
    assert "Event 2: its content was changed after it was recorded." in verdict.text


def test_an_author_may_not_check_the_audit_trail(
    client: TestClient, session: Session, settings: Settings
) -> None:
    sign_in_as(client, session, settings, make_person(session, "Ann Author", Grant(Role.AUTHOR)))

    assert client.get("/audit").status_code == 403


def test_the_readme_lists_the_export_columns_in_the_order_of_the_file() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## The register export\n", 1)[1].split("\n## ", 1)[0]
    table = [line for line in section.splitlines() if line.startswith("| `")]

    documented = [name for line in table for name in re.findall(r"`(\w+)`", line.split("|")[1])]

    assert documented == list(COLUMNS)
