"""Scores, ratings and workload totals: pure functions of a rubric, its answers and estimates.

How scores are computed (also documented in rubrics/README.md):
- a question's impact is placed on 0..1 across the rubric's impact scale;
- a section's score is the weighted mean of its answered, scored questions, times 100;
  unanswered questions are left out rather than counted as zero;
- the overall score is the same weighted mean over every answered, scored question;
- scores are computed exactly (Decimal) and rounded half-up to one decimal place once, at the
  end; the band of the score is chosen from the rounded score so that what is shown agrees
  with it;
- the overall rating is that band raised, if need be, to the rubric's rating floor for the
  most affected staff group (the one whose net hours per person per year, rounded, are the
  largest; the first in the rubric's order on a tie): the highest floor whose hours that
  figure reaches. Only hours that add workload raise it, so a net reduction never lowers a
  rating; the rating after mitigation is floored the same way (actions change impacts, not
  the estimates), and section ratings are not floored (the hours are the whole policy's).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from assessments.rubrics.answers import impact_of
from assessments.rubrics.schema import Question, RatingBand, RatingFloor, Rubric

ONE_PLACE = Decimal("0.1")


HUNDRED = Decimal(100)


@dataclass(frozen=True)
class FlaggedAnswer:
    """An answer at or above the mitigation threshold: it needs a mitigating action."""

    section_id: str
    question: Question
    value: str
    impact: int


@dataclass(frozen=True)
class SectionResult:
    section_id: str
    title: str
    score: Decimal | None
    rating: RatingBand | None
    answered: int
    questions: int
    missing_required: tuple[str, ...]


@dataclass(frozen=True)
class WorkloadInput:
    staff_group: str
    hours_per_term: Decimal
    staff_count: int


@dataclass(frozen=True)
class WorkloadLine:
    staff_group: str
    label: str
    hours_per_term: Decimal
    staff_count: int
    hours_per_person_per_year: Decimal
    net_hours_per_year: Decimal


@dataclass(frozen=True)
class AppliedFloor:
    """The rating floor the most affected staff group's hours reached."""

    staff_group: str
    label: str
    hours_per_person_per_year: Decimal
    floor_hours: Decimal  # the floor's figure, which the group's hours reach
    band: RatingBand  # the band the floor raises the rating to at least


@dataclass(frozen=True)
class RatingReason:
    """Why the overall rating is what it is: the band of the score alone, the floor the hours
    reached (if any; it may not change the band), and the band that results."""

    score_band: RatingBand | None
    floor: AppliedFloor | None
    rating: RatingBand | None

    @property
    def raised(self) -> bool:
        """Whether the workload hours, not the score, set the rating."""
        return self.rating != self.score_band


@dataclass(frozen=True)
class Results:
    sections: tuple[SectionResult, ...]
    overall_score: Decimal | None
    rating: RatingBand | None  # the band of the score, raised to the rating floor if need be
    rating_reason: RatingReason
    flagged: tuple[FlaggedAnswer, ...]
    workload: tuple[WorkloadLine, ...]
    net_hours_per_year: Decimal

    @property
    def missing_required(self) -> tuple[str, ...]:
        return tuple(q for s in self.sections for q in s.missing_required)

    @property
    def complete(self) -> bool:
        return not self.missing_required


# A school year's teaching weeks (195 days): how hours a week become hours a term.
SCHOOL_WEEKS_PER_YEAR = 39
HUNDREDTH = Decimal("0.01")


def hours_per_term(hours: Decimal, per: str, terms_per_year: int) -> Decimal:
    """Hours counted per week, term or year, as hours per term (to the hundredth, half up)."""
    over: dict[str, Decimal] = {
        "week": Decimal(SCHOOL_WEEKS_PER_YEAR) / terms_per_year,
        "term": Decimal(1),
        "year": Decimal(1) / terms_per_year,
    }
    return (hours * over[per]).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def round_one_place(value: Decimal) -> Decimal:
    return value.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def rating_for(rubric: Rubric, score: Decimal | None) -> RatingBand | None:
    """The last band whose lower bound the (rounded) score reaches."""
    if score is None:
        return None
    return [band for band in rubric.rating_bands if score >= band.min][-1]


