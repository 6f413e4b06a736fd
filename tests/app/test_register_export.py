"""The register's exports (CSV streamed in chunks of whole rows, UTF-8 with a BOM, raw values,
formulas neutralised, the audit chain's head; and JSON), and the page that checks the audit
trail."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings, strategies as st
from sqlmodel import Session

from app.settings import PROJECT_ROOT, Settings
from assessments.drafting import workload
from assessments.drafting.schemas import WorkloadEstimateSave
from assessments.kernel import audit
from assessments.kernel.actors import Grant, Role
from assessments.register import export as register_export
from assessments.register.csv_cells import original_text
from assessments.register.export import csv_lines
from assessments.register.schemas import COLUMNS, RegisterRow
from tests.app.pages import error_summary, page
from tests.factories.audit import sql
from tests.factories.decisions import Register, make_register, open_page
from tests.factories.people import make_api_token, make_person
from tests.factories.sign_in import sign_in_as
from tests.factories.trusts import AUTHOR, LOCAL_TRUST_ID, RUBRIC
from tests.factories.versions import make_draft

# What a spreadsheet runs as a formula (the list, not the module's, so a gap shows).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
TEXT_COLUMNS = (
    "policy_reference",
    "policy_title",
    "school",
    "status",
    "rubric",
    "author",
    "approver",
    "decision_reason",
    "prepared_by",
    "assessment_kind",
)


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


SPREADSHEET_FORMULAS = [
    '=HYPERLINK("http://evil")',
    "+44 20 7946 0000",
    "-2 hours a week",
    "@SUM(A1:A9)",
]


@pytest.mark.parametrize("title", SPREADSHEET_FORMULAS)
def test_a_title_a_spreadsheet_would_run_is_neutralised(
    client: TestClient, session: Session, rubric_published: None, title: str
) -> None:
    make_draft(session, reference="NX-001", title=title)

    (row,) = csv_rows(client.get("/register.csv"))

    assert row["policy_title"] == "'" + title


@pytest.mark.parametrize("start", ["\t", "\r", "\n", "\0"], ids=["tab", "cr", "lf", "nul"])
def test_a_title_starting_with_a_control_character_is_neutralised(
    client: TestClient, session: Session, rubric_published: None, start: str
) -> None:
    if start == "\0" and session.get_bind().dialect.name == "postgresql":
        pytest.skip("PostgreSQL text cannot hold NUL (the property test below covers it)")
    draft = make_draft(session, reference="NX-002", title="Cmd policy")
    # The policy form strips leading whitespace; a title written by an import or by hand may not.
    title = f"{start}=cmd|' /C calc'!A0"
    sql(session, "UPDATE policy SET title = :title WHERE reference = 'NX-002'", title=title)

    (row,) = csv_rows(client.get("/register.csv"))

    assert row["version_id"] == str(draft.id)
    # A tab, CR or LF also starts a piece of its own: the = after it gets its quote too.
    rest = "=cmd|' /C calc'!A0" if start == "\0" else "'=cmd|' /C calc'!A0"
    assert row["policy_title"] == "'" + start + rest


# Text that becomes a formula only when a spreadsheet splits on ; or tab, or after a line
# break, and text that starts with the quote itself (quoted, so that removing one gives it back).
SPLIT_FORMULAS = [
    ("x;=cmd|' /C calc'!A0", "x;'=cmd|' /C calc'!A0"),
    ("Marking\t=1+1", "Marking\t'=1+1"),
    ("Line one\n@SUM(A1:A9)", "Line one\n'@SUM(A1:A9)"),
    ('x; "=1+1"', 'x;\' "=1+1"'),
    ("Owner, -2 hours", "Owner,' -2 hours"),
    ("'Quoted' title", "''Quoted' title"),
    ("Plain; nothing to run, here", "Plain; nothing to run, here"),
]


@pytest.mark.parametrize(("title", "written"), SPLIT_FORMULAS)
def test_a_title_a_spreadsheet_would_run_after_a_separator_is_neutralised_there(
    client: TestClient, session: Session, rubric_published: None, title: str, written: str
) -> None:
    make_draft(session, reference="NX-004", title=title)

    (row,) = csv_rows(client.get("/register.csv"))

    assert row["policy_title"] == written
    assert original_text(row["policy_title"]) == title


def test_a_negative_number_of_hours_stays_a_number(
    client: TestClient, session: Session, rubric_published: None
) -> None:
    draft = make_draft(session, reference="NX-003")
    assert draft.id is not None
    workload.save_workload_estimate(
        session=session,
        actor=AUTHOR,
        version_id=draft.id,
        staff_group="teachers",
        data=WorkloadEstimateSave(hours_per_term=Decimal("-2"), staff_count=3),
    )

    (row,) = csv_rows(client.get("/register.csv"))

    assert row["net_hours_per_year"] == "-18.0"


def register_row(texts: dict[str, str]) -> RegisterRow:
    """A row with these text values, and numbers, dates and a flag of every kind."""
    fields: dict[str, Any] = {
        **texts,
        "version_id": 7,
        "version": 2,
        "overall_score": Decimal("-3.5"),
        "rating": None,
        "rating_after_mitigation": "low",
        "rating_after_actions_done": "medium",
        "net_hours_per_year": Decimal("-18.0"),
        "open_actions": 0,
        "decided_at": datetime(2027, 3, 31, 9, 0, tzinfo=UTC),
        "review_due": date(2028, 3, 31),
        "overdue": False,
        "consulted": True,
        "responses": 5,
        "response_rate": 63,
    }
    return RegisterRow(**fields)


# Any text, and often text made of pieces that start like a formula (or with a quote, spaces
# or double quotes) between the separators a spreadsheet may split on.
PIECES = st.sampled_from([*FORMULA_STARTS, "'", " ", '"', ",", ";", "x", "=1+1", " =1", '"=1'])
CELL_TEXT = st.one_of(st.text(), st.lists(PIECES, max_size=8).map("".join))
SPLIT_AT = ",;\t\r\n"


def piece_starts(cell: str) -> list[int]:
    """Where a spreadsheet splitting on any of SPLIT_AT may start a cell within `cell`."""
    return [0, *(i + 1 for i, character in enumerate(cell) if character in SPLIT_AT)]


def would_run(piece: str) -> bool:
    """Whether a spreadsheet may run this piece: a formula start after spaces and quotes."""
    return piece.lstrip(' "').startswith(FORMULA_STARTS)


@settings(max_examples=300, deadline=None)
@given(values=st.fixed_dictionaries({name: CELL_TEXT for name in TEXT_COLUMNS}), head=CELL_TEXT)
def test_no_piece_of_a_text_cell_would_run_and_each_reads_back_less_its_quotes(
    values: dict[str, str], head: str
) -> None:
    text = "".join(csv_lines([register_row(values)], head))

    assert text.startswith("\ufeff")
    header, row = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    cells = dict(zip(header, row, strict=True))
    assert tuple(header) == COLUMNS
    for name, original in {**values, "audit_chain_head": head}.items():
        cell = cells[name]
        assert not any(would_run(cell[start:]) for start in piece_starts(cell)), (name, cell)
        assert original_text(cell) == original
    assert cells["net_hours_per_year"] == "-18.0"  # a number is never quoted
    assert cells["overall_score"] == "-3.5"


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
