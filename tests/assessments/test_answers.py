"""What an author may type as an answer, the form it is stored in, and the impact it carries."""

from __future__ import annotations

from typing import Any

import pytest

from assessments.rubrics.answers import MAX_ANSWER_LENGTH, impact_of, normalise_answer
from assessments.rubrics.schema import Question
from tests.factories.trusts import default_rubric

RUBRIC = default_rubric()


def _shipped(question_id: str) -> Question:
    question = RUBRIC.question(question_id)
    assert question is not None
    return question


def _question(**fields: Any) -> Question:
    return Question.model_validate(
        {"id": "q", "text": "Question?", "guidance": "Help.", "charter_ref": "§3", **fields}
    )


MEETINGS = _shipped("meetings")  # choice
HOLIDAY_DEADLINES = _shipped("holiday-deadlines")  # yes_no: yes 3, no 0
FEEDBACK_LOOP = _shipped("feedback-loop")  # yes_no: yes 0, no 2
TRAINING_HOURS = _shipped("training-hours-outside-directed-time")  # number 0..100, 2 dp
DATA_COLLECTIONS = _shipped("extra-data-collections-per-year")  # number 0..39
WHAT_IS_STOPPED = _shipped("what-is-stopped")  # text
UNBOUNDED = _question(kind="number", steps=[{"at_least": 0, "impact": 0}])


class TestEveryKind:
    @pytest.mark.parametrize(
        "question", [MEETINGS, HOLIDAY_DEADLINES, TRAINING_HOURS, WHAT_IS_STOPPED]
    )
    @pytest.mark.parametrize("raw", ["", "   ", "\n\t"])
    def test_an_empty_answer_is_refused(self, question: Question, raw: str) -> None:
        with pytest.raises(ValueError, match=r"^Enter an answer$"):
            normalise_answer(question, raw)

    @pytest.mark.parametrize(
        "question", [MEETINGS, HOLIDAY_DEADLINES, TRAINING_HOURS, WHAT_IS_STOPPED]
    )
    def test_an_answer_over_the_length_limit_is_refused(self, question: Question) -> None:
        with pytest.raises(ValueError, match=r"^Answer must be 5000 characters or fewer$"):
            normalise_answer(question, "x" * (MAX_ANSWER_LENGTH + 1))


class TestChoice:
    def test_an_option_value_is_stored_as_it_is(self) -> None:
        assert normalise_answer(MEETINGS, "new-on-top") == "new-on-top"
        assert normalise_answer(MEETINGS, "  new-on-top \n") == "new-on-top"

    @pytest.mark.parametrize(
        "raw", ["not-an-option", "New-On-Top", "new on top", MEETINGS.options[0].label]
    )
    def test_anything_but_an_option_value_is_refused(self, raw: str) -> None:
        with pytest.raises(ValueError, match=r"^Select one of the options$"):
            normalise_answer(MEETINGS, raw)

    def test_each_option_carries_its_own_impact(self) -> None:
        impacts = {o.value: impact_of(MEETINGS, o.value) for o in MEETINGS.options}
        assert impacts == {
            "none-or-fewer": 0,
            "within-existing": 1,
            "new-in-directed-time": 2,
            "new-on-top": 3,
            "several-beyond-directed-time": 4,
        }

    def test_a_choice_question_with_weight_zero_carries_no_impact(self) -> None:
        unscored = _question(
            kind="choice",
            weight=0,
            options=[
                {"value": "a", "label": "A", "impact": 0},
                {"value": "b", "label": "B", "impact": 4},
            ],
        )
        assert impact_of(unscored, "b") is None


class TestYesNo:
    @pytest.mark.parametrize(
        ("raw", "stored"),
        [("yes", "yes"), ("Yes", "yes"), ("YES", "yes"), (" no ", "no"), ("No", "no")],
    )
    def test_yes_and_no_are_accepted_in_any_case(self, raw: str, stored: str) -> None:
        assert normalise_answer(HOLIDAY_DEADLINES, raw) == stored

    @pytest.mark.parametrize("raw", ["y", "n", "true", "false", "maybe", "yes please"])
    def test_anything_else_is_refused(self, raw: str) -> None:
        with pytest.raises(ValueError, match=r"^Select yes or no$"):
            normalise_answer(HOLIDAY_DEADLINES, raw)

    def test_yes_and_no_carry_the_rubrics_impacts(self) -> None:
        assert (impact_of(HOLIDAY_DEADLINES, "yes"), impact_of(HOLIDAY_DEADLINES, "no")) == (3, 0)
        assert (impact_of(FEEDBACK_LOOP, "yes"), impact_of(FEEDBACK_LOOP, "no")) == (0, 2)

    def test_a_typed_answer_scores_the_same_as_the_stored_one(self) -> None:
        stored = normalise_answer(HOLIDAY_DEADLINES, "YES")
        assert impact_of(HOLIDAY_DEADLINES, stored) == 3


