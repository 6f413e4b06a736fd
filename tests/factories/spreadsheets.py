"""Spreadsheets as a person would upload them, made in memory."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook


def xlsx(rows: Sequence[Sequence[object]]) -> bytes:
    """An Excel workbook whose first sheet holds these rows (a value starting "=" is a
    formula, as Excel takes it)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
