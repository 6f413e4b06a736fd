"""The rubric schema: what a `rubrics/*.yaml` file may say (rubrics/files.py reads the files).

A rubric is data. Scoring reads its option impacts, question weights, rating bands,
mitigation threshold and rating floors; no score, band, threshold or floor lives in code.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from decimal import Decimal
from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from assessments.kernel.data_files import PlacedProblems, at, duplicate_ids
from assessments.rubrics.fields import Identifier, Strict, Text
from assessments.rubrics.screening import Screening, ScreeningQuestion


class AnswerKind(StrEnum):
    CHOICE = "choice"
    YES_NO = "yes_no"
    NUMBER = "number"
    TEXT = "text"


class Source(Strict):
    id: Identifier
    title: Text
    url: str | None = Field(default=None, pattern=r"^https?://\S+$")  # shown as a link


class ImpactScale(Strict):
    """The range every impact score in the rubric lies in (e.g. 0 = none … 4 = very high)."""

    min: int = 0
    max: int = Field(gt=0)
    # Each level in words, from min to max ("None" … "Very high"): what people choose from.
    # Left out of the content when empty, so a rubric published before it hashes unchanged.
    labels: list[Text] = Field(default=[], exclude_if=lambda labels: not labels)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.max <= self.min:
            raise ValueError("max must be greater than min")
        if self.labels and len(self.labels) != self.max - self.min + 1:
            raise ValueError(
                f"labels: give one for each level from {self.min} to {self.max} "
                f"({self.max - self.min + 1}), not {len(self.labels)}"
            )
        return self

    def label(self, level: int) -> str:
        """A level in words, or as its number where the rubric names none."""
        if self.labels and self.min <= level <= self.max:
            return self.labels[level - self.min]
        return str(level)


class RatingBand(Strict):
    """A rating that applies from `min` (a 0–100 score, inclusive) up to the next band."""

    id: Identifier
    label: Text
    min: Decimal = Field(ge=0, le=100)
    description: str = ""
    # Approving a version rated this after its planned actions needs a recorded reason. Left
    # out of the content when false, so a rubric published before it hashes unchanged.
    approval_needs_reason: bool = Field(default=False, exclude_if=lambda needed: not needed)
    # Submitting a version rated this (before its actions) without consulting staff needs a
    # written reason, which its approvers read. Left out of the content when false, as above.
    consultation_required: bool = Field(default=False, exclude_if=lambda needed: not needed)


class StaffGroup(Strict):
    id: Identifier
    label: Text
    description: str = ""


class Option(Strict):
    value: Identifier
    label: Text
    impact: int


class NumberStep(Strict):
    """A number answer of at least `at_least` scores `impact` (the highest step reached wins)."""

    at_least: Decimal
    impact: int


class Question(Strict):
    id: Identifier
    text: Text
    guidance: Text
    charter_ref: Text
    source: str = ""
    kind: AnswerKind
    weight: Decimal = Field(default=Decimal(1), ge=0, le=10)
    required: bool = True
    options: list[Option] = Field(default_factory=list)
    yes_impact: int | None = None
    no_impact: int | None = None
    unit: str = ""
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    steps: list[NumberStep] = Field(default_factory=list)

    @model_validator(mode="after")
    def _kind_fits(self) -> Self:
        kind = self.kind
        if kind is AnswerKind.CHOICE:
            if len(self.options) < 2:
                raise ValueError("a choice question needs at least two options")
            values = [o.value for o in self.options]
            if len(set(values)) != len(values):
                raise ValueError(f"duplicate option values: {_duplicates(values)}")
        elif self.options:
            raise ValueError(f"options are only for choice questions, not {kind.value}")
        if kind is AnswerKind.YES_NO and (self.yes_impact is None or self.no_impact is None):
            raise ValueError("a yes_no question needs yes_impact and no_impact")
        if kind is not AnswerKind.YES_NO and (
            self.yes_impact is not None or self.no_impact is not None
        ):
            raise ValueError("yes_impact and no_impact are only for yes_no questions")
        if kind is not AnswerKind.NUMBER and (
            self.steps or self.unit or self.min_value is not None or self.max_value is not None
        ):
            raise ValueError("unit, min_value, max_value and steps are only for number questions")
        if self.steps:
            bounds = [s.at_least for s in self.steps]
            if bounds != sorted(bounds) or len(set(bounds)) != len(bounds):
                raise ValueError("number steps must have strictly increasing at_least values")
        if (
            self.min_value is not None
            and self.max_value is not None
            and self.min_value > self.max_value
        ):
            raise ValueError("min_value must not exceed max_value")
        if kind is AnswerKind.TEXT and self.weight != 0:
            raise ValueError("a text question carries no score: set weight: 0")
        return self

    @property
    def scored(self) -> bool:
        """Whether an answer to this question contributes to the scores."""
        if self.weight == 0 or self.kind is AnswerKind.TEXT:
            return False
        return not (self.kind is AnswerKind.NUMBER and not self.steps)

    def label_for(self, value: str) -> str:
        """How a stored answer reads to a person."""
        if self.kind is AnswerKind.CHOICE:
            return next((o.label for o in self.options if o.value == value), value)
        if self.kind is AnswerKind.YES_NO:
            return value.capitalize()
        if self.kind is AnswerKind.NUMBER and self.unit:
            return f"{value} {self.unit}"
        return value

    def placed_impacts(self) -> list[tuple[str, int]]:
        """Every impact score an answer to this question can carry, with where it is set."""
        if self.kind is AnswerKind.CHOICE:
            return [
                (at("options", i, o.value) + ".impact", o.impact)
                for i, o in enumerate(self.options)
            ]
        if self.kind is AnswerKind.YES_NO:
            return [
                (f, i)
                for f, i in (("yes_impact", self.yes_impact), ("no_impact", self.no_impact))
                if i is not None
            ]
        return [(f"steps[{i}].impact", s.impact) for i, s in enumerate(self.steps)]


class Section(Strict):
    id: Identifier
    title: Text
    description: str = ""
    charter_ref: str = ""
    questions: list[Question] = Field(min_length=1)


class RatingFloor(Strict):
    """Once the most affected staff group's net hours per person per year reach
    `hours_per_person_per_year`, the rating is at least the band `at_least`."""

    hours_per_person_per_year: Decimal = Field(gt=0)
    at_least: Identifier


class WorkloadSection(Strict):
    """The page where authors estimate hours added or removed for each staff group."""

    title: Text
    guidance: Text
    terms_per_year: int = Field(default=3, ge=1, le=6)
    # Optional and, when empty, left out of the content: a rubric published before floors
    # existed loads, and hashes (so its assessments' submission hashes still match), unchanged.
    rating_floors: list[RatingFloor] = Field(default=[], exclude_if=lambda floors: not floors)


class Rubric(Strict):
    id: Identifier
    version: int = Field(ge=1)
    title: Text
    description: str = ""
    sources: list[Source] = Field(min_length=1)
    impact_scale: ImpactScale
    rating_bands: list[RatingBand] = Field(min_length=1)
    mitigation_threshold: int
    staff_groups: list[StaffGroup] = Field(min_length=1)
    sections: list[Section] = Field(min_length=1)
    workload: WorkloadSection
    # Asked before the full assessment, which it may find unneeded. Optional and, when absent,
    # left out of the content: a rubric published before screening hashes unchanged.
    screening: Screening | None = Field(default=None, exclude_if=lambda screening: not screening)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problems = [
            *self._band_problems(),
            *self._floor_problems(),
            *self._threshold_problems(),
            *self._duplicate_id_problems(),
            *self._question_problems(),
        ]
        if problems:
            raise PlacedProblems(problems)
        return self

    def _band_problems(self) -> Iterator[str]:
        bands = self.rating_bands
        if bands[0].min != 0:
            yield f"{at('rating_bands', 0, bands[0].id)}.min: the first band must start at 0"
        for index in range(1, len(bands)):
            if bands[index].min <= bands[index - 1].min:
                yield (
                    f"{at('rating_bands', index, bands[index].id)}.min: must be greater than "
                    f"the band before it ({bands[index - 1].min})"
                )

    def _floor_problems(self) -> Iterator[str]:
        order = {band.id: index for index, band in enumerate(self.rating_bands)}
        floors = self.workload.rating_floors
        for index, floor in enumerate(floors):
            place = f"workload.rating_floors[{index}]"
            before = floors[index - 1] if index else None
            if before and floor.hours_per_person_per_year <= before.hours_per_person_per_year:
                yield (
                    f"{place}.hours_per_person_per_year: must be greater than the floor before "
                    f"it ({before.hours_per_person_per_year})"
                )
            if floor.at_least not in order:
                yield (
                    f"{place}.at_least: {floor.at_least!r} is not one of the rubric's rating "
                    f"bands ({', '.join(order)})"
                )
            elif before and order[floor.at_least] < order.get(before.at_least, -1):
                yield (
                    f"{place}.at_least: {floor.at_least!r} is a lower band than the floor "
                    f"before it ({before.at_least!r}); more hours must never lower the floor"
                )

    def _threshold_problems(self) -> Iterator[str]:
        scale = self.impact_scale
        if not scale.min <= self.mitigation_threshold <= scale.max:
            yield (
                f"mitigation_threshold: {self.mitigation_threshold} is outside the impact "
                f"scale {scale.min}..{scale.max}"
            )

    def _duplicate_id_problems(self) -> Iterator[str]:
        def placed(field: str, ids: list[str]) -> list[tuple[str, str]]:
            return [(at(field, index, ident), ident) for index, ident in enumerate(ids)]

        # Screening's questions too: answers are kept by question id, one id one question.
        asked: list[tuple[str, Question | ScreeningQuestion]] = [
            *self._placed_screening(),
            *self._placed_questions(),
        ]
        lists = [
            ("rating band", placed("rating_bands", [b.id for b in self.rating_bands])),
            ("staff group", placed("staff_groups", [g.id for g in self.staff_groups])),
            ("section", placed("sections", [s.id for s in self.sections])),
            ("question", [(place, question.id) for place, question in asked]),
            ("source", placed("sources", [s.id for s in self.sources])),
        ]
        for kind, items in lists:
            yield from duplicate_ids(kind, items)

    def _question_problems(self) -> Iterator[str]:
        scale = self.impact_scale
        source_ids = {s.id for s in self.sources}
        for place, question in self._placed_questions():
            if question.source and question.source not in source_ids:
                yield (
                    f"{place}.source: {question.source!r} is not one of the rubric's sources "
                    f"({', '.join(sorted(source_ids))})"
                )
            for field, impact in question.placed_impacts():
                if not scale.min <= impact <= scale.max:
                    yield (
                        f"{place}.{field}: impact {impact} is outside the impact scale "
                        f"{scale.min}..{scale.max}"
                    )
        if not any(q.scored for q in self.questions()):
            yield "sections: the rubric has no scored question"

    def _placed_screening(self) -> Iterator[tuple[str, ScreeningQuestion]]:
        for index, asked in enumerate(self.screening.questions if self.screening else []):
            yield f"screening.{at('questions', index, asked.id)}", asked

    def _placed_questions(self) -> Iterator[tuple[str, Question]]:
        for s_index, section in enumerate(self.sections):
            for q_index, question in enumerate(section.questions):
                in_section = at("sections", s_index, section.id)
                yield f"{in_section}.{at('questions', q_index, question.id)}", question

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    def questions(self) -> Iterable[Question]:
        for section in self.sections:
            yield from section.questions

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions() if q.id == question_id), None)

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def screening_question(self, question_id: str) -> ScreeningQuestion | None:
        asked = self.screening.questions if self.screening else []
        return next((q for q in asked if q.id == question_id), None)

    def staff_group(self, group_id: str) -> StaffGroup | None:
        return next((g for g in self.staff_groups if g.id == group_id), None)

    def source(self, source_id: str) -> Source | None:
        return next((s for s in self.sources if s.id == source_id), None)

    def rating_band(self, band_id: str) -> RatingBand | None:
        return next((b for b in self.rating_bands if b.id == band_id), None)

    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON form: the same content always gives the same hash."""
        return hashlib.sha256(canonical_json(self).encode()).hexdigest()


def canonical_json(rubric: Rubric) -> str:
    return json.dumps(rubric.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))


def _duplicates(values: list[str]) -> str:
    return ", ".join(sorted(value for value, count in Counter(values).items() if count > 1))
