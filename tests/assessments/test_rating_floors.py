"""Rating floors: the workload hours of the most affected staff group raise the rating.

The rubric's `workload.rating_floors` is checked on load, each problem placed like the other
cross-field problems; compute_results raises the overall rating (before and after mitigation)
to the highest floor reached and says why.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from assessments.rubrics.files import parse_rubric
from assessments.rubrics.schema import Rubric, canonical_json
from assessments.rubrics.scoring import AppliedFloor, WorkloadInput, compute_results
from tests.factories.rubrics import SHIPPED, Document, error_lines, write_yaml
from tests.factories.scoring import SHIPPED as SHIPPED_RUBRIC

FLOORS = [
    {"hours_per_person_per_year": 20, "at_least": "medium"},
    {"hours_per_person_per_year": 60, "at_least": "high"},
    {"hours_per_person_per_year": 120, "at_least": "very-high"},
]


def floored_rubric(
    impacts: tuple[int, ...] = (1, 0), floors: list[dict[str, Any]] | None = None
) -> Rubric:
    """Bands as in the shipped rubric (low 0, medium 25, high 50, very-high 75), one choice
    question of weight 1 per impact in the first section (answered "chosen") and one in a
    second section, and the given floors (FLOORS by default)."""

    def question(qid: str, impact: int) -> dict[str, Any]:
        return {
            "id": qid,
            "text": "Question?",
            "guidance": "Guidance.",
            "charter_ref": "CLT charter §3 Manage workload",
            "kind": "choice",
            "options": [
                {"value": "chosen", "label": "The answer given", "impact": impact},
                {"value": "worst", "label": "The worst answer", "impact": 4},
            ],
        }

    document = {
        "id": "floored",
        "version": 1,
        "title": "Floored",
        "sources": [{"id": "src", "title": "A source"}],
        "impact_scale": {"min": 0, "max": 4},
        "mitigation_threshold": 3,
        "rating_bands": [
            {"id": band, "label": band.capitalize(), "min": m}
            for band, m in [("low", 0), ("medium", 25), ("high", 50), ("very-high", 75)]
        ],
        "staff_groups": [
            {"id": "teachers", "label": "Teachers"},
            {"id": "teaching-assistants", "label": "Teaching assistants"},
            {"id": "support-staff", "label": "Support staff"},
        ],
        "sections": [
            {
                "id": "first",
                "title": "First",
                "questions": [question(f"q{i}", impact) for i, impact in enumerate(impacts)],
            },
            {"id": "second", "title": "Second", "questions": [question("other", 0)]},
        ],
        "workload": {
            "title": "Workload",
            "guidance": "Hours.",
            "terms_per_year": 3,
            "rating_floors": FLOORS if floors is None else floors,
        },
    }
    return parse_rubric(document, "floored.yaml")


def chosen(rubric: Rubric) -> dict[str, str]:
    return {q.id: "chosen" for q in rubric.questions()}


def teachers(hours_per_term: str, staff: int = 30) -> WorkloadInput:
    return WorkloadInput("teachers", Decimal(hours_per_term), staff)


def band_of(rubric: Rubric, estimates: list[WorkloadInput], **kwargs: Any) -> str | None:
    rating = compute_results(rubric, chosen(rubric), estimates, **kwargs).rating
    return rating.id if rating else None


# --- the schema ---------------------------------------------------------------------------


def _with_floors(floors: list[dict[str, Any]]) -> Document:
    document = copy.deepcopy(SHIPPED)
    document["workload"]["rating_floors"] = floors
    return document


class TestTheSchema:
    def test_the_shipped_rubric_has_floors_naming_its_bands_in_order(self) -> None:
        floors = SHIPPED_RUBRIC.workload.rating_floors
        assert [(f.hours_per_person_per_year, f.at_least) for f in floors] == [
            (Decimal(20), "medium"),
            (Decimal(60), "high"),
            (Decimal(120), "very-high"),
        ]
        assert SHIPPED_RUBRIC.version >= 2

    @pytest.mark.parametrize("hours", [0, -5])
    def test_hours_must_be_above_zero(self, tmp_path: Path, hours: int) -> None:
        path = write_yaml(
            tmp_path, _with_floors([{"hours_per_person_per_year": hours, "at_least": "high"}])
        )
        assert error_lines(path) == [
            f"{path}: workload.rating_floors[0].hours_per_person_per_year: "
            "Input should be greater than 0"
        ]

    @pytest.mark.parametrize("second", [20, 10])
    def test_hours_must_be_strictly_increasing(self, tmp_path: Path, second: int) -> None:
        floors = [
            {"hours_per_person_per_year": 20, "at_least": "medium"},
            {"hours_per_person_per_year": second, "at_least": "high"},
        ]
        path = write_yaml(tmp_path, _with_floors(floors))
        assert error_lines(path) == [
            f"{path}: workload.rating_floors[1].hours_per_person_per_year: must be greater "
            "than the floor before it (20)"
        ]

    def test_at_least_must_name_one_of_the_bands(self, tmp_path: Path) -> None:
        path = write_yaml(
            tmp_path, _with_floors([{"hours_per_person_per_year": 20, "at_least": "severe"}])
        )
        assert error_lines(path) == [
            f"{path}: workload.rating_floors[0].at_least: 'severe' is not one of the rubric's "
            "rating bands (low, medium, high, very-high)"
        ]

    def test_a_floor_must_not_name_a_lower_band_than_the_one_before(self, tmp_path: Path) -> None:
        floors = [
            {"hours_per_person_per_year": 20, "at_least": "high"},
            {"hours_per_person_per_year": 60, "at_least": "high"},  # the same band is fine
            {"hours_per_person_per_year": 120, "at_least": "medium"},
        ]
        path = write_yaml(tmp_path, _with_floors(floors))
        assert error_lines(path) == [
            f"{path}: workload.rating_floors[2].at_least: 'medium' is a lower band than the "
            "floor before it ('high'); more hours must never lower the floor"
        ]

    def test_unknown_and_missing_keys_are_refused(self, tmp_path: Path) -> None:
        floors = [{"hours_per_person_per_year": 20, "band": "medium"}]
        path = write_yaml(tmp_path, _with_floors(floors))
        lines = error_lines(path)
        assert f"{path}: workload.rating_floors[0].at_least: Field required" in lines
        assert f"{path}: workload.rating_floors[0].band: Extra inputs are not permitted" in lines

    def test_every_floor_problem_is_reported_at_once_with_the_other_problems(
        self, tmp_path: Path
    ) -> None:
        document = _with_floors(
            [
                {"hours_per_person_per_year": 60, "at_least": "very-high"},
                {"hours_per_person_per_year": 20, "at_least": "medium"},
                {"hours_per_person_per_year": 150, "at_least": "extreme"},
            ]
        )
        document["mitigation_threshold"] = 9
        lines = error_lines(write_yaml(tmp_path, document))
        assert [line.split(": ")[1] for line in lines] == [
            "workload.rating_floors[1].hours_per_person_per_year",
            "workload.rating_floors[1].at_least",
            "workload.rating_floors[2].at_least",
            "mitigation_threshold",
        ]

    def test_a_rubric_without_floors_loads_with_none_and_keeps_its_content_and_hash(
        self,
    ) -> None:
        document = copy.deepcopy(SHIPPED)
        del document["workload"]["rating_floors"]
        without = parse_rubric(document, "without-floors.yaml")
        assert without.workload.rating_floors == []
        # Frozen JSON published before floors existed has no such key: it must read, and hash,
        # exactly as it was published, or every assessment submitted against it would look
        # changed since submission.
        content = canonical_json(without)
        assert "rating_floors" not in json.loads(content)["workload"]
        frozen = Rubric.model_validate_json(content)
        assert canonical_json(frozen) == content
        assert frozen.content_hash() == without.content_hash()
        assert compute_results(frozen, {}, [teachers("82")]).rating_reason.floor is None

    def test_floors_are_part_of_the_content(self) -> None:
        content = json.loads(canonical_json(SHIPPED_RUBRIC))
        assert content["workload"]["rating_floors"][0] == {
            "hours_per_person_per_year": "20",
            "at_least": "medium",
        }
        assert Rubric.model_validate_json(canonical_json(SHIPPED_RUBRIC)) == SHIPPED_RUBRIC


# --- the rating ---------------------------------------------------------------------------


class TestTheRating:
    def test_a_low_score_with_246_hours_per_teacher_a_year_is_rated_very_high(self) -> None:
        rubric = floored_rubric()  # (1/4 + 0/4 + 0/4) / 3 * 100 = 8.3: low
        results = compute_results(rubric, chosen(rubric), [teachers("82")])  # 82 * 3 = 246
        assert results.overall_score == Decimal("8.3")
        assert results.rating is not None and results.rating.id == "very-high"
        reason = results.rating_reason
        assert reason.score_band is not None and reason.score_band.id == "low"
        assert reason.floor == AppliedFloor(
            staff_group="teachers",
            label="Teachers",
            hours_per_person_per_year=Decimal(246),
            floor_hours=Decimal(120),
            band=rubric.rating_bands[3],
        )
        assert reason.rating == results.rating
        assert reason.raised

    def test_the_shipped_rubric_rates_a_low_scoring_policy_adding_246_hours_very_high(
        self,
    ) -> None:
        results = compute_results(SHIPPED_RUBRIC, {"meetings": "none-or-fewer"}, [teachers("82")])
        assert results.overall_score == Decimal(0)
        assert results.rating is not None and results.rating.id == "very-high"
        assert results.rating_reason.floor is not None
        assert results.rating_reason.floor.label == "Teachers"

    @pytest.mark.parametrize(
        ("hours_per_term", "band"),
        [
            ("6.6", "low"),  # 19.8 a year
            ("6.65", "medium"),  # 19.95 rounds half-up to 20.0: exactly the figure
            ("6.67", "medium"),  # 20.0
            ("20", "high"),  # 60
            ("39.98", "high"),  # 119.9
            ("40", "very-high"),  # 120
        ],
    )
    def test_a_floor_applies_from_exactly_its_figure_of_rounded_hours(
        self, hours_per_term: str, band: str
    ) -> None:
        assert band_of(floored_rubric(), [teachers(hours_per_term)]) == band

    @pytest.mark.parametrize("hours_per_term", ["-82", "-500", "0"])
    def test_hours_removed_never_lower_a_rating(self, hours_per_term: str) -> None:
        rubric = floored_rubric(impacts=(4, 4))  # (4/4 + 4/4 + 0/4) / 3 * 100 = 66.7: high
        results = compute_results(rubric, chosen(rubric), [teachers(hours_per_term)])
        assert results.rating is not None and results.rating.id == "high"
        assert results.rating_reason.floor is None
        assert not results.rating_reason.raised
        assert band_of(floored_rubric(), [teachers(hours_per_term)]) == "low"

    def test_the_most_affected_group_is_the_one_with_most_hours_per_person(self) -> None:
        rubric = floored_rubric()
        estimates = [
            teachers("10", staff=40),  # 30 a year each, 1,200 in all: medium on its own
            WorkloadInput("teaching-assistants", Decimal(25), 2),  # 75 each, 150 in all: high
            WorkloadInput("support-staff", Decimal(-60), 5),
        ]
        reason = compute_results(rubric, chosen(rubric), estimates).rating_reason
        assert reason.floor is not None
        assert (reason.floor.staff_group, reason.floor.label) == (
            "teaching-assistants",
            "Teaching assistants",
        )
        assert (reason.floor.hours_per_person_per_year, reason.floor.floor_hours) == (
            Decimal(75),
            Decimal(60),
        )
        assert reason.rating is not None and reason.rating.id == "high"

    def test_on_a_tie_the_first_group_in_the_rubric_is_named(self) -> None:
        rubric = floored_rubric()
        estimates = [WorkloadInput("support-staff", Decimal(30), 3), teachers("30")]
        reason = compute_results(rubric, chosen(rubric), estimates).rating_reason
        assert reason.floor is not None and reason.floor.staff_group == "teachers"

    def test_a_group_with_no_staff_affected_raises_nothing(self) -> None:
        rubric = floored_rubric()
        results = compute_results(rubric, chosen(rubric), [teachers("82", staff=0)])
        assert results.rating is not None and results.rating.id == "low"
        assert results.rating_reason.floor is None

    def test_a_score_already_above_the_floor_keeps_its_band(self) -> None:
        rubric = floored_rubric(impacts=(4, 3))  # (4/4 + 3/4 + 0/4) / 3 * 100 = 58.3: high
        results = compute_results(rubric, chosen(rubric), [teachers("10")])  # 30: medium floor
        reason = results.rating_reason
        assert results.rating is not None and results.rating.id == "high"
        assert reason.floor is not None and reason.floor.band.id == "medium"
        assert reason.score_band == results.rating
        assert not reason.raised

    def test_without_floors_the_rating_is_the_band_of_the_score(self) -> None:
        rubric = floored_rubric(floors=[])
        results = compute_results(rubric, chosen(rubric), [teachers("82")])
        assert results.rating is not None and results.rating.id == "low"
        assert results.rating_reason.score_band == results.rating
        assert results.rating_reason.floor is None
        assert not results.rating_reason.raised

    def test_without_a_score_there_is_no_rating_to_raise(self) -> None:
        results = compute_results(floored_rubric(), {}, [teachers("82")])
        assert results.overall_score is None
        assert results.rating is None
        assert results.rating_reason.rating is None

    def test_section_ratings_are_not_floored(self) -> None:
        rubric = floored_rubric()
        results = compute_results(rubric, chosen(rubric), [teachers("82")])
        assert [(s.section_id, s.rating.id if s.rating else None) for s in results.sections] == [
            ("first", "low"),
            ("second", "low"),
        ]

    def test_the_rating_after_mitigation_is_floored_too(self) -> None:
        rubric = floored_rubric(impacts=(4, 4))
        answers = {q.id: "worst" for q in rubric.questions()}
        mitigated = {q.id: 0 for q in rubric.questions()}
        before = compute_results(rubric, answers, [teachers("20")])
        after = compute_results(rubric, answers, [teachers("20")], mitigated)
        unfloored = compute_results(rubric, answers, [], mitigated)
        assert before.rating is not None and before.rating.id == "very-high"  # scores 100
        assert unfloored.rating is not None and unfloored.rating.id == "low"
        assert after.rating is not None and after.rating.id == "high"  # 60 h per teacher
        assert after.rating_reason.score_band == unfloored.rating
        assert after.rating_reason.raised