class TestNumber:
    @pytest.mark.parametrize(
        ("raw", "stored"),
        [
            ("7", "7"),
            (" 7 ", "7"),
            ("10", "10"),
            ("100", "100"),
            ("0", "0"),
            ("0.00", "0"),
            ("12.50", "12.5"),
            ("3.00", "3"),
            ("0.25", "0.25"),
            ("+5", "5"),
        ],
    )
    def test_a_number_is_stored_in_its_plain_shortest_form(self, raw: str, stored: str) -> None:
        assert normalise_answer(TRAINING_HOURS, raw) == stored

    @pytest.mark.parametrize(
        ("raw", "stored"), [("1,000", "1000"), ("12,345.5", "12345.5"), ("-1,250", "-1250")]
    )
    def test_thousands_separators_are_ignored(self, raw: str, stored: str) -> None:
        assert normalise_answer(UNBOUNDED, raw) == stored

    @pytest.mark.parametrize("raw", ["1,5", "2,25", "1,2345", ",5", "1,000,00"])
    def test_a_decimal_comma_is_refused_rather_than_read_as_thousands(self, raw: str) -> None:
        with pytest.raises(ValueError, match="use a full stop for decimals"):
            normalise_answer(UNBOUNDED, raw)

    @pytest.mark.parametrize("raw", ["-0", "-0.00", "+0"])
    def test_minus_zero_is_stored_as_zero(self, raw: str) -> None:
        assert normalise_answer(UNBOUNDED, raw) == "0"

    @pytest.mark.parametrize("raw", ["1.255", "0.001", "12.999"])
    def test_more_than_two_decimal_places_is_refused(self, raw: str) -> None:
        with pytest.raises(
            ValueError, match=r"^Enter a number with no more than 2 decimal places$"
        ):
            normalise_answer(TRAINING_HOURS, raw)

    def test_below_the_minimum_is_refused(self) -> None:
        with pytest.raises(ValueError, match=r"^Enter a number of 0 or more$"):
            normalise_answer(TRAINING_HOURS, "-1")

    def test_above_the_maximum_is_refused(self) -> None:
        with pytest.raises(ValueError, match=r"^Enter a number of 100 or less$"):
            normalise_answer(TRAINING_HOURS, "100.01")
        with pytest.raises(ValueError, match=r"^Enter a number of 39 or less$"):
            normalise_answer(DATA_COLLECTIONS, "40")

    def test_the_limits_themselves_are_allowed(self) -> None:
        assert normalise_answer(TRAINING_HOURS, "0") == "0"
        assert normalise_answer(TRAINING_HOURS, "100.00") == "100"
        assert normalise_answer(DATA_COLLECTIONS, "39") == "39"

    def test_a_question_without_limits_takes_any_finite_number(self) -> None:
        assert normalise_answer(UNBOUNDED, "-40.5") == "-40.5"
        assert normalise_answer(UNBOUNDED, "250000") == "250000"

    @pytest.mark.parametrize("raw", ["abc", "three", "1.2.3", "£5", "5 hours", "1/2", "--1"])
    def test_text_that_is_not_a_number_is_refused(self, raw: str) -> None:
        with pytest.raises(ValueError, match=r"^Enter a number, like 3 or 1\.5$"):
            normalise_answer(TRAINING_HOURS, raw)

    @pytest.mark.parametrize("raw", ["Infinity", "inf", "-Infinity", "NaN", "nan", "sNaN"])
    def test_infinity_and_nan_are_refused(self, raw: str) -> None:
        with pytest.raises(ValueError, match=r"^Enter a number, like 3 or 1\.5$"):
            normalise_answer(UNBOUNDED, raw)

    @pytest.mark.parametrize(
        ("value", "impact"),
        [("0", 0), ("0.49", 0), ("0.5", 1), ("1.99", 1), ("2", 2), ("7.99", 3), ("8", 4)],
    )
    def test_the_highest_step_reached_gives_the_impact(self, value: str, impact: int) -> None:
        # Steps: at least 0 → 0, 0.5 → 1, 2 → 2, 4 → 3, 8 → 4.
        assert impact_of(TRAINING_HOURS, value) == impact

    def test_steps_are_read_from_the_rubric(self) -> None:
        # Steps: at least 0 → 0, 1 → 2, 2 → 3, 3 → 4.
        impacts = [impact_of(DATA_COLLECTIONS, v) for v in ("0", "1", "1.5", "2", "3", "39")]
        assert impacts == [0, 2, 2, 3, 4, 4]

    def test_a_number_below_every_step_carries_no_impact(self) -> None:
        question = _question(kind="number", steps=[{"at_least": 1, "impact": 2}])
        assert impact_of(question, "0.5") is None
        assert impact_of(question, "1") == 2

    def test_a_number_question_without_steps_is_unscored(self) -> None:
        question = _question(kind="number", unit="hours", min_value=0)
        assert not question.scored
        assert impact_of(question, "12") is None
        assert normalise_answer(question, "12") == "12"


class TestText:
    def test_text_is_stored_trimmed_and_carries_no_impact(self) -> None:
        stored = normalise_answer(WHAT_IS_STOPPED, "  The weekly data drop stops.\n")
        assert stored == "The weekly data drop stops."
        assert impact_of(WHAT_IS_STOPPED, stored) is None

    def test_text_of_exactly_the_limit_is_accepted(self) -> None:
        text = "x" * MAX_ANSWER_LENGTH
        assert normalise_answer(WHAT_IS_STOPPED, f"  {text}  ") == text
