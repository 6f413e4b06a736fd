"""Worked examples of scoring, pinning half-up rounding, rating bands and workload hours."""

from __future__ import annotations

from decimal import Decimal

from assessments.rubrics.files import parse_rubric
from assessments.rubrics.schema import Rubric
from assessments.rubrics.scoring import WorkloadInput, compute_results
from tests.factories.scoring import SHIPPED, Answers, section_scores


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
