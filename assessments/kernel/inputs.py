"""Input and output shapes of the use-cases, shared by the HTML pages, the JSON API and the CLI."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

# Every id, revision and count column is a 32-bit INTEGER on PostgreSQL (SQLite holds more):
# a bigger number can be neither stored nor looked up, so it is refused where it comes in.
MAX_INT = 2**31 - 1


MAX_ID = MAX_INT


# Years a date may have: within what both databases store, with room for the day after (the
# register's filter runs "to" the end of its last day).
MIN_YEAR, MAX_YEAR = 1900, 2999


# Digits 0-9 only: int() and Decimal() also read "²"-like and full-width digits, underscores
# and exponents, and refuse more than 4,300 digits with a ValueError of their own.
_INTEGER = re.compile(r"-?[0-9]{1,10}")


_DECIMAL = re.compile(r"-?[0-9]{1,10}(\.[0-9]{1,10})?")


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


NUL_MESSAGE = "Remove the NUL character (\\0): it cannot be stored"


SURROGATE_MESSAGE = "Remove the invalid Unicode (a lone surrogate): it cannot be stored"


INTEGER_MESSAGE = "Enter a whole number, in the digits 0 to 9"


DAY_MESSAGE = f"Enter a real date from {MIN_YEAR} to {MAX_YEAR}"


def unstorable(text: str) -> str | None:
    """Why a database cannot store the text (a NUL, or half a UTF-16 pair), or None."""
    match = _UNSTORABLE.search(text)
    if match is None:
        return None
    return NUL_MESSAGE if match[0] == "\x00" else SURROGATE_MESSAGE


def storable(value: object) -> object:
    """A field's value (text, or a list of texts) if a database can store it, else the error."""
    for text in value if isinstance(value, list) else [value]:
        if isinstance(text, str) and (problem := unstorable(text)):
            raise ValueError(problem)
    return value


# 1,200 and 12,500.5: commas between groups of three digits, as people write thousands.
_THOUSANDS = re.compile(r"-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?")


def as_typed_number(text: str) -> str:
    """A number as people type it, in the digits the parsers read: spaces around dropped, a
    real minus sign (−, U+2212) as "-", and the commas of thousands taken out."""
    text = text.strip().replace("\u2212", "-")
    return text.replace(",", "") if _THOUSANDS.fullmatch(text) else text


def integer_text(text: str) -> int | None:
    """A whole number written in ASCII digits (spaces around, a real minus sign and the commas
    of thousands allowed), or None."""
    text = as_typed_number(text)
    return int(text) if _INTEGER.fullmatch(text) else None


def ascii_integer(value: object) -> object:
    """A string must be ASCII digits to be read as a whole number (pydantic takes "1_000")."""
    if isinstance(value, str):
        number = integer_text(value)
        if number is None:
            raise ValueError(INTEGER_MESSAGE)
        return number
    return value


def _decimal(value: object) -> object:
    if isinstance(value, str):
        value = as_typed_number(value)
        if not _DECIMAL.fullmatch(value):
            raise ValueError("Enter a number, in the digits 0 to 9 with an optional decimal point")
    return value


def day_in_range(day: date) -> date:
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValueError(DAY_MESSAGE)
    return day


# The shapes a field of an input model may take: each bounded to what its column holds.
WholeNumber = Annotated[int, BeforeValidator(ascii_integer), Field(ge=-MAX_INT - 1, le=MAX_INT)]


IdNumber = Annotated[int, BeforeValidator(ascii_integer), Field(ge=1, le=MAX_ID)]


Revision = Annotated[int, BeforeValidator(ascii_integer), Field(ge=0, le=MAX_INT)]


Number = Annotated[Decimal, BeforeValidator(_decimal)]


Day = Annotated[date, AfterValidator(day_in_range)]


class Input(BaseModel):
    """The base of every input model: no unknown fields, and no text a database cannot store
    in any field (pydantic itself refuses lone surrogates; a NUL it lets through)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    _storable = field_validator("*", mode="after")(storable)
