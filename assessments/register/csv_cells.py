"""The one rule that keeps text in a CSV the service writes from running as a formula, however
a spreadsheet splits the line (comma, semicolon or tab), and its inverse.

A spreadsheet that splits on `;` or tab, as many European locales do, starts a new cell after
each of them inside our text, and every line break starts a new row. So a text cell is made
safe piece by piece: a piece starts at the cell's start and after each `,` `;` tab CR and LF.
A piece that would begin a formula, or that begins with `'`, gets a `'` in front. Removing the
`'` at the start of the cell and after each of those five characters gives the text back
(`original_text`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

SEPARATORS = ",;\t\r\n"


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = "=+-@\t\r\n\0"


# A piece to neutralise: a formula start after any spaces and double quotes (LibreOffice skips
# spaces before a quoted field, so ` "=1+1"` runs, and trims them on request), or a `'`.
_RUNS = r"(?=[ \"]*[=+\-@\t\r\n\0]|')"


_MARK = re.compile(r"(?:^|(?<=[,;\t\r\n]))" + _RUNS).sub


_ADDED = re.compile(r"(?:^|(?<=[,;\t\r\n]))'").sub


# A quick test that lets most text through untouched: the register has two million cells.
_RISKY_FIRST = frozenset(FORMULA_STARTS + "' \"")


_RISKY_INSIDE = re.compile(r"[,;\t\r\n]" + _RUNS).search


def safe_text(text: str) -> str:
    """`text` with a `'` before each piece that would run as a formula or starts with `'`."""
    if text[:1] in _RISKY_FIRST or _RISKY_INSIDE(text):
        return _MARK("'", text)
    return text


def make_text_safe(cells: list[Any], positions: Iterable[int]) -> None:
    """safe_text of the (str or None) cells at these positions, in place, for an export's rows."""
    for i in positions:
        text = cells[i]
        if text and (text[0] in _RISKY_FIRST or _RISKY_INSIDE(text)):
            cells[i] = _MARK("'", text)


def original_text(cell: str) -> str:
    """The text that safe_text was given: each `'` at the start of a piece removed."""
    return _ADDED("", cell)
