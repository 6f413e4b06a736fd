"""What an answer to a rubric question may be, and the impact score it carries. Pure functions."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from assessments.rubrics.schema import AnswerKind, Question
from assessments.rubrics.screening import ScreeningAnswer

MAX_ANSWER_LENGTH = 5000


YES, NO = "yes", "no"


def normalise_answer(question: Question, raw: str) -> str:
    """Return the stored form of an answer, or raise ValueError saying what is wrong with it."""
    value = raw.strip()
    if not value:
        raise ValueError("Enter an answer")
    if len(value) > MAX_ANSWER_LENGTH:
        raise ValueError(f"Answer must be {MAX_ANSWER_LENGTH} characters or fewer")
    match question.kind:
        case AnswerKind.CHOICE:
            if value not in {o.value for o in question.options}:
                raise ValueError("Select one of the options")
            return value
        case AnswerKind.YES_NO:
            if value.lower() not in {YES, NO}:
                raise ValueError("Select yes or no")
            return value.lower()
        case AnswerKind.NUMBER:
            return _normalise_number(question, value)
        case AnswerKind.TEXT:
            return value


def normalise_screening_answer(raw: str) -> str:
    """The stored form of a screening answer (yes, no or "dont-know"), or ValueError."""
    value = raw.strip().lower()
    if value not in tuple(ScreeningAnswer):
        raise ValueError("Select yes, no or don't know")
    return value


# Commas only as thousands separators ("1,200"): "1,5" is a decimal comma, and reading it as
# 15 would silently store ten times what was meant.
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def _normalise_number(question: Question, value: str) -> str:
    if "," in value and not _THOUSANDS.match(value):
        raise ValueError("Enter a number, like 3 or 1.5 (use a full stop for decimals)")
    try:
        number = Decimal(value.replace(",", ""))
    except InvalidOperation:
        raise ValueError("Enter a number, like 3 or 1.5") from None
    if not number.is_finite():
        raise ValueError("Enter a number, like 3 or 1.5")
    if number.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValueError("Enter a number with no more than 2 decimal places")
    if question.min_value is not None and number < question.min_value:
        raise ValueError(f"Enter a number of {question.min_value} or more")
    if question.max_value is not None and number > question.max_value:
        raise ValueError(f"Enter a number of {question.max_value} or less")
    return format(number.normalize() + 0, "f")  # + 0 turns -0 into 0


def impact_of(question: Question, value: str) -> int | None:
    """The impact score of a stored answer, or None where the answer carries no score."""
    if not question.scored:
        return None
    match question.kind:
        case AnswerKind.CHOICE:
            return next(o.impact for o in question.options if o.value == value)
        case AnswerKind.YES_NO:
            return question.yes_impact if value == YES else question.no_impact
        case AnswerKind.NUMBER:
            number = Decimal(value)
            reached = [s.impact for s in question.steps if number >= s.at_least]
            return reached[-1] if reached else None
        case _:
            return None
