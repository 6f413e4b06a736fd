"""The cells of the register's CSV export: text a spreadsheet would run as a formula, at the
start of a cell, after a control character or after a separator it may split on, is quoted
there, reads back less its quotes, and a number stays a number."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings, strategies as st
from sqlmodel import Session

from assessments.drafting import workload
from assessments.drafting.schemas import WorkloadEstimateSave
from assessments.register.csv_cells import original_text
from assessments.register.export import csv_lines
from assessments.register.schemas import COLUMNS, RegisterRow
from tests.app.test_register_export import csv_rows
from tests.factories.audit import sql
from tests.factories.trusts import AUTHOR
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
