"""Screening: the few questions asked before the full assessment, and the rule, in the rubric
as data, that decides whether the full assessment is needed at all (a change of wording, say,
is screened out). Each is answered yes, no or "don't know"; each question names the answer
that calls for the full assessment, and "don't know" always does."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from pydantic import Field

from assessments.rubrics.fields import Identifier, Strict, Text


class ScreeningAnswer(StrEnum):
    YES = "yes"
    NO = "no"
    DONT_KNOW = "dont-know"


# As a page says each answer.
SCREENING_LABELS = {
    ScreeningAnswer.YES: "Yes",
    ScreeningAnswer.NO: "No",
    ScreeningAnswer.DONT_KNOW: "Don't know",
}


class ScreeningQuestion(Strict):
    id: Identifier
    text: Text
    guidance: Text
    # The answer that calls for the full assessment (the other one screens this question out).
    full_if: Literal["yes", "no"]


class Screening(Strict):
    """The screening page: its questions, in the order they are asked."""

    title: Text
    guidance: Text
    questions: list[ScreeningQuestion] = Field(min_length=1)


@dataclass(frozen=True)
class ScreeningOutcome:
    """What the answers decide: the full assessment, and which questions call for it (none
    when the change is screened out)."""

    full: bool
    because: tuple[str, ...]


def outcome(screening: Screening, answers: Mapping[str, str]) -> ScreeningOutcome | None:
    """The full assessment if any answer is its question's `full_if` or "don't know"; screened
    out only when every question is answered and none is. None while one is unanswered, or
    answered with something other than yes, no or "don't know"."""
    calling: list[str] = []
    for question in screening.questions:
        answer = answers.get(question.id)
        if answer not in tuple(ScreeningAnswer):
            return None
        if answer in (question.full_if, ScreeningAnswer.DONT_KNOW):
            calling.append(question.id)
    return ScreeningOutcome(full=bool(calling), because=tuple(calling))


def screened_out(
    screening: Screening | None, answers: Mapping[str, str], *, full_required: bool
) -> bool:
    """Whether a version needs no full assessment: its rubric screens, every screening
    question is answered and none calls for it, and no approver has asked for it since."""
    if screening is None or full_required:
        return False
    found = outcome(screening, answers)
    return found is not None and not found.full
