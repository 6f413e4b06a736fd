"""A rubric's screening: the few questions asked before the full assessment, validated with
the rest of the file, and the rule they decide by (the full assessment when any answer is its
question's `full_if` or "don't know"; screened out only when every one is answered and none
is)."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from app.settings import PROJECT_ROOT
from assessments.rubrics.files import load_rubric
from assessments.rubrics.screening import ScreeningOutcome, outcome
from tests.factories.rubrics import SHIPPED, Document, error_lines, write_yaml
from tests.factories.trusts import default_rubric

SCREENING: Document = {
    "title": "Screening",
    "guidance": "Five questions decide whether the change needs the full assessment.",
    "questions": [
        {
            "id": "changes-what-staff-do",
            "text": "Does the change alter what any member of staff does?",
            "guidance": "Think of every role the policy touches.",
            "full_if": "yes",
        },
        {
            "id": "wording-only",
            "text": "Is the change one of wording only?",
            "guidance": "Clearer words for the same duties, a new name or a corrected date.",
            "full_if": "no",
        },
    ],
}


def screened(tmp_path: Path, screening: Document) -> Path:
    document = copy.deepcopy(SHIPPED)
    document["screening"] = screening
    return write_yaml(tmp_path, document)


def test_a_rubric_may_screen_and_one_without_screening_hashes_as_it_did(tmp_path: Path) -> None:
    rubric = load_rubric(screened(tmp_path, SCREENING))
    assert rubric.screening is not None
    assert [q.full_if for q in rubric.screening.questions] == ["yes", "no"]
    assert rubric.content_hash() != default_rubric().content_hash()
    unscreened = {key: value for key, value in SHIPPED.items() if key != "screening"}
    without = load_rubric(write_yaml(tmp_path, unscreened, "unscreened.yaml"))
    assert "screening" not in without.model_dump()  # absent: the content as before


@pytest.mark.parametrize(
    ("answers", "decided"),
    [
        ({"changes-what-staff-do": "no", "wording-only": "yes"}, ScreeningOutcome(False, ())),
        (
            {"changes-what-staff-do": "yes", "wording-only": "yes"},
            ScreeningOutcome(True, ("changes-what-staff-do",)),
        ),
        (
            {"changes-what-staff-do": "no", "wording-only": "no"},
            ScreeningOutcome(True, ("wording-only",)),
        ),
        (  # "don't know" always means the full assessment, whichever answer would screen out
            {"changes-what-staff-do": "dont-know", "wording-only": "dont-know"},
            ScreeningOutcome(True, ("changes-what-staff-do", "wording-only")),
        ),
        ({"changes-what-staff-do": "no"}, None),  # not decided until every one is answered
        ({"changes-what-staff-do": "no", "wording-only": "maybe"}, None),
    ],
    ids=["screened out", "what staff do", "not wording only", "don't know", "unanswered", "bad"],
)
def test_the_answers_decide_by_the_rule_in_the_rubric(
    tmp_path: Path, answers: dict[str, str], decided: ScreeningOutcome | None
) -> None:
    rubric = load_rubric(screened(tmp_path, SCREENING))
    assert rubric.screening is not None
    assert outcome(rubric.screening, answers) == decided


def _with(change: dict[str, object], index: int = 0) -> Document:
    screening = copy.deepcopy(SCREENING)
    screening["questions"][index].update(change)
    return screening


@pytest.mark.parametrize(
    ("screening", "expected"),
    [
        (
            _with({"full_if": "maybe"}),
            "screening.questions[0] (changes-what-staff-do).full_if: Input should be 'yes' or 'no'",
        ),
        (
            _with({"kind": "choice"}),
            "screening.questions[0] (changes-what-staff-do).kind: Extra inputs are not permitted",
        ),
        (
            {**SCREENING, "questions": []},
            "screening.questions: List should have at least 1 item",
        ),
        (
            _with({"id": "meetings"}),  # a question of the full assessment's
            ".questions[0] (meetings).id: duplicate question id 'meetings' "
            "(also screening.questions[0] (meetings))",
        ),
        (
            _with({"id": "wording-only"}),
            "screening.questions[1] (wording-only).id: duplicate question id 'wording-only' "
            "(also screening.questions[0] (wording-only))",
        ),
    ],
    ids=["full_if", "unknown key", "no questions", "a question's id", "twice"],
)
def test_a_bad_screening_is_refused_with_its_place(
    tmp_path: Path, screening: Document, expected: str
) -> None:
    problems = "\n".join(error_lines(screened(tmp_path, screening)))
    assert expected in problems


def test_the_screening_in_the_rubric_readme_is_valid(tmp_path: Path) -> None:
    readme = (PROJECT_ROOT / "rubrics" / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```\n(screening:\n.*?)```", readme, re.DOTALL)
    assert block is not None
    rubric = load_rubric(screened(tmp_path, yaml.safe_load(block[1])["screening"]))
    assert rubric.screening is not None
    assert [q.full_if for q in rubric.screening.questions] == ["yes", "no"]
