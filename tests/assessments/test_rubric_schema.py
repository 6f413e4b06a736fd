"""The rubric schema: the shipped rubric is valid, its content hash, and one case per error."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from app.settings import PROJECT_ROOT
from assessments.rubrics.files import load_rubric, load_rubric_dir
from assessments.rubrics.schema import AnswerKind
from tests.factories.rubrics import SHIPPED, Document, error_lines, find_question, write_yaml
from tests.factories.trusts import default_rubric

Expected = tuple[str, str]  # (the place inside the document, the problem)

RUBRIC = default_rubric()

# The six core areas of the Collaborative Learning Trust's staff well-being charter.
CLT_AREAS = {
    1: "Staff training and professional development",
    2: "Flexible working and a healthy work–life balance",
    3: "Manage workload",
    4: "Gather and respond to staff feedback",
    5: "Positive school culture and relationships",
    6: "Access to mental and physical health support",
}


class TestShippedRubric:
    def test_loads_and_validates(self) -> None:
        rubric = RUBRIC
        assert rubric.key == "staff-wellbeing-impact@4"
        assert rubric.impact_scale.min == 0
        assert rubric.impact_scale.max == 4
        assert rubric.mitigation_threshold == 3
        assert rubric.rating_bands[0].min == 0

    def test_the_folder_of_shipped_rubrics_loads_as_start_up_loads_it(self) -> None:
        keys = [rubric.key for rubric in load_rubric_dir(PROJECT_ROOT / "rubrics")]
        assert "staff-wellbeing-impact@4" in keys

    @pytest.mark.parametrize(("number", "area"), CLT_AREAS.items())
    def test_has_a_section_for_each_of_the_clt_charters_six_areas(
        self, number: int, area: str
    ) -> None:
        citing = [s.id for s in RUBRIC.sections if f"CLT charter §{number} {area}" in s.charter_ref]
        assert citing, f"no section puts CLT charter §{number} ({area}) into practice"

    def test_the_six_areas_are_covered_by_six_different_sections(self) -> None:
        leading_area = {
            s.id: s.charter_ref.split(";")[0]
            for s in RUBRIC.sections
            if s.charter_ref.startswith("CLT charter §")
        }
        areas = set(leading_area.values())
        assert all(any(ref.startswith(f"CLT charter §{n}") for ref in areas) for n in CLT_AREAS)

    def test_has_a_workload_section_and_a_workload_estimate_page(self) -> None:
        rubric = RUBRIC
        workload = rubric.section("workload")
        assert workload is not None
        assert any(q.scored for q in workload.questions)
        assert rubric.workload.terms_per_year == 3
        assert "hours" in rubric.workload.guidance

    def test_staff_groups_include_teachers_assistants_support_staff_and_leaders(self) -> None:
        groups = {g.id: g.label for g in RUBRIC.staff_groups}
        assert {"teachers", "teaching-assistants", "support-staff"} <= groups.keys()
        assert any("leader" in group for group in groups), groups

    def test_every_question_has_guidance_a_charter_reference_and_a_known_source(self) -> None:
        rubric = RUBRIC
        source_ids = {s.id for s in rubric.sources}
        for question in rubric.questions():
            assert question.guidance.strip(), question.id
            assert question.charter_ref.strip(), question.id
            assert question.source in source_ids, question.id

    def test_text_questions_are_unscored_and_every_section_has_a_scored_question(self) -> None:
        rubric = RUBRIC
        for question in rubric.questions():
            if question.kind is AnswerKind.TEXT:
                assert not question.scored, question.id
        for section in rubric.sections:
            assert any(q.scored for q in section.questions), section.id

    def test_the_example_in_the_rubric_readme_is_a_valid_rubric(self, tmp_path: Path) -> None:
        readme = (PROJECT_ROOT / "rubrics" / "README.md").read_text(encoding="utf-8")
        example = re.search(r"```yaml\n(.*?)```", readme, re.DOTALL)
        assert example is not None
        path = tmp_path / "example-rubric.yaml"
        path.write_text(example.group(1), encoding="utf-8")
        rubric = load_rubric(path)
        assert rubric.key == "example-rubric@1"
        assert [q.scored for q in rubric.questions()] == [True, True, False]


class TestContentHash:
    def test_the_same_content_gives_the_same_hash_whatever_the_formatting(
        self, tmp_path: Path
    ) -> None:
        # Re-dumping drops the comments, sorts the keys and re-wraps the folded paragraphs.
        rewritten = load_rubric(write_yaml(tmp_path, SHIPPED, "rewritten.yaml"))
        assert rewritten.content_hash() == RUBRIC.content_hash()
        assert default_rubric().content_hash() == RUBRIC.content_hash()  # loaded twice

    def test_a_one_character_change_gives_a_different_hash(self, tmp_path: Path) -> None:
        document = copy.deepcopy(SHIPPED)
        _, question = find_question(document, "meetings")
        question["guidance"] = question["guidance"].replace(".", "!", 1)
        changed = load_rubric(write_yaml(tmp_path, document, "changed.yaml"))
        assert changed.key == RUBRIC.key
        assert changed.content_hash() != RUBRIC.content_hash()

    def test_a_changed_impact_gives_a_different_hash(self, tmp_path: Path) -> None:
        document = copy.deepcopy(SHIPPED)
        _, question = find_question(document, "meetings")
        question["options"][1]["impact"] = 2
        changed = load_rubric(write_yaml(tmp_path, document, "changed.yaml"))
        assert changed.content_hash() != RUBRIC.content_hash()


# Each case breaks a copy of the shipped rubric and says where and what the error should be.


def _duplicate_question_ids(document: Document) -> Expected:
    first = document["sections"][0]["questions"][0]["id"]
    first_where, _ = find_question(document, first)
    where, question = find_question(document, "meetings")
    question["id"] = first
    return (
        f"{where.replace('(meetings)', f'({first})')}.id",
        f"duplicate question id {first!r} (also {first_where})",
    )


def _duplicate_section_ids(document: Document) -> Expected:
    duplicate = document["sections"][1]["id"]
    document["sections"][2]["id"] = duplicate
    return (
        f"sections[2] ({duplicate}).id",
        f"duplicate section id {duplicate!r} (also sections[1] ({duplicate}))",
    )


def _duplicate_option_values(document: Document) -> Expected:
    where, question = find_question(document, "meetings")
    question["options"][2]["value"] = "within-existing"
    return where, "duplicate option values: within-existing"


def _choice_with_one_option(document: Document) -> Expected:
    where, question = find_question(document, "meetings")
    question["options"] = question["options"][:1]
    return where, "a choice question needs at least two options"


def _options_on_a_yes_no_question(document: Document) -> Expected:
    where, question = find_question(document, "holiday-deadlines")
    question["options"] = find_question(document, "meetings")[1]["options"]
    return where, "options are only for choice questions, not yes_no"


def _options_on_a_text_question(document: Document) -> Expected:
    where, question = find_question(document, "what-is-stopped")
    question["options"] = find_question(document, "meetings")[1]["options"]
    return where, "options are only for choice questions, not text"


def _steps_on_a_choice_question(document: Document) -> Expected:
    where, question = find_question(document, "meetings")
    question["steps"] = [{"at_least": 0, "impact": 0}]
    return where, "unit, min_value, max_value and steps are only for number questions"


def _yes_no_without_impacts(document: Document) -> Expected:
    where, question = find_question(document, "holiday-deadlines")
    del question["no_impact"]
    return where, "a yes_no question needs yes_impact and no_impact"


def _number_steps_not_increasing(document: Document) -> Expected:
    where, question = find_question(document, "extra-data-collections-per-year")
    question["steps"][2]["at_least"] = 1
    return where, "number steps must have strictly increasing at_least values"


def _number_min_above_max(document: Document) -> Expected:
    where, question = find_question(document, "extra-data-collections-per-year")
    question["min_value"] = 40
    return where, "min_value must not exceed max_value"


def _mitigation_threshold_outside_the_scale(document: Document) -> Expected:
    document["mitigation_threshold"] = 5
    return "mitigation_threshold", "5 is outside the impact scale 0..4"


def _option_impact_outside_the_scale(document: Document) -> Expected:
    where, question = find_question(document, "meetings")
    question["options"][4]["impact"] = 7
    option = question["options"][4]["value"]
    return f"{where}.options[4] ({option}).impact", "impact 7 is outside the impact scale 0..4"


def _yes_impact_outside_the_scale(document: Document) -> Expected:
    where, question = find_question(document, "holiday-deadlines")
    question["yes_impact"] = -1
    return f"{where}.yes_impact", "impact -1 is outside the impact scale 0..4"


def _step_impact_outside_the_scale(document: Document) -> Expected:
    where, question = find_question(document, "extra-data-collections-per-year")
    question["steps"][-1]["impact"] = 5
    last = len(question["steps"]) - 1
    return f"{where}.steps[{last}].impact", "impact 5 is outside the impact scale 0..4"


def _impact_scale_upside_down(document: Document) -> Expected:
    document["impact_scale"] = {"min": 4, "max": 1}
    return "impact_scale", "max must be greater than min"


def _rating_bands_not_starting_at_zero(document: Document) -> Expected:
    document["rating_bands"][0]["min"] = 5
    return "rating_bands[0] (low).min", "the first band must start at 0"


def _rating_bands_not_increasing(document: Document) -> Expected:
    document["rating_bands"][2]["min"] = 20
    return "rating_bands[2] (high).min", "must be greater than the band before it (25)"


def _rating_band_min_above_100(document: Document) -> Expected:
    document["rating_bands"][3]["min"] = 101
    return "rating_bands[3] (very-high).min", "Input should be less than or equal to 100"


def _misspelt_required(document: Document) -> Expected:
    where, question = find_question(document, "meetings")
    question["requried"] = False
    return f"{where}.requried", "Extra inputs are not permitted"


def _missing_required_field(document: Document) -> Expected:
    where, question = find_question(document, "meetings")
    del question["guidance"]
    return f"{where}.guidance", "Field required"


def _missing_workload_page(document: Document) -> Expected:
    del document["workload"]
    return "workload", "Field required"


def _unknown_answer_kind(document: Document) -> Expected:
    where, question = find_question(document, "meetings")
    question["kind"] = "scale"
    return f"{where}.kind", "Input should be 'choice', 'yes_no', 'number' or 'text'"


def _text_question_with_a_weight(document: Document) -> Expected:
    where, question = find_question(document, "what-is-stopped")
    question["weight"] = 1
    return where, "a text question carries no score: set weight: 0"


def _unknown_source_id(document: Document) -> Expected:
    where, question = find_question(document, "meetings")
    question["source"] = "no-such-source"
    return f"{where}.source", "'no-such-source' is not one of the rubric's sources"


def _identifier_not_kebab_case(document: Document) -> Expected:
    where, question = find_question(document, "meetings")
    question["id"] = "Meetings Policy"
    where = where.replace("(meetings)", "(Meetings Policy)")
    return f"{where}.id", "String should match pattern"


def _terms_per_year_above_six(document: Document) -> Expected:
    document["workload"]["terms_per_year"] = 7
    return "workload.terms_per_year", "Input should be less than or equal to 6"


def _no_scored_question(document: Document) -> Expected:
    for section in document["sections"]:
        for question in section["questions"]:
            question["weight"] = 0
    return "sections", "the rubric has no scored question"


BREAKAGES: list[Callable[[Document], Expected]] = [
    _duplicate_question_ids,
    _duplicate_section_ids,
    _duplicate_option_values,
    _choice_with_one_option,
    _options_on_a_yes_no_question,
    _options_on_a_text_question,
    _steps_on_a_choice_question,
    _yes_no_without_impacts,
    _number_steps_not_increasing,
    _number_min_above_max,
    _mitigation_threshold_outside_the_scale,
    _option_impact_outside_the_scale,
    _yes_impact_outside_the_scale,
    _step_impact_outside_the_scale,
    _impact_scale_upside_down,
    _rating_bands_not_starting_at_zero,
    _rating_bands_not_increasing,
    _rating_band_min_above_100,
    _misspelt_required,
    _missing_required_field,
    _missing_workload_page,
    _unknown_answer_kind,
    _text_question_with_a_weight,
    _unknown_source_id,
    _identifier_not_kebab_case,
    _terms_per_year_above_six,
    _no_scored_question,
]


@pytest.mark.parametrize("breakage", BREAKAGES, ids=lambda f: f.__name__.strip("_"))
def test_a_bad_rubric_is_refused_naming_the_file_the_place_and_the_problem(
    tmp_path: Path, breakage: Callable[[Document], Expected]
) -> None:
    document = copy.deepcopy(SHIPPED)
    where, problem = breakage(document)
    path = write_yaml(tmp_path, document)

    lines = error_lines(path)

    expected = f"{path}: {where}: {problem}"
    assert any(line.startswith(expected) for line in lines), (expected, lines)


def test_every_problem_across_fields_is_reported_at_once(tmp_path: Path) -> None:
    document = copy.deepcopy(SHIPPED)
    document["mitigation_threshold"] = 9
    where, question = find_question(document, "meetings")
    question["source"] = "no-such-source"
    document["rating_bands"][0]["min"] = 1

    lines = error_lines(write_yaml(tmp_path, document))

    assert [line.split(": ")[1] for line in lines] == [
        "rating_bands[0] (low).min",
        "mitigation_threshold",
        f"{where}.source",
    ]


def test_every_problem_in_the_fields_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    document = copy.deepcopy(SHIPPED)
    where, question = find_question(document, "meetings")
    question["requried"] = False
    del question["guidance"]
    document["rating_bands"][3]["min"] = 101

    lines = error_lines(write_yaml(tmp_path, document))

    assert len(lines) == 3
    assert any(f"{where}.requried: Extra inputs are not permitted" in line for line in lines)
    assert any(f"{where}.guidance: Field required" in line for line in lines)
    assert any("rating_bands[3] (very-high).min" in line for line in lines)


class TestImpactWords:
    def test_each_level_of_the_shipped_scale_has_its_words(self) -> None:
        scale = default_rubric().impact_scale
        assert [scale.label(level) for level in range(scale.min, scale.max + 1)] == [
            "None",
            "Low",
            "Some",
            "High",
            "Very high",
        ]

    def test_words_for_too_few_or_too_many_levels_are_refused(self) -> None:
        from pydantic import ValidationError

        from assessments.rubrics.schema import ImpactScale

        with pytest.raises(ValidationError, match="one for each level from 0 to 4"):
            ImpactScale(min=0, max=4, labels=["None", "Some"])

    def test_a_scale_without_words_shows_numbers_and_hashes_as_before(self) -> None:
        from assessments.rubrics.schema import ImpactScale

        scale = ImpactScale(min=0, max=4)
        assert scale.label(3) == "3"
        assert "labels" not in scale.model_dump()
