"""Reading ids, whole numbers, dates and text that come in as strings (query strings, form
fields, command-line options): one parser per kind, each naming the field it refuses.

Input models (`assessments.kernel.inputs`) hold the same rules for JSON bodies and forms that are
validated by pydantic; these are for the values read by hand."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date

from fastapi import Request

from assessments.kernel.errors import NotFound, ValidationFailed
from assessments.kernel.inputs import (
    DAY_MESSAGE,
    INTEGER_MESSAGE,
    MAX_ID,
    MAX_YEAR,
    MIN_YEAR,
    integer_text,
    unstorable,
)

# 31/3/2027: ASCII digits only
_TYPED_BRITISH_DAY = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


DAY_PARTS = ("day", "month", "year")


def typed_day(fields: Mapping[str, object], name: str) -> str:
    """A date from GOV.UK's day, month and year fields (`<name>-day`, …) as ISO, for the
    input model to judge (a browser set to US English reads nothing into them); else the one
    field `<name>` as typed or picked (older pages, the API); "" when none is given."""
    day, month, year = (str(fields.get(f"{name}-{part}", "") or "").strip() for part in DAY_PARTS)
    if not (day or month or year):
        return iso_day(str(fields.get(name, "") or ""))
    if all(part.isascii() and part.isdigit() and len(part) <= 4 for part in (day, month, year)):
        return f"{year.zfill(4)}-{month.zfill(2)}-{day.zfill(2)}"
    return f"{year}-{month}-{day}"  # not a date: refused with the field's own message


def day_parts(fields: Mapping[str, object], name: str) -> dict[str, str]:
    """What was typed into a date's three fields, kept to show the form again."""
    return {f"{name}-{part}": str(fields.get(f"{name}-{part}", "") or "") for part in DAY_PARTS}


def iso_day(text: str) -> str:
    """A date typed the British way (31/3/2027, where a browser offers no date picker) as ISO
    (2027-03-31); anything else as it is, for validation to judge."""
    text = text.strip()
    if match := _TYPED_BRITISH_DAY.fullmatch(text):
        return f"{match[3]}-{int(match[2]):02}-{int(match[1]):02}"
    return text


def parse_int(text: str, field: str, *, lo: int, hi: int, message: str | None = None) -> int:
    """A whole number from lo to hi in ASCII digits: not "+1", "1e3", "²", full-width digits
    or 5,000 digits (which int() takes, or fails on with a ValueError of its own)."""
    number = integer_text(text)
    if number is None or not lo <= number <= hi:
        raise ValidationFailed({field: message or f"{INTEGER_MESSAGE}, from {lo} to {hi}"})
    return number


def parse_id(text: str, field: str, message: str | None = None) -> int:
    """A record's id (1 to 2^31-1, what the id columns hold)."""
    return parse_int(text, field, lo=1, hi=MAX_ID, message=message)


def parse_optional_id(text: str, field: str, message: str | None = None) -> int | None:
    """An id, or None when the field was left empty."""
    return parse_id(text, field, message) if text.strip() else None


def parse_text(text: str, field: str) -> str:
    """Text as given, if a database can store it."""
    if problem := unstorable(text):
        raise ValidationFailed({field: problem})
    return text


def parse_day(text: str, field: str) -> date | None:
    """A date typed as 31/03/2027 or 2027-03-31 (None if empty), with a year from 1900 to 2999."""
    text = text.strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(iso_day(text))
    except ValueError:
        day = None
    if day is None or not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValidationFailed({field: f"{DAY_MESSAGE}, like 31/03/2027"})
    return day


def text_errors(fields: Iterable[tuple[str, str]]) -> dict[str, str]:
    """For each field whose text a database cannot store, what is wrong with it."""
    errors: dict[str, str] = {}
    for field, text in fields:
        if problem := unstorable(field) or unstorable(text):
            errors.setdefault(safe_name(field), problem)
    return errors


def safe_name(field: str) -> str:
    """A field's name as it can be shown back (never something that cannot be encoded)."""
    cleaned = "".join(c if c.isprintable() and not unstorable(c) else "?" for c in field)
    return cleaned[:100]


async def refuse_unstorable_params(request: Request) -> None:
    """Every route's query string and path, before anything reads them: a NUL (which
    PostgreSQL cannot store or compare) in a path is no such page; in a query, a 422."""
    if text_errors(request.path_params.items()):
        raise NotFound("There is no such page")
    if errors := text_errors(request.query_params.multi_items()):
        raise ValidationFailed(errors)
