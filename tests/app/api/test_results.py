"""The JSON API's results: section and overall scores, ratings, mitigation and net workload."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

import pytest
from fastapi.testclient import TestClient

from assessments.rubrics.schema import AnswerKind, Question, Section
from tests.factories.api import get_results, put_answer, put_workload, section_result, start
from tests.factories.trusts import RUBRIC


def _impact_choices(question: Question) -> list[tuple[str, int]]:
    """Every (answer value, impact) a scored question offers, from the rubric data."""
    if question.kind is AnswerKind.CHOICE:
        return [(o.value, o.impact) for o in question.options]
    if question.kind is AnswerKind.YES_NO:
        assert question.yes_impact is not None and question.no_impact is not None
        return [("yes", question.yes_impact), ("no", question.no_impact)]
    assert question.kind is AnswerKind.NUMBER
    return [(str(step.at_least), step.impact) for step in question.steps]


def _highest(question: Question) -> tuple[str, int]:
    return max(_impact_choices(question), key=lambda choice: choice[1])


def _lowest(question: Question) -> tuple[str, int]:
    return min(_impact_choices(question), key=lambda choice: choice[1])


def _scored(questions: Iterable[Question]) -> list[Question]:
    return [q for q in questions if q.weight > 0 and q.kind is not AnswerKind.TEXT]


def _any_valid_answer(question: Question) -> str:
    if question.kind is AnswerKind.TEXT:
        return "Discussed with the staff affected."
    if question.kind is AnswerKind.NUMBER and not question.steps:
        return str(question.min_value or 0)
    return _lowest(question)[0]


def _expected_score(answered: Iterable[tuple[Question, int]]) -> Decimal:
    """The weighted mean of impacts on the rubric's scale, as 0–100 rounded half-up to 0.1."""
    pairs = list(answered)
    low = RUBRIC.impact_scale.min
    span = RUBRIC.impact_scale.max - low
    weighted = sum((q.weight * (impact - low) for q, impact in pairs), Decimal(0))
    total = sum((q.weight for q, _ in pairs), Decimal(0))
    return (weighted * 100 / (total * span)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _expected_rating(score: Decimal) -> str:
    return [band.id for band in RUBRIC.rating_bands if score >= band.min][-1]


def _section_with_weights_that_differ() -> Section:
    return next(s for s in RUBRIC.sections if len({q.weight for q in _scored(s.questions)}) > 1)


# --- results ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("rubric_published")
class TestResults:
    def test_a_new_draft_has_no_scores_and_every_required_question_missing(
        self, client: TestClient
    ) -> None:
        version = start(client)

        results = get_results(client, version["id"])

        required = [q.id for q in RUBRIC.questions() if q.required]
        assert results["version_id"] == version["id"]
        assert results["rubric"] == RUBRIC.key
        assert results["overall_score"] is None
        assert results["rating"] is None
        assert results["mitigation_threshold"] == RUBRIC.mitigation_threshold
        assert results["missing_required"] == required
        assert results["complete"] is False
        assert results["needs_mitigation"] == []
        assert results["workload"] == []
        assert Decimal(results["net_hours_per_year"]) == 0
        assert [s["section_id"] for s in results["sections"]] == [s.id for s in RUBRIC.sections]
        for section, shown in zip(RUBRIC.sections, results["sections"], strict=True):
            assert shown["title"] == section.title
            assert (shown["score"], shown["rating"], shown["answered"]) == (None, None, 0)
            assert shown["questions"] == len(section.questions)
            assert shown["missing_required"] == [q.id for q in section.questions if q.required]

    def test_the_highest_impact_answers_score_a_section_100_and_are_flagged(
        self, client: TestClient
    ) -> None:
        version = start(client)
        # A section in which every scored question offers an answer at the top of the scale.
        section = next(
            s
            for s in RUBRIC.sections
            if all(_highest(q)[1] == RUBRIC.impact_scale.max for q in _scored(s.questions))
        )
        scored = _scored(section.questions)
        for question in scored:
            response = put_answer(client, version["id"], question.id, value=_highest(question)[0])
            assert response.status_code == 200, response.text

        results = get_results(client, version["id"])

        shown = section_result(results, section.id)
        assert Decimal(shown["score"]) == Decimal("100.0")
        assert shown["rating"] == RUBRIC.rating_bands[-1].id
        assert shown["answered"] == len(scored)
        # Only this section is answered, so the overall score is the same.
        assert Decimal(results["overall_score"]) == Decimal("100.0")
        assert results["rating"] == RUBRIC.rating_bands[-1].id
        flagged = [q for q in scored if _highest(q)[1] >= RUBRIC.mitigation_threshold]
        assert flagged
        assert results["needs_mitigation"] == [
            {
                "section_id": section.id,
                "question_id": q.id,
                "question": q.text,
                "value": _highest(q)[0],
                "impact": _highest(q)[1],
            }
            for q in flagged
        ]
        for other in results["sections"]:
            if other["section_id"] != section.id:
                assert other["score"] is None

    def test_the_lowest_impact_answers_score_zero_and_flag_nothing(
        self, client: TestClient
    ) -> None:
        version = start(client)
        section = RUBRIC.sections[0]
        for question in _scored(section.questions):
            put_answer(client, version["id"], question.id, value=_lowest(question)[0])

        results = get_results(client, version["id"])

        assert Decimal(section_result(results, section.id)["score"]) == 0
        assert section_result(results, section.id)["rating"] == RUBRIC.rating_bands[0].id
        assert results["needs_mitigation"] == []

    def test_section_and_overall_scores_are_weighted_means_of_the_rubric_impacts(
        self, client: TestClient
    ) -> None:
        version = start(client)
        section = _section_with_weights_that_differ()
        heavy = max(_scored(section.questions), key=lambda q: q.weight)
        light = min(_scored(section.questions), key=lambda q: q.weight)
        other = next(s for s in RUBRIC.sections if s is not section)
        elsewhere = _scored(other.questions)[0]
        answers = [
            (heavy, _highest(heavy)),
            (light, _lowest(light)),
            (elsewhere, _highest(elsewhere)),
        ]
        for question, (value, _) in answers:
            put_answer(client, version["id"], question.id, value=value)

        results = get_results(client, version["id"])

        section_score = _expected_score([(heavy, _highest(heavy)[1]), (light, _lowest(light)[1])])
        # The weights differ, so the weighted mean is not the plain mean of the two impacts.
        assert section_score != _expected_score(
            [
                (heavy.model_copy(update={"weight": 1}), _highest(heavy)[1]),
                (light.model_copy(update={"weight": 1}), _lowest(light)[1]),
            ]
        )
        shown = section_result(results, section.id)
        assert Decimal(shown["score"]) == section_score
        assert shown["rating"] == _expected_rating(section_score)
        assert shown["answered"] == 2
        overall = _expected_score([(q, impact) for q, (_, impact) in answers])
        assert Decimal(results["overall_score"]) == overall
        assert results["rating"] == _expected_rating(overall)

    def test_unscored_answers_count_as_answered_but_not_towards_the_score(
        self, client: TestClient
    ) -> None:
        version = start(client)
        section = next(
            s for s in RUBRIC.sections if any(q.kind is AnswerKind.TEXT for q in s.questions)
        )
        text = next(q for q in section.questions if q.kind is AnswerKind.TEXT)
        put_answer(client, version["id"], text.id, value="Nothing stops.")

        shown = section_result(get_results(client, version["id"]), section.id)

        assert shown["answered"] == 1
        assert shown["score"] is None
        assert text.id not in shown["missing_required"]

    def test_answering_every_required_question_completes_the_assessment(
        self, client: TestClient
    ) -> None:
        version = start(client)
        required = [q for q in RUBRIC.questions() if q.required]
        for question in required[:-1]:
            response = put_answer(
                client, version["id"], question.id, value=_any_valid_answer(question)
            )
            assert response.status_code == 200, response.text

        nearly = get_results(client, version["id"])
        put_answer(client, version["id"], required[-1].id, value=_any_valid_answer(required[-1]))
        done = get_results(client, version["id"])

        assert nearly["missing_required"] == [required[-1].id]
        assert nearly["complete"] is False
        assert done["missing_required"] == []
        assert done["complete"] is True
        assert all(s["missing_required"] == [] for s in done["sections"])

    def test_workload_lines_and_net_hours_per_year(self, client: TestClient) -> None:
        version = start(client)
        terms = RUBRIC.workload.terms_per_year
        first, last = RUBRIC.staff_groups[0], RUBRIC.staff_groups[-1]
        # Saved out of rubric order; the results list them in the rubric's order.
        put_workload(client, version["id"], last.id, hours_per_term="-1.25", staff_count=10)
        put_workload(client, version["id"], first.id, hours_per_term="2.5", staff_count=40)

        results = get_results(client, version["id"])

        lines = results["workload"]
        assert [line["staff_group"] for line in lines] == [first.id, last.id]
        assert [line["label"] for line in lines] == [first.label, last.label]
        added, removed = lines
        assert Decimal(added["hours_per_term"]) == Decimal("2.5")
        assert added["staff_count"] == 40
        assert Decimal(added["hours_per_person_per_year"]) == Decimal("2.5") * terms
        assert Decimal(added["net_hours_per_year"]) == Decimal("2.5") * terms * 40
        assert Decimal(removed["hours_per_person_per_year"]) == (
            (Decimal("-1.25") * terms).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        )
        assert Decimal(removed["net_hours_per_year"]) == Decimal("-1.25") * terms * 10
        assert Decimal(results["net_hours_per_year"]) == (
            Decimal("2.5") * terms * 40 + Decimal("-1.25") * terms * 10
        )

    def test_the_total_is_rounded_once_from_the_exact_hours(self, client: TestClient) -> None:
        version = start(client)
        terms = RUBRIC.workload.terms_per_year
        first, second = RUBRIC.staff_groups[0], RUBRIC.staff_groups[1]
        for group in (first, second):
            put_workload(client, version["id"], group.id, hours_per_term="0.35", staff_count=1)

        results = get_results(client, version["id"])

        one_line = (Decimal("0.35") * terms).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        total = (Decimal("0.35") * terms * 2).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        assert [Decimal(line["net_hours_per_year"]) for line in results["workload"]] == [
            one_line,
            one_line,
        ]
        assert Decimal(results["net_hours_per_year"]) == total
