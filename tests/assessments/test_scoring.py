"""Scores, ratings, flags and workload totals, checked against an independent exact calculation.

The expected values here are worked out with fractions, not with the Decimal code under test,
and rounded half-up to one decimal place by hand.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from assessments.answers import normalise_answer
from assessments.rubric import AnswerKind, Question, Rubric
from assessments.rubric_files import parse_rubric
from assessments.scoring import Results, WorkloadInput, compute_results
from tests.factories import default_rubric

SHIPPED = default_rubric()
PROPERTY = settings(max_examples=100, deadline=None)
Answers = dict[str, str]


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


# --- strategies ---------------------------------------------------------------------------


def values_for(question: Question) -> st.SearchStrategy[str]:
    """Answers an author could store for a question (already in their stored form)."""
    if question.kind is AnswerKind.CHOICE:
        return st.sampled_from([o.value for o in question.options])
    if question.kind is AnswerKind.YES_NO:
        return st.sampled_from(["yes", "no"])
    if question.kind is AnswerKind.NUMBER:
        low = question.min_value if question.min_value is not None else Decimal(-50)
        high = question.max_value if question.max_value is not None else Decimal(50)
        at_steps = [s.at_least for s in question.steps if low <= s.at_least <= high]
        numbers = st.decimals(min_value=low, max_value=high, places=2)
        if at_steps:
            numbers = st.one_of(numbers, st.sampled_from(at_steps))
        return numbers.map(lambda n: normalise_answer(question, str(n)))
    return st.sampled_from(["Nothing stops.", "The weekly data drop stops."])


@st.composite
def answers_for(draw: st.DrawFn, rubric: Rubric) -> Answers:
    answers: Answers = {}
    for question in rubric.questions():
        if draw(st.integers(0, 3)):  # most questions answered, some left blank
            answers[question.id] = draw(values_for(question))
    return answers


@st.composite
def questions(draw: st.DrawFn, qid: str, low: int, high: int, scored: bool) -> dict[str, Any]:
    impacts = st.integers(low, high)
    kinds = ["choice"] if scored else ["choice", "yes_no", "number", "text"]
    kind = draw(st.sampled_from(kinds))
    weight = draw(st.sampled_from([0.5, 1, 1.5, 2, 3] if scored else [0, 0.5, 1, 1.5, 2, 3]))
    question: dict[str, Any] = {
        "id": qid,
        "text": "Question?",
        "guidance": "Guidance.",
        "charter_ref": "CLT charter §3 Manage workload",
        "kind": kind,
        "weight": weight,
        "required": draw(st.booleans()),
    }
    if kind == "choice":
        n = draw(st.integers(2, 4))
        question["options"] = [
            {"value": f"o{i}", "label": f"Option {i}", "impact": draw(impacts)} for i in range(n)
        ]
    elif kind == "yes_no":
        question["yes_impact"] = draw(impacts)
        question["no_impact"] = draw(impacts)
    elif kind == "number":
        bounds = sorted(draw(st.sets(st.integers(0, 20), min_size=0, max_size=3)))
        question.update(
            min_value=0,
            max_value=30,
            steps=[{"at_least": b, "impact": draw(impacts)} for b in bounds],
        )
    else:
        question["weight"] = 0
    return question


@st.composite
def small_rubrics(draw: st.DrawFn) -> Rubric:
    """Small hand-made rubrics: any impact scale, weights, bands, threshold and mix of kinds."""
    low = draw(st.integers(-3, 3))
    high = max(low + draw(st.integers(1, 6)), 1)  # the schema wants max > 0 as well
    band_mins = sorted(
        draw(st.sets(st.decimals(min_value="0.1", max_value=100, places=1), max_size=3))
    )
    counter = iter(range(1000))
    sections = []
    for s in range(draw(st.integers(1, 3))):
        count = draw(st.integers(1, 4))
        sections.append(
            {
                "id": f"s{s}",
                "title": f"Section {s}",
                "questions": [
                    draw(questions(f"q{next(counter)}", low, high, scored=(s == 0 and i == 0)))
                    for i in range(count)
                ],
            }
        )
    document = {
        "id": "generated",
        "version": 1,
        "title": "Generated rubric",
        "sources": [{"id": "src", "title": "A source"}],
        "impact_scale": {"min": low, "max": high},
        "mitigation_threshold": draw(st.integers(low, high)),
        "rating_bands": [
            {"id": f"band-{i}", "label": f"Band {i}", "min": str(m)}
            for i, m in enumerate([Decimal(0), *band_mins])
        ],
        "staff_groups": [{"id": "teachers", "label": "Teachers"}],
        "sections": sections,
        "workload": {"title": "Workload", "guidance": "Hours per term.", "terms_per_year": 3},
    }
    return parse_rubric(document, "generated.yaml")


def with_answers(rubrics: st.SearchStrategy[Rubric]) -> st.SearchStrategy[tuple[Rubric, Answers]]:
    return rubrics.flatmap(lambda r: st.tuples(st.just(r), answers_for(r)))


CASES = st.one_of(with_answers(st.just(SHIPPED)), with_answers(small_rubrics()))


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


def section_scores(results: Results) -> dict[str, Decimal | None]:
    return {s.section_id: s.score for s in results.sections}


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


@PROPERTY
@given(
    st.lists(
        st.tuples(
            st.sampled_from([g.id for g in SHIPPED.staff_groups]),
            st.decimals(min_value=-500, max_value=500, places=2),
            st.integers(0, 10_000),
        ),
        unique_by=lambda estimate: estimate[0],
    )
)
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


# --- worked examples ----------------------------------------------------------------------


def choice_rubric(
    weights_and_impacts: list[tuple[float, int]],
    *,
    bands: tuple[str, ...] = ("0", "50"),
    terms_per_year: int = 3,
) -> Rubric:
    """A one-section rubric on a 0–4 scale with one choice question per (weight, impact)."""
    questions = [
        {
            "id": f"q{i}",
            "text": "Question?",
            "guidance": "Guidance.",
            "charter_ref": "CLT charter §3 Manage workload",
            "kind": "choice",
            "weight": weight,
            "options": [
                {"value": "chosen", "label": "The answer given", "impact": impact},
                {"value": "other", "label": "Another answer", "impact": 4 - impact},
            ],
        }
        for i, (weight, impact) in enumerate(weights_and_impacts)
    ]
    return parse_rubric(
        {
            "id": "worked-example",
            "version": 1,
            "title": "Worked example",
            "sources": [{"id": "src", "title": "A source"}],
            "impact_scale": {"min": 0, "max": 4},
            "mitigation_threshold": 3,
            "rating_bands": [
                {"id": f"from-{m.replace('.', '-')}", "label": f"From {m}", "min": m} for m in bands
            ],
            "staff_groups": [
                {"id": "teachers", "label": "Teachers"},
                {"id": "teaching-assistants", "label": "Teaching assistants"},
            ],
            "sections": [{"id": "only", "title": "Only section", "questions": questions}],
            "workload": {
                "title": "Workload",
                "guidance": "Hours.",
                "terms_per_year": terms_per_year,
            },
        },
        "worked-example.yaml",
    )


def all_chosen(rubric: Rubric) -> Answers:
    return {q.id: "chosen" for q in rubric.questions()}


def test_the_worked_example_in_the_rubric_readme() -> None:
    # (2 * 4/4 + 1 * 1/4 + 1.5 * 0/4) / (2 + 1 + 1.5) * 100 = 2.25 / 4.5 * 100 = 50.0
    rubric = choice_rubric([(2, 4), (1, 1), (1.5, 0)])
    results = compute_results(
        rubric, all_chosen(rubric), [WorkloadInput("teachers", Decimal(2), 40)]
    )
    assert results.overall_score == Decimal("50.0")
    assert results.sections[0].score == Decimal("50.0")
    assert results.rating is not None
    assert results.rating.id == "from-50"
    assert [f.question.id for f in results.flagged] == ["q0"]
    assert results.net_hours_per_year == Decimal(240)


def test_a_score_ending_in_5_in_the_second_place_rounds_up() -> None:
    # 1 * 1/4 / (1 + 3) * 100 = 6.25 → 6.3 (half-even, or binary floats, would give 6.2)
    rubric = choice_rubric([(1, 1), (3, 0)])
    assert compute_results(rubric, all_chosen(rubric)).overall_score == Decimal("6.3")


def test_the_band_is_chosen_from_the_rounded_score() -> None:
    # (1 * 3/4 + 3 * 2/4) / 4 * 100 = 56.25 exactly, shown as 56.3: it is in the band from 56.3.
    rubric = choice_rubric([(1, 3), (3, 2)], bands=("0", "56.3"))
    results = compute_results(rubric, all_chosen(rubric))
    assert results.overall_score == Decimal("56.3")
    assert results.rating is not None
    assert results.rating.id == "from-56-3"


def test_recurring_decimals_round_to_the_nearest_tenth() -> None:
    thirds = choice_rubric([(1, 4), (1, 4), (1, 0)])  # 8/12 * 100 = 66.66…
    twelfths = choice_rubric([(1, 1), (1, 0), (1, 0)])  # 1/12 * 100 = 8.33…
    assert compute_results(thirds, all_chosen(thirds)).overall_score == Decimal("66.7")
    assert compute_results(twelfths, all_chosen(twelfths)).overall_score == Decimal("8.3")


def test_unanswered_questions_are_left_out_not_counted_as_zero() -> None:
    rubric = choice_rubric([(2, 4), (1, 1), (1.5, 0)])
    results = compute_results(rubric, {"q0": "chosen"})
    assert results.overall_score == Decimal("100.0")
    assert results.missing_required == ("q1", "q2")
    assert compute_results(rubric, {}).overall_score is None
    assert compute_results(rubric, {}).rating is None


def test_worked_example_on_the_shipped_workload_section() -> None:
    # data collections "1" → impact 2 (weight 2), marking "evidence-for-monitoring" → 4 (weight 2),
    # meetings "within-existing" → 1 (weight 1): (2 * 2/4 + 2 * 4/4 + 1 * 1/4) / 5 = 0.65 → 65.0
    answers = {
        "extra-data-collections-per-year": "1",
        "marking-expectations": "evidence-for-monitoring",
        "meetings": "within-existing",
    }
    results = compute_results(SHIPPED, answers)
    assert section_scores(results)["workload"] == Decimal("65.0")
    assert results.overall_score == Decimal("65.0")
    assert results.rating is not None
    assert results.rating.label == "High impact"
    assert [(f.question.id, f.impact) for f in results.flagged] == [("marking-expectations", 4)]
    assert section_scores(results)["about-the-change"] is None


def test_an_optional_question_left_blank_does_not_pull_the_section_down() -> None:
    # Culture and relationships: behaviour-culture is optional; the other three are answered
    # at their highest impact, so the section is 100 with or without it.
    answers = {
        "equality-impact": "adverse-unmitigated",
        "trust-and-monitoring": "linked-to-appraisal",
        "openness-of-decision": "closed",
    }
    results = compute_results(SHIPPED, answers)
    culture = next(s for s in results.sections if s.section_id == "culture-relationships")
    assert culture.score == Decimal("100.0")
    assert culture.missing_required == ()
    # Answered, the optional question counts: weight 1 at impact 0 against 1.5 + 1.5 + 1 at 4.
    answered = compute_results(SHIPPED, {**answers, "behaviour-culture": "strengthens-support"})
    culture = next(s for s in answered.sections if s.section_id == "culture-relationships")
    assert culture.score == Decimal("80.0")  # 4 / 5 * 100


def test_net_hours_per_year_with_hours_removed() -> None:
    # Teachers +2 h * 3 terms * 40 = +240; teaching assistants −1.5 h * 3 * 12 = −54.
    results = compute_results(
        SHIPPED,
        {},
        [
            WorkloadInput("teaching-assistants", Decimal("-1.5"), 12),
            WorkloadInput("teachers", Decimal(2), 40),
        ],
    )
    lines = [
        (line.staff_group, line.hours_per_person_per_year, line.net_hours_per_year)
        for line in results.workload
    ]
    assert lines == [
        ("teachers", Decimal(6), Decimal(240)),
        ("teaching-assistants", Decimal("-4.5"), Decimal(-54)),
    ]
    assert results.net_hours_per_year == Decimal(186)


def test_net_hours_use_the_rubrics_terms_per_year() -> None:
    rubric = choice_rubric([(1, 1)], terms_per_year=2)
    results = compute_results(rubric, {}, [WorkloadInput("teachers", Decimal("2.5"), 10)])
    assert results.net_hours_per_year == Decimal(50)  # 2.5 * 2 * 10


def test_net_hours_round_half_up_to_one_decimal_place() -> None:
    # 0.35 h * 3 terms * 3 staff = 3.15 → 3.2; per person 1.05 → 1.1
    results = compute_results(SHIPPED, {}, [WorkloadInput("teachers", Decimal("0.35"), 3)])
    assert results.workload[0].hours_per_person_per_year == Decimal("1.1")
    assert results.workload[0].net_hours_per_year == Decimal("3.2")
    assert results.net_hours_per_year == Decimal("3.2")
