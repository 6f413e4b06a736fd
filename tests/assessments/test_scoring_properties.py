"""Scoring properties for any rubric and answers, checked against an independent exact model.

The expected values here are worked out with fractions, not with the Decimal code under test,
and rounded half-up to one decimal place by hand.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

from hypothesis import assume, given, settings, strategies as st

from assessments.rubrics.answers import normalise_answer
from assessments.rubrics.schema import AnswerKind, Question, Rubric
from assessments.rubrics.scoring import WorkloadInput, compute_results
from tests.factories.scoring import CASES, SHIPPED, Answers, answers_for, section_scores

PROPERTY = settings(max_examples=100, deadline=None)


# --- an independent model of the documented scoring rules --------------------------------


def expected_impact(question: Question, value: str) -> int | None:
    """The impact an answer carries, read straight from the rubric's rules."""
    if question.kind is AnswerKind.TEXT or question.weight == 0:
        return None
    if question.kind is AnswerKind.CHOICE:
        return {o.value: o.impact for o in question.options}[value]
    if question.kind is AnswerKind.YES_NO:
        return question.yes_impact if value == "yes" else question.no_impact
    reached = [s for s in question.steps if Fraction(value) >= Fraction(s.at_least)]
    return max(reached, key=lambda s: s.at_least).impact if reached else None


def exact_score(
    rubric: Rubric, questions: list[Question], answers: Mapping[str, str]
) -> Fraction | None:
    """The weighted mean of the answered, scored questions on 0..100, before rounding."""
    low, high = rubric.impact_scale.min, rubric.impact_scale.max
    weighted = total = Fraction(0)
    for question in questions:
        if question.id not in answers:
            continue
        impact = expected_impact(question, answers[question.id])
        if impact is None:
            continue
        weight = Fraction(question.weight)
        weighted += weight * Fraction(impact - low, high - low)
        total += weight
    return weighted / total * 100 if total else None


def half_up(value: Fraction | None) -> Decimal | None:
    """Round a non-negative number half-up to one decimal place."""
    if value is None:
        return None
    assert value >= 0
    return Decimal(math.floor(value * 10 + Fraction(1, 2))).scaleb(-1)


def expected_band(rubric: Rubric, score: Decimal) -> str:
    band = rubric.rating_bands[0].id
    for candidate in rubric.rating_bands:
        if candidate.min <= score:
            band = candidate.id
    return band


def candidate_values(question: Question) -> list[str]:
    """A value for each distinct way of answering (for numbers: each step reachable)."""
    if question.kind is AnswerKind.CHOICE:
        return [o.value for o in question.options]
    if question.kind is AnswerKind.YES_NO:
        return ["yes", "no"]
    if question.kind is AnswerKind.NUMBER:
        low = question.min_value if question.min_value is not None else Decimal("-Infinity")
        high = question.max_value if question.max_value is not None else Decimal("Infinity")
        return [
            normalise_answer(question, str(s.at_least))
            for s in question.steps
            if low <= s.at_least <= high
        ]
    return []


# --- properties ---------------------------------------------------------------------------


@PROPERTY
@given(CASES)
def test_scores_are_the_weighted_mean_of_answered_questions_rounded_half_up(
    case: tuple[Rubric, Answers],
) -> None:
    rubric, answers = case
    results = compute_results(rubric, answers)
    for section, result in zip(rubric.sections, results.sections, strict=True):
        assert result.score == half_up(exact_score(rubric, section.questions, answers))
    assert results.overall_score == half_up(exact_score(rubric, list(rubric.questions()), answers))


@PROPERTY
@given(CASES)
def test_scores_lie_within_0_to_100_and_ratings_are_the_band_of_the_rounded_score(
    case: tuple[Rubric, Answers],
) -> None:
    rubric, answers = case
    results = compute_results(rubric, answers)
    for score, rating in [
        *((s.score, s.rating) for s in results.sections),
        (results.overall_score, results.rating),
    ]:
        if score is None:
            assert rating is None
            continue
        assert Decimal(0) <= score <= Decimal(100)
        assert score == score.quantize(Decimal("0.1"))
        assert rating in rubric.rating_bands
        assert rating is not None
        assert rating.id == expected_band(rubric, score)


@PROPERTY
@given(CASES, st.data())
def test_raising_one_answers_impact_never_lowers_its_section_or_the_overall_score(
    case: tuple[Rubric, Answers], data: st.DataObject
) -> None:
    rubric, answers = case
    raisable = [
        (section.id, question, lower, higher)
        for section in rubric.sections
        for question in section.questions
        for lower in candidate_values(question)
        for higher in candidate_values(question)
        if (low_impact := expected_impact(question, lower)) is not None
        and (high_impact := expected_impact(question, higher)) is not None
        and high_impact > low_impact
    ]
    assume(raisable)  # where every answer carries the same impact, nothing can be raised
    section_id, question, lower, higher = data.draw(st.sampled_from(raisable))

    before = compute_results(rubric, {**answers, question.id: lower})
    after = compute_results(rubric, {**answers, question.id: higher})

    assert before.overall_score is not None
    assert after.overall_score is not None
    assert after.overall_score >= before.overall_score
    before_section = section_scores(before)[section_id]
    after_section = section_scores(after)[section_id]
    assert before_section is not None
    assert after_section is not None
    assert after_section >= before_section
    assert after.rating is not None
    assert before.rating is not None
    assert after.rating.min >= before.rating.min


