"""Shared by the scoring tests: the shipped rubric, Hypothesis strategies and a results reader."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from assessments.rubrics.answers import normalise_answer
from assessments.rubrics.files import parse_rubric
from assessments.rubrics.schema import AnswerKind, Question, Rubric
from assessments.rubrics.scoring import Results
from tests.factories.trusts import RUBRIC

SHIPPED = RUBRIC
Answers = dict[str, str]


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


def section_scores(results: Results) -> dict[str, Decimal | None]:
    return {s.section_id: s.score for s in results.sections}
