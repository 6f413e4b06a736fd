"""Reading a trust's policy schedule as uploaded: a CSV or XLSX file in, its rows as text out
(each with the line it came from), or every reason the file cannot be read. Nothing is
imported here: the preview and the import work from these rows."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

MAX_BYTES = 5 * 1024 * 1024  # a schedule of 10,000 policies is well under 2 MB
MAX_ROWS = 20_000  # rows of data, under the header
# An XLSX is a zip: its contents, unpacked, may be far bigger than the upload. Refused before
# they are unpacked, so that a small "zip bomb" cannot fill the memory.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"


class ScheduleFileError(ValueError):
    """A file that cannot be read as a schedule; each problem a sentence for the person."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class Row:
    line: int  # the line (CSV) or row number (XLSX) a person would look for
    cells: dict[str, str]  # by the header's column name, stripped; "" when empty


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[Row]


def read_schedule(data: bytes, filename: str) -> Table:
    """The file's header and rows of data, empty rows left out."""
    if not data:
        raise ScheduleFileError(["The file is empty"])
    if len(data) > MAX_BYTES:
        raise ScheduleFileError(
            [
                "The file is larger than 5 MB, the most a schedule can be: split it into "
                "smaller files"
            ]
        )
    grid = _xlsx_rows(data) if data.startswith(XLSX_MAGIC) else _csv_rows(data, filename)
    return _table(grid)


def _csv_rows(data: bytes, filename: str) -> list[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        kind = "a spreadsheet in another format" if not filename.endswith(".csv") else "not UTF-8"
        raise ScheduleFileError(
            [
                f"{filename or 'The file'} is {kind}: upload CSV (UTF-8) or Excel (.xlsx); "
                "from Excel, use Save as, then CSV UTF-8 or Excel Workbook"
            ]
        ) from None
    if "\x00" in text:
        raise ScheduleFileError([f"{filename or 'The file'} is not a CSV or XLSX file"])
    # Strict: a quote left open would otherwise swallow every line after it into one cell.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        return [(reader.line_num, row) for row in reader]
    except csv.Error:
        raise ScheduleFileError(
            [
                f"Line {reader.line_num}: a quoted cell is not closed, or a quote is out of "
                "place; every cell that starts with a quote must end with one"
            ]
        ) from None


def _xlsx_rows(data: bytes) -> list[tuple[int, list[str]]]:
    try:
        return _first_sheet(data)
    except ScheduleFileError:
        raise
    # What a file that is not a workbook, or a broken or hostile one (defusedxml refuses XML
    # entities, a "billion laughs"), makes openpyxl raise: anything of it is the file's fault.
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, SyntaxError):
        raise ScheduleFileError(["The file is not an Excel workbook (.xlsx) that opens"]) from None


def _first_sheet(data: bytes) -> list[tuple[int, list[str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if sum(item.file_size for item in archive.infolist()) > MAX_UNPACKED_BYTES:
            raise ScheduleFileError(
                ["The spreadsheet unpacks to more than 100 MB: it cannot be read"]
            )
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        sheet = book.worksheets[0]
        grid: list[tuple[int, list[str]]] = []
        formulas: list[str] = []
        for number, row in enumerate(sheet.iter_rows(), start=1):  # parsed as it is read
            grid.append((number, [_text(cell.value) for cell in row]))
            formulas += [
                f"Row {number}, column {i + 1}"
                for i, cell in enumerate(row)
                if getattr(cell, "data_type", "") == "f"  # (an empty cell has no type)
            ]
            if len(grid) > MAX_ROWS + 1:
                break
    finally:
        book.close()
    if formulas:
        more = f" and {len(formulas) - 5} more" if len(formulas) > 5 else ""
        raise ScheduleFileError(
            [
                f"{', '.join(formulas[:5])}{more}: a formula, not a value. Copy the cells and "
                "paste them as values only"
            ]
        )
    return grid


def _text(value: object) -> str:
    """A cell's value as the text a person typed (dates as YYYY-MM-DD, whole numbers whole)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def column_key(name: str) -> str:
    """A header's name as a column's key: "Review cycle (months)" → "review_cycle_months"."""
    return re.sub(r"[^a-z0-9]+", "_", name.casefold()).strip("_")


def _table(grid: list[tuple[int, list[str]]]) -> Table:
    filled = [(line, [cell.strip() for cell in cells]) for line, cells in grid]
    filled = [(line, cells) for line, cells in filled if any(cells)]
    if not filled:
        raise ScheduleFileError(
            ["The file has no rows: start with a header row (reference, title, …)"]
        )
    (header_line, header), body = filled[0], filled[1:]
    problems = []
    names = [column_key(name) for name in header]
    if "" in names:
        problems.append(f"Line {header_line}: every column of the header row needs a name")
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    if repeated:
        problems.append(
            f"Line {header_line}: the header names {', '.join(repeated)} more than once"
        )
    if len(body) > MAX_ROWS:
        problems.append(f"The file has more than {MAX_ROWS:,} rows: split it into smaller files")
    for line, cells in body:
        if len(cells) > len(names) and any(cells[len(names) :]):
            problems.append(f"Line {line}: more cells than the header has columns")
    if problems:
        raise ScheduleFileError(problems[:20])
    rows = [
        Row(line, {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(names)})
        for line, cells in body
    ]
    return Table(names, rows)
