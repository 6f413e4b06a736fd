"""Reading rubric files: YAML in, a validated Rubric out, or an error naming the file, the
place inside it and each problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assessments.kernel.data_files import DataFileError, read_mapping, validated
from assessments.rubrics.schema import Rubric


class RubricError(DataFileError):
    """A rubric file that cannot be used; the message names the file, the place and the problem."""


def parse_rubric(document: Any, path: Path | str) -> Rubric:
    return validated(Rubric, document, path, RubricError)


def load_rubric(path: Path) -> Rubric:
    """Read and validate one rubric YAML file."""
    return parse_rubric(read_mapping(path, "rubric fields", RubricError), path)


def load_rubric_dir(directory: Path) -> list[Rubric]:
    """Load every rubric (`*.yaml`, `*.yml`) in a folder, reporting every bad file at once."""
    loaded: list[tuple[Path, Rubric]] = []
    errors: list[RubricError] = []
    for path in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
        try:
            loaded.append((path, load_rubric(path)))
        except RubricError as exc:
            errors.append(exc)
    if errors:
        raise (
            RubricError(directory, [f"{e.path}: {p}" for e in errors for p in e.problems])
            if len(errors) > 1
            else errors[0]
        )
    files_of: dict[str, list[str]] = {}
    for path, rubric in loaded:
        files_of.setdefault(rubric.key, []).append(path.name)
    clashes = [
        f"{key} is defined by more than one file ({', '.join(names)}): give each its own id "
        "or version"
        for key, names in files_of.items()
        if len(names) > 1
    ]
    if clashes:
        raise RubricError(directory, clashes)
    return [rubric for _, rubric in loaded]