@PROPERTY
@given(CASES)
def test_flagged_answers_are_exactly_those_at_or_above_the_mitigation_threshold(
    case: tuple[Rubric, Answers],
) -> None:
    rubric, answers = case
    results = compute_results(rubric, answers)
    expected = [
        (section.id, question.id, answers[question.id], impact)
        for section in rubric.sections
        for question in section.questions
        if question.id in answers
        and (impact := expected_impact(question, answers[question.id])) is not None
        and impact >= rubric.mitigation_threshold
    ]
    flagged = [(f.section_id, f.question.id, f.value, f.impact) for f in results.flagged]
    assert flagged == expected


@PROPERTY
@given(CASES)
def test_only_unanswered_required_questions_are_missing(case: tuple[Rubric, Answers]) -> None:
    rubric, answers = case
    results = compute_results(rubric, answers)
    expected = tuple(q.id for q in rubric.questions() if q.required and q.id not in answers)
    assert results.missing_required == expected
    assert results.complete is (not expected)
    for section, result in zip(rubric.sections, results.sections, strict=True):
        assert result.answered == sum(1 for q in section.questions if q.id in answers)
        assert result.questions == len(section.questions)


@PROPERTY
@given(CASES)
def test_an_unanswered_optional_question_counts_as_if_it_were_not_in_the_rubric(
    case: tuple[Rubric, Answers],
) -> None:
    rubric, answers = case
    optional = {q.id for q in rubric.questions() if not q.required}
    answered = {qid: value for qid, value in answers.items() if qid not in optional}
    sections = [
        s.model_copy(update={"questions": [q for q in s.questions if q.required]})
        for s in rubric.sections
    ]
    without_optional = rubric.model_copy(update={"sections": sections})

    results = compute_results(rubric, answered)
    reference = compute_results(without_optional, answered)

    assert results.overall_score == reference.overall_score
    assert results.rating == reference.rating
    assert section_scores(results) == section_scores(reference)
    assert results.missing_required == reference.missing_required
    assert not optional & set(results.missing_required)


@PROPERTY
@given(CASES)
def test_answers_to_unscored_questions_change_no_score_rating_or_flag(
    case: tuple[Rubric, Answers],
) -> None:
    rubric, answers = case
    scored_only = {
        qid: value for qid, value in answers.items() if (q := rubric.question(qid)) and q.scored
    }
    results, reference = compute_results(rubric, answers), compute_results(rubric, scored_only)
    assert section_scores(results) == section_scores(reference)
    assert (results.overall_score, results.rating) == (reference.overall_score, reference.rating)
    assert results.flagged == reference.flagged


# (staff group, hours per term, staff affected) for the shipped rubric's groups
ESTIMATES = st.lists(
    st.tuples(
        st.sampled_from([g.id for g in SHIPPED.staff_groups]),
        st.decimals(min_value=-500, max_value=500, places=2),
        st.integers(0, 10_000),
    ),
    unique_by=lambda estimate: estimate[0],
)


@PROPERTY
@given(ESTIMATES)
def test_net_hours_per_year_are_hours_per_term_times_terms_times_staff(
    estimates: list[tuple[str, Decimal, int]],
) -> None:
    results = compute_results(
        SHIPPED, {}, [WorkloadInput(group, hours, count) for group, hours, count in estimates]
    )
    exact = sum((Fraction(hours) * 3 * count for _, hours, count in estimates), Fraction(0))
    net = results.net_hours_per_year
    assert net == net.quantize(Decimal("0.1"))
    assert abs(Fraction(net) - exact) <= Fraction(1, 20)
    if exact >= 0:
        assert net == half_up(exact)
    assert [line.staff_group for line in results.workload] == [
        g.id for g in SHIPPED.staff_groups if g.id in {e[0] for e in estimates}
    ]


def expected_floor_band(rubric: Rubric, estimates: list[tuple[str, Decimal, int]]) -> str | None:
    """The band of the highest floor that the most affected staff group's added hours per
    person per year (rounded half-up) reach, read straight from the rubric's rules."""
    added = [
        half_up(Fraction(hours) * rubric.workload.terms_per_year)
        for _, hours, count in estimates
        if count > 0 and hours > 0
    ]
    most = max((hours for hours in added if hours is not None), default=None)
    reached = [
        floor.at_least
        for floor in rubric.workload.rating_floors
        if most is not None and most >= floor.hours_per_person_per_year
    ]
    return reached[-1] if reached else None


@PROPERTY
@given(answers_for(SHIPPED), ESTIMATES, st.booleans())
def test_the_rating_is_the_higher_of_the_scores_band_and_the_floor_the_hours_reach(
    answers: Answers, estimates: list[tuple[str, Decimal, int]], mitigated: bool
) -> None:
    residual = {qid: 0 for qid in answers} if mitigated else None
    inputs = [WorkloadInput(group, hours, count) for group, hours, count in estimates]
    results = compute_results(SHIPPED, answers, inputs, residual)
    unfloored = compute_results(SHIPPED, answers, [], residual)
    order = [band.id for band in SHIPPED.rating_bands]
    floor_band = expected_floor_band(SHIPPED, estimates)

    assert results.overall_score == unfloored.overall_score
    assert results.rating_reason.score_band == unfloored.rating
    assert [s.rating for s in results.sections] == [s.rating for s in unfloored.sections]
    if unfloored.rating is None:
        assert results.rating is None
        return
    assert results.rating is not None
    rank = order.index(results.rating.id)
    assert rank >= order.index(unfloored.rating.id)  # never below the score's band
    if floor_band is not None:
        assert rank >= order.index(floor_band)  # never below the floor reached
    assert rank == max(order.index(unfloored.rating.id), order.index(floor_band or order[0]))
    assert results.rating_reason.rating == results.rating
