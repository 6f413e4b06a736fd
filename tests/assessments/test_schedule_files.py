"""A policy schedule as a trust uploads it: CSV (UTF-8, with or without Excel's BOM) or XLSX,
read into rows by column name with the line each came from; and every kind of bad file
refused with a sentence saying why, before anything is imported."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest

from assessments.policies.schedule_files import (
    MAX_BYTES,
    MAX_ROWS,
    ScheduleFileError,
    read_schedule,
)
from tests.factories.spreadsheets import xlsx

HEADER = ["Reference", "Title", "School", "Owner", "Review every (years)", "Next review"]


def refused(data: bytes, filename: str = "schedule.csv") -> list[str]:
    with pytest.raises(ScheduleFileError) as error:
        read_schedule(data, filename)
    return error.value.problems


def test_a_csv_from_excel_is_read_by_column_name_with_its_lines() -> None:
    text = (
        "Reference,Title,School,Owner,Review every (years),Next review\r\n"
        'HR-01,"Marking, feedback and homework",Oak Primary,ann@trust.example,1,2027-01-31\r\n'
        ",,,,,\r\n"  # an empty row, as spreadsheets save them
        'HR-02,"Staff wellbeing\nand workload",,ann@trust.example,2,\r\n'
    )
    table = read_schedule(("\ufeff" + text).encode(), "schedule.csv")  # Excel's CSV UTF-8
    # Named as keys: "Review every (years)" is review_every_years.
    assert table.columns == [
        "reference",
        "title",
        "school",
        "owner",
        "review_every_years",
        "next_review",
    ]
    assert [row.line for row in table.rows] == [2, 5]  # the second runs over two lines
    first, second = table.rows
    assert first.cells["title"] == "Marking, feedback and homework"
    assert first.cells["next_review"] == "2027-01-31"
    assert second.cells["title"] == "Staff wellbeing\nand workload"
    assert second.cells["school"] == ""


def test_an_xlsx_is_read_as_the_text_its_cells_show() -> None:
    data = xlsx(
        [
            HEADER,
            [
                "HR-01",
                "Marking and feedback",
                "Oak Primary",
                "ann@trust.example",
                1,
                date(2027, 1, 31),
            ],
            [None] * 6,
            ["HR-02", "Equality objectives", None, "bea@trust.example", 4.0, datetime(2028, 9, 1)],
        ]
    )
    table = read_schedule(data, "schedule.xlsx")
    assert [row.line for row in table.rows] == [2, 4]
    first, second = table.rows
    assert first.cells["title"] == "Marking and feedback"
    assert first.cells["review_every_years"] == "1"
    assert first.cells["next_review"] == "2027-01-31"
    assert second.cells["review_every_years"] == "4"  # not "4.0"
    assert second.cells["next_review"] == "2028-09-01"
    assert second.cells["school"] == ""


def test_formulas_are_refused_by_row_and_column() -> None:
    data = xlsx([HEADER, ["HR-01", '=UPPER("marking")', "", "", "=1+1", ""]])
    (problem,) = refused(data, "schedule.xlsx")
    assert problem.startswith("Row 2, column 2, Row 2, column 5: a formula, not a value")


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (b"", "schedule.csv", "The file is empty"),
        (b"x" * (MAX_BYTES + 1), "schedule.csv", "larger than 5 MB, the most a schedule can be"),
        ("Réf,Titre\n".encode("cp1252"), "schedule.csv", "schedule.csv is not UTF-8"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "schedule.xls", "another format"),
        (b"%PDF-1.7\n\x00\x01", "schedule.pdf", "schedule.pdf is not a CSV or XLSX file"),
        (
            b"PK\x03\x04 not really a zip",
            "schedule.xlsx",
            "not an Excel workbook (.xlsx) that opens",
        ),
        (b"\r\n,,\r\n", "schedule.csv", "The file has no rows"),
        (b"Reference,,Title\r\nHR-01,,x\r\n", "schedule.csv", "every column of the header"),
        (b"Title,title\r\nA,B\r\n", "schedule.csv", "the header names title more than once"),
        (b"Reference,Title\r\nHR-01,Homework,extra\r\n", "schedule.csv", "Line 2: more cells"),
    ],
    ids=[
        "empty",
        "huge",
        "not utf-8",
        "old excel",
        "pdf",
        "broken xlsx",
        "only empty rows",
        "unnamed column",
        "repeated column",
        "extra cells",
    ],
)
def test_a_file_that_cannot_be_read_is_refused_saying_why(
    data: bytes, filename: str, expected: str
) -> None:
    assert any(expected in problem for problem in refused(data, filename)), refused(data, filename)


def test_more_rows_than_a_schedule_can_have_are_refused() -> None:
    body = "".join(f"HR-{n},Policy {n}\r\n" for n in range(MAX_ROWS + 1))
    (problem,) = refused(f"Reference,Title\r\n{body}".encode())
    assert problem == f"The file has more than {MAX_ROWS:,} rows: split it into smaller files"


def test_a_spreadsheet_that_unpacks_to_a_bomb_is_refused_before_it_is_unpacked() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (101 * 1024 * 1024))
    (problem,) = refused(out.getvalue(), "schedule.xlsx")
    assert "unpacks to more than 100 MB" in problem


def test_a_spreadsheet_carrying_an_xml_bomb_is_refused_not_expanded() -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    good = zipfile.ZipFile(io.BytesIO(xlsx([HEADER])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as hostile:
        for item in good.infolist():
            sheet = item.filename == "xl/worksheets/sheet1.xml"
            hostile.writestr(item, laughs if sheet else good.read(item))
    (problem,) = refused(out.getvalue(), "schedule.xlsx")
    assert problem == "The file is not an Excel workbook (.xlsx) that opens"
