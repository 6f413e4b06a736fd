"""Shared by the rubric tests: the shipped rubric as a document, and writing and loading files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from assessments.rubrics.files import RubricError, load_rubric
from tests.factories.trusts import DEFAULT_RUBRIC_PATH

Document = dict[str, Any]

SHIPPED: Document = yaml.safe_load(DEFAULT_RUBRIC_PATH.read_text(encoding="utf-8"))


def write_yaml(folder: Path, document: object, name: str = "bad-rubric.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def error_lines(path: Path) -> list[str]:
    with pytest.raises(RubricError) as error:
        load_rubric(path)
    return str(error.value).splitlines()


def find_question(document: Document, question_id: str) -> tuple[str, Document]:
    """Where a question is in the document, as the error messages name it, and the question."""
    for s, section in enumerate(document["sections"]):
        for q, question in enumerate(section["questions"]):
            if question["id"] == question_id:
                where = f"sections[{s}] ({section['id']}).questions[{q}] ({question_id})"
                return where, question
    raise AssertionError(f"no question {question_id!r} in the shipped rubric")