def rating_floor(rubric: Rubric, lines: Sequence[WorkloadLine]) -> AppliedFloor | None:
    """The highest floor that the most affected staff group's hours per person per year reach;
    None if no floor is reached (or no group has workload added)."""
    affected = [line for line in lines if line.staff_count > 0]
    if not affected:
        return None
    most = max(affected, key=lambda line: line.hours_per_person_per_year)  # first on a tie
    reached: list[RatingFloor] = [
        floor
        for floor in rubric.workload.rating_floors
        if most.hours_per_person_per_year >= floor.hours_per_person_per_year
    ]
    if not reached:  # floors are above 0 hours, so a net reduction reaches none
        return None
    floor = reached[-1]
    band = rubric.rating_band(floor.at_least)
    assert band is not None  # the schema checks that every floor names a band
    return AppliedFloor(
        staff_group=most.staff_group,
        label=most.label,
        hours_per_person_per_year=most.hours_per_person_per_year,
        floor_hours=floor.hours_per_person_per_year,
        band=band,
    )


def floored_rating(
    rubric: Rubric, score_band: RatingBand | None, floor: AppliedFloor | None
) -> RatingBand | None:
    """The higher of the score's band and the floor's band. With no score there is no rating:
    the floor raises a rating, it does not make one up."""
    if score_band is None or floor is None:
        return score_band
    order = [band.id for band in rubric.rating_bands]
    return max(score_band, floor.band, key=lambda band: order.index(band.id))


def _weighted_score(rubric: Rubric, scored: Sequence[tuple[Question, int]]) -> Decimal | None:
    total_weight = sum((q.weight for q, _ in scored), Decimal(0))
    if not total_weight:
        return None
    low, span = rubric.impact_scale.min, rubric.impact_scale.max - rubric.impact_scale.min
    weighted = sum((q.weight * (impact - low) for q, impact in scored), Decimal(0))
    return round_one_place(weighted / (total_weight * span) * HUNDRED)


def workload_lines(rubric: Rubric, estimates: Sequence[WorkloadInput]) -> tuple[WorkloadLine, ...]:
    """Net hours per year for each staff group, in the rubric's order of staff groups."""
    by_group = {e.staff_group: e for e in estimates}
    terms = rubric.workload.terms_per_year
    lines = []
    for group in rubric.staff_groups:
        estimate = by_group.get(group.id)
        if estimate is None:
            continue
        per_person = estimate.hours_per_term * terms
        lines.append(
            WorkloadLine(
                staff_group=group.id,
                label=group.label,
                hours_per_term=estimate.hours_per_term,
                staff_count=estimate.staff_count,
                hours_per_person_per_year=round_one_place(per_person),
                net_hours_per_year=round_one_place(per_person * estimate.staff_count),
            )
        )
    return tuple(lines)


def compute_results(
    rubric: Rubric,
    answers: Mapping[str, str],
    estimates: Sequence[WorkloadInput] = (),
    residual: Mapping[str, int] | None = None,
) -> Results:
    """Score a set of answers (question id → stored value) against the rubric. With
    `residual` (question id → the impact expected once its mitigating actions are done), a
    question scores the lower of its answer's impact and that: the rating after mitigation."""
    residual = residual or {}
    sections: list[SectionResult] = []
    all_scored: list[tuple[Question, int]] = []
    flagged: list[FlaggedAnswer] = []
    for section in rubric.sections:
        scored: list[tuple[Question, int]] = []
        for question in section.questions:
            value = answers.get(question.id)
            impact = impact_of(question, value) if value is not None else None
            if impact is None:
                continue
            impact = min(impact, residual.get(question.id, impact))
            scored.append((question, impact))
            if impact >= rubric.mitigation_threshold:
                flagged.append(FlaggedAnswer(section.id, question, value or "", impact))
        all_scored.extend(scored)
        score = _weighted_score(rubric, scored)
        sections.append(
            SectionResult(
                section_id=section.id,
                title=section.title,
                score=score,
                rating=rating_for(rubric, score),
                answered=sum(1 for q in section.questions if q.id in answers),
                questions=len(section.questions),
                missing_required=tuple(
                    q.id for q in section.questions if q.required and q.id not in answers
                ),
            )
        )
    overall = _weighted_score(rubric, all_scored)
    lines = workload_lines(rubric, estimates)
    score_band = rating_for(rubric, overall)
    floor = rating_floor(rubric, lines)
    rating = floored_rating(rubric, score_band, floor)
    return Results(
        sections=tuple(sections),
        overall_score=overall,
        rating=rating,
        rating_reason=RatingReason(score_band=score_band, floor=floor, rating=rating),
        flagged=tuple(flagged),
        workload=lines,
        net_hours_per_year=round_one_place(
            sum(
                (
                    line.hours_per_term * rubric.workload.terms_per_year * line.staff_count
                    for line in lines
                ),
                Decimal(0),
            )
        ),
    )
